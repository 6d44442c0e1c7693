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

`--profile` adds a cProfile of the board and of the event in-process (bench/web_profile.py):
what each part of a request costs.
"""

from __future__ import annotations

import argparse
import asyncio
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
from pathlib import Path
from typing import Any

import httpx

from bench.common import PARK_TZ, percentile, url
from bench.queries import parkflow_command
from bench.report import Row, as_json, load_average, table
from bench.web_data import PASSWORD, BenchDb, build, copy, count_events
from bench.web_load import (
    Phase,
    Pool,
    Server,
    board_total,
    closed_loop,
    expect,
    free_port,
    http_client,
    sign_in,
)

AIM_BOARD_P95_MS = 100.0  # issue 11
AIM_EVENT_P95_MS = 50.0  # issue 11: 20 clients, one worker, SQLite

# What the API client posts: the visit with its four-dimension evaluation (as a form would).
VISIT = {"event": "visit", "fields": {"visitors": "张三,李四", "needs": "funding,space",
                                      "team": "4", "technology": "5", "capital": "3",
                                      "market": "4"}}
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


def start_parkflow(work: Path, db: Path) -> Server:
    port = free_port()
    server = Server("parkflow", [*parkflow_command(), "serve", "--host", "127.0.0.1",
                                 "--port", str(port)],
                    port=port, env=server_env(work, db), cwd=work, log=work / "parkflow.log")
    server.wait_ready()
    return server


def start_bare(work: Path, db: Path, page: Path, actor_id: int) -> Server:
    port = free_port()
    server = Server("bare", [sys.executable, "-m", "bench.web_bare", "--db", str(db),
                             "--page", str(page), "--actor", str(actor_id),
                             "--port", str(port)],
                    port=port, env=server_env(work, db), cwd=Path(__file__).parent.parent,
                    log=work / "bare.log")
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

    def __init__(self, db: BenchDb, parkflow: Server, bare: Server, clients: int) -> None:
        self.db, self.clients = db, clients
        self.servers = {"parkflow": parkflow, "bare": bare}
        self.pools = {side: Pool(db.pool) for side in SIDES}
        self.cookies = [CookieJar() for _ in range(clients)]  # the signed-in sessions
        self.auth = [{"Authorization": f"Bearer {token}"} for token in db.tokens]
        self.loaded = {(kind, side): Phase() for kind in KINDS for side in SIDES}
        self.single = {(kind, side): Phase() for kind in KINDS for side in SIDES}

    async def board_parkflow(self, client: httpx.AsyncClient, n: int) -> None:
        expect(await client.get("/board"))

    async def board_bare(self, client: httpx.AsyncClient, n: int) -> None:
        expect(await client.get("/page"))

    async def event_parkflow(self, client: httpx.AsyncClient, n: int) -> None:
        project_id = self.pools["parkflow"].take()
        answer = expect(await client.post(f"/api/v1/projects/{project_id}/events",
                                          json=VISIT, headers=self.auth[n]))
        if answer.json().get("state") != "visited":
            raise RuntimeError(f"project {project_id}: {answer.text[:300]}")

    async def event_bare(self, client: httpx.AsyncClient, n: int) -> None:
        project_id = self.pools["bare"].take()
        expect(await client.post(f"/events/{project_id}", json=VISIT))

    async def phase(self, kind: str, side: str, clients: int, per_client: int, limit_s: float,
                    into: Phase) -> None:
        server = self.servers[side]
        # the board's clients carry their session cookie; the API's carry only a token
        made = [http_client(server, self.cookies[n] if kind == "board" and side == "parkflow"
                            else None) for n in range(clients)]
        try:
            await closed_loop(getattr(self, f"{kind}_{side}"), made, per_client, limit_s,
                              server, into)
        finally:
            for client in made:
                await client.aclose()

    async def drive(self, *, rounds: int, board_requests: int, event_requests: int,
                    single_board: int, single_events: int, limit_s: float) -> None:
        log(f"signing in {self.clients} people")
        for n, cookies in enumerate(self.cookies):
            async with http_client(self.servers["parkflow"], cookies) as client:
                await sign_in(client, self.db.emails[n % len(self.db.emails)], PASSWORD)
        log("warm-up: one request per client on each side")
        for kind in KINDS:
            for side in SIDES:
                await self.phase(kind, side, self.clients, 1, limit_s, Phase())
        log("one client alone (service time)")
        for kind, count in (("board", single_board), ("event", single_events)):
            for side in SIDES:
                await self.phase(kind, side, 1, count, limit_s, self.single[kind, side])
        for r in range(rounds):
            log(f"round {r + 1}/{rounds}: {self.clients} clients, board ×{board_requests} "
                f"and event ×{event_requests} each, on each side")
            for kind, count in (("board", board_requests), ("event", event_requests)):
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


def notes(details: dict[str, Any]) -> list[str]:
    m, d = details["machine"], details["data"]
    lines = [
        "",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}; uvicorn "
        f"{m['uvicorn']} one process (as `parkflow serve`), h11, asyncio; clients: httpx "
        "in the bench process on the same machine",
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
    cut = [k for k, v in details["loaded"].items() if v["phases_cut_short"]]
    if cut:
        lines.append(f"time limit reached in some phases of: {', '.join(cut)} (fewer requests)")
    if details["load"][0] > (m["cpus"] or 1) * 0.5:
        lines.append("warning: the machine was busy before the run (load average above half "
                     "the CPUs): latencies are noisy; run again on a quiet machine")
    return lines


def machine_details() -> dict[str, Any]:
    import uvicorn
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "uvicorn": uvicorn.__version__, "cpus": os.cpu_count(),
            "platform": platform.platform()}



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
    args = parser.parse_args(argv)
    if args.clients < 1 or args.rounds < 1:
        parser.error("at least one client and one round")

    started = time.perf_counter()
    load_before = load_average()
    single_board, single_events = 8, 20
    pool = args.clients * (1 + args.rounds * args.event_requests) + single_events
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
        details["data"] = {"projects": db.projects, "overdue": db.overdue, "pool": pool,
                           "people": len(db.emails)}
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
        if profile_db is not None:
            from bench.web_profile import profile
            log("profiling the board and the event in-process (cProfile)")
            profile_text = profile(work, profile_db, db)
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
