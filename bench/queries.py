"""The overdue query over many projects: in the engine, in raw sqlite3, and as a whole command.

The engine side is `workflow.views.list_projects(overdue=True)` in a `reading()` session; the
raw side runs the very SQL and parameters the engine sent (captured with a
`before_cursor_execute` listener) on a sqlite3 connection with the same pragmas and fetches
all rows as tuples. The command side runs `parkflow project list --overdue --json` as a
subprocess (start-up, imports, query, JSON on a pipe) next to `python -c pass`.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import PARK_TZ, connect_raw, url


class EngineQuery:
    """list_projects(overdue=True) in a fresh reading() session per call."""

    def __init__(self, path: Path, now: datetime) -> None:
        from sqlalchemy import event

        from db.engine import make_engine
        from workflow.clock import FixedClock
        from workflow.park import Park

        self.engine = make_engine(url(path))
        self.park = Park.default(tz=PARK_TZ, clock=FixedClock(now))
        captured: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                    _many: bool) -> None:
            captured.append((statement, parameters))

        event.listen(self.engine, "before_cursor_execute", capture)
        self.rows = self()  # warm-up, and the SQL it sends
        event.remove(self.engine, "before_cursor_execute", capture)
        self.sql, params = [(s, p) for s, p in captured
                            if s.lstrip().upper().startswith("SELECT")][-1]
        self.params = tuple(params)

    def __call__(self) -> int:
        from db.engine import reading
        from workflow.views import list_projects
        with reading(self.engine) as session:
            return len(list_projects(session, self.park, overdue=True))

    def close(self) -> None:
        self.engine.dispose()


class RawQuery:
    """The same SQL and parameters with sqlite3: execute + fetchall on one connection."""

    def __init__(self, path: Path, sql: str, params: Sequence[Any]) -> None:
        self.conn = connect_raw(path)
        self.sql, self.params = sql, tuple(params)
        self.rows = self()  # warm-up

    def __call__(self) -> int:
        return len(self.conn.execute(self.sql, self.params).fetchall())

    def close(self) -> None:
        self.conn.close()


def interleave(calls: Sequence[Callable[[], object]], repeats: int) -> list[list[float]]:
    """Time each call `repeats` times (ms), alternating calls so they share the machine."""
    times: list[list[float]] = [[] for _ in calls]
    for n in range(repeats):
        order = range(len(calls)) if n % 2 == 0 else reversed(range(len(calls)))
        for i in order:
            t0 = time.perf_counter_ns()
            calls[i]()
            times[i].append((time.perf_counter_ns() - t0) / 1e6)
    return times


def query_plan(path: Path, sql: str, params: Sequence[Any]) -> list[str]:
    conn = connect_raw(path)
    try:
        return [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params))]
    finally:
        conn.close()


def profile_overdue(path: Path, now: datetime, repeats: int = 10, top: int = 25) -> str:
    query = EngineQuery(path, now)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        query()
    profiler.disable()
    query.close()
    out = io.StringIO()
    out.write(f"cProfile of {repeats} × list_projects(overdue=True) ({query.rows} rows)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------- whole commands

def parkflow_command() -> list[str]:
    """The installed `parkflow` script next to this interpreter (else its entry point)."""
    script = Path(sys.executable).parent / "parkflow"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from parkflow.cli import main; main()"]


class Command:
    """A whole process, its output read from a pipe; fails loudly on a non-zero exit.

    Keeps the CPU time (user + system) of every run: unlike wall time it hardly moves when
    other processes compete for the CPUs.
    """

    def __init__(self, argv: Sequence[str], *, env: dict[str, str], cwd: Path) -> None:
        self.argv, self.env, self.cwd = list(argv), env, cwd
        self.stdout = b""
        self.cpu_s: list[float] = []

    def __call__(self) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(self.argv, env=self.env, cwd=self.cwd, capture_output=True,
                              check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_s.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(self.argv)} exited {done.returncode}: "
                               f"{done.stderr.decode(errors='replace')[-500:]}")
        self.stdout = done.stdout


def command_env(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKFLOW_")}
    env["PARKFLOW_DATABASE_URL"] = url(path)
    env["PARKFLOW_LANG"] = "en"
    return env
