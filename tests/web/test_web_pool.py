"""A page holds one pooled connection, never two: the frame's badges (the leader's pending
approvals, the bell) read through the request's own session. Were they to open a second
one, a burst of requests each holding one would exhaust the pool and wait on each other
(bench.web saw 500s from `QueuePool limit … reached` with 20 clients on the board).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from db.engine import make_engine
from tests.support.web import Web
from web.deps import WebDeps


@pytest.fixture
def one_connection(web: Web, db_url: str) -> Iterator[Engine]:
    """The workspace on an engine whose pool holds a single connection (and waits 1 s)."""
    engine = make_engine(db_url, pool_size=1, max_overflow=0, pool_timeout=1)
    web.asgi.state.deps = WebDeps(engine=engine, park=web.app.park)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("who", ["leader", "alice"])
@pytest.mark.parametrize("path", ["/board", "/projects", "/messages"])
def test_a_page_with_its_badges_needs_one_connection(
        web: Web, one_connection: Engine, who: str, path: str) -> None:
    web.project()
    client = web.signed_in(who)

    answer = client.get(path)

    assert answer.status_code == 200, answer.text[:500]
    pool = one_connection.pool
    assert isinstance(pool, QueuePool) and pool.checkedout() == 0  # and gave it back
