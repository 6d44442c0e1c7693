"""`python -m bench [--json] [--profile]`: run every measurement once and print the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import engine as events
from bench import memory, queries
from bench.common import ACTOR_EMAIL, PARK_TZ, build_template, bulk_load, copy_db, median
from bench.report import Row, as_json, busy_warning, load_average, table

# The event benchmark runs on fixed business time (a Friday in a year the calendar covers),
# so deadlines are the same on every run; the query and memory data are laid out around the
# real current time because the `parkflow` command reads the system clock.
EVENT_START = datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ)

AIM_RATIO = 0.15
AIM_P95_MS = 0.5
AIM_QUERY_MS = 20.0
AIM_COMMAND_S = 1.0
AIM_RSS_MB = 30.0


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_events(template: Path, work: Path, actor_id: int, projects: int, chunk: int,
                 budget_s: float, details: dict[str, Any]) -> list[Row]:
    return events.rows(template, work, ACTOR_EMAIL, actor_id, EVENT_START, projects=projects,
                       chunk=chunk, budget_s=budget_s, details=details)


def bench_overdue(template: Path, work: Path, now: datetime, count: int, repeats: int,
                  command_repeats: int, details: dict[str, Any],
                  profile: list[str] | None) -> list[Row]:
    path = copy_db(template, work / "overdue.db")
    log(f"bulk-loading {count:,} projects")
    loaded = bulk_load(path, count, now)
    log("overdue query: engine and raw sqlite3, alternating")
    eng = queries.EngineQuery(path, now)
    raw = queries.RawQuery(path, eng.sql, eng.params)
    try:
        if not eng.rows == raw.rows == loaded.overdue:
            raise RuntimeError(f"overdue rows differ: engine {eng.rows}, raw {raw.rows}, "
                               f"loaded {loaded.overdue}")
        eng_times, raw_times = queries.interleave([eng, raw], repeats)
    finally:
        eng.close()
        raw.close()
    eng_ms, raw_ms = median(eng_times), median(raw_times)
    log("`parkflow project list --overdue --json` and `python -c pass`, alternating")
    env = queries.command_env(path)
    argv = [*queries.parkflow_command(), "project", "list", "--overdue", "--json"]
    cli = queries.Command(argv, env=env, cwd=work)
    bare = queries.Command([sys.executable, "-c", "pass"], env=env, cwd=work)
    cli()  # warm-up (and a check of what it prints)
    bare()
    cli.cpu_s.clear()
    bare.cpu_s.clear()
    listed = len(json.loads(cli.stdout))
    if listed != eng.rows:
        raise RuntimeError(f"the command listed {listed} overdue projects, expected {eng.rows}")
    cli_times, bare_times = queries.interleave([cli, bare], command_repeats)
    cli_s, bare_s = median(cli_times) / 1000, median(bare_times) / 1000
    details["overdue"] = {
        "projects": loaded.projects, "overdue_rows": eng.rows,
        "overdue_share": round(eng.rows / loaded.projects, 4),
        "engine_ms": [round(t, 3) for t in eng_times],
        "raw_ms": [round(t, 3) for t in raw_times],
        "sql": " ".join(eng.sql.split()), "params": [str(p) for p in eng.params],
        "query_plan": queries.query_plan(path, eng.sql, eng.params),
        "command": " ".join(argv[-4:]),
        "command_ms": [round(t, 1) for t in cli_times],
        "python_pass_ms": [round(t, 1) for t in bare_times],
        "command_cpu_s": round(median(cli.cpu_s), 3),
        "python_pass_cpu_s": round(median(bare.cpu_s), 3),
    }
    if profile is not None:
        profile.append(queries.profile_overdue(path, now))
    _remove(path)
    return [
        Row(f"overdue query, {count // 1000}k projects ({eng.rows:,} rows)",
            f"{eng_ms:.1f} ms", f"{raw_ms:.1f} ms raw sqlite3", f"{eng_ms / raw_ms:.1f}×",
            f"< {AIM_QUERY_MS:.0f} ms", eng_ms < AIM_QUERY_MS,
            {"parkflow": eng_ms, "baseline": raw_ms}),
        Row("`parkflow project list --overdue --json`", f"{cli_s:.3f} s",
            f"{bare_s:.3f} s python -c pass", f"{cli_s / bare_s:.1f}×",
            f"< {AIM_COMMAND_S:.0f} s", cli_s < AIM_COMMAND_S,
            {"parkflow": cli_s, "baseline": bare_s}),
    ]


def bench_memory(template: Path, work: Path, now: datetime, count: int,
                 details: dict[str, Any]) -> list[Row]:
    path = copy_db(template, work / "board.db")
    log(f"bulk-loading {count:,} projects; measuring memory in subprocesses")
    bulk_load(path, count, now)
    board, bare = memory.measure(path, now.isoformat(), work)
    if board["rows"] != count:
        raise RuntimeError(f"the board listed {board['rows']} projects, expected {count}")
    _remove(path)
    board_mb, bare_mb = board["peak_kb"] / 1024, bare["peak_kb"] / 1024
    imports_mb = board["after_imports_peak_kb"] / 1024
    delta = board_mb - bare_mb
    details["memory"] = {"projects": count, "board": board, "bare_interpreter": bare}
    return [
        Row(f"peak RSS, board of {count // 1000}k projects", f"{board_mb:.1f} MB",
            f"{bare_mb:.1f} MB bare python", f"+{delta:.1f} MB", f"< +{AIM_RSS_MB:.0f} MB",
            delta < AIM_RSS_MB, {"parkflow": board_mb, "baseline": bare_mb, "delta": delta}),
        Row("  of which: imports (SQLAlchemy, SQLModel, …)", f"{imports_mb:.1f} MB",
            f"{bare_mb:.1f} MB bare python", f"+{imports_mb - bare_mb:.1f} MB", "—", None,
            {"parkflow": imports_mb, "baseline": bare_mb}),
        Row("  of which: 10k rows + state machine", f"{board_mb:.1f} MB",
            f"{imports_mb:.1f} MB after imports", f"+{board_mb - imports_mb:.1f} MB", "—",
            None, {"parkflow": board_mb, "baseline": imports_mb}),
    ]


def machine_details() -> dict[str, Any]:
    import sqlalchemy
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "cpus": os.cpu_count(),
            "platform": platform.platform()}


def notes(details: dict[str, Any]) -> list[str]:
    m, e, o = details["machine"], details["events"], details["overdue"]
    lines = [
        "",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, "
        f"SQLAlchemy {m['sqlalchemy']}; WAL, synchronous=FULL, BEGIN IMMEDIATE on both sides",
        f"events: {e['engine']['events']:,} of {e['planned']:,} planned (budget "
        f"{e['budget_s']:.0f} s): {e['projects']:,} projects in intake, {e['sequence']}; "
        f"engine and raw loop on copies of one database, alternating every {e['chunk']} "
        f"events; p99 engine {e['engine']['p99_ms']:.2f} ms, raw {e['raw']['p99_ms']:.2f}"
        f" ms; max engine {e['engine']['max_ms']:.1f} ms (the first event loads the calendar "
        f"and compiles statements), raw {e['raw']['max_ms']:.1f} ms",
        f"overdue: {o['overdue_rows']:,} of {o['projects']:,} projects "
        f"({o['overdue_share']:.1%}); medians of {len(o['engine_ms'])} runs after a warm-up "
        f"(commands: {len(o['command_ms'])} runs, CPU time {o['command_cpu_s']:.3f} s vs "
        f"{o['python_pass_cpu_s']:.3f} s); plan: {'; '.join(o['query_plan'])}",
        "memory: peak RSS (VmHWM) of fresh processes; the probe holds the rows when it reads it",
        f"load average {details['load'][0]:.2f} before, {details['load'][1]:.2f} after; "
        f"total bench time {details['seconds']:.0f} s",
    ]
    return lines + busy_warning(details["load"], m["cpus"])



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile of the engine's events and of the query")
    parser.add_argument("--projects", type=int, default=2500,
                        help="projects taken through the lifecycle (4 events each; 2500)")
    parser.add_argument("--chunk", type=int, default=50,
                        help="events per turn when alternating engine and raw (50)")
    parser.add_argument("--budget", type=float, default=45.0,
                        help="seconds the event runs may take together before stopping (45)")
    parser.add_argument("--overdue-projects", type=int, default=100_000)
    parser.add_argument("--board-projects", type=int, default=10_000)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    load_before = load_average()
    details: dict[str, Any] = {"machine": machine_details()}
    profiles: list[str] | None = [] if args.profile else None
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="parkflow-bench-") as tmp:
        work = Path(tmp)
        log(f"work directory {work}")
        template = work / "template.db"
        ids = build_template(template, EVENT_START)
        rows = bench_events(template, work, ids[ACTOR_EMAIL], args.projects, args.chunk,
                            args.budget, details)
        if profiles is not None:
            log("profiling the engine's events")
            for observers in (False, True):
                profiles.append(events.profile_engine(
                    template, work, min(args.projects, 500), EVENT_START, ACTOR_EMAIL,
                    observers=observers))
        rows += bench_overdue(template, work, now, args.overdue_projects, repeats=15,
                              command_repeats=5, details=details, profile=profiles)
        rows += bench_memory(template, work, now, args.board_projects, details)
    details["seconds"] = round(time.perf_counter() - started, 1)
    details["load"] = (load_before, load_average())
    if args.json:
        print(as_json(rows, details))
    else:
        print(table(rows, notes(details)))
    for text in profiles or []:
        print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
