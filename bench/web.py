"""`python -m bench.web [--json] [--profile]`: the web workspace under 20 concurrent clients.

The real server — the `parkflow serve` command (uvicorn, one process) on a SQLite database
(WAL, synchronous=FULL) holding 10,000 projects spread over the states — next to a bare
Starlette app served the same way in the same run (bench/web_bare.py), each on a free
loopback port:

- the board: `GET /board` by 20 signed-in people (the leader and members, each signed in
  through /login with the CSRF token) vs `GET /page` of the bare app, a static page of the
  same bytes (a board page fetched at the start);
- an event: `POST /api/v1/projects/{id}/events` firing `visit` with its fields, with a
  personal API token (Bearer) per client, on projects in intake used once each, vs
  `POST /events/{id}` of the bare app doing the same database write (BEGIN IMMEDIATE, SELECT,
  history INSERT, compare-and-set UPDATE, COMMIT; same pragmas) on its own copy of the database.

Clients are closed loops (bench/web_load.py): each sends its next request when the previous
answer is read. Before the rounds every side is warmed up (one request per client) and
measured with a single client (the service time without queueing). Then in each round the
four phases run one after the other, the side that goes first alternating, so both sides see
the same machine; a phase stops at its request count or its time limit. Afterwards the
history rows are counted: one `visit` per answered event on each side.

Then the PostgreSQL leg (bench/web_pg.py), unless `--no-pg` or no server answers at
`--pg-url`: the same data copied, before any event, to a throwaway database per side on that
server (dropped at the end), `parkflow serve --workers 2` next to the bare endpoint doing
the same write with psycopg on two workers too, and the same event load (warm-up, one client
alone, the rounds): "20 clients, two workers, PostgreSQL, event p95". CPU per request there
is the two workers' together (the database server's own is not counted).

`--profile` adds a cProfile of the board and of the event in-process (bench/web_profile.py):
what each part of a request costs; with the PostgreSQL leg, a second one on a PostgreSQL copy
of the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench.common import PARK_TZ, percentile, url
from bench.queries import parkflow_command
from bench.report import Row, as_json, load_average, table
from bench.web_data import PASSWORD, BenchDb, build, copy, count_events
from bench.web_load import (
    Phase,
    PhaseClient,
    Pool,
    Server,
    board_total,
    closed_loop,
    expect,
    free_port,
    http_client,
    sign_in,
)
from bench.web_pg import DEFAULT_PG_URL, PgCopies, describe, reachable

AIM_BOARD_P95_MS = 100.0  # issue 11
AIM_EVENT_P95_MS = 50.0  # issue 11: 20 clients, one worker, SQLite
AIM_EVENT_PG_P95_MS = 30.0  # issue 11: 20 clients, two workers, PostgreSQL
PG_WORKERS = 2

# What the API client posts: the visit with its four-dimension evaluation (as a form would).
VISIT = {"event": "visit", "fields": {"visitors": "张三,李四", "needs": "funding,space",
                                      "team": "4", "technology": "5", "capital": "3",
                                      "market": "4"}}
# the bytes both sides are sent, encoded once (as httpx encodes `json=`), not per request
VISIT_BODY = json.dumps(VISIT, ensure_ascii=False, separators=(",", ":")).encode()
KINDS = ("board", "event")
SIDES = ("parkflow", "bare")


def log(message: str) -> None:
    print(f"[bench.web] {message}", file=sys.stderr, flush=True)


def server_env(work: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKFLOW_")}
    env.update(PARKFLOW_DATABASE_URL=url(db), PARKFLOW_SECRET_KEY=secrets.token_urlsafe(32),
               PARKFLOW_TIMEZONE=PARK_TZ.key, PARKFLOW_MAIL_DIR=str(work / "mail"),
               PARKFLOW_LANG="zh-CN")
    return env


def start_parkflow(work: Path, db: Path, *, database_url: str | None = None,
                   workers: int = 1) -> Server:
    port = free_port()
    env = server_env(work, db)
    if database_url is not None:
        env["PARKFLOW_DATABASE_URL"] = database_url
    extra = ["--workers", str(workers)] if workers > 1 else []
    server = Server("parkflow", [*parkflow_command(), "serve", "--host", "127.0.0.1",
                                 "--port", str(port), *extra],
                    port=port, env=env, cwd=work,
                    log=work / ("parkflow.log" if workers == 1 else "parkflow-pg.log"))
    server.wait_ready()
    return server


def start_bare(work: Path, db: Path | str, page: Path, actor_id: int, *,
               workers: int = 1) -> Server:
    """The bare app on the SQLite file `db`, or with `workers` processes on the PostgreSQL
    database at the URL `db`."""
    port = free_port()
    source = ["--pg-url", db] if isinstance(db, str) else ["--db", str(db)]
    server = Server("bare", [sys.executable, "-m", "bench.web_bare", *source,
                             "--page", str(page), "--actor", str(actor_id),
                             "--port", str(port), "--workers", str(workers)],
                    port=port, env=server_env(work, work / "unused.db"),
                    cwd=Path(__file__).parent.parent,
                    log=work / ("bare.log" if workers == 1 else "bare-pg.log"))
    server.wait_ready()
    return server


async def sample_board(server: Server, email: str, projects: int) -> bytes:
    """A board page as the leader sees it (the bare side serves these bytes)."""
    async with http_client(server) as client:
        await sign_in(client, email, PASSWORD)
        page = expect(await client.get("/board"))
    if board_total(page.text) != projects:
        raise RuntimeError(f"the board counts {board_total(page.text)} projects, "
                           f"expected {projects}")
    return page.content


class Run:
    """Both servers, the clients' credentials and what was measured."""

    def __init__(self, db: BenchDb, parkflow: Server, bare: Server, clients: int,
                 kinds: tuple[str, ...] = KINDS) -> None:
        self.db, self.clients, self.kinds = db, clients, kinds
        self.servers = {"parkflow": parkflow, "bare": bare}
        self.pools = {side: Pool(db.pool) for side in SIDES}
        # the signed-in sessions (cookie name → value), kept up to date by the clients
        self.cookies: list[dict[str, str]] = [{} for _ in range(clients)]
        self.auth = [{"Authorization": f"Bearer {token}"} for token in db.tokens]
        self.loaded = {(kind, side): Phase() for kind in KINDS for side in SIDES}
        self.single = {(kind, side): Phase() for kind in KINDS for side in SIDES}

    async def board_parkflow(self, client: PhaseClient, n: int) -> None:
        expect(await client.get("/board"))

    async def board_bare(self, client: PhaseClient, n: int) -> None:
        expect(await client.get("/page"))

    async def event_parkflow(self, client: PhaseClient, n: int) -> None:
        project_id = self.pools["parkflow"].take()
        answer = expect(await client.post(f"/api/v1/projects/{project_id}/events",
                                          VISIT_BODY, headers=self.auth[n]))
        if answer.json().get("state") != "visited":
            raise RuntimeError(f"project {project_id}: {answer.text[:300]}")

    async def event_bare(self, client: PhaseClient, n: int) -> None:
        project_id = self.pools["bare"].take()
        expect(await client.post(f"/events/{project_id}", VISIT_BODY))

    async def phase(self, kind: str, side: str, clients: int, per_client: int, limit_s: float,
                    into: Phase) -> None:
        server = self.servers[side]
        # the board's clients carry their session cookie; the API's carry only a token
        made = [PhaseClient(server, self.cookies[n] if kind == "board" and side == "parkflow"
                           else None) for n in range(clients)]
        try:
            await closed_loop(getattr(self, f"{kind}_{side}"), made, per_client, limit_s,
                              server, into)
        finally:
            for client in made:
                await client.aclose()

    async def drive(self, *, rounds: int, board_requests: int, event_requests: int,
                    single_board: int, single_events: int, limit_s: float) -> None:
        if "board" in self.kinds:
            log(f"signing in {self.clients} people")
            for n, cookies in enumerate(self.cookies):
                jar = CookieJar()
                async with http_client(self.servers["parkflow"], jar) as client:
                    await sign_in(client, self.db.emails[n % len(self.db.emails)], PASSWORD)
                cookies.update((cookie.name, cookie.value or "") for cookie in jar)
        log("warm-up: one request per client on each side")
        for kind in self.kinds:
            for side in SIDES:
                await self.phase(kind, side, self.clients, 1, limit_s, Phase())
        log("one client alone (service time)")
        singles = {"board": single_board, "event": single_events}
        for kind in self.kinds:
            for side in SIDES:
                await self.phase(kind, side, 1, singles[kind], limit_s,
                                 self.single[kind, side])
        loaded = {"board": board_requests, "event": event_requests}
        for r in range(rounds):
            log(f"round {r + 1}/{rounds}: {self.clients} clients, "
                + " and ".join(f"{kind} ×{loaded[kind]}" for kind in self.kinds)
                + " each, on each side")
            for kind in self.kinds:
                count = loaded[kind]
                for side in SIDES if r % 2 == 0 else reversed(SIDES):
                    await self.phase(kind, side, self.clients, count, limit_s,
                                     self.loaded[kind, side])


def summary(phase: Phase) -> dict[str, Any]:
    values = sorted(phase.latencies_ms)
    return {"requests": phase.requests, "mean_ms": round(sum(values) / len(values), 2)
            if values else None, "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(values[-1], 2) if values else None,
            "per_second": round(phase.per_second, 1),
            "server_cpu_ms_per_request": round(phase.cpu_ms, 2),
            "phases_cut_short": phase.cut_short}


def figures(run: Run, page_bytes: int) -> tuple[list[Row], dict[str, Any]]:
    clients = run.clients
    stats = {f"{kind}/{side}": summary(run.loaded[kind, side])
             for kind in KINDS for side in SIDES}
    single = {f"{kind}/{side}": summary(run.single[kind, side])
              for kind in KINDS for side in SIDES}
    rows: list[Row] = []
    base_label = {"board": f"ms static page ({page_bytes / 1024:.0f} KiB)",
                  "event": "ms bare endpoint"}
    aims = {"board": AIM_BOARD_P95_MS, "event": AIM_EVENT_P95_MS}
    titles = {"board": "board page GET /board", "event": "event POST /api/v1/…/events"}
    for kind in KINDS:
        ours, base = stats[f"{kind}/parkflow"], stats[f"{kind}/bare"]
        for q in ("p50", "p95"):
            mine, theirs = ours[f"{q}_ms"], base[f"{q}_ms"]
            aimed = q == "p95"
            rows.append(Row(
                f"{titles[kind]}, {clients} clients {q}", f"{mine:.1f} ms",
                f"{theirs:.1f} {base_label[kind]}", f"{mine / theirs:.1f}×",
                f"< {aims[kind]:.0f} ms" if aimed else "—",
                mine < aims[kind] if aimed else None,
                {"parkflow": mine, "baseline": theirs}))
    for kind in KINDS:
        ours, base = single[f"{kind}/parkflow"], single[f"{kind}/bare"]
        rows.append(Row(f"  {kind}, 1 client alone p50 (service time)",
                        f"{ours['p50_ms']:.1f} ms", f"{base['p50_ms']:.1f} ms bare",
                        f"{ours['p50_ms'] / base['p50_ms']:.1f}×", "—", None,
                        {"parkflow": ours["p50_ms"], "baseline": base["p50_ms"]}))
    for kind in KINDS:
        ours, base = stats[f"{kind}/parkflow"], stats[f"{kind}/bare"]
        cpu, base_cpu = ours["server_cpu_ms_per_request"], base["server_cpu_ms_per_request"]
        rows.append(Row(f"  {kind}, {clients} clients: throughput, server CPU per request",
                        f"{ours['per_second']:.0f}/s, {cpu:.1f} ms CPU",
                        f"{base['per_second']:.0f}/s, {base_cpu:.1f} ms CPU",
                        f"{cpu / base_cpu:.1f}× CPU" if base_cpu else "—", "—", None,
                        {"parkflow": ours["per_second"], "baseline": base["per_second"],
                         "parkflow_cpu_ms": cpu, "baseline_cpu_ms": base_cpu}))
    return rows, {"loaded": stats, "single_client": single}


def pg_figures(run: Run) -> tuple[list[Row], dict[str, Any]]:
    """The PostgreSQL leg's rows: the event under load on two workers, its service time and
    the workers' CPU per request (the database server's own CPU is not in it)."""
    ours, base = summary(run.loaded["event", "parkflow"]), summary(run.loaded["event", "bare"])
    alone = {side: summary(run.single["event", side]) for side in SIDES}
    title = (f"event POST /api/v1/…/events, {run.clients} clients, {PG_WORKERS} workers, "
             "PostgreSQL")
    rows: list[Row] = []
    for q in ("p50", "p95"):
        mine, theirs = ours[f"{q}_ms"], base[f"{q}_ms"]
        aimed = q == "p95"
        rows.append(Row(f"{title} {q}", f"{mine:.1f} ms",
                        f"{theirs:.1f} ms bare endpoint ({PG_WORKERS} workers)",
                        f"{mine / theirs:.1f}×", f"≤ {AIM_EVENT_PG_P95_MS:.0f} ms" if aimed
                        else "—", mine <= AIM_EVENT_PG_P95_MS if aimed else None,
                        {"parkflow": mine, "baseline": theirs}))
    mine, theirs = alone["parkflow"]["p50_ms"], alone["bare"]["p50_ms"]
    rows.append(Row("  event on PostgreSQL, 1 client alone p50 (service time)",
                    f"{mine:.1f} ms", f"{theirs:.1f} ms bare", f"{mine / theirs:.1f}×", "—",
                    None, {"parkflow": mine, "baseline": theirs}))
    cpu, base_cpu = ours["server_cpu_ms_per_request"], base["server_cpu_ms_per_request"]
    rows.append(Row(f"  event on PostgreSQL, {run.clients} clients: throughput, workers' CPU "
                    "per request",
                    f"{ours['per_second']:.0f}/s, {cpu:.1f} ms CPU",
                    f"{base['per_second']:.0f}/s, {base_cpu:.1f} ms CPU",
                    f"{cpu / base_cpu:.1f}× CPU" if base_cpu else "—", "—", None,
                    {"parkflow": ours["per_second"], "baseline": base["per_second"],
                     "parkflow_cpu_ms": cpu, "baseline_cpu_ms": base_cpu}))
    return rows, {"loaded": {"event/parkflow": ours, "event/bare": base},
                  "single_client": {f"event/{side}": alone[side] for side in SIDES}}


def run_pg(work: Path, db: BenchDb, pg: PgCopies, page: Path, *, clients: int, rounds: int,
           event_requests: int, single_events: int,
           limit_s: float) -> tuple[list[Row], dict[str, Any]]:
    """The event on `parkflow serve --workers 2` on PostgreSQL next to the bare endpoint on
    two workers, the same load as on SQLite; each side on its own database."""
    log(f"PostgreSQL leg: parkflow serve --workers {PG_WORKERS} and the bare app on "
        f"{PG_WORKERS} workers, each on its own database")
    parkflow = start_parkflow(work, db.path, database_url=pg.url, workers=PG_WORKERS)
    bare: Server | None = None
    try:
        bare = start_bare(work, pg.bare_url, page, db.actor_id, workers=PG_WORKERS)
        run = Run(db, parkflow, bare, clients, kinds=("event",))
        asyncio.run(run.drive(rounds=rounds, board_requests=0, event_requests=event_requests,
                              single_board=0, single_events=single_events, limit_s=limit_s))
    except Exception:
        for server in (parkflow, bare):
            if server is not None:
                log(f"{server.name} log (end):\n" + server.tail(4000))
        raise
    finally:
        parkflow.stop()
        if bare is not None:
            bare.stop()
    visits = {"parkflow": pg.count_events("visit"), "bare": pg.count_events("visit", bare=True)}
    for side in SIDES:
        if visits[side] != run.pools[side].used:
            raise RuntimeError(f"PostgreSQL, {side}: {run.pools[side].used} events answered, "
                               f"{visits[side]} history rows")
    rows, measured = pg_figures(run)
    return rows, {**measured, "visits": visits, "workers": PG_WORKERS}


def notes(details: dict[str, Any]) -> list[str]:
    m, d = details["machine"], details["data"]
    lines = [
        "",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}; uvicorn "
        f"{m['uvicorn']} one process (as `parkflow serve`), {m['http']}, {m['loop']}; clients: "
        "aiohttp, one keep-alive connection each (bench/web_load.py PhaseClient), in the bench "
        "process on the same machine",
        f"data: {d['projects']:,} projects ({d['overdue']:,} overdue; {d['pool']:,} of them in "
        f"intake kept for events), {d['people']} people; WAL, synchronous=FULL; each side on "
        "its own copy of the database",
        f"load: {details['clients']} closed-loop clients (no think time), "
        f"{details['rounds']} rounds alternating sides; one server process works on one "
        "request at a time (the GIL), so a loaded latency ≈ clients × server CPU per request: "
        f"a p95 under {AIM_BOARD_P95_MS:.0f} ms leaves ≈ "
        f"{AIM_BOARD_P95_MS / details['clients']:.1f} ms of CPU per board, under "
        f"{AIM_EVENT_P95_MS:.0f} ms ≈ {AIM_EVENT_P95_MS / details['clients']:.1f} ms per "
        "event (the bare side's figures include the clients' own cost: same machine)",
        f"history rows written: parkflow {details['visits']['parkflow']:,}, bare "
        f"{details['visits']['bare']:,} (one per answered event)",
        f"load average {details['load'][0]:.2f} before, {details['load'][1]:.2f} after; "
        f"total bench time {details['seconds']:.0f} s",
    ]
    pg = details.get("postgresql")
    if pg and "skipped" in pg:
        lines.append(f"PostgreSQL leg not run: {pg['skipped']}")
    elif pg:
        lines.append(
            f"PostgreSQL leg ({pg['server']}, {pg['version']}): the same data copied to a "
            f"throwaway database per side (dropped after), `parkflow serve --workers "
            f"{pg['workers']}` and the bare app on {pg['workers']} workers, the same event load; "
            f"CPU per request is the workers' (not the database server's); history rows "
            f"written: parkflow {pg['visits']['parkflow']:,}, bare {pg['visits']['bare']:,}")
    cut = [k for k, v in details["loaded"].items() if v["phases_cut_short"]]
    if cut:
        lines.append(f"time limit reached in some phases of: {', '.join(cut)} (fewer requests)")
    if details["load"][0] > (m["cpus"] or 1) * 0.5:
        lines.append("warning: the machine was busy before the run (load average above half "
                     "the CPUs): latencies are noisy; run again on a quiet machine")
    return lines


def pg_copies(base_url: str, db: BenchDb, details: dict[str, Any]) -> PgCopies | None:
    """The PostgreSQL leg's databases (the SQLite data before any event), or None with the
    reason in `details` when no server answers."""
    where = describe(base_url)
    why = reachable(base_url)
    if why is not None:
        details["postgresql"] = {"skipped": f"no PostgreSQL at {where} ({why})"}
        log(details["postgresql"]["skipped"])
        return None
    log(f"copying the data to two throwaway databases at {where}")
    copies = PgCopies(base_url, db.path)
    details["postgresql"] = {"server": where, "version": copies.version()}
    return copies


def machine_details() -> dict[str, Any]:
    import uvicorn
    # what uvicorn's "auto" picks for both servers: the C parser and loop when installed
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "uvicorn": uvicorn.__version__, "cpus": os.cpu_count(),
            "http": "httptools" if find_spec("httptools") else "h11",
            "loop": "uvloop" if find_spec("uvloop") else "asyncio",
            "platform": platform.platform()}



def run_sqlite(work: Path, db: BenchDb, bare_db: Path, args: argparse.Namespace,
               details: dict[str, Any], *, single_board: int, single_events: int) -> list[Row]:
    """The board and the event on `parkflow serve` (one process) on SQLite next to the bare
    app; the board page it served is left in work/board.html."""
    parkflow = start_parkflow(work, db.path)
    bare: Server | None = None
    try:
        page = asyncio.run(sample_board(parkflow, db.emails[0], db.projects))
        (work / "board.html").write_bytes(page)
        bare = start_bare(work, bare_db, work / "board.html", db.actor_id)
        run = Run(db, parkflow, bare, args.clients)
        asyncio.run(run.drive(rounds=args.rounds, board_requests=args.board_requests,
                              event_requests=args.event_requests,
                              single_board=single_board, single_events=single_events,
                              limit_s=args.limit))
    except Exception:
        for server in (parkflow, bare):  # the server's own account of a failed request
            if server is not None:
                log(f"{server.name} log (end):\n" + server.log.read_text(
                    errors="replace")[-4000:])
        raise
    finally:
        parkflow.stop()
        if bare is not None:
            bare.stop()
    visits = {"parkflow": count_events(db.path, "visit"),
              "bare": count_events(bare_db, "visit")}
    for side in SIDES:
        if visits[side] != run.pools[side].used:
            raise RuntimeError(f"{side}: {run.pools[side].used} events answered, "
                               f"{visits[side]} history rows")
    details["visits"] = visits
    rows, measured = figures(run, len(page))
    details.update(measured)
    return rows


def profiles(work: Path, path: Path, db: BenchDb, pg_url: str | None) -> str:
    """The in-process profile on the SQLite file `path`, and on a PostgreSQL copy of it made
    at `pg_url` (dropped after) unless that is None."""
    from bench.web_profile import profile
    # copied before the SQLite profile fires its events at the intake projects
    copies = PgCopies(pg_url, path) if pg_url is not None else None
    try:
        log("profiling the board and the event in-process (cProfile)")
        texts = [profile(work, path, db)]
        if copies is not None:
            log("profiling them again on a PostgreSQL copy of the data")
            texts.append(profile(work, path, db, database_url=copies.url))
    finally:
        if copies is not None:
            copies.drop()
    return "\n\n".join(texts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of the board and the event, in-process")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--board-requests", type=int, default=4,
                        help="board requests per client per round (4)")
    parser.add_argument("--event-requests", type=int, default=10,
                        help="events per client per round (10)")
    parser.add_argument("--limit", type=float, default=20.0,
                        help="seconds a phase may take before it stops (20)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL,
                        help="PostgreSQL server for the two-worker leg (a throwaway database "
                        "is created there and dropped); default PARKFLOW_BENCH_PG_URL, else "
                        "the local server")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL leg")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.rounds < 1:
        parser.error("at least one client and one round")

    started = time.perf_counter()
    load_before = load_average()
    single_board, single_events = 8, 20
    pool = args.clients * (1 + args.rounds * args.event_requests) + single_events
    if args.profile:  # the profile runs on a copy of the data, from the same intake pool
        from bench.web_profile import intake_needed
        pool = max(pool, intake_needed())
    now = datetime.now(UTC).replace(microsecond=0)
    details: dict[str, Any] = {"machine": machine_details(), "clients": args.clients,
                               "rounds": args.rounds}
    profile_text = ""
    with tempfile.TemporaryDirectory(prefix="parkflow-bench-web-") as tmp:
        work = Path(tmp)
        log(f"work directory {work}; loading {args.projects:,} projects")
        db = build(work, projects=args.projects, pool=pool, clients=args.clients, now=now)
        bare_db = copy(db, work / "bare.db")
        profile_db = copy(db, work / "profile.db") if args.profile else None
        pg = None if args.no_pg else pg_copies(args.pg_url, db, details)
        details["data"] = {"projects": db.projects, "overdue": db.overdue, "pool": pool,
                           "people": len(db.emails)}
        try:
            rows = run_sqlite(work, db, bare_db, args, details, single_board=single_board,
                              single_events=single_events)
            if pg is not None:
                pg_rows, measured = run_pg(
                    work, db, pg, work / "board.html", clients=args.clients, rounds=args.rounds,
                    event_requests=args.event_requests, single_events=single_events,
                    limit_s=args.limit)
                details["postgresql"].update(measured)
                rows += pg_rows
        finally:
            if pg is not None:
                pg.drop()
        if profile_db is not None:
            profile_text = profiles(work, profile_db, db, None if pg is None else args.pg_url)
    details["seconds"] = round(time.perf_counter() - started, 1)
    details["load"] = (load_before, load_average())
    if args.json:
        print(as_json(rows, details))
    else:
        print(table(rows, notes(details)))
    if profile_text:
        print("\n" + profile_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
