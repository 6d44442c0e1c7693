"""cProfile of the board page and of the API event, in-process, one request at a time.

The app is built as `parkflow serve` builds it (`build_app`, `web_app`) on a copy of the
benchmark's database and driven through httpx's ASGI transport. FastAPI runs `def` endpoints
and dependencies in worker threads, which cProfile (per thread on Python 3.11) would not see:
here `anyio.to_thread.run_sync` runs them inline on the profiled thread instead. With one
request at a time that changes no result, only where the work runs; what the thread hops
themselves cost is left out (the server's CPU per request under load includes it).

Prints: the wall time per request without the profiler, a breakdown (cumulative time per
request of the functions that matter, from the profile) and the top functions.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.common import PARK_TZ, url
from bench.web_data import PASSWORD, BenchDb
from bench.web_load import expect, sign_in

# (label, file suffix, function name): the parts of a request, by cumulative time; a part
# whose function is gone (the code moved on) is shown as such.
BOARD_PARTS = (
    ("whole request (from the session middleware in)", "starlette/middleware/sessions.py",
     "__call__"),
    ("  session cookie → user (signed_in_viewer)", "web/deps.py", "signed_in_viewer"),
    ("  board page (show_board)", "web/routes/board.py", "show_board"),
    ("    web.queries.board (columns, counts, cards)", "web/queries.py", "board"),
    ("      workflow.views.list_projects (every project)", "workflow/views.py",
     "list_projects"),
    ("        summary() per project", "workflow/views.py", "summary"),
    ("    web.queries.owners (filter choices)", "web/queries.py", "owners"),
    ("    web.rendering.page", "web/rendering.py", "page"),
    ("      Jinja render of board.html", "web/rendering.py", "render"),
    ("      inbox badge (_pending_count)", "web/rendering.py", "_pending_count"),
)
EVENT_PARTS = (
    ("whole request (from the session middleware in)", "starlette/middleware/sessions.py",
     "__call__"),
    ("  Bearer token (api_user)", "web/deps.py", "api_user"),
    ("    verify_token (token + user)", "workflow/tokens.py", "verify_token"),
    ("  the write (post_event's _advance)", "web/api/routes.py", "_advance"),
    ("    workflow.projects.advance", "workflow/projects.py", "advance"),
    ("      require_actor (the user read with the token)", "workflow/users.py",
     "require_actor"),
    ("      observers (workflow.projects.notify)", "workflow/projects.py", "notify"),
    ("        reminders.on_transition", "notifications/reminders.py", "on_transition"),
    ("          outbox.enqueue", "notifications/outbox.py", "enqueue"),
    ("          outbox.cancel", "notifications/outbox.py", "cancel"),
    ("    COMMIT (fsync, synchronous=FULL)", "~",
     "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("    COMMIT (PostgreSQL)", "psycopg/connection.py", "commit"),
    ("  psycopg: a statement (all of them)", "psycopg/cursor.py", "execute"),
    ("  project_view (the answer, read again)", "workflow/views.py", "project_view"),
    ("    history (its rows)", "workflow/views.py", "_history"),
    ("  response model: validate + JSON", "fastapi/routing.py", "serialize_response"),
)

Call = Callable[[], Awaitable[None]]


@contextmanager
def inline_threads() -> Iterator[None]:
    """Run what FastAPI sends to worker threads on the calling thread (one request at a
    time: the same work, visible to cProfile)."""
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def run_sync(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original  # type: ignore[assignment]


def _find(stats: pstats.Stats, suffix: str, name: str) -> float | None:
    """Cumulative seconds of the functions named `name` in files ending with `suffix`
    (None: no such function ran)."""
    found = [ct for (filename, _line, func), (_cc, _nc, _tt, ct, _callers)
             in stats.stats.items()  # type: ignore[attr-defined]
             if func == name and (filename == suffix or filename.endswith(suffix))]
    return sum(found) if found else None


def breakdown(stats: pstats.Stats, parts: tuple[tuple[str, str, str], ...],
              requests: int) -> list[str]:
    width = max(len(label) for label, _, _ in parts)
    whole = _find(stats, parts[0][1], parts[0][2]) or 1.0
    lines = []
    for label, suffix, name in parts:
        seconds = _find(stats, suffix, name)
        if seconds is None:
            lines.append(f"  {label:<{width}}  (not called: {suffix} {name})")
        else:
            lines.append(f"  {label:<{width}}  {seconds * 1000 / requests:8.2f} ms"
                         f"  {seconds / whole:6.1%}")
    return lines


async def _timed(call: Call, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        await call()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)


async def _profiled(call: Call, repeats: int) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        await call()
    profiler.disable()
    return pstats.Stats(profiler)


def _top(stats: pstats.Stats, key: str, top: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(key).print_stats(top)
    text = out.getvalue()
    return text[text.find("   ncalls"):] if "   ncalls" in text else text


PROFILED_EVENTS = 60  # events timed, then as many profiled, after one warm-up


def intake_needed(events: int = PROFILED_EVENTS) -> int:
    """Intake projects the profile fires its events at (one each)."""
    return 1 + 2 * events


def profile(work: Path, path: Path, db: BenchDb, *, boards: int = 10,
            events: int = PROFILED_EVENTS,
            top: int = 22, database_url: str | None = None) -> str:
    """The profile on the SQLite file `path`, or on `database_url` (a PostgreSQL copy of
    it: the same rows)."""
    from parkflow.settings import Settings
    from parkflow.wiring import build_app, web_app
    from web.config import WebSettings

    app = build_app(Settings(database_url=database_url or url(path), timezone=PARK_TZ.key,
                             mail_dir=str(work / "mail")))
    asgi = web_app(app, WebSettings(secret_key="bench-profile-" * 4, secret_from_env=True))
    ids = iter(db.pool)
    auth = {"Authorization": f"Bearer {db.tokens[0]}"}
    body = {"event": "visit", "fields": {"visitors": "张三,李四", "needs": "funding,space",
                                         "team": "4", "technology": "5", "capital": "3",
                                         "market": "4"}}

    async def go() -> str:
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     follow_redirects=False) as client, \
                httpx.AsyncClient(transport=transport, base_url="http://bench") as api:
            await sign_in(client, db.emails[0], PASSWORD)

            async def board() -> None:
                expect(await client.get("/board"))

            async def event() -> None:
                expect(await api.post(f"/api/v1/projects/{next(ids)}/events", json=body,
                                      headers=auth))

            out = [f"cProfile in-process on {app.engine.dialect.name} (one request at a time, "
                   f"{len(db.pool)} intake projects available; the leader's board of "
                   f"{db.projects:,} projects)"]
            with inline_threads():
                for name, call, repeats, parts in (("board", board, boards, BOARD_PARTS),
                                                   ("event", event, events, EVENT_PARTS)):
                    await call()  # warm-up: templates, statements, calendar
                    wall = await _timed(call, repeats)
                    stats = await _profiled(call, repeats)
                    out.append("")
                    out.append(f"{name}: {wall[len(wall) // 2]:.1f} ms per request without "
                               f"the profiler (median of {repeats}); under cProfile, "
                               f"cumulative ms per request and share of the whole:")
                    out.extend(breakdown(stats, parts, repeats))
                    out.append(f"\n{name}: top {top} by own time (tottime)")
                    out.append(_top(stats, "tottime", top))
            return "\n".join(out)

    try:
        return asyncio.run(go())
    finally:
        app.engine.dispose()
