"""Events per second: `workflow.projects.advance` vs a raw sqlite3 loop doing the same writes.

Fairness: both sides start from a copy of the same migrated database (same schema and
indexes; pragmas WAL, synchronous=FULL, foreign_keys, busy_timeout; BEGIN IMMEDIATE) holding
the same projects in `intake`, and fire the same events in the same order: per block of 100
projects, `visit` on each, then `register`, `sign` and `open` on each. That walks the whole
active lifecycle (each event stamps a milestone, recomputes the stage's deadline and, for
`visit`, the stars), never touches the same row twice in a row, and keeps the mix of events
the same in any prefix of the plan (a run may stop early on its time budget). Per event both
sides do: SELECT the project row, INSERT the history row with the event's fields as JSON,
compare-and-set UPDATE `WHERE id = ? AND version = ?` of every mutable column, COMMIT. The
raw loop computes its values with a few lines of Python (a fixed 30-day deadline); the engine
does the real work (validation, the state machine, the legal deadline on the business
calendar). The two sides take turns every few dozen events, so a busy disk or CPU slows both.
`exit`/`reactivate` cycles were not used: after one pass they only exercise two stages
without deadlines, which flatters the engine.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from bench.common import PARK_TZ, connect_raw, load_intake_projects, percentile, sa_datetime, url

EVENTS = ("visit", "register", "sign", "open")
SECOND = timedelta(seconds=1)


def _uscc(first17: str) -> str:
    from workflow.fields import uscc_check_char
    return first17 + uscc_check_char(first17)


def event_fields() -> dict[str, dict[str, str]]:
    """What a form would submit for each event (strings, as from the CLI or the web)."""
    return {
        "visit": {"visitors": "张三,李四", "needs": "funding,space", "team": "4",
                  "technology": "5", "capital": "3", "market": "4"},
        "register": {"company_name": "合肥量子精密测量科技有限公司",
                     "uscc": _uscc("91340100MA2N0PQR1"),
                     "address": "安徽省合肥市高新区望江西路800号"},
        "sign": {"agreement_no": "HF-2026-0001"},
        "open": {"premises": "创新产业园二期 A3 栋 5 层"},
    }


# The same fields after validation: what the history row stores (the raw loop writes these).
def clean_fields() -> dict[str, dict[str, Any]]:
    raw = event_fields()
    return {
        "visit": {"visitors": ["张三", "李四"], "needs": ["funding", "space"], "team": 4,
                  "technology": 5, "capital": 3, "market": 4},
        "register": dict(raw["register"]),
        "sign": dict(raw["sign"]),
        "open": dict(raw["open"]),
    }


SOURCE = {"visit": "intake", "register": "visited", "sign": "registered", "open": "signed"}
DEST = {"visit": "visited", "register": "registered", "sign": "signed", "open": "opened"}


@dataclass(frozen=True)
class Plan:
    """The events to fire, in order: (project id, event)."""

    steps: tuple[tuple[int, str], ...]
    start: datetime  # the clock before the first event (one second per event after)

    @classmethod
    def build(cls, project_ids: Sequence[int], start: datetime, block: int = 100) -> Plan:
        """Block by block of projects: visit each, then register each, sign, open; so any
        prefix of the plan has the same mix of events and no two steps in a row touch the
        same project."""
        steps = [(pid, ev) for at in range(0, len(project_ids), block) for ev in EVENTS
                 for pid in project_ids[at:at + block]]
        return cls(tuple(steps), start)


@dataclass(frozen=True)
class EventRun:
    events: int
    seconds: float
    latencies_ms: tuple[float, ...]  # sorted
    cpu_seconds: float  # process time: the CPU cost, without waits for the disk

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.events

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)

    def as_json(self) -> dict[str, Any]:
        return {"events": self.events, "seconds": round(self.seconds, 4),
                "events_per_second": round(self.per_second, 1),
                "p50_ms": round(self.p50, 4), "p95_ms": round(self.p95, 4),
                "p99_ms": round(self.p99, 4), "max_ms": round(self.latencies_ms[-1], 4),
                "cpu_ms_per_event": round(self.cpu_ms, 4)}


def prepare(template: Path, path: Path, projects: int, created: datetime) -> Plan:
    """A copy of the template with `projects` projects in intake, and the plan to fire."""
    import shutil
    shutil.copy(template, path)
    ids = load_intake_projects(path, projects, created)
    return Plan.build(ids, created + timedelta(minutes=1))


# ---------------------------------------------------------------- the two sides

class EngineSide:
    """Fires plan steps through workflow.projects.advance, one writing() transaction each.

    `observers=False` is the bare engine (`Park.default`): the same writes as the raw loop.
    `observers=True` is the park as `parkflow.wiring.make_park` wires it for the CLI and the
    web (observers that keep the reminder outbox in step): what an event costs in production.
    """

    def __init__(self, path: Path, plan: Plan, actor_email: str, *,
                 observers: bool = False) -> None:
        from db.engine import make_engine, reading
        from db.models import User
        from workflow.clock import FixedClock
        from workflow.park import Park
        from workflow.users import find_user

        self.plan = plan
        self.engine = make_engine(url(path))
        self.clock = FixedClock(plan.start)
        if observers:
            from parkflow.settings import Settings
            from parkflow.wiring import make_park
            self.park = make_park(Settings(timezone=PARK_TZ.key), clock=self.clock)
        else:
            self.park = Park.default(tz=PARK_TZ, clock=self.clock)
        self.fields = event_fields()
        with reading(self.engine) as session:
            found = find_user(session, actor_email)
            assert isinstance(found, User)
            self.actor: User = found  # loaded once, detached: no email lookup per event

    def run(self, start: int, stop: int, latencies: list[float]) -> float:
        """Fire steps[start:stop]; append each latency (ms); return the elapsed seconds."""
        from db.engine import writing
        from workflow.projects import advance

        engine, park, clock, fields, actor = (self.engine, self.park, self.clock, self.fields,
                                              self.actor)
        perf = time.perf_counter_ns
        began = perf()
        for project_id, event in self.plan.steps[start:stop]:
            clock.advance(SECOND)
            given = fields[event]
            if event == "register":  # one credit code per company: a second one is refused
                given = {**given, "uscc": _uscc(f"91340100MA{project_id:07d}")}
            t0 = perf()
            with writing(engine) as session:
                advance(session, park, project_id=project_id, event=event, actor=actor,
                        fields=given)
            latencies.append((perf() - t0) / 1e6)
        return (perf() - began) / 1e9

    def close(self) -> None:
        self.engine.dispose()


_INSERT = ("INSERT INTO project_events (project_id, event, from_state, to_state, actor_id, "
           "occurred_at, recorded_at, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_SCORES = ("team", "technology", "capital", "market")
# Columns an event never changes; the engine's compare-and-set UPDATE writes all the others.
_FIXED = ("id", "name", "category", "owner_id", "group", "created_at")


class RawSide:
    """The same writes with the sqlite3 module: the floor for this disk and this schema.

    The row's columns are read from the schema, so the SELECT reads the whole row and the
    UPDATE writes every mutable column (new values for those an event changes, the row's own
    values for the rest), as the engine's `save` does, whatever columns the table has grown.
    At `register` it also writes what the engine's search keys keep (the credit code and the
    search text, in the same UPDATE), each project with its own credit code as the engine's
    side gives it: the same pages written.
    """

    def __init__(self, path: Path, plan: Plan, actor_id: int) -> None:
        self.plan = plan
        self.conn = connect_raw(path)
        self.actor_id = actor_id
        self.fields: Mapping[str, Mapping[str, Any]] = clean_fields()
        self.now = plan.start
        from workflow.search import search_text
        self.search_text = search_text  # the text the engine stores (a pure function)
        names = [row[1] for row in self.conn.execute("PRAGMA table_info(projects)")
                 if row[1] != "created_at"]
        self.columns = {name: i for i, name in enumerate(names)}
        self.mutable = [name for name in names if name not in _FIXED]
        self.select = (f"SELECT {', '.join(_quote(n) for n in names)} FROM projects "
                       "WHERE id = ?")
        self.update = (f"UPDATE projects SET {', '.join(f'{_quote(n)} = ?' for n in self.mutable)}"
                       " WHERE id = ? AND version = ?")

    def run(self, start: int, stop: int, latencies: list[float]) -> float:
        execute, fields, actor_id = self.conn.execute, self.fields, self.actor_id
        select, update, mutable, col = self.select, self.update, self.mutable, self.columns
        perf = time.perf_counter_ns
        began = perf()
        for project_id, event in self.plan.steps[start:stop]:
            self.now += SECOND
            now = self.now
            t0 = perf()
            execute("BEGIN IMMEDIATE")
            row = execute(select, (project_id,)).fetchone()
            if row is None or row[col["state"]] != SOURCE[event]:
                raise RuntimeError(f"raw loop: project {project_id} not in {SOURCE[event]}")
            values = fields[event]
            searched: dict[str, Any] = {}
            if event == "register":  # one credit code per company, as the engine's side
                uscc = _uscc(f"91340100MA{project_id:07d}")
                values = {**values, "uscc": uscc}
                searched = {"uscc": uscc, "search_text": self.search_text(
                    row[col["name"]], values["company_name"], uscc)}
            milestones = json.loads(row[col["milestones"]])
            milestones[event] = now.astimezone(PARK_TZ).date().isoformat()
            stars = row[col["stars"]]
            if event == "visit":
                total = sum(values[name] for name in _SCORES)
                stars = 3 if total >= 16 else 2 if total >= 13 else 1 if total >= 10 else 0
            occurred = sa_datetime(now)
            history_id = execute(_INSERT, (project_id, event, SOURCE[event], DEST[event],
                                           actor_id, occurred, occurred,
                                           json.dumps(values))).lastrowid
            version = row[col["version"]]
            new = {"state": DEST[event], "stars": stars, "milestones": json.dumps(milestones),
                   "adjustments": "[]", "exited_from": None,
                   "due_at": sa_datetime(now + timedelta(days=30)) if event != "open" else None,
                   "stage_entry_id": history_id, "last_event_at": occurred,
                   "version": version + 1, **searched}
            changed = execute(update, (*(new[n] if n in new else row[col[n]] for n in mutable),
                                       project_id, version)).rowcount
            if changed != 1:
                raise RuntimeError(f"raw loop: compare-and-set failed on project {project_id}")
            execute("COMMIT")
            latencies.append((perf() - t0) / 1e6)
        return (perf() - began) / 1e9

    def close(self) -> None:
        self.conn.close()


def _quote(name: str) -> str:
    return f'"{name}"'


class Side(Protocol):
    """What run_interleaved drives: fire plan steps [start, stop), return the seconds."""

    def run(self, start: int, stop: int, latencies: list[float]) -> float: ...

    def close(self) -> None: ...


def run_interleaved(sides: Sequence[Side], steps: int, chunk: int,
                    budget_s: float) -> list[EventRun]:
    """Run every side over the same steps, alternating in chunks of `chunk` events (and
    alternating which side goes first), so both see the same machine load and disk. Stops
    after the chunk in which the sides together exceeded `budget_s` seconds."""
    latencies: list[list[float]] = [[] for _ in sides]
    seconds = [0.0 for _ in sides]
    cpu = [0.0 for _ in sides]
    done = 0
    for n, start in enumerate(range(0, steps, chunk)):
        order = range(len(sides)) if n % 2 == 0 else reversed(range(len(sides)))
        done = min(start + chunk, steps)
        for i in order:
            c0 = time.process_time()
            seconds[i] += sides[i].run(start, done, latencies[i])
            cpu[i] += time.process_time() - c0
        if sum(seconds) > budget_s:
            break
    return [EventRun(done, seconds[i], tuple(sorted(latencies[i])), cpu[i])
            for i in range(len(sides))]


def outcome(path: Path) -> dict[str, Any]:
    """What a run left in its database: history rows, projects per (state, version)."""
    conn = connect_raw(path)
    try:
        history = conn.execute("SELECT count(*) FROM project_events").fetchone()[0]
        states = {f"{state}@{version}": count for state, version, count in conn.execute(
            "SELECT state, version, count(*) FROM projects GROUP BY state, version")}
        searched = conn.execute("SELECT id, uscc, search_text FROM projects "
                                "WHERE uscc IS NOT NULL ORDER BY id").fetchall()
    finally:
        conn.close()
    return {"history": history, "projects": states, "searched": searched}


def verify(engine_db: Path, raw_db: Path, events: int) -> None:
    """Both sides must have left the same states and search keys, with one history row per
    event."""
    eng, raw = outcome(engine_db), outcome(raw_db)
    if eng != raw or eng["history"] != events:
        differ = [key for key in eng if eng[key] != raw[key]]
        raise RuntimeError(f"after {events} events the databases differ in {differ}: engine "
                           f"{eng['history']} history rows, {eng['projects']}, "
                           f"{len(eng['searched'])} registered; raw {raw['history']}, "
                           f"{raw['projects']}, {len(raw['searched'])}")


def profile_engine(template: Path, workdir: Path, projects: int, created: datetime,
                   actor_email: str, top: int = 30, *, observers: bool = False) -> str:
    """cProfile of the engine loop (own database copy): the functions that cost the most."""
    path = workdir / "profile.db"
    plan = prepare(template, path, projects, created)
    side = EngineSide(path, plan, actor_email, observers=observers)
    side.run(0, 1, [])  # the first event loads the calendar and compiles statements
    profiler = cProfile.Profile()
    profiler.enable()
    seconds = side.run(1, len(plan.steps), [])
    profiler.disable()
    side.close()
    out = io.StringIO()
    out.write(f"cProfile of {len(plan.steps) - 1} engine events"
              f"{' with the observers of make_park' if observers else ''} "
              f"({(len(plan.steps) - 1) / seconds:,.0f}/s under the profiler)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return out.getvalue()


# ---------------------------------------------------------------- concurrent writers

def _partition(steps: Sequence[tuple[int, str]],
               threads: int) -> list[list[tuple[int, str]]]:
    """The steps split by project: each project's events stay in order, in one thread."""
    parts: list[list[tuple[int, str]]] = [[] for _ in range(threads)]
    for project_id, event in steps:
        parts[project_id % threads].append((project_id, event))
    return parts


def _run_threads(work: Sequence[Any], fire: Any) -> EventRun:
    """Run `fire(part, latencies)` for each part in a thread of its own; wall and CPU time."""
    import threading
    latencies: list[list[float]] = [[] for _ in work]
    workers = [threading.Thread(target=fire, args=(part, latencies[i]))
               for i, part in enumerate(work)]
    c0, t0 = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    merged = tuple(sorted(x for part in latencies for x in part))
    return EventRun(len(merged), seconds, merged, cpu)


def engine_concurrent(path: Path, plan: Plan, actor_email: str, threads: int, *,
                      observers: bool) -> tuple[EventRun, int]:
    """The plan fired by `threads` threads through writing() (the group committer), by the
    bare engine or with the observers of make_park; the run and the number of commits. Its
    first step is fired before the clock starts, alone: it loads the calendar and compiles
    the statements."""
    from sqlalchemy import event as sa_event

    from db.engine import writing
    from workflow.projects import advance

    side = EngineSide(path, plan, actor_email, observers=observers)
    side.clock.advance(SECOND)  # one moment for all: no clock shared between threads
    commits: list[int] = []
    perf = time.perf_counter_ns

    def fire(part: list[tuple[int, str]], latencies: list[float]) -> None:
        for project_id, event in part:
            given = side.fields[event]
            if event == "register":
                given = {**given, "uscc": _uscc(f"91340100MA{project_id:07d}")}
            t0 = perf()
            with writing(side.engine) as session:
                advance(session, side.park, project_id=project_id, event=event,
                        actor=side.actor, fields=given)
            latencies.append((perf() - t0) / 1e6)

    try:
        fire(list(plan.steps[:1]), [])
        sa_event.listen(side.engine, "commit", lambda _conn: commits.append(1))
        run = _run_threads(_partition(plan.steps[1:], threads), fire)
    finally:
        side.close()
    return run, len(commits)


def spiff_concurrent(path: Path, plan: Plan, threads: int) -> EventRun:
    """The plan on SpiffWorkflow by `threads` threads, each on its own connection; its first
    step fired alone before the clock starts, as the engine's."""
    from bench.spiff import SpiffSide

    side = SpiffSide(path, plan)
    now = plan.start + SECOND
    perf = time.perf_counter_ns

    def fire(part: list[tuple[int, str]], latencies: list[float]) -> None:
        conn = connect_raw(path)
        try:
            for project_id, event in part:
                t0 = perf()
                side.step(project_id, event, now, conn)
                latencies.append((perf() - t0) / 1e6)
        finally:
            conn.close()

    try:
        fire(list(plan.steps[:1]), [])
        return _run_threads(_partition(plan.steps[1:], threads), fire)
    finally:
        side.close()


def concurrent_rows(template: Path, work: Path, actor_email: str, start: datetime, *,
                    projects: int, threads: int, rounds: int = 3,
                    details: dict[str, Any] | None = None) -> list[Any]:
    """`threads` writers at once: the engine (group commit) against SpiffWorkflow, `rounds`
    times on fresh copies, the sides' order turning each round; per engine, the round of
    the median ratio is the figure (one run of a second or two is at the mercy of the
    machine's other work).

    The aim's figure is the bare engine, as in the one-writer row: SpiffWorkflow's side runs
    the same lifecycle and keeps no reminders. The engine with the observers of make_park
    (the reminder outbox kept in step, as the CLI and the web run it) is shown beside it."""
    from bench.report import Row

    sides = ("engine", "observers", "spiff")
    results: dict[str, list[tuple[float, EventRun, EventRun, int]]] = {
        "engine": [], "observers": []}
    for n in range(rounds):
        paths = {name: work / f"concurrent-{name}.db" for name in sides}
        plans = {name: prepare(template, path, projects, start) for name, path in paths.items()}
        runs: dict[str, tuple[EventRun, int]] = {}
        for name in sides[n % 3:] + sides[:n % 3]:  # each side first in one round of three
            if name == "spiff":
                runs[name] = spiff_concurrent(paths[name], plans[name], threads), 0
            else:
                runs[name] = engine_concurrent(paths[name], plans[name], actor_email, threads,
                                               observers=name == "observers")
        spiff = runs["spiff"][0]
        for name in ("engine", "observers"):
            eng, commits = runs[name]
            history = outcome(paths[name])["history"]
            if history != eng.events + 1:  # the warm-up step too
                raise RuntimeError(f"concurrent {name}: {history} history rows, "
                                   f"{eng.events + 1} events")
            results[name].append((eng.per_second / spiff.per_second, eng, spiff, commits))
        for path in paths.values():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    median = {name: sorted(found, key=lambda result: result[0])[len(found) // 2]
              for name, found in results.items()}
    if details is not None:
        r, eng, spiff, commits = median["engine"]
        details["concurrent"] = {
            "threads": threads, "projects": projects, "commits": commits,
            "rounds": [round(result[0], 3) for result in results["engine"]],
            "engine": eng.as_json(), "spiff": spiff.as_json(),
            "observers": {"rounds": [round(result[0], 3) for result in results["observers"]],
                          **median["observers"][1].as_json()}}
    rows = []
    for name, label, aim in (
            ("engine", f"{threads} writers at once, as one writer above (group commit: "
                       "{per_commit} events per commit; median of {rounds} rounds)",
             f"≥ {AIM_SPIFF}×"),
            ("observers", "  with the reminder observers ({per_commit} events per commit)",
             "—")):
        r, eng, spiff, commits = median[name]
        rows.append(Row(
            label.format(per_commit=f"{eng.events / commits:.1f}", rounds=rounds),
            f"{eng.per_second:,.0f}/s p95 {eng.p95:.1f} ms",
            f"{spiff.per_second:,.0f}/s p95 {spiff.p95:.1f} ms SpiffWorkflow", f"{r:.2f}×",
            aim, r >= AIM_SPIFF if name == "engine" else None,
            {"parkflow": eng.per_second, "baseline": spiff.per_second, "ratio": r,
             "commits": commits, "rounds": [result[0] for result in results[name]]}))
    return rows


# ---------------------------------------------------------------- the figures of issue 11 §1

AIM_RAW = 0.5  # engine events/s against raw sqlite3, same pragmas and writes
AIM_OBSERVERS = 0.3  # with the reminder observers of make_park
AIM_CPU_MS = 0.4  # CPU per event
AIM_SPIFF = 3.0  # against SpiffWorkflow, same lifecycle, per-step persistence


def rows(template: Path, work: Path, actor_email: str, actor_id: int, start: datetime, *,
         projects: int, chunk: int, budget_s: float, threads: int = 8,
         concurrent_projects: int = 500, details: dict[str, Any] | None = None) -> list[Any]:
    """The hot path's figures as `bench.report.Row`s: the engine (bare, and with the
    observers) against raw sqlite3 and SpiffWorkflow, run interleaved on copies of
    `template` (each side's database removed afterwards); then `threads` writers at once
    on `concurrent_projects` projects (0: not run). `details` gets the runs."""
    from bench.report import Row
    from bench.spiff import SpiffSide

    names = ("engine", "raw", "observers", "spiff")
    paths = {name: work / f"hotpath-{name}.db" for name in names}
    plans = {name: prepare(template, path, projects, start) for name, path in paths.items()}
    sides: dict[str, Side] = {}
    try:
        sides["engine"] = EngineSide(paths["engine"], plans["engine"], actor_email)
        sides["raw"] = RawSide(paths["raw"], plans["raw"], actor_id)
        sides["observers"] = EngineSide(paths["observers"], plans["observers"], actor_email,
                                        observers=True)
        sides["spiff"] = SpiffSide(paths["spiff"], plans["spiff"])
        runs = dict(zip(sides, run_interleaved(list(sides.values()), len(plans["raw"].steps),
                                               chunk, budget_s), strict=True))
        spiff = sides["spiff"]
        assert isinstance(spiff, SpiffSide)
        done = runs["spiff"].events
        if spiff.outcome()["history"] != done:
            raise RuntimeError(f"spiff: {spiff.outcome()} after {done} steps")
    finally:
        for side in sides.values():
            side.close()
    for name in ("engine", "observers"):
        verify(paths[name], paths["raw"], runs[name].events)
    for path in paths.values():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if details is not None:  # the shape bench/__main__.py's notes read
        details["events"] = {
            "projects": projects, "chunk": chunk, "planned": len(plans["raw"].steps),
            "budget_s": budget_s,
            "sequence": "visit, register, sign, open on every project, 100 projects at a time",
            **{name: run.as_json() for name, run in runs.items()}}
    figures = _figures(Row, runs)
    if concurrent_projects:
        figures += concurrent_rows(template, work, actor_email, start,
                                   projects=concurrent_projects, threads=threads,
                                   details=details)
    return figures


def _figures(row: Any, runs: dict[str, EventRun]) -> list[Any]:
    eng, raw, obs, spiff = (runs[n] for n in ("engine", "raw", "observers", "spiff"))

    def ratio(a: float, b: float, aim: float, label: str, base: str) -> Any:
        r = a / b
        return row(label, f"{a:,.0f}/s", f"{b:,.0f}/s {base}", f"{r:.2f}×", f"≥ {aim}×",
                   r >= aim, {"parkflow": a, "baseline": b, "ratio": r})

    return [
        ratio(eng.per_second, raw.per_second, AIM_RAW,
              f"engine events/s, advance() in writing() ({eng.events:,} events)",
              "raw sqlite3"),
        ratio(obs.per_second, raw.per_second, AIM_OBSERVERS,
              "  with the reminder observers (make_park)", "raw sqlite3"),
        row("CPU per event (process time)", f"{eng.cpu_ms:.3f} ms",
            f"{raw.cpu_ms:.3f} ms raw sqlite3", f"{eng.cpu_ms / raw.cpu_ms:.1f}×",
            f"≤ {AIM_CPU_MS} ms", eng.cpu_ms <= AIM_CPU_MS,
            {"parkflow": eng.cpu_ms, "baseline": raw.cpu_ms}),
        row("  with the reminder observers", f"{obs.cpu_ms:.3f} ms",
            f"{raw.cpu_ms:.3f} ms raw sqlite3", f"{obs.cpu_ms / raw.cpu_ms:.1f}×", "—", None,
            {"parkflow": obs.cpu_ms, "baseline": raw.cpu_ms}),
        ratio(eng.per_second, spiff.per_second, AIM_SPIFF,
              "lifecycle steps/s vs SpiffWorkflow, one writer", "SpiffWorkflow (JSON per step)"),
        row("  CPU per step vs SpiffWorkflow", f"{eng.cpu_ms:.3f} ms",
            f"{spiff.cpu_ms:.3f} ms SpiffWorkflow", f"{eng.cpu_ms / spiff.cpu_ms:.2f}×",
            "—", None, {"parkflow": eng.cpu_ms, "baseline": spiff.cpu_ms}),
    ]
