"""`python -m bench.results [--out bench/RESULTS.md]`: every benchmark, one Markdown table.

`make bench` runs this. Each benchmark module runs in a process of its own with `--json`
(its figures beside their baselines from the same run, see bench/report.py `Row`); their rows
are gathered into one table — figure | parkflow | baseline | ratio | aim | met — under the
machine's description (CPU model, cores, Python, SQLite and PostgreSQL versions) and the load
average before and after, printed and written to `--out`.

The modules, in order, and the sizes they run at (sized so the whole run stays around ten
minutes on a 2-core machine); `PARKFLOW_BENCH_<NAME>_ARGS` replaces a module's arguments,
e.g. `PARKFLOW_BENCH_REMINDERS_ARGS="--projects 100000 --history 1000000"` for the full
reminder scenario; `PARKFLOW_BENCH_ONLY=events,web` runs only those.

The SpiffWorkflow baseline (`bench.spiff`) runs inside the events benchmark (`bench.engine`
rows), beside the engine on the same pragmas. `bench.events_pg` (events on PostgreSQL against
raw psycopg) skips itself, with a note, when no server answers at `PARKFLOW_BENCH_PG_URL`,
default postgresql://postgres@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PG_URL = os.environ.get("PARKFLOW_BENCH_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Bench:
    name: str  # the section of the table, and PARKFLOW_BENCH_<NAME>_ARGS
    module: str
    args: tuple[str, ...]  # the default sizes
    optional: bool = False  # joins only when the module exists


BENCHES: tuple[Bench, ...] = (
    Bench("events", "bench", ("--projects", "1500", "--budget", "20",
                              "--overdue-projects", "100000", "--board-projects", "10000")),
    Bench("events_pg", "bench.events_pg", ("--url", PG_URL), optional=True),
    Bench("cli", "bench.cli_start", ("--runs", "7")),
    Bench("reminders", "bench.reminders", ("--projects", "20000", "--history", "200000",
                                           "--steady-runs", "51", "--catchup-runs", "3")),
    Bench("web", "bench.web", ("--rounds", "2", "--limit", "15", "--pg-url", PG_URL)),
    Bench("report_figures", "bench.report_figures", ("--projects", "20000",
                                                     "--repeats", "3")),
    Bench("ledger", "bench.ledger", ("--rows", "10000",)),
)


def log(message: str) -> None:
    print(f"[bench.results] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the machine

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def postgres_version(url: str) -> str:
    try:
        import psycopg
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0]}" if row else "PostgreSQL (version unknown)"
    except Exception as exc:  # any failure: the table says why there is no figure
        return f"PostgreSQL not reachable ({type(exc).__name__})"


def loads() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def machine() -> dict[str, Any]:
    import sqlalchemy
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
            "postgresql": postgres_version(PG_URL), "platform": platform.platform()}


# ---------------------------------------------------------------- running the modules

def available(bench: Bench) -> bool:
    return not bench.optional or importlib.util.find_spec(bench.module) is not None


def arguments(bench: Bench) -> list[str]:
    override = os.environ.get(f"PARKFLOW_BENCH_{bench.name.upper()}_ARGS")
    return shlex.split(override) if override is not None else list(bench.args)


def run(bench: Bench) -> dict[str, Any]:
    """The module's --json output, or what went wrong (the table shows it as a failed row)."""
    argv = [sys.executable, "-m", bench.module, *arguments(bench), "--json"]
    log(f"{bench.name}: {' '.join(argv[1:])}")
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=None, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": f"exited {done.returncode} after {seconds:.0f} s", "seconds": seconds}
    try:
        text = done.stdout.decode()
        result: dict[str, Any] = json.loads(text[text.index("{"):])
    except ValueError as exc:
        return {"error": f"no JSON on its output ({exc})", "seconds": seconds}
    result["seconds"] = seconds
    return result


# ---------------------------------------------------------------- the table

def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _figure(text: str) -> str:
    stripped = text.lstrip()
    return f"↳ {stripped}" if stripped != text else stripped


def _met(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**NO**")


def markdown(results: dict[str, dict[str, Any]], info: dict[str, Any]) -> str:
    m = info["machine"]
    lines = [
        "# `make bench` results",
        "",
        f"Run {info['started']} – {info['finished']} ({info['seconds']:.0f} s). Each figure "
        "beside its baseline from the same run; ratio = parkflow ÷ baseline unless the row "
        "says otherwise. Produced by `make bench` (`python -m bench.results`).",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores; {m['platform']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, SQLAlchemy {m['sqlalchemy']}, "
        f"{m['postgresql']}",
        "- load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in info["load_before"]) + "; after "
        + ", ".join(f"{x:.2f}" for x in info["load_after"]),
        "",
        "| figure | parkflow | baseline | ratio | aim | met |",
        "|---|---|---|---|---|---|",
    ]
    met = aimed = 0
    for name, result in results.items():
        lines.append(f"| **{name}** ({result.get('seconds', 0):.0f} s) | | | | | |")
        if "error" in result:
            lines.append(f"| {name} did not finish: {_cell(result['error'])} | — | — | — | — "
                         "| **NO** |")
            aimed += 1
            continue
        for row in result.get("figures", []):
            if row["met"] is not None:
                aimed += 1
                met += bool(row["met"])
            cells = [_figure(row["figure"]), row["parkflow"], row["baseline"], row["ratio"],
                     row["aim"], _met(row["met"])]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", f"Aims met: {met}/{aimed}."]
    busy = max(info["load_before"][0], info["load_after"][0]) > (m["cores"] or 1) * 0.5
    if busy:
        lines.append("The machine was busy (load average above half its cores): the "
                     "figures are noisy, ratios less so (both sides share the machine).")
    notes = [(name, r["note"]) for name, r in results.items() if r.get("note")]
    lines += [f"- {name}: {_cell(note)}" for name, note in notes]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args(argv)
    only = {n for n in os.environ.get("PARKFLOW_BENCH_ONLY", "").split(",") if n}
    info: dict[str, Any] = {"machine": machine(), "load_before": loads(),
                            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    started = time.perf_counter()
    results = {b.name: run(b) for b in BENCHES
               if available(b) and (not only or b.name in only)}
    info.update(load_after=loads(), seconds=time.perf_counter() - started,
                finished=datetime.now(UTC).strftime("%H:%M UTC"))
    text = markdown(results, info)
    args.out.write_text(text)
    print(text)
    log(f"written to {args.out}")
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
