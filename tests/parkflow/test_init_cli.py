"""`parkflow init` says which database it prepared, and two at once on PostgreSQL both
succeed: the second waits for the first (an advisory lock), then has nothing left to do."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db.engine import make_engine, reading
from db.models import CalendarYear, columns
from tests.conftest import PG_ENV
from tests.factories import PARKFLOW, SQLITE_ONLY
from tests.support.command import Cli, command_env


@SQLITE_ONLY
def test_init_without_a_database_url_names_the_file_it_made(cli: Cli, tmp_path: Path) -> None:
    env = command_env()  # no PARKFLOW_DATABASE_URL: ./parkflow.db
    done = subprocess.run([str(PARKFLOW), "init"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)

    assert done.returncode == 0, done
    assert done.stdout.startswith("数据库 sqlite:///parkflow.db 已就绪"), done.stdout
    assert (tmp_path / "parkflow.db").is_file()


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """An empty PostgreSQL database made for this test (never migrated), dropped after."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs a PostgreSQL server: set {PG_ENV}")
    name = f"parkflow_init_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_several_inits_at_once_on_postgresql_all_succeed(fresh_pg: str, tmp_path: Path) -> None:
    env = command_env(PARKFLOW_DATABASE_URL=fresh_pg)
    runs = [subprocess.Popen([str(PARKFLOW), "init"], cwd=tmp_path, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]

    assert [code for code, _out, _err in results] == [0, 0, 0, 0], results
    assert all(err == "" for _code, _out, err in results), results
    said = sorted(out for _code, out, _err in results)
    assert said[0].startswith(f"数据库 {fresh_pg} 已就绪；已载入节假日年份：2004–"), said
    assert all("无新增" in out for out in said[1:]), said  # the others found it done
    engine = make_engine(fresh_pg)
    with reading(engine) as session:
        years = session.execute(select(func.count(columns(CalendarYear).year))).scalar()
    engine.dispose()
    assert years and years >= 23
