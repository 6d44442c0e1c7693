"""A request while PostgreSQL is away (stopped, restarting) gets a clear 503 with Retry-After,
not a bare 500 (issue 11 §2; `make fault-restart` stops a real server during load)."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient

from parkflow.settings import Settings
from parkflow.wiring import build_app, web_app
from tests.factories import NOW
from web.config import WebSettings
from workflow.clock import FixedClock


def _closed_port() -> int:
    with socket.socket() as probe:  # bound then released: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_api_says_the_database_is_away() -> None:
    url = f"postgresql://parkflow@127.0.0.1:{_closed_port()}/parkflow"
    app = build_app(Settings(database_url=url, db_pool_timeout=5), clock=FixedClock(NOW))
    client = TestClient(web_app(app, WebSettings(secret_key="k" * 32)),
                        raise_server_exceptions=False)
    answer = client.get("/api/v1/projects", headers={"Authorization": "Bearer pf_whatever"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json()["error"]["kind"] == "unavailable"
    app.engine.dispose()
