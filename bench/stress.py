"""Concurrency proof, and the PostgreSQL-restart fault, on a private PostgreSQL cluster.

    python -m bench.stress                 # 8 processes × 30 s on 200 projects
    python -m bench.stress --restart       # the same while PostgreSQL is stopped and started

Each process fires random events through the real `workflow.projects.advance` (the leader's
hand, valid fields, the events the project's state allows as last read — so a project another
process moved in between is refused with a Conflict, as the CLI's exit 5 and the API's 409).
Every request's outcome goes to a log; afterwards the database is checked against the logs:

- every accepted request is in the history (its row, project and event);
- every refused request got a Conflict, nothing else;
- the counts add up: requests = accepted + refused (+ database errors during a fault), and the
  history written during the run = accepted (+ at most the requests whose commit died with the
  server: their outcome is unknown to the writer, which is told so);
- every project's state and version equal the replay of its history;
- `parkflow check`, when this version has it (another part of issue 11), is clean.

The cluster is initdb'd in a temporary directory on port 5544 (bench/pgcluster.py): the system
cluster is never touched. Writes the Markdown report to bench/stress-RESULTS.md (or
bench/fault-restart-RESULTS.md); exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import ACTOR_EMAIL, PARK_TZ, PEOPLE
from bench.pgcluster import DEFAULT_PORT, PrivateCluster

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ)
HOT = 10  # half the requests go to the first HOT projects: concurrent writers meet there
HERE = Path(__file__).parent


def _uscc() -> str:
    from workflow.fields import uscc_check_char
    first17 = "91340100MA2N00001"
    return first17 + uscc_check_char(first17)


def fields_for(event: str) -> dict[str, Any]:
    """Valid fields of each event of the shipped lifecycle."""
    fields: dict[str, dict[str, Any]] = {
        "visit": {"visitors": "王建国", "needs": ["funding"], "team": "4", "technology": "4",
                  "capital": "3", "market": "4"},
        "register": {"company_name": "合肥压测科技有限公司", "uscc": _uscc(),
                     "address": "合肥市高新区望江西路 800 号"},
        "sign": {"agreement_no": "KDGG-2026-001"},
        "open": {"premises": "中安创谷 B2 栋"},
        "exit": {"reason": "relocated", "note": "压测"},
        "equity_change": {"note": "压测"},
        "address_change": {"address": "合肥市高新区创新大道 2800 号"},
        "need": {"kind": "space", "note": "压测"},
        "reactivate": {"note": "压测"},
    }
    return fields[event]


def events_by_state() -> dict[str, list[str]]:
    from states.definition import load_lifecycle
    lifecycle = load_lifecycle()
    usable = {name for name in lifecycle.events if name != "indicators"}  # quarterly figures
    by_state: dict[str, list[str]] = defaultdict(list)
    for name in sorted(usable):
        for state in lifecycle.events[name].sources:
            by_state[state].append(name)
    return dict(by_state)


# ---------------------------------------------------------------- set-up

def create_database(admin_url: str, name: str) -> str:
    from db.engine import make_engine
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def populate(url: str, projects: int) -> list[int]:
    """Migrate, seed the calendar and the people, enter `projects` projects; their ids."""
    from db.engine import make_engine, writing
    from db.migrate import upgrade
    from parkflow.wiring import make_park
    from workflow.calendar_store import seed_calendar
    from workflow.clock import FixedClock
    from workflow.projects import add_project
    from workflow.users import add_user

    engine = make_engine(url)
    park = make_park(clock=FixedClock(NOW))
    upgrade(engine)
    with writing(engine) as session:
        seed_calendar(session, park, now=NOW)
        for email, name, role, group in PEOPLE:
            add_user(session, park.lifecycle, email=email, name=name, role=role, group=group,
                     now=NOW)
    members = [email for email, _, role, _ in PEOPLE if role == "member"]
    ids = []
    with writing(engine) as session:
        for i in range(projects):
            ids.append(add_project(session, park, name=f"压测项目 {i:03d}",
                                   category="tech_transfer", owner=members[i % len(members)],
                                   actor=ACTOR_EMAIL, allow_duplicate=True).id)
    engine.dispose()
    return ids


# ---------------------------------------------------------------- the writers

def one_request(engine: Any, park: Any, rng: random.Random, ids: list[int],
                by_state: dict[str, list[str]], actor: str = ACTOR_EMAIL) -> dict[str, Any]:
    """Read a random project, fire a random event its state allows: the outcome."""
    from sqlalchemy.exc import DBAPIError

    from db.engine import reading, writing
    from workflow.errors import Conflict, WorkflowError
    from workflow.projects import advance, load_snapshot

    project_id = rng.choice(ids[:HOT] if rng.random() < 0.5 else ids)
    try:
        with reading(engine) as session:
            state = load_snapshot(session, project_id).state
    except DBAPIError as exc:
        return {"outcome": "read_error", "error": str(exc.orig or exc).splitlines()[0]}
    event = rng.choice(by_state[state])
    request = {"project": project_id, "event": event}
    try:
        with writing(engine) as session:
            done = advance(session, park, project_id=project_id, event=event,
                           actor=actor, fields=fields_for(event), allow_duplicate=True)
        return {"outcome": "accepted", **request, "history_id": done.history_id,
                "version": done.after.version}
    except Conflict as exc:
        return {"outcome": "conflict", **request, "code": exc.code}
    except WorkflowError as exc:
        return {"outcome": "refused_other", **request, "code": exc.code}
    except DBAPIError as exc:  # the commit's fate is unknown when the server died during it
        return {"outcome": "db_error", **request,
                "error": str(exc.orig or exc).splitlines()[0]}


def writer(url: str, ids: list[int], seed: int, log_path: str, ready: Any, go: Any,
           until: Any) -> None:
    """One process: random events from `go` until `until` (time.monotonic), one JSON line per
    request."""
    from db.engine import reading
    from parkflow.settings import Settings
    from parkflow.wiring import build_app
    from workflow.clock import FixedClock
    from workflow.projects import load_snapshot

    app = build_app(Settings(database_url=url, timezone=PARK_TZ.key, db_pool_size=2,
                             db_max_overflow=0, db_pool_timeout=10), clock=FixedClock(NOW))
    rng, by_state = random.Random(seed), events_by_state()
    with reading(app.engine) as session:  # imported and connected before the clock runs
        load_snapshot(session, ids[0])
    ready.release()
    go.wait()
    with open(log_path, "w", encoding="utf-8") as log:
        def record(**entry: Any) -> None:
            log.write(json.dumps({"t": time.monotonic(), **entry}) + "\n")

        while time.monotonic() < until.value:
            entry = one_request(app.engine, app.park, rng, ids, by_state)
            record(**entry)
            if entry["outcome"] in ("read_error", "db_error"):
                time.sleep(0.2)  # the server is away: try again shortly
    app.engine.dispose()


def run_writers(url: str, ids: list[int], processes: int, seconds: float, logs: Path,
                on_start: Callable[[float], None] | None = None,
                ) -> tuple[list[dict[str, Any]], float]:
    spawn = multiprocessing.get_context("spawn")
    ready, go, until = spawn.Semaphore(0), spawn.Event(), spawn.Value("d", 0.0)
    workers = [spawn.Process(target=writer, args=(url, ids, seed,
                                                  str(logs / f"writer-{seed}.jsonl"),
                                                  ready, go, until))
               for seed in range(processes)]
    for worker in workers:
        worker.start()
    for _ in workers:
        if not ready.acquire(timeout=300):
            raise SystemExit("a writer process did not start")
    start = time.monotonic()
    until.value = start + seconds
    go.set()
    if on_start is not None:
        on_start(start)
    for worker in workers:
        worker.join(timeout=seconds + 120)
        if worker.exitcode != 0:
            raise SystemExit(f"a writer process ended with exit code {worker.exitcode}")
    outcomes = [json.loads(line) for path in sorted(logs.glob("writer-*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines()]
    return outcomes, start


# ---------------------------------------------------------------- the fault

def restarts(cluster: PrivateCluster, start: float, seconds: float,
             events: list[tuple[str, float, float]]) -> threading.Thread:
    """Stop and start the cluster twice during the load: a clean stop (`fast`), then a crash
    (`immediate`: the WAL is replayed at the next start)."""
    def run() -> None:
        for at, mode in ((seconds / 4, "fast"), (seconds / 2, "immediate")):
            time.sleep(max(0.0, start + at - time.monotonic()))
            stopping = time.monotonic()
            cluster.stop(mode)
            time.sleep(3)
            cluster.start()
            events.append((f"stop -m {mode}", stopping, time.monotonic()))
    thread = threading.Thread(target=run)
    thread.start()
    return thread


# ---------------------------------------------------------------- the checks

def history_since(url: str, first_id: int) -> dict[int, tuple[int, str]]:
    from sqlalchemy import text

    from db.engine import make_engine
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, project_id, event FROM project_events "
                                 "WHERE id >= :first"), {"first": first_id}).all()
    engine.dispose()
    return {int(r.id): (int(r.project_id), str(r.event)) for r in rows}


def replay_mismatches(url: str) -> list[str]:
    """Projects whose stored state or version differ from the replay of their history (every
    row must start where the previous one ended; the version counts the rows)."""
    from sqlalchemy import text

    from db.engine import make_engine
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = {int(r.id): (r.state, int(r.version)) for r in conn.execute(
            text("SELECT id, state, version FROM projects"))}
        rows = conn.execute(text("SELECT project_id, from_state, to_state FROM project_events "
                                 "ORDER BY project_id, id")).all()
    engine.dispose()
    replayed: dict[int, tuple[str | None, int]] = {}
    problems = []
    for row in rows:
        state, version = replayed.get(int(row.project_id), (None, 0))
        if row.from_state != state:
            problems.append(f"project {row.project_id}: a {row.from_state}→{row.to_state} row "
                            f"after {state}")
        replayed[int(row.project_id)] = (row.to_state, version + 1)
    for project_id, (state, version) in stored.items():
        if replayed.get(project_id) != (state, version):
            problems.append(f"project {project_id}: stored {state} v{version}, history "
                            f"replays to {replayed.get(project_id)}")
    return problems


def parkflow_check(url: str) -> tuple[str, bool]:
    """`parkflow check --json`: (what it said, clean?)."""
    command = Path(sys.executable).parent / "parkflow"
    env = {**os.environ, "PARKFLOW_DATABASE_URL": url, "PARKFLOW_LANG": "en"}
    done = subprocess.run([str(command), "check", "--json"], env=env, capture_output=True,
                          text=True, timeout=600)
    return (done.stdout or done.stderr).strip()[:2000], done.returncode == 0


def verify(url: str, first_id: int, outcomes: list[dict[str, Any]], fault: bool,
           events: list[tuple[str, float, float]]) -> list[tuple[str, bool, str]]:
    counts = Counter(o["outcome"] for o in outcomes)
    requests = [o for o in outcomes if o["outcome"] != "read_error"]
    accepted = [o for o in requests if o["outcome"] == "accepted"]
    history = history_since(url, first_id)
    missing = [o for o in accepted
               if history.get(o["history_id"]) != (o["project"], o["event"])]
    unclaimed = set(history) - {o["history_id"] for o in accepted}
    conflict_codes = Counter(o["code"] for o in requests if o["outcome"] == "conflict")
    replay = replay_mismatches(url)
    check_text, clean = parkflow_check(url)
    checks = [
        ("every accepted request is in the history", not missing,
         f"{len(accepted)} accepted, {len(missing)} missing"),
        ("every refused request got a conflict", counts["refused_other"] == 0,
         f"{counts['conflict']} conflicts ({dict(conflict_codes)}), "
         f"{counts['refused_other']} refused otherwise"),
        ("the counts add up", len(requests) == counts["accepted"] + counts["conflict"]
         + counts["refused_other"] + counts["db_error"]
         and len(unclaimed) <= counts["db_error"],
         f"{len(requests)} requests = {counts['accepted']} accepted + {counts['conflict']} "
         f"conflicts + {counts['db_error']} database errors; {len(history)} history rows "
         f"written, {len(unclaimed)} of them by a request whose commit died with the server"),
        ("state and version equal the replay of the history", not replay,
         "; ".join(replay[:5]) or "every project"),
        ("parkflow check", clean, check_text.replace("\n", " ")[:300]),
    ]
    if fault:
        resumed = [any(o["t"] >= back for o in accepted) for _, _, back in events]
        checks.append(("writes resume after every restart", len(resumed) == 2 and all(resumed),
                       f"{sum(resumed)} of {len(resumed)} restarts followed by accepted writes"))
    else:
        checks.append(("no database error without a fault", counts["db_error"] == 0
                       and counts["read_error"] == 0,
                       f"{counts['db_error']} + {counts['read_error']} on reads"))
    return checks


# ---------------------------------------------------------------- the report

def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load} (after the run)")


def report(args: argparse.Namespace, outcomes: list[dict[str, Any]], start: float,
           checks: list[tuple[str, bool, str]], events: list[tuple[str, float, float]],
           server: str) -> str:
    counts = Counter(o["outcome"] for o in outcomes)
    accepted = [o["t"] for o in outcomes if o["outcome"] == "accepted"]
    title = ("Fault: PostgreSQL stopped and started during load" if args.restart
             else "Concurrency: several processes writing to PostgreSQL")
    lines = [f"# {title}", "",
             f"`{' '.join(['python -m bench.stress', *sys.argv[1:]])}` "
             f"({'make fault-restart' if args.restart else 'make stress'})", "",
             f"- {args.processes} processes × {args.seconds:g} s, {args.projects} projects "
             f"(half the requests on {HOT} of them), events through "
             "`workflow.projects.advance`",
             f"- {server} on a private cluster (port {args.port}), "
             "pool of 2 connections per process",
             f"- {machine()}", "",
             "| outcome | count |", "|---|---|",
             *(f"| {name} | {n} |" for name, n in sorted(counts.items())),
             f"| accepted per second | {len(accepted) / args.seconds:.0f} |", ""]
    if events:
        lines += ["| fault | stopping at (s) | back at (s) | first write accepted after "
                  "(s) | accepted since |", "|---|---|---|---|---|"]
        for name, stopping, back in events:
            later = [t for t in accepted if t >= back]
            first = f"{min(later) - back:.1f}" if later else "none"
            lines.append(f"| {name} | {stopping - start:.1f} | {back - start:.1f} | {first} "
                         f"| {len(later)} |")
        errors = Counter(o["error"][:90] for o in outcomes if "error" in o)
        lines += ["", "What the writers were told (first line, most frequent):", ""]
        lines += [f"- {n} × `{text}`" for text, n in errors.most_common(6)]
        lines.append("")
    lines += ["| check | result | detail |", "|---|---|---|"]
    lines += [f"| {name} | {'PASS' if ok else 'FAIL'} | {detail} |"
              for name, ok, detail in checks]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--restart", action="store_true",
                        help="stop and start PostgreSQL twice during the load")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or HERE / ("fault-restart-RESULTS.md" if args.restart
                              else "stress-RESULTS.md")
    with PrivateCluster(args.port) as cluster, tempfile.TemporaryDirectory() as logs:
        url = create_database(cluster.url, "parkflow_stress")
        ids = populate(url, args.projects)
        first_id = max(history_since(url, 0)) + 1
        events: list[tuple[str, float, float]] = []
        faults: list[threading.Thread] = []

        def on_start(start: float) -> None:
            if args.restart:
                faults.append(restarts(cluster, start, args.seconds, events))
        outcomes, start = run_writers(url, ids, args.processes, args.seconds, Path(logs),
                                      on_start)
        for fault in faults:
            fault.join()
        checks = verify(url, first_id, outcomes, args.restart, events)
        server = subprocess.run([str(cluster.bin / "postgres"), "--version"],
                                capture_output=True, text=True).stdout.strip()
        text = report(args, outcomes, start, checks, events, server)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
