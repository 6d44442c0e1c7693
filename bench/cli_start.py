"""`python -m bench.cli_start [--json]`: a read command's wall time on a small database.

`parkflow project show ID --json` on a database of 20 projects, next to `python -c pass`
(the interpreter's start-up alone, the floor any command pays), alternating, median of the
runs after a warm-up. Most of a read command's time is imports: the command must not load
the web stack, the scheduler or the mailers (tests/parkflow/test_read_imports.py checks that).
A third command imports only the libraries the required stack puts under any read command
(SQLModel with SQLAlchemy's ORM and pydantic, pydantic-settings, Typer, PyYAML): the floor a
command reaches before it does any work of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import ACTOR_EMAIL, build_template, load_intake_projects, median
from bench.queries import Command, command_env, interleave, parkflow_command
from bench.report import Row, as_json, load_average, table

AIM_SHOW_S = 0.4
STACK_IMPORTS = "import sqlmodel, sqlalchemy.orm, pydantic_settings, typer, yaml"
START = "2026-11-20T10:00:00+08:00"


def log(message: str) -> None:
    print(f"[bench.cli_start] {message}", file=sys.stderr, flush=True)


def measure(runs: int) -> tuple[list[Row], dict[str, Any]]:
    from datetime import datetime
    created = datetime.fromisoformat(START)
    with tempfile.TemporaryDirectory(prefix="parkflow-bench-cli-") as tmp:
        work = Path(tmp)
        path = work / "small.db"
        ids = build_template(path, created)
        if ACTOR_EMAIL not in ids:
            raise RuntimeError("the template has no leader")
        projects = load_intake_projects(path, 20, created)
        env = command_env(path)
        show = Command([*parkflow_command(), "project", "show", str(projects[-1]), "--json"],
                       env=env, cwd=work)
        bare = Command([sys.executable, "-c", "pass"], env=env, cwd=work)
        stack = Command([sys.executable, "-c", STACK_IMPORTS], env=env, cwd=work)
        for warm_up in (show, bare, stack):  # the page cache, .pyc files
            warm_up()
        if json.loads(show.stdout)["id"] != projects[-1]:
            raise RuntimeError(f"project show printed {show.stdout[:200]!r}")
        for each in (show, bare, stack):
            each.cpu_s.clear()
        log(f"`parkflow project show --json`, `python -c pass` and the stack's imports, "
            f"{runs} runs each")
        show_ms, bare_ms, stack_ms = interleave([show, bare, stack], runs)
    show_s, bare_s = median(show_ms) / 1000, median(bare_ms) / 1000
    stack_s = median(stack_ms) / 1000
    details = {"runs": runs, "show_ms": [round(t, 1) for t in show_ms],
               "python_pass_ms": [round(t, 1) for t in bare_ms],
               "stack_imports_ms": [round(t, 1) for t in stack_ms],
               "show_cpu_s": round(median(show.cpu_s), 3),
               "python_pass_cpu_s": round(median(bare.cpu_s), 3)}
    rows = [
        Row("`parkflow project show ID --json`, 20 projects", f"{show_s:.3f} s",
            f"{bare_s:.3f} s python -c pass", f"{show_s / bare_s:.1f}×",
            f"≤ {AIM_SHOW_S} s", show_s <= AIM_SHOW_S,
            {"parkflow": show_s, "baseline": bare_s}),
        Row("  its CPU time (user + system)", f"{details['show_cpu_s']:.3f} s",
            f"{details['python_pass_cpu_s']:.3f} s python -c pass", "—", "—", None,
            {"parkflow": details["show_cpu_s"], "baseline": details["python_pass_cpu_s"]}),
        Row("  the required stack's imports alone (no work)", f"{stack_s:.3f} s",
            f"{bare_s:.3f} s python -c pass", f"{stack_s / show_s:.0%} of the command", "—",
            None, {"parkflow": stack_s, "baseline": bare_s}),
    ]
    return rows, details


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_start", description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    before = load_average()
    rows, details = measure(args.runs)
    details["load"] = (before, load_average())
    print(as_json(rows, details) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
