"""Every fixture the tests share: real databases (SQLite always, PostgreSQL when configured),
a fixed clock, the park and its people, a real SMTP server, the web workspace, the command.

Every test gets an empty, migrated database of its own: on SQLite a copy of a migrated
template file; on PostgreSQL a throwaway database created for this run (dropped at the end)
whose tables are emptied before each test. Builders and constants are in tests/factories.py.
"""

from __future__ import annotations

import os
import select
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, SupportsIndex

import pytest
import yaml
from argon2 import PasswordHasher
from sqlalchemy import Engine, text, update
from sqlmodel import SQLModel

from db.engine import make_engine, writing
from db.migrate import upgrade
from db.models import User
from parkflow.settings import Settings
from parkflow.wiring import build_app, make_park, web_app
from states.definition import LIFECYCLE_FILE, Lifecycle, load_lifecycle
from tests.factories import LEADER2, NOW, PARK_TZ, PEOPLE, VICE, drop_year, seed_project
from tests.support.command import Cli
from tests.support.smtp_server import SmtpTestServer
from tests.support.web import PASSWORD, SECRET, Web
from web.config import WebSettings
from workflow.calendar import BusinessCalendar, seed_from_chinese_calendar
from workflow.calendar_store import seed_calendar
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.users import add_user

PG_ENV = "PARKFLOW_TEST_DATABASE_URL"


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
    """The URL of an empty, migrated database (each backend in turn; `SQLITE_ONLY` picks
    the first)."""
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_engine(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for a whole module, emptied of people and projects:
    for modules whose every test works on a project of its own (emptying PostgreSQL before
    each of some 300 tests would cost more than the tests themselves). Such a module
    overrides `engine` and `people` with `module_engine` and `module_people`."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module") / "parkflow.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("pg_database")
        _empty_pg(url)
        engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def calendar_2026_restored(engine: Engine) -> Iterator[None]:
    """Put the seeded 2026 arrangement back (on PostgreSQL the calendar outlives the test)."""
    yield
    with writing(engine) as session:
        drop_year(session, 2026)
        seed_calendar(session, Park.default(tz=PARK_TZ, clock=FixedClock(NOW)), now=NOW)


# ---------------------------------------------------------------- the park

@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def today() -> date:
    """The day of NOW, the fixed moment the command takes as now."""
    return NOW.date()


@pytest.fixture
def park(clock: FixedClock) -> Park:
    """The park of the shipped definition, on the fixed clock, without observers."""
    return Park.default(tz=PARK_TZ, clock=clock)


@pytest.fixture
def live(clock: FixedClock) -> Park:
    """The park as the composition root wires it, on the fixed clock: its observers write
    the outbox rows (reminders, approval mail) in the transaction of each change."""
    return make_park(clock=clock)


def _add_people(engine: Engine, lifecycle: Lifecycle) -> dict[str, str]:
    with writing(engine) as session:
        for email, name, role, group, lead in PEOPLE:
            add_user(session, lifecycle, email=email, name=name, role=role,
                     group=group, group_lead=lead, now=NOW)
    return {email.split("@")[0]: email for email, *_ in PEOPLE}


@pytest.fixture
def people(engine: Engine, park: Park) -> dict[str, str]:
    """Users in two groups, a group lead, a leader and an admin; name → email."""
    return _add_people(engine, park.lifecycle)


@pytest.fixture(scope="module")
def module_people(module_engine: Engine) -> dict[str, str]:
    """The `people`, once in the `module_engine` database."""
    return _add_people(module_engine, load_lifecycle())


@pytest.fixture
def staff(engine: Engine, live: Park, people: dict[str, str]) -> dict[str, str]:
    """The `people` and a second leader (who reads English)."""
    with writing(engine) as session:
        add_user(session, live.lifecycle, email=LEADER2, name="Sun Wei", role="leader",
                 lang="en", now=NOW)
    return {**people, "leader2": LEADER2}


@pytest.fixture
def task_force(engine: Engine, people: dict[str, str], clock: FixedClock,
               live: Park) -> dict[str, str]:
    """The `people` and a second leader (who reads Chinese): everyone the weekly mails reach."""
    with writing(engine) as session:
        add_user(session, live.lifecycle, email=VICE, name="陈副主任", role="leader",
                 now=clock.now())
    return {**people, "vice": VICE}


@pytest.fixture
def project(engine: Engine, live: Park, people: dict[str, str]) -> int:
    """alice's project (group "project"), entered today: the visit is due Friday 11-27.

    Request `staff` or `task_force` before it for their second leader to be warned too."""
    return seed_project(engine, live, people["alice"])


# ---------------------------------------------------------------- definitions and calendar

@pytest.fixture(scope="module")
def shipped_raw() -> dict[str, Any]:
    """The shipped lifecycle.yaml as plain data, to be deep-copied and broken."""
    raw = yaml.safe_load(LIFECYCLE_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    """The business calendar of the chinese_calendar seed (2004–2026)."""
    return BusinessCalendar(*seed_from_chinese_calendar())


# ---------------------------------------------------------------- mail

@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A running SMTP server on a free local port; stopped after the test."""
    server = SmtpTestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- the command

@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    """`parkflow` as a subprocess on the test's database, at NOW."""
    return Cli(db_url, tmp_path)


# ---------------------------------------------------------------- the web workspace

@pytest.fixture(scope="session")
def password_hash() -> str:
    """An argon2id hash with light parameters: verifying reads them from the hash, so signing
    in takes milliseconds in tests while real hashes keep the library's defaults."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@pytest.fixture
def web(db_url: str, clock: FixedClock, people: dict[str, str], password_hash: str) -> \
        Iterator[Web]:
    """The web workspace on an empty park with the `people`, all with PASSWORD.

    Built the way `parkflow serve` builds it — `build_app` (so the outbox observer is wired)
    and `web_app` — on the test's database and the fixed clock."""
    app = build_app(Settings(database_url=db_url, timezone=PARK_TZ.key), clock=clock)
    with writing(app.engine) as session:
        session.execute(update(User).values(password_hash=password_hash))
    asgi = web_app(app, WebSettings(secret_key=SECRET, secret_from_env=True))
    yield Web(asgi=asgi, app=app, clock=clock, people=people)
    app.engine.dispose()
