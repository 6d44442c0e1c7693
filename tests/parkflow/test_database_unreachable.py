"""A database the command cannot reach, or one never initialised, is said for what it is:
which database (host:port/name or its file, never the password) and why it cannot be
reached; only a database that answers without parkflow's tables is told to run
`parkflow init`, and `parkflow init` never is."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from parkflow.settings import Settings
from parkflow.wiring import build_app
from tests.conftest import PG_ENV
from tests.factories import NOW, SQLITE_ONLY
from tests.support.command import Cli, assert_error
from workflow.clock import FixedClock


def _closed_port() -> int:
    with socket.socket() as probe:  # bound then released: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@SQLITE_ONLY
def test_a_server_that_does_not_answer_is_named_and_init_is_not_advised(cli: Cli) -> None:
    port = _closed_port()
    away = {"PARKFLOW_DATABASE_URL": f"postgresql://postgres:s3cretpw@127.0.0.1:{port}/DB"}

    listed = cli("project", "list", "--json", env=away)
    init = cli("init", env=away)

    assert_error(listed, 1, "unavailable", "database")
    assert listed.json()["error"]["message"] == (
        f"无法连接数据库 127.0.0.1:{port}/DB：该地址没有数据库服务器响应（服务器是否在运行？"
        "主机和端口是否正确？）")
    assert init.code == 1 and f"127.0.0.1:{port}/DB" in init.err, init
    for said in (listed.out + listed.err, init.err):
        assert "s3cretpw" not in said and "parkflow init" not in said, said


@SQLITE_ONLY
def test_a_database_without_tables_is_told_to_run_init(cli: Cli, tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'never-initialised.db'}"
    missing_folder = f"sqlite:///{tmp_path / 'no-such-folder' / 'parkflow.db'}"

    uninitialised = cli("project", "list", "--json", env={"PARKFLOW_DATABASE_URL": empty})
    unopened = cli("project", "list", env={"PARKFLOW_DATABASE_URL": missing_folder})

    assert_error(uninitialised, 2, "invalid", "database")
    assert "请先运行 parkflow init" in uninitialised.err
    assert unopened.code == 1 and "无法打开数据库文件" in unopened.err, unopened
    assert "parkflow init" not in unopened.err


@SQLITE_ONLY
def test_no_such_database_and_no_such_role_are_told_apart(cli: Cli) -> None:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs a PostgreSQL server: set {PG_ENV}")
    server = make_url(base)
    absent = f"parkflow_absent_{uuid.uuid4().hex[:8]}"  # never created
    where = f"{server.host}:{server.port or 5432}"

    no_database = cli("project", "list", env={"PARKFLOW_DATABASE_URL": server.set(
        database=absent).render_as_string(hide_password=False)})
    no_role = cli("project", "list", env={"PARKFLOW_DATABASE_URL": server.set(
        username=absent, password="s3cretpw").render_as_string(hide_password=False)})

    assert no_database.code == 1 and no_database.err == (
        f"错误 无法连接数据库 {where}/{absent}：服务器上没有名为“{absent}”的数据库\n")
    assert no_role.code == 1 and f"没有用户（角色）“{absent}”" in no_role.err, no_role
    assert "s3cretpw" not in no_role.err and "parkflow init" not in no_role.err


def test_a_sweep_that_cannot_reach_the_database_logs_one_line_without_a_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    app = build_app(Settings(database_url=f"postgresql://postgres:s3cretpw@127.0.0.1:{port}/DB",
                             db_pool_timeout=5), clock=FixedClock(NOW))
    with caplog.at_level(logging.INFO, logger="parkflow"):
        assert app.sweep()() is None
    app.engine.dispose()

    [record] = [r for r in caplog.records if r.name.startswith("parkflow")]
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert record.getMessage().startswith("本轮提醒扫描失败：无法连接数据库 "
                                          f"127.0.0.1:{port}/DB：")
    assert "s3cretpw" not in caplog.text


def test_a_sweep_failing_for_a_reason_nobody_foresaw_keeps_its_traceback(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    import notifications.delivery

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")
    monkeypatch.setattr(notifications.delivery, "run_once", broken)
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"),
                    clock=FixedClock(NOW))
    with caplog.at_level(logging.INFO, logger="parkflow"):
        app.sweep()()
    app.engine.dispose()

    [record] = [r for r in caplog.records if r.name.startswith("parkflow")]
    assert record.exc_info is not None and "a bug" in record.getMessage()
