"""Where a request's database work runs (web.deps.run_reads): on SQLite a page's reads run on
the event loop, which is cheaper than FastAPI's hop to a worker thread and back; on
PostgreSQL they go to a worker thread, so their round trips hold up no other request; a
write always goes to a worker thread (its commit waits for fsync or the server).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from sqlalchemy import create_engine

from db.engine import make_engine
from tests.support.web import FORM_VISIT, Web
from web.deps import WebDeps, run_reads
from workflow.clock import FixedClock
from workflow.park import Park


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the functions sent to a worker thread while the test runs."""
    sent: list[str] = []
    original = anyio.to_thread.run_sync

    async def counted(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(_name(func))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    yield sent


def _name(func: Any) -> str:
    """A function's name; FastAPI sends an endpoint wrapped in a partial (`function=`)."""
    if isinstance(func, functools.partial):
        return _name(func.keywords.get("function", func.func))
    return str(getattr(func, "__qualname__", func))


def _thread_of(deps: WebDeps) -> int:
    async def ask() -> int:
        return await run_reads(deps, threading.get_ident)
    return asyncio.run(ask())


def test_reads_run_on_the_event_loop_on_sqlite(tmp_path: Path, clock: FixedClock) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    try:
        assert _thread_of(WebDeps(engine=engine, park=Park.default(clock=clock))) \
            == threading.get_ident()
    finally:
        engine.dispose()


def test_reads_run_on_a_worker_thread_on_a_database_server(clock: FixedClock) -> None:
    engine = create_engine("postgresql+psycopg://parkflow@db.invalid/parkflow")  # never used
    assert _thread_of(WebDeps(engine=engine, park=Park.default(clock=clock))) \
        != threading.get_ident()


def test_the_board_takes_no_worker_thread_on_sqlite_and_every_read_one_elsewhere(
        web: Web, hops: list[str]) -> None:
    web.project()
    client = web.signed_in("leader")  # the inbox badge too
    hops.clear()

    answer = client.get("/board")

    assert answer.status_code == 200, answer.text[:300]
    if web.app.engine.dialect.name == "sqlite":
        assert hops == []
    else:  # the person, the page, and giving the connection back
        assert hops == ["signed_in_viewer", "show_board", "Session.close"]


def test_an_event_by_the_api_takes_one_worker_thread_on_sqlite_and_two_elsewhere(
        web: Web, hops: list[str]) -> None:
    project_id = web.project()
    headers = web.token("alice")
    client = web.client()
    client.get("/api/v1/me", headers=headers)  # the token's first use is written down
    hops.clear()

    answer = client.post(f"/api/v1/projects/{project_id}/events",
                         json={"event": "visit", "fields": FORM_VISIT}, headers=headers)

    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["state"] == "visited"
    if web.app.engine.dialect.name == "sqlite":  # the write alone
        assert hops == ["_advance"]
    else:  # the token; the write and its answer in one trip
        assert hops == ["_verify", "_write_then_read"]


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/me", 200), ("/api/v1/projects", 200), ("/api/v1/projects/{id}", 200),
    ("/api/v1/projects/{id}/events", 200), ("/api/v1/projects/{id}/history", 200),
    ("/api/v1/approvals", 200), ("/api/v1/approvals/999", 404),
    ("/api/v1/space/listings", 200), ("/api/v1/space/requests", 200)])
def test_an_api_read_takes_no_worker_thread_on_sqlite_and_one_trip_elsewhere(
        web: Web, hops: list[str], path: str, status: int) -> None:
    project_id = web.project()
    headers = web.token("alice")
    client = web.client()
    client.get("/api/v1/me", headers=headers)  # the token's first use is written down
    hops.clear()

    answer = client.get(path.format(id=project_id), headers=headers)

    assert answer.status_code == status, answer.text[:300]
    if web.app.engine.dialect.name == "sqlite":
        assert hops == []
    else:  # the token, then the reads (none for who the token belongs to)
        assert hops == ["_verify", *([] if path == "/api/v1/me" else ["_read"])]
