"""`python -m bench.reminders [--json] [--profile] [--postgresql URL]`: the reminder benchmark.

Measured in one run, each next to a baseline that does the same database or SMTP work without
parkflow:

- the steady sweep: `notifications.reminders.sweep()` in a `writing()` transaction, as the
  scheduler's tick runs it, over 100,000 projects, their pending stage ladders and star
  inquiries and a year of settled outbox rows (1,000,000 by default), with the 09:00 burst
  due (a few dozen rows); median of many ticks. Also measured before the history is loaded:
  the sweep must stay flat as the outbox grows (the partial index on pending rows);
- the catch-up sweep after 30 days of downtime: ~4,000 rows due at once, every ladder's
  earlier rungs overtaken by its latest (recorded `skipped`); the first sweep of a freshly
  started process, then the median of a few more on the same state;
- delivery: `notifications.delivery.deliver()` of what the catch-up leaves (~2,900 mails) to
  an aiosmtpd sink on loopback (a process of its own), through `SmtpMailer` — one connection
  per delivery pass — next to a raw `smtplib` loop sending the very same messages, one
  connection per message (the baseline of issue 11's aim) and over one persistent connection
  (what the same work costs without rendering and recording).

The sweeps' baseline is the very SQL the engine sent (captured with SQLAlchemy's
`before_cursor_execute`, i.e. what `echo=True` prints), replayed on a raw `sqlite3` (or
`psycopg`) connection with the same pragmas, fetching every row, committing where the engine
committed; both sides start from the same state (the rows a sweep changes are put back after
each run). Delivery's SQL is replayed that way too, to split parkflow's time per message into
SMTP, SQL and the rest. SQLite by default (WAL, synchronous=FULL, BEGIN IMMEDIATE, as the
product runs); `--postgresql URL` runs the same on a throwaway database created on that
server and dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import re
import smtplib
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import PARK_TZ, median, percentile
from bench.queries import interleave
from bench.reminders_data import (
    CATCHUP_NOW,
    DOMAIN,
    DOWNTIME,
    OUTBOX_COLUMNS,
    PROJECT_COLUMNS,
    STEADY_NOW,
    Builder,
    Scenario,
)
from bench.reminders_smtp import Sink
from bench.reminders_sql import (
    Capture,
    Db,
    DueState,
    Op,
    PostgresDb,
    Replay,
    SqliteDb,
    op_cursor,
    timed,
)
from bench.report import Row, as_json, busy_warning, load_average, table

AIM_STEADY_MS = 5.0
AIM_FLAT = 1.5  # steady sweep with the year of history ÷ without it
AIM_CATCHUP_MS = 150.0
AIM_DELIVERY = 0.6  # issue 11: parkflow's messages/s ÷ raw smtplib's, a connection each


def log(message: str) -> None:
    print(f"[bench.reminders] {message}", file=sys.stderr, flush=True)


class Tick:
    """`sweep()` in a `writing()` transaction, as the scheduler's tick (`run_once`) runs it,
    in a park wired as the CLI and the scheduler wire it (`make_park`)."""

    def __init__(self, db_url: str, now: Any) -> None:
        from db.engine import make_engine
        from parkflow.settings import Settings
        from parkflow.wiring import make_park
        from workflow.clock import FixedClock

        self.now = now
        self.engine = make_engine(db_url)
        self.park = make_park(Settings(timezone=PARK_TZ.key), clock=FixedClock(now))

    def __call__(self) -> Any:
        from db.engine import writing
        from notifications.reminders import sweep
        with writing(self.engine) as session:
            return sweep(session, self.park, now=self.now)

    def close(self) -> None:
        self.engine.dispose()


def _due_query(capture: Capture) -> tuple[str, Any]:
    """The sweep's hot query (`outbox.due_rows`) among the captured statements."""
    for op in capture.statements:
        text = " ".join(op.statement.split())
        if text.startswith("SELECT") and "FROM outbox" in text and "next_attempt_at <=" in text:
            return op.statement, op.parameters
    raise RuntimeError("the sweep sent no due-rows query")


def profile_text(title: str, call: Callable[[], object], top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    out.write(f"cProfile: {title}\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------- sweeps

def statement_costs(db: Db, ops: Sequence[Op], repeats: int = 21) -> list[dict[str, Any]]:
    """The median raw time of each SELECT of a captured run, slowest first, with its plan."""
    conn = db.raw()
    costs = []
    try:
        for op in ops:
            if op.kind != "sql" or not op.statement.lstrip().upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(repeats):
                started = time.perf_counter_ns()
                op_cursor(conn, db.dialect, op.parameters).execute(
                    op.statement, op.parameters).fetchall()
                times.append((time.perf_counter_ns() - started) / 1e6)
            costs.append({"ms": round(median(times), 3), "sql": " ".join(op.statement.split()),
                          "plan": db.query_plan(op.statement, op.parameters)})
        if db.dialect == "postgresql":
            conn.rollback()
    finally:
        conn.close()
    return sorted(costs, key=lambda c: -float(c["ms"]))


def measure_steady(db: Db, runs: int, profiles: list[str] | None, label: str) -> dict[str, Any]:
    tick = Tick(db.url, STEADY_NOW)
    try:
        first = tick()  # warm-up: compiles the statements, loads the calendar
        if first.planned or first.skipped:
            raise RuntimeError(f"the steady tick changed the outbox: {first}")
        with Capture(tick.engine) as capture:
            tick()  # what every later tick sends
        raw = Replay(db, capture.ops)
        raw()
        eng_ms, raw_ms = interleave([tick, raw], runs)
        due_sql, due_params = _due_query(capture)
        if profiles is not None:
            profiles.append(profile_text(f"{runs} steady sweeps ({label})",
                                         lambda: [tick() for _ in range(runs)]))
        raw.close()
    finally:
        tick.close()
    return {"due": db.pending_due(STEADY_NOW), "runs": runs,
            "engine_ms": median(eng_ms), "raw_ms": median(raw_ms),
            "engine_p95_ms": percentile(sorted(eng_ms), 95),
            "raw_p95_ms": percentile(sorted(raw_ms), 95),
            "statements": len(capture.statements),
            "statement_costs": statement_costs(db, capture.ops),
            "due_query_plan": db.query_plan(due_sql, due_params)}


def measure_catchup(db: Db, runs: int, profiles: list[str] | None) -> tuple[dict[str, Any], Tick]:
    """The first sweep of a process started after the downtime, then `runs` more of the
    engine and of the raw replay, alternating, each from the same state."""
    state = DueState(db, CATCHUP_NOW)
    tick = Tick(db.url, CATCHUP_NOW)
    with Capture(tick.engine) as cold:
        cold_ms, first = timed(tick)
    left = db.pending_due(CATCHUP_NOW)
    after = db.status_counts()
    state.restore()
    raw_cold = Replay(db, cold.ops)  # the first sweep loads the calendar: replay that too
    raw_cold_ms, _ = timed(raw_cold)
    raw_cold.close()
    if db.status_counts() != after:
        raise RuntimeError("the raw replay of the catch-up did not leave what the engine left")
    state.restore()
    with Capture(tick.engine) as capture:  # a warm sweep: what the runs below send
        tick()
    state.restore()
    raw = Replay(db, capture.ops)
    raw()  # warm-up of the raw side too
    state.restore()
    eng_ms: list[float] = []
    raw_ms: list[float] = []
    for n in range(runs):
        sides: list[tuple[list[float], Callable[[], Any]]] = [(eng_ms, tick), (raw_ms, raw)]
        for times, side in sides if n % 2 == 0 else reversed(sides):
            ms, result = timed(side)
            times.append(ms)
            if side is tick and (result.planned, result.skipped) != (first.planned,
                                                                      first.skipped):
                raise RuntimeError(f"catch-up sweeps differ: {first} then {result}")
            if db.pending_due(CATCHUP_NOW) != left:
                raise RuntimeError("a catch-up run left a different number of due rows")
            state.restore()
    if profiles is not None:
        profiles.append(profile_text("one catch-up sweep (warm)", tick))
        state.restore()
    raw.close()
    kinds = Counter(str(op.statement.split()[0]).upper() for op in capture.statements)
    return {"due": len(state), "planned": first.planned, "skipped": first.skipped,
            "left_due": left, "cold_ms": cold_ms, "raw_cold_ms": raw_cold_ms,
            "engine_ms": median(eng_ms), "raw_ms": median(raw_ms),
            "engine_runs_ms": [round(t, 2) for t in eng_ms],
            "raw_runs_ms": [round(t, 2) for t in raw_ms],
            "statements": dict(kinds)}, tick


# ---------------------------------------------------------------- delivery

class GcTime:
    """Seconds the cyclic garbage collector ran while this is entered."""

    def __init__(self) -> None:
        self.seconds, self.collections, self._start = 0.0, 0, 0.0

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1

    def __enter__(self) -> GcTime:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def raw_smtp(sink: Sink, messages: Sequence[tuple[str, list[str], bytes]], *,
             persistent: bool) -> float:
    """Seconds to send `messages` with bare smtplib: a connection each, or one for all."""
    started = time.perf_counter()
    if persistent:
        smtp = smtplib.SMTP(sink.host, sink.port, timeout=30)
        for sender, recipients, data in messages:
            smtp.sendmail(sender, recipients, data)
        smtp.quit()
    else:
        for sender, recipients, data in messages:
            smtp = smtplib.SMTP(sink.host, sink.port, timeout=30)
            smtp.sendmail(sender, recipients, data)
            smtp.quit()
    return time.perf_counter() - started


def _check_sink(sink: Sink, expected: int, what: str) -> dict[str, int]:
    got = sink.stats()
    if got["messages"] != expected:
        raise RuntimeError(f"{what}: the sink received {got['messages']} messages, "
                           f"expected {expected}")
    return got


def measure_delivery(db: Db, tick: Tick, work: Path,
                     profiles: list[str] | None) -> dict[str, Any]:
    from notifications.delivery import MailSettings, deliver
    from notifications.mail import SmtpMailer, SmtpSettings

    settings = MailSettings(sender="园区工作专班 <parkflow@park.example>",
                            base_url="https://parkflow.park.example", domain=DOMAIN)
    state = DueState(db, CATCHUP_NOW)
    count = len(state)
    kinds = Counter(k for (k,) in db.fetch(
        "SELECT kind FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?",
        (db.param(CATCHUP_NOW),)))
    sink = Sink()
    try:
        # the mailer `parkflow.wiring.App.mailer` makes for PARKFLOW_SMTP_URL=smtp://host:port
        mailer = SmtpMailer(SmtpSettings.from_url(f"smtp://{sink.host}:{sink.port}"))

        def run() -> Counter[str]:
            return deliver(tick.engine, tick.park, mailer, settings, now=CATCHUP_NOW,
                           worker="bench-worker")

        log(f"delivery: deliver() of {count:,} due messages to the SMTP sink")
        sink.keep()
        with Capture(tick.engine) as capture, GcTime() as gc_time:
            started = time.perf_counter()
            counts = run()
            parkflow_s = time.perf_counter() - started
        received = _check_sink(sink, count, "deliver()")
        if counts["sent"] != count or received["message_ids"] != count:
            raise RuntimeError(f"deliver(): {dict(counts)}, sink {received}, expected {count}")
        messages = sink.kept(work)
        after = db.status_counts()
        log("delivery: its SQL alone (raw replay), then raw smtplib")
        state.restore()
        replay = Replay(db, capture.ops)
        sql_ms, _ = timed(replay)
        replay.close()
        if db.status_counts() != after:
            raise RuntimeError("the raw replay of the delivery did not leave what it left")
        per_connection_s = raw_smtp(sink, messages, persistent=False)
        _check_sink(sink, count, "raw smtplib, a connection per message")
        persistent_s = raw_smtp(sink, messages, persistent=True)
        _check_sink(sink, count, "raw smtplib, one connection")
        if profiles is not None:
            state.restore()
            profiles.append(profile_text(f"deliver() of {count:,} messages", run))
            _check_sink(sink, count, "deliver() under cProfile")
    finally:
        sink.close()
    statements = Counter(str(op.statement.split()[0]).upper() for op in capture.statements)
    commits = sum(1 for op in capture.ops if op.kind == "commit")
    return {"messages": count, "kinds": dict(kinds), "outcome": dict(counts),
            "bytes": received["bytes"], "parkflow_s": parkflow_s, "sql_replay_s": sql_ms / 1000,
            "raw_per_connection_s": per_connection_s, "raw_persistent_s": persistent_s,
            "gc_s": gc_time.seconds, "gc_collections": gc_time.collections,
            "statements_per_message": round(len(capture.statements) / count, 2),
            "commits_per_message": round(commits / count, 2),
            "statements": dict(statements)}


# ---------------------------------------------------------------- the run

def load(db: Db, scenario: Scenario, details: dict[str, Any]) -> Builder:
    builder = Builder(db.people(), scenario)
    started = time.perf_counter()
    projects, current = builder.current(first_row_id=scenario.history + 1)
    db.load("projects", PROJECT_COLUMNS, projects)
    db.load("outbox", OUTBOX_COLUMNS, current)
    db.after_load()
    details["load"] = {"projects": len(projects), "current_rows": len(current),
                       "current_seconds": round(time.perf_counter() - started, 1)}
    return builder


def load_history(db: Db, builder: Builder, count: int, details: dict[str, Any]) -> None:
    started = time.perf_counter()
    db.load("outbox", OUTBOX_COLUMNS, builder.history(count))
    db.after_load()
    details["load"].update({"history_rows": count,
                            "history_seconds": round(time.perf_counter() - started, 1),
                            "outbox_by_status": db.status_counts(),
                            "database_mb": round(db.size_mb(), 1)})


def _due_cost(measured: dict[str, Any]) -> float:
    return next((float(c["ms"]) for c in measured["statement_costs"]
                 if "next_attempt_at <=" in c["sql"]), float("nan"))


def _short(count: int) -> str:
    return (f"{count / 1e6:.1f}M" if count >= 1_000_000 else f"{count // 1000}k"
            if count >= 1000 else str(count))


def figures(details: dict[str, Any]) -> list[Row]:
    empty, steady, catchup, d = (details["steady_no_history"], details["steady"],
                                 details["catchup"], details["delivery"])
    history = details["load"]["history_rows"]
    flat_eng = steady["engine_ms"] / empty["engine_ms"]
    flat_raw = steady["raw_ms"] / empty["raw_ms"]
    n = d["messages"]
    pf_rate, conn_rate = n / d["parkflow_s"], n / d["raw_per_connection_s"]
    keep_rate, sql_rate = n / d["raw_persistent_s"], n / d["sql_replay_s"]
    pf_ms, conn_ms = 1000 / pf_rate, 1000 / conn_rate
    sql_ms = 1000 * d["sql_replay_s"] / n
    return [
        Row(f"steady sweep, {_short(details['load']['projects'])} projects, "
            f"{_short(history)} history, {steady['due']} due",
            f"{steady['engine_ms']:.2f} ms", f"{steady['raw_ms']:.2f} ms raw SQL",
            f"{steady['engine_ms'] / steady['raw_ms']:.1f}×", f"< {AIM_STEADY_MS:.0f} ms",
            steady["engine_ms"] < AIM_STEADY_MS,
            {"parkflow": steady["engine_ms"], "baseline": steady["raw_ms"],
             "p95": steady["engine_p95_ms"]}),
        Row("  flat: with the year of history ÷ without", f"{flat_eng:.2f}×",
            f"{flat_raw:.2f}× raw SQL", f"{empty['engine_ms']:.2f} ms before",
            f"≤ {AIM_FLAT}×", flat_eng <= AIM_FLAT,
            {"parkflow": flat_eng, "baseline": flat_raw, "before_ms": empty["engine_ms"]}),
        Row(f"catch-up sweep after {DOWNTIME.days} days ({catchup['due']:,} due, "
            f"{catchup['skipped']:,} skipped)",
            f"{catchup['engine_ms']:.1f} ms", f"{catchup['raw_ms']:.1f} ms raw SQL",
            f"{catchup['engine_ms'] / catchup['raw_ms']:.1f}×", f"< {AIM_CATCHUP_MS:.0f} ms",
            catchup["engine_ms"] < AIM_CATCHUP_MS,
            {"parkflow": catchup["engine_ms"], "baseline": catchup["raw_ms"]}),
        Row("  first sweep of a fresh process (cold)", f"{catchup['cold_ms']:.1f} ms",
            f"{catchup['raw_cold_ms']:.1f} ms raw SQL",
            f"{catchup['cold_ms'] / catchup['raw_cold_ms']:.1f}×", f"< {AIM_CATCHUP_MS:.0f} ms",
            catchup["cold_ms"] < AIM_CATCHUP_MS,
            {"parkflow": catchup["cold_ms"], "baseline": catchup["raw_cold_ms"]}),
        Row(f"delivery to the SMTP sink ({n:,} mails)", f"{pf_rate:,.0f} msg/s",
            f"{conn_rate:,.0f} msg/s raw smtplib", f"{pf_rate / conn_rate:.2f}×",
            f"≥ {AIM_DELIVERY}×", pf_rate / conn_rate >= AIM_DELIVERY,
            {"parkflow": pf_rate, "baseline": conn_rate, "ratio": pf_rate / conn_rate}),
        Row("  time per message", f"{pf_ms:.2f} ms", f"{conn_ms:.2f} ms SMTP alone",
            f"+{pf_ms - conn_ms:.2f} ms", "—", None,
            {"parkflow": pf_ms, "baseline": conn_ms}),
        Row("  of which: delivery's SQL (raw replay)", f"{sql_ms:.2f} ms",
            f"{sql_rate:,.0f} msg/s", f"{d['commits_per_message']:.2f} commits/msg", "—",
            None, {"parkflow": sql_ms, "baseline": sql_rate}),
        Row("  raw smtplib, one persistent connection", f"{keep_rate:,.0f} msg/s",
            f"{conn_rate:,.0f} msg/s a connection each", f"{keep_rate / conn_rate:.1f}×", "—",
            None, {"parkflow": keep_rate, "baseline": conn_rate}),
    ]


def short_plan(lines: Sequence[str]) -> str:
    """The access paths of a query plan, without PostgreSQL's cost estimates."""
    kept = [re.sub(r"\s*\(cost=[^)]*\)", "", line).strip(" ->") for line in lines
            if re.search(r"scan|search", line, re.IGNORECASE)]
    return " / ".join(kept or lines)


def notes(details: dict[str, Any]) -> list[str]:
    m, ld, sc = details["machine"], details["load"], details["scenario"]
    steady, catchup, d = details["steady"], details["catchup"], details["delivery"]
    status = ", ".join(f"{k} {v:,}" for k, v in ld["outbox_by_status"].items())
    backend = ("SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE on both sides"
               if details["backend"] == "sqlite" else
               "PostgreSQL (throwaway database, VACUUM ANALYZE after loading)")
    lines = [
        "",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, "
        f"SQLAlchemy {m['sqlalchemy']}; {backend}",
        f"park: {ld['projects']:,} projects, {sc['deadlines_per_day']} stage deadlines a day "
        f"(7-row ladders: reminders 3 days before and on the day to the owner, the warning "
        f"to owner, group lead and 3 leaders), {sc['star_projects']} star projects with a "
        f"weekly inquiry; outbox {status} ({ld['database_mb']:,.0f} MB); the history: "
        f"{ld['history_rows']:,} settled rows of the past year (weekly agendas and digests, "
        f"inquiries, ~{_short(int(ld['history_rows'] * 0.85 / 7))} past ladders) — about 10 "
        f"per project, several times what the ladder density above makes: a stress for "
        f"flatness; loaded in {ld['history_seconds']:.0f} s",
        f"steady: {STEADY_NOW:%a %Y-%m-%d %H:%M:%S} park time, the tick after the 09:00 slot; "
        f"median of {steady['runs']} ticks (p95 {steady['engine_p95_ms']:.2f} ms, raw "
        f"{steady['raw_p95_ms']:.2f} ms), {steady['statements']} statements each; due-rows "
        f"plan: {short_plan(steady['due_query_plan'])}",
        f"flatness of the hot query alone (`outbox.due_rows`, raw): "
        f"{_due_cost(details['steady_no_history']):.3f} ms without the history, "
        f"{_due_cost(steady):.3f} ms with it",
        "steady tick's costliest statements (raw, each alone): " + "; ".join(
            f"{c['ms']:.3f} ms {c['sql'][:90]}… [{short_plan(c['plan'])}]"
            for c in steady["statement_costs"][:2]),
        f"catch-up: {CATCHUP_NOW:%a %Y-%m-%d %H:%M} after {DOWNTIME.days} days down: "
        f"{catchup['due']:,} due, {catchup['skipped']:,} skipped (overtaken rungs, weekly "
        f"mails more than 12 h late), {catchup['planned']} planned, {catchup['left_due']:,} "
        f"left to send; median of {len(catchup['engine_runs_ms'])} runs after the cold one, "
        f"each from the same state; statements {catchup['statements']}",
        f"delivery: {d['messages']:,} mails {d['kinds']}, {d['bytes'] / d['messages']:,.0f} "
        f"bytes each, parkflow over one connection per pass to aiosmtpd in "
        f"its own process on 127.0.0.1; parkflow {d['statements_per_message']} statements and "
        f"{d['commits_per_message']} commits per message, garbage collector "
        f"{1000 * d['gc_s'] / d['messages']:.2f} ms per message; raw smtplib sends the very "
        f"envelopes and bytes the sink received from parkflow",
        f"load average {details['load_average'][0]:.2f} before, "
        f"{details['load_average'][1]:.2f} after; total {details['seconds']:.0f} s",
    ]
    return lines + busy_warning(details["load_average"], m["cpus"])



def machine() -> dict[str, Any]:
    import sqlalchemy
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "cpus": os.cpu_count(),
            "platform": platform.platform()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile of the sweeps and of the delivery")
    parser.add_argument("--postgresql", metavar="URL",
                        help="run on PostgreSQL instead: a throwaway database is created on "
                             "this server (e.g. postgresql://postgres@127.0.0.1:5432/postgres)"
                             " and dropped at the end")
    defaults = Scenario()
    parser.add_argument("--projects", type=int, default=defaults.projects)
    parser.add_argument("--history", type=int, default=defaults.history,
                        help="settled outbox rows of the past year (%(default)s)")
    parser.add_argument("--deadlines-per-day", type=int, default=defaults.deadlines_per_day)
    parser.add_argument("--stars", type=int, default=defaults.star_projects)
    parser.add_argument("--steady-runs", type=int, default=201)
    parser.add_argument("--catchup-runs", type=int, default=5)
    args = parser.parse_args(argv)
    scenario = Scenario(projects=args.projects, history=args.history,
                        deadlines_per_day=args.deadlines_per_day, star_projects=args.stars)

    started = time.perf_counter()
    load_before = load_average()
    details: dict[str, Any] = {"machine": machine(), "scenario": asdict(scenario),
                               "backend": "postgresql" if args.postgresql else "sqlite"}
    profiles: list[str] | None = [] if args.profile else None
    with tempfile.TemporaryDirectory(prefix="parkflow-bench-reminders-") as tmp:
        db: Db
        if args.postgresql:
            log("creating a throwaway PostgreSQL database")
            db = PostgresDb(args.postgresql)
        else:
            log(f"work directory {tmp}")
            db = SqliteDb(Path(tmp) / "reminders.db")
        try:
            log(f"loading {scenario.projects:,} projects and their current outbox rows")
            builder = load(db, scenario, details)
            log("steady sweep before the history: engine and raw SQL, alternating")
            details["steady_no_history"] = measure_steady(db, args.steady_runs, None,
                                                          "no history")
            log(f"loading {scenario.history:,} settled outbox rows (a year of history)")
            load_history(db, builder, scenario.history, details)
            log("steady sweep: engine and raw SQL, alternating")
            details["steady"] = measure_steady(db, args.steady_runs, profiles,
                                               f"{scenario.history:,} history rows")
            log(f"catch-up sweep after {DOWNTIME.days} days: engine and raw SQL")
            details["catchup"], tick = measure_catchup(db, args.catchup_runs, profiles)
            try:
                tick()  # the catch-up for real: what it leaves is what delivery sends
                details["delivery"] = measure_delivery(db, tick, Path(tmp), profiles)
            finally:
                tick.close()
        finally:
            db.close()
    details["seconds"] = round(time.perf_counter() - started, 1)
    details["load_average"] = (load_before, load_average())
    rows = figures(details)
    if args.json:
        print(as_json(rows, details))
    else:
        print(table(rows, notes(details)))
    for text in profiles or []:
        print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
