"""A request while PostgreSQL is away (stopped, restarting) gets a clear 503 with Retry-After,
not a bare 500 (issue 11 §2; `make fault-restart` stops a real server during load)."""

from __future__ import annotations

import logging
import socket

import pytest
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


def test_a_database_that_is_away_is_logged_as_one_warning_not_an_unhandled_error(
        caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    url = f"postgresql://parkflow:s3cretpw@127.0.0.1:{port}/parkflow"
    app = build_app(Settings(database_url=url, db_pool_timeout=5), clock=FixedClock(NOW))
    client = TestClient(web_app(app, WebSettings(secret_key="k" * 32)),
                        raise_server_exceptions=False)
    with caplog.at_level(logging.INFO, logger="parkflow.web"):
        answer = client.get("/api/v1/me", headers={"Authorization": "Bearer pf_whatever"})
    app.engine.dispose()

    assert answer.status_code == 503
    [record] = [r for r in caplog.records if r.name == "parkflow.web"]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert record.getMessage().startswith(f"GET /api/v1/me: 无法连接数据库 127.0.0.1:{port}/")
    assert "unhandled" not in caplog.text and "s3cretpw" not in caplog.text
