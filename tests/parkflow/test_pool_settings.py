"""The connection pool of a server database, sized from the settings (issue 11 §2)."""

from __future__ import annotations

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
    assert settings.engine_options() == {"pool_size": 7, "max_overflow": 3,
                                         "pool_timeout": 30, "pool_pre_ping": True}
    engine = build_app(settings, clock=FixedClock(NOW)).engine
    pool = engine.pool
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (7, 3, True)  # type: ignore[attr-defined]
    engine.dispose()


def test_sqlite_keeps_its_default_pool() -> None:
    assert Settings(database_url="sqlite:///parkflow.db").engine_options() == {}


@pytest.mark.parametrize(("variable", "value"), [("PARKFLOW_DB_POOL_SIZE", "0"),
                                                 ("PARKFLOW_DB_MAX_OVERFLOW", "-1"),
                                                 ("PARKFLOW_DB_POOL_TIMEOUT", "soon")])
def test_a_bad_pool_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str,
                                               value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        Settings.from_env()
