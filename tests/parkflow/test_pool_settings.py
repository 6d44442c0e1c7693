"""The connection pool of a server database, sized from the settings (issue 11 §2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parkflow.settings import Settings
from parkflow.wiring import build_app
from tests.factories import NOW
from workflow.clock import FixedClock

PG_URL = "postgresql://parkflow@db.invalid:5432/parkflow"  # never connected to here


def test_postgresql_gets_the_pool_of_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKFLOW_DB_POOL_SIZE", "7")
    monkeypatch.setenv("PARKFLOW_DB_MAX_OVERFLOW", "3")
    settings = Settings(database_url=PG_URL)
    # every connection kept once opened (a new one is a server process, and psycopg's
    # prepared statements start again on it)
    assert settings.engine_options() == {"pool_size": 10, "max_overflow": 0,
                                         "pool_timeout": 30}
    engine = build_app(settings, clock=FixedClock(NOW)).engine
    pool = engine.pool
    # no pre-ping round trip: db.engine replaces a dropped connection by its socket
    # (tests/db/test_pg_connections.py)
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (10, 0, False)  # type: ignore[attr-defined]
    engine.dispose()


def test_a_sqlite_file_keeps_every_connection_it_opens(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """The same limit as the settings give (pool size + overflow), none closed on return:
    opening a SQLite connection runs its PRAGMAs again."""
    monkeypatch.setenv("PARKFLOW_DB_POOL_SIZE", "4")
    monkeypatch.setenv("PARKFLOW_DB_MAX_OVERFLOW", "2")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'parkflow.db'}")
    assert settings.engine_options() == {"pool_size": 6, "max_overflow": 0, "pool_timeout": 30}
    engine = build_app(settings, clock=FixedClock(NOW)).engine
    held = [engine.connect() for _ in range(6)]
    for connection in held:
        connection.close()
    assert (engine.pool.size(), engine.pool.checkedin()) == (6, 6)  # type: ignore[attr-defined]
    engine.dispose()


def test_an_in_memory_sqlite_keeps_its_own_pool() -> None:
    assert Settings(database_url="sqlite://").engine_options() == {}
    assert Settings(database_url="sqlite:///:memory:").engine_options() == {}


@pytest.mark.parametrize(("variable", "value"), [("PARKFLOW_DB_POOL_SIZE", "0"),
                                                 ("PARKFLOW_DB_MAX_OVERFLOW", "-1"),
                                                 ("PARKFLOW_DB_POOL_TIMEOUT", "soon")])
def test_a_bad_pool_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str,
                                               value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        Settings.from_env()
