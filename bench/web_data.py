"""The database of the web benchmark: 10,000 projects, people with passwords, API tokens.

Built with bench.common (migrated template, calendar, people, `bulk_load`), then:

- a pool of fresh projects in `intake` (ids after the bulk-loaded ones), one per event the
  run may fire, so every `visit` is valid and no two requests touch the same project;
- a light argon2 password hash for everyone (verifying reads the cost from the hash: the 20
  sign-ins take milliseconds; the product's own hashes keep the library's defaults);
- one personal API token of the leader per event client, made by `workflow.tokens`.

The bulk-loaded projects plus the pool make exactly `projects` (10,000) on the board.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import (
    ACTOR_EMAIL,
    CATEGORIES,
    PARK_TZ,
    PEOPLE,
    build_template,
    bulk_load,
    connect_raw,
    sa_datetime,
    url,
)

PASSWORD = "bench-password-0123"


@dataclass(frozen=True)
class BenchDb:
    path: Path
    projects: int  # on the board, pool included
    pool: tuple[int, ...]  # ids of the projects in intake kept for the event runs
    overdue: int
    tokens: tuple[str, ...]  # clear Bearer tokens of the leader, one per event client
    emails: tuple[str, ...]  # who signs in: the leader first, then the members
    actor_id: int  # the leader's user id (the actor the bare endpoint records)


def load_pool(path: Path, first_id: int, count: int, created: datetime) -> list[int]:
    """`count` projects in intake from `first_id` on, entered at `created` (owners in turn)."""
    conn = connect_raw(path)
    try:
        owners = [(row[0], row[1]) for row in conn.execute(
            "SELECT id, \"group\" FROM users WHERE role = 'member' ORDER BY id")]
        day = created.astimezone(PARK_TZ).date()
        due = datetime.combine(day + timedelta(days=8), datetime.min.time(), tzinfo=PARK_TZ)
        ids = list(range(first_id, first_id + count))
        rows = [(i, f"走访基准项目{i:06d}", CATEGORIES[i % 3], "intake",
                 owners[i % len(owners)][0], owners[i % len(owners)][1], 0,
                 json.dumps({"intake": day.isoformat()}), "[]", None, sa_datetime(due),
                 None, sa_datetime(created), None, 1, sa_datetime(created)) for i in ids]
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
    return ids


def set_passwords(path: Path) -> None:
    from argon2 import PasswordHasher
    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    conn = connect_raw(path)
    try:
        conn.execute("UPDATE users SET password_hash = ?", (light,))
    finally:
        conn.close()


def issue_tokens(path: Path, count: int, now: datetime) -> list[str]:
    from db.engine import make_engine, writing
    from workflow.tokens import create_token
    engine = make_engine(url(path))
    try:
        with writing(engine) as session:
            return [create_token(session, actor=ACTOR_EMAIL, name=f"bench {n}", now=now).secret
                    for n in range(count)]
    finally:
        engine.dispose()


def build(work: Path, *, projects: int, pool: int, clients: int, now: datetime) -> BenchDb:
    """The loaded database in `work` (the real clock's `now`: `parkflow serve` reads it)."""
    path = work / "web.db"
    ids = build_template(path, now)
    loaded = bulk_load(path, projects - pool, now)
    pool_ids = load_pool(path, projects - pool + 1, pool, now - timedelta(hours=2))
    set_passwords(path)
    tokens = issue_tokens(path, clients, now)
    emails = tuple(email for email, *_ in PEOPLE)
    return BenchDb(path=path, projects=projects, pool=tuple(pool_ids), overdue=loaded.overdue,
                   tokens=tuple(tokens), emails=emails, actor_id=ids[ACTOR_EMAIL])


def copy(db: BenchDb, path: Path) -> Path:
    """A copy for the other side (the database is checkpointed: one file)."""
    conn = connect_raw(db.path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    shutil.copy(db.path, path)
    return path


def count_events(path: Path, event: str) -> int:
    conn = connect_raw(path)
    try:
        return int(conn.execute("SELECT count(*) FROM project_events WHERE event = ?",
                                (event,)).fetchone()[0])
    finally:
        conn.close()
