"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), a fixed clock.

Every test gets an empty, migrated database of its own: on SQLite a copy of a migrated
template file; on PostgreSQL a throwaway database created for this run (dropped at the end)
whose tables are emptied before each test.
"""

from __future__ import annotations

import os
import select
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import SupportsIndex
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from db.engine import make_engine, writing
from db.migrate import upgrade
from workflow.calendar_store import seed_calendar
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.users import add_user

PARK_TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ)  # a Friday
PG_ENV = "PARKFLOW_TEST_DATABASE_URL"

pytest_plugins = ["tests.conftest_smtp"] if (Path(__file__).parent /
                                              "conftest_smtp.py").exists() else []


def _sleep_by_select(seconds: float | SupportsIndex) -> None:
    select.select([], [], [], max(float(seconds), 0.0))


if "faketime" in os.environ.get("LD_PRELOAD", ""):
    # CI runs the suite under libfaketime (another date) to prove no test reads today's date.
    # libfaketime 0.9.10 refuses Python's absolute-deadline clock_nanosleep with EINVAL even
    # with FAKETIME_DONT_FAKE_MONOTONIC=1, which breaks subprocess's timed waits; select()
    # takes a relative timeout and is left alone.
    time.sleep = _sleep_by_select


def pytest_report_header() -> str:
    if os.environ.get(PG_ENV):
        return f"parkflow: PostgreSQL leg on (from {PG_ENV})"
    return f"parkflow: PostgreSQL leg skipped ({PG_ENV} not set)"


# ---------------------------------------------------------------- databases

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with writing(engine) as session:
        seed_calendar(session, Park.default(clock=FixedClock(NOW)), now=NOW)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this run, migrated and seeded; dropped at the end."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL leg skipped: set {PG_ENV} (e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test) to run it")
    name = f"parkflow_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # server down: say so instead of failing every test
        pytest.skip(f"PostgreSQL leg skipped: cannot reach {base}: {exc}")
    url = base.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    with writing(engine) as session:
        seed_calendar(session, Park.default(clock=FixedClock(NOW)), now=NOW)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


KEEP_TABLES = {"calendar_days", "calendar_years", "alembic_version"}


def _empty_pg(url: str) -> None:
    engine = make_engine(url)
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                          + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database (each backend in turn)."""
    if request.param == "sqlite":
        path = tmp_path / "parkflow.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _empty_pg(url)
    return str(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- the park

@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def park(clock: FixedClock) -> Park:
    return Park.default(tz=PARK_TZ, clock=clock)


PEOPLE = [
    # email, name, role, group, group lead
    ("leader@park.test", "王主任", "leader", None, False),
    ("alice@park.test", "李爱丽", "member", "project", False),
    ("carol@park.test", "陈卡罗", "member", "project", True),
    ("bob@park.test", "赵博", "member", "finance", False),
    ("admin@park.test", "周管理", "admin", None, False),
]


@pytest.fixture
def people(engine: Engine, park: Park) -> dict[str, str]:
    """Users in two groups, a group lead, a leader and an admin; name → email."""
    with writing(engine) as session:
        for email, name, role, group, lead in PEOPLE:
            add_user(session, park.lifecycle, email=email, name=name, role=role, group=group,
                     group_lead=lead, now=NOW)
    return {email.split("@")[0]: email for email, *_ in PEOPLE}
