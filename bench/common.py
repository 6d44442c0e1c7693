"""What every measurement shares: the template database, bulk loading, raw connections."""

from __future__ import annotations

import json
import math
import random
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PARK_TZ = ZoneInfo("Asia/Shanghai")
ACTOR_EMAIL = "leader@bench.test"

# (email, name, role, group): one leader (the actor of every benchmark event), members in
# every group (the owners of the projects).
PEOPLE: tuple[tuple[str, str, str, str | None], ...] = (
    (ACTOR_EMAIL, "王主任", "leader", None),
    *((f"member{i:02d}@bench.test", f"成员{i:02d}", "member",
       ("platform", "project", "finance", "general")[i % 4]) for i in range(20)),
)


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def sa_datetime(moment: datetime) -> str:
    """A moment as SQLAlchemy stores a UTCDateTime on SQLite (naive UTC, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def connect_raw(path: Path) -> sqlite3.Connection:
    """A raw sqlite3 connection with the engine's pragmas (db/engine.py), autocommit off."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def build_template(path: Path, now: datetime) -> dict[str, int]:
    """A migrated database with the calendar seeded and the people added; email → id."""
    from sqlmodel import select

    from db.engine import make_engine, reading, writing
    from db.migrate import upgrade
    from db.models import User
    from workflow.calendar_store import seed_calendar
    from workflow.clock import FixedClock
    from workflow.park import Park
    from workflow.users import add_user

    engine = make_engine(url(path))
    try:
        upgrade(engine)
        park = Park.default(tz=PARK_TZ, clock=FixedClock(now))
        with writing(engine) as session:
            seed_calendar(session, park, now=now)
            for email, name, role, group in PEOPLE:
                add_user(session, park.lifecycle, email=email, name=name, role=role,
                         group=group, now=now)
        with reading(engine) as session:
            ids = {u.email: int(u.id or 0) for u in session.exec(select(User)).all()}
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return ids


def copy_db(template: Path, path: Path) -> Path:
    shutil.copy(template, path)
    return path


# ---------------------------------------------------------------- projects in bulk

# Share of projects per state, roughly a park's library after a few years.
STATE_SHARES: tuple[tuple[str, float], ...] = (
    ("intake", 0.10), ("visited", 0.15), ("registered", 0.12), ("signed", 0.08),
    ("opened", 0.40), ("exited", 0.15),
)
PATH = ("intake", "visit", "register", "sign", "open")  # milestones in order
MILESTONES_BY_STATE = {"intake": 1, "visited": 2, "registered": 3, "signed": 4, "opened": 5,
                       "exited": 3}
DEADLINE_STATES = ("intake", "visited", "registered", "signed")
CATEGORIES = ("tech_transfer", "alumni", "platform")


@dataclass(frozen=True)
class Loaded:
    projects: int
    overdue: int


def _project_rows(count: int, now: datetime, owners: Sequence[tuple[int, str | None]],
                  overdue_share: float, seed: int) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed)
    states = [s for s, _ in STATE_SHARES]
    weights = [w for _, w in STATE_SHARES]
    deadline_share = sum(w for s, w in STATE_SHARES if s in DEADLINE_STATES)
    p_overdue = overdue_share / deadline_share  # of the projects whose stage has a deadline
    for i in range(1, count + 1):
        state = rng.choices(states, weights)[0]
        owner_id, group = owners[i % len(owners)]
        intake = now - timedelta(days=rng.randint(1, 900))
        steps = MILESTONES_BY_STATE[state]
        day = intake.astimezone(PARK_TZ).date()
        milestones: dict[str, str] = {}
        for name in PATH[:steps]:
            milestones[name] = day.isoformat()
            day = min(day + timedelta(days=rng.randint(3, 30)), now.astimezone(PARK_TZ).date())
        due_at = None
        if state in DEADLINE_STATES:
            if rng.random() < p_overdue:
                due_at = now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
            else:
                due_at = now + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23))
        stars = rng.choice((0, 0, 1, 2, 3)) if steps >= 2 else 0
        last_event = datetime.combine(date.fromisoformat(max(milestones.values())),
                                      datetime.min.time(), tzinfo=PARK_TZ)
        yield (i, f"科技成果转化项目{i:06d}", CATEGORIES[i % 3], state, owner_id, group, stars,
               json.dumps(milestones), "[]", "registered" if state == "exited" else None,
               sa_datetime(due_at) if due_at else None, None, sa_datetime(last_event), None, 1,
               sa_datetime(intake))


def bulk_load(path: Path, count: int, now: datetime, *, overdue_share: float = 0.05,
              seed: int = 20261121) -> Loaded:
    """`count` projects straight into the table (executemany), ~`overdue_share` overdue."""
    conn = connect_raw(path)
    try:
        owners = [(row[0], row[1]) for row in conn.execute(
            "SELECT id, \"group\" FROM users WHERE role = 'member' ORDER BY id")]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO projects (id, name, category, state, owner_id, \"group\", stars, "
            "milestones, adjustments, exited_from, due_at, stage_entry_id, last_event_at, "
            "last_follow_up_at, version, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _project_rows(count, now, owners, overdue_share, seed))
        conn.execute("COMMIT")  # no ANALYZE: the query plan is the one the app gets
        overdue = conn.execute("SELECT count(*) FROM projects WHERE due_at <= ?",
                               (sa_datetime(now),)).fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Loaded(projects=count, overdue=int(overdue))


def load_intake_projects(path: Path, count: int, created: datetime) -> list[int]:
    """`count` fresh projects in `intake` (the start of the event benchmark); their ids."""
    conn = connect_raw(path)
    try:
        owners = [(row[0], row[1]) for row in conn.execute(
            "SELECT id, \"group\" FROM users WHERE role = 'member' ORDER BY id")]
        intake_day = created.astimezone(PARK_TZ).date()
        due = datetime.combine(intake_day + timedelta(days=8), datetime.min.time(),
                               tzinfo=PARK_TZ)
        rows = [(i, f"科技成果转化项目{i:06d}", CATEGORIES[i % 3], "intake",
                 owners[i % len(owners)][0], owners[i % len(owners)][1], 0,
                 json.dumps({"intake": intake_day.isoformat()}), "[]", None, sa_datetime(due),
                 None, sa_datetime(created), None, 1, sa_datetime(created))
                for i in range(1, count + 1)]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO projects (id, name, category, state, owner_id, \"group\", stars, "
            "milestones, adjustments, exited_from, due_at, stage_entry_id, last_event_at, "
            "last_follow_up_at, version, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return [row[0] for row in rows]  # type: ignore[misc]


# ---------------------------------------------------------------- statistics

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def median(values: Sequence[float]) -> float:
    return percentile(sorted(values), 50)
