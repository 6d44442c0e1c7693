"""`python -m bench.events_pg [--url URL] [--json]`: events on PostgreSQL vs raw psycopg.

The event benchmark of `python -m bench` (bench/engine.py: the same plan, fields and checks)
on PostgreSQL: `workflow.projects.advance` in a `writing()` transaction next to a raw psycopg
loop doing the same writes per event — SELECT the whole row, INSERT the history row (RETURNING
its id), compare-and-set UPDATE of every mutable column, COMMIT — each on a throwaway database
created on the server of `--url` (default `PARKFLOW_BENCH_PG_URL`, else
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end. The sides alternate
every few dozen events. When no server answers, it prints no figures and a note saying so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench.common import ACTOR_EMAIL, CATEGORIES, PARK_TZ, PEOPLE
from bench.engine import (
    _FIXED,
    _SCORES,
    DEST,
    SECOND,
    SOURCE,
    EngineSide,
    Plan,
    _uscc,
    clean_fields,
    run_interleaved,
)
from bench.report import Row, as_json, load_average

DEFAULT_URL = os.environ.get("PARKFLOW_BENCH_PG_URL",
                             "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ)
AIM_RATIO = 0.5  # issue 11: engine events/s vs the raw driver doing the same writes


def log(message: str) -> None:
    print(f"[bench.events_pg] {message}", file=sys.stderr, flush=True)


def conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


class Database:
    """A migrated database with the calendar and the people, created for this run."""

    def __init__(self, base_url: str) -> None:
        from db.engine import make_engine, writing
        from db.migrate import upgrade
        from workflow.calendar_store import seed_calendar
        from workflow.clock import FixedClock
        from workflow.park import Park
        from workflow.users import add_user

        self.name = f"parkflow_bench_{uuid.uuid4().hex[:10]}"
        self.admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = base_url.rsplit("/", 1)[0] + f"/{self.name}"
        engine = make_engine(self.url)
        try:
            upgrade(engine)
            park = Park.default(tz=PARK_TZ, clock=FixedClock(START))
            with writing(engine) as session:
                seed_calendar(session, park, now=START)
                for email, name, role, group in PEOPLE:
                    add_user(session, park.lifecycle, email=email, name=name, role=role,
                             group=group, now=START)
        finally:
            engine.dispose()

    def connect(self) -> Any:
        import psycopg
        return psycopg.connect(conninfo(self.url))

    def load_intake(self, count: int) -> list[int]:
        """`count` projects in intake, as bench.common.load_intake_projects makes them."""
        from psycopg.types.json import Jsonb
        day = START.astimezone(PARK_TZ).date()
        due = datetime.combine(day + timedelta(days=8), datetime.min.time(), tzinfo=PARK_TZ)
        with self.connect() as conn:
            owners = conn.execute("SELECT id, \"group\" FROM users WHERE role = 'member' "
                                  "ORDER BY id").fetchall()
            rows = [(i, f"科技成果转化项目{i:06d}", CATEGORIES[i % 3], "intake",
                     owners[i % len(owners)][0], owners[i % len(owners)][1], 0,
                     Jsonb({"intake": day.isoformat()}), Jsonb([]), None, due, None, START,
                     None, 1, START) for i in range(1, count + 1)]
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO projects (id, name, category, state, owner_id, \"group\", "
                    "stars, milestones, adjustments, exited_from, due_at, stage_entry_id, "
                    "last_event_at, last_follow_up_at, version, created_at) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
            conn.execute("SELECT setval(pg_get_serial_sequence('projects', 'id'), %s)",
                         (count,))
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE projects")
        return list(range(1, count + 1))

    def outcome(self) -> dict[str, Any]:
        with self.connect() as conn:
            history = conn.execute("SELECT count(*) FROM project_events").fetchone()
            states = conn.execute("SELECT state, version, count(*) FROM projects "
                                  "GROUP BY state, version ORDER BY 1, 2").fetchall()
            searched = conn.execute("SELECT count(*), md5(string_agg(uscc || search_text, "
                                    "',' ORDER BY id)) FROM projects "
                                    "WHERE uscc IS NOT NULL").fetchone()
        return {"history": history[0] if history else 0,
                "projects": {f"{s}@{v}": n for s, v, n in states},
                "searched": tuple(searched) if searched else ()}

    def actor_id(self) -> int:
        with self.connect() as conn:
            row = conn.execute("SELECT id FROM users WHERE email = %s",
                               (ACTOR_EMAIL,)).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


class PsycopgSide:
    """The raw loop of bench.engine.RawSide with psycopg: statements prepared by the driver
    (prepare_threshold=0), one transaction per event."""

    def __init__(self, db: Database, plan: Plan, actor_id: int) -> None:
        import psycopg
        self.plan, self.actor_id = plan, actor_id
        self.conn = psycopg.connect(conninfo(db.url), prepare_threshold=0)
        self.fields: Mapping[str, Mapping[str, Any]] = clean_fields()
        self.now = plan.start
        names = [r[0] for r in self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'projects'"
            " AND column_name <> 'created_at' ORDER BY ordinal_position").fetchall()]
        self.conn.commit()
        self.columns = {name: i for i, name in enumerate(names)}
        self.mutable = [n for n in names if n not in _FIXED]
        quoted = ", ".join(f'"{n}"' for n in names)
        self.select = f"SELECT {quoted} FROM projects WHERE id = %s"
        sets = ", ".join(f'"{n}" = %s' for n in self.mutable)
        self.update = f"UPDATE projects SET {sets} WHERE id = %s AND version = %s"
        self.insert = ("INSERT INTO project_events (project_id, event, from_state, to_state, "
                       "actor_id, occurred_at, recorded_at, fields) VALUES "
                       "(%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id")

    def run(self, start: int, stop: int, latencies: list[float]) -> float:
        from psycopg.types.json import Jsonb

        from workflow.search import search_text  # the text the engine stores
        conn, col = self.conn, self.columns
        perf = time.perf_counter_ns
        began = perf()
        for project_id, event in self.plan.steps[start:stop]:
            self.now += SECOND
            now = self.now
            t0 = perf()
            with conn.cursor() as cur:
                row = cur.execute(self.select, (project_id,)).fetchone()
                if row is None or row[col["state"]] != SOURCE[event]:
                    raise RuntimeError(f"raw loop: project {project_id} not in {SOURCE[event]}")
                values = self.fields[event]
                searched: dict[str, Any] = {}
                if event == "register":  # the engine's search keys, as bench.engine.RawSide
                    uscc = _uscc(f"91340100MA{project_id:07d}")
                    values = {**values, "uscc": uscc}
                    searched = {"uscc": uscc, "search_text": search_text(
                        row[col["name"]], values["company_name"], uscc)}
                milestones = dict(row[col["milestones"]])
                milestones[event] = now.astimezone(PARK_TZ).date().isoformat()
                stars = row[col["stars"]]
                if event == "visit":
                    total = sum(values[name] for name in _SCORES)
                    stars = 3 if total >= 16 else 2 if total >= 13 else 1 if total >= 10 else 0
                inserted = cur.execute(self.insert, (project_id, event, SOURCE[event],
                                                     DEST[event], self.actor_id, now, now,
                                                     Jsonb(dict(values)))).fetchone()
                version = row[col["version"]]
                new = {"state": DEST[event], "stars": stars, "milestones": Jsonb(milestones),
                       "adjustments": Jsonb([]), "exited_from": None,
                       "due_at": now + timedelta(days=30) if event != "open" else None,
                       "stage_entry_id": inserted[0] if inserted else None,
                       "last_event_at": now, "version": version + 1, **searched}
                args = [new[n] if n in new else _adapt(row[col[n]]) for n in self.mutable]
                cur.execute(self.update, (*args, project_id, version))
                if cur.rowcount != 1:
                    raise RuntimeError(f"raw loop: compare-and-set failed on {project_id}")
            conn.commit()
            latencies.append((perf() - t0) / 1e6)
        return (perf() - began) / 1e9

    def close(self) -> None:
        self.conn.close()


def _adapt(value: Any) -> Any:
    """A JSON value read back is written back as JSON."""
    from psycopg.types.json import Jsonb
    return Jsonb(value) if isinstance(value, (dict, list)) else value


def measure(url: str, projects: int, chunk: int,
            budget_s: float) -> tuple[list[Row], dict[str, Any]]:
    engine_db, raw_db = Database(url), Database(url)
    try:
        plans = {name: Plan.build(db.load_intake(projects), START + timedelta(minutes=1))
                 for name, db in (("engine", engine_db), ("raw", raw_db))}
        eng_side = _engine_side(engine_db, plans["engine"])
        raw_side = PsycopgSide(raw_db, plans["raw"], raw_db.actor_id())
        steps = len(plans["engine"].steps)
        log(f"events on PostgreSQL: up to {steps:,} each, engine and raw psycopg, "
            f"alternating every {chunk}")
        try:
            eng, raw = run_interleaved([eng_side, raw_side], steps, chunk,  # type: ignore[list-item]
                                       budget_s)
        finally:
            eng_side.close()
            raw_side.close()
        got = {"engine": engine_db.outcome(), "raw": raw_db.outcome()}
        if got["engine"] != got["raw"] or got["engine"]["history"] != eng.events:
            raise RuntimeError(f"after {eng.events} events the databases differ: {got}")
    finally:
        engine_db.drop()
        raw_db.drop()
    ratio = eng.per_second / raw.per_second
    rows = [
        Row(f"events/s on PostgreSQL, advance() in writing() ({eng.events:,} events)",
            f"{eng.per_second:,.0f}/s", f"{raw.per_second:,.0f}/s raw psycopg",
            f"{ratio:.2f}×", f"≥ {AIM_RATIO}×", ratio >= AIM_RATIO,
            {"parkflow": eng.per_second, "baseline": raw.per_second, "ratio": ratio}),
        Row("  event latency p95", f"{eng.p95:.3f} ms", f"{raw.p95:.3f} ms raw psycopg",
            f"{eng.p95 / raw.p95:.1f}×", "—", None, {"parkflow": eng.p95, "baseline": raw.p95}),
        Row("  CPU per event (this process)", f"{eng.cpu_ms:.3f} ms",
            f"{raw.cpu_ms:.3f} ms raw psycopg", f"{eng.cpu_ms / raw.cpu_ms:.1f}×", "—", None,
            {"parkflow": eng.cpu_ms, "baseline": raw.cpu_ms}),
    ]
    return rows, {"engine": eng.as_json(), "raw": raw.as_json(), "projects": projects}


def _engine_side(db: Database, plan: Plan) -> EngineSide:
    """bench.engine.EngineSide on the PostgreSQL database (it takes a SQLite path)."""
    from db.engine import make_engine, reading
    from db.models import User
    from workflow.clock import FixedClock
    from workflow.park import Park
    from workflow.users import find_user

    side = EngineSide.__new__(EngineSide)
    side.plan = plan
    side.engine = make_engine(db.url)
    side.clock = FixedClock(plan.start)
    side.park = Park.default(tz=PARK_TZ, clock=side.clock)
    from bench.engine import event_fields
    side.fields = event_fields()
    with reading(side.engine) as session:
        found = find_user(session, ACTOR_EMAIL)
        assert isinstance(found, User)
        side.actor = found
    return side


def reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
        with psycopg.connect(conninfo(url), connect_timeout=3):
            return None
    except Exception as exc:  # no driver, no server, no permission: say which
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events_pg", description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--budget", type=float, default=30.0)
    args = parser.parse_args(argv)
    before = load_average()
    why = reachable(args.url)
    if why is not None:
        note = f"no PostgreSQL at {args.url.rsplit('@', 1)[-1]} ({why}): no figures"
        log(note)
        print(json.dumps({"figures": [], "details": {}, "note": note}) if args.json else note)
        return 0
    rows, details = measure(args.url, args.projects, args.chunk, args.budget)
    details["load"] = (before, load_average())
    if args.json:
        print(as_json(rows, details))
    else:
        from bench.report import table
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
