"""Backup and restore (issue 11 §3): an online SQLite backup taken while another thread
writes is a consistent prefix that checks clean; backup → restore into a fresh database gives
the same rows at the same schema version, on SQLite and PostgreSQL; a restore refuses a
database that holds data; a backup never overwrites a file nor leaves half of one.
"""

from __future__ import annotations

import os
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from db.engine import make_engine, reading
from db.models import Project, columns
from notifications.integrity import check
from tests.factories import SQLITE_ONLY, bring_to, fire, new_project
from workflow.backups import back_up, restore
from workflow.errors import Conflict, ValidationError, WorkflowError
from workflow.park import Park

_P = columns(Project)


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in connection.execute(
                select(table).order_by(*order))]
        rows["alembic_version"] = [tuple(r) for r in connection.execute(
            text("SELECT version_num FROM alembic_version"))]
    return rows


def clean(engine: Engine, park: Park) -> bool:
    with reading(engine) as session:
        return check(session, park) == []


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test's, with no tables at all."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"parkflow_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(os.environ["PARKFLOW_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield db_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_backup_then_restore_into_a_fresh_database_gives_the_same_rows(
        engine: Engine, live: Park, people: dict[str, str], fresh_url: str,
        tmp_path: Path) -> None:
    bring_to(engine, live, people, "signed")
    bring_to(engine, live, people, "exited")
    new_project(engine, live, people["bob"])
    target = tmp_path / "parkflow.backup"
    assert back_up(engine, target) == target.resolve()
    restored = make_engine(fresh_url)
    try:
        restore(restored, target)
        assert dump(restored) == dump(engine)
        assert clean(restored, live)
        # the restored database works on: its sequences were restored with the rows
        fire(restored, live, new_project(restored, live, people["alice"]), "visit",
             people["alice"], at="2026-11-19")
        assert clean(restored, live)
    finally:
        restored.dispose()


def test_a_restore_refuses_a_database_that_holds_data(
        engine: Engine, live: Park, people: dict[str, str], tmp_path: Path) -> None:
    new_project(engine, live, people["alice"])
    target = tmp_path / "parkflow.backup"
    back_up(engine, target)
    new_project(engine, live, people["bob"])
    before = dump(engine)
    with pytest.raises(Conflict) as refused:
        restore(engine, target)
    assert (refused.value.code, refused.value.field, refused.value.exit_code) == (
        "database_not_empty", "database", 5)
    assert "projects" in refused.value.message("en")
    assert dump(engine) == before


def test_a_backup_never_overwrites_a_file(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "keep.db"
    target.write_bytes(b"someone's file")
    with pytest.raises(Conflict) as refused:
        back_up(engine, target)
    assert (refused.value.code, refused.value.field) == ("backup_exists", "file")
    assert target.read_bytes() == b"someone's file"
    assert sorted(p.name for p in folder.iterdir()) == ["keep.db"]  # no partial file left


def test_a_backup_is_readable_by_its_owner_only(engine: Engine, live: Park,
                                                people: dict[str, str], tmp_path: Path) -> None:
    """It holds the password hashes and the cookies' signing key: not for the folder's other
    readers, whatever the umask (022 here, the usual one, would give 0644)."""
    new_project(engine, live, people["alice"])
    folder = tmp_path / "backups"
    folder.mkdir()
    previous = os.umask(0o022)
    try:
        written = back_up(engine, folder / "parkflow.backup")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["parkflow.backup"]


def test_a_backup_into_a_missing_folder_is_refused_naming_the_file(engine: Engine,
                                                                 tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        back_up(engine, tmp_path / "no" / ".." / "nowhere" / "x.db")
    assert (refused.value.code, refused.value.field) == ("unwritable_file", "file")
    assert "nowhere" in refused.value.message("zh-CN")


# ---------------------------------------------------------------- SQLite

@SQLITE_ONLY
def test_an_online_backup_while_another_thread_writes_is_a_consistent_prefix(
        engine: Engine, live: Park, people: dict[str, str], tmp_path: Path) -> None:
    total, done = 40, threading.Event()

    def write() -> None:
        try:
            for _ in range(total):
                project_id = new_project(engine, live, people["alice"])
                fire(engine, live, project_id, "visit", people["alice"], at="2026-11-19")
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    copies: list[Path] = []
    while not done.is_set() or not copies:
        copies.append(back_up(engine, tmp_path / f"copy-{len(copies)}.db"))
    writer.join()
    seen = []
    for copy in copies:
        restored = make_engine(f"sqlite:///{copy}")
        try:
            with reading(restored) as session:
                ids = session.execute(select(_P.id).order_by(_P.id)).scalars().all()
                states = session.execute(select(_P.state, func.count()).group_by(_P.state)
                                         ).all()
            assert list(ids) == list(range(1, len(ids) + 1))  # the first n, no gap
            assert sum(n for s, n in states if s == "intake") <= 1  # at most one mid-way
            assert clean(restored, live), copy
            seen.append(len(ids))
        finally:
            restored.dispose()
    assert seen == sorted(seen) and seen[-1] <= total
    assert any(0 < n < total for n in seen), seen  # some copies were taken mid-way


@SQLITE_ONLY
def test_a_file_that_is_no_parkflow_database_is_not_restored(engine: Engine,
                                                            tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")
    try:
        with pytest.raises(ValidationError) as refused:
            restore(empty, junk)
        assert (refused.value.code, refused.value.field) == ("unreadable_file", "file")
    finally:
        empty.dispose()


# ---------------------------------------------------------------- the PostgreSQL tools

NOWHERE_PG = "postgresql://parkflow@127.0.0.1:1/none"  # never connected to: the tool is fake


def test_without_pg_dump_a_postgresql_backup_says_which_tool_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(ValidationError) as refused:
        back_up(make_engine(NOWHERE_PG), tmp_path / "x.dump")
    assert (refused.value.code, refused.value.exit_code) == ("tool_missing", 2)
    assert "pg_dump" in refused.value.message("zh-CN")
    assert not (tmp_path / "x.dump").exists()


def test_a_failing_pg_dump_leaves_no_half_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    # writes part of a dump where it is told (-f FILE), then fails like a lost connection
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "-f" ]; do shift; done\n'
                    'printf PGDMP > "$2"\necho "pg_dump: error: connection lost" >&2\nexit 1\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(WorkflowError) as failed:
        back_up(make_engine(NOWHERE_PG), tmp_path / "x.dump")
    assert failed.value.code == "tool_failed"
    assert "connection lost" in failed.value.message("en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_the_password_goes_to_pg_dump_in_its_environment_never_on_its_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools, seen = tmp_path / "bin", tmp_path / "seen"
    tools.mkdir()
    fake = tools / "pg_dump"  # records what `ps` would show, and its PGPASSWORD; then fails
    fake.write_text(f'#!/bin/sh\necho "$@" > {seen}\necho "$PGPASSWORD" >> {seen}\nexit 1\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(WorkflowError):
        back_up(make_engine("postgresql://parkflow:s3cret%40pw@127.0.0.1:1/none?sslmode=require"),
                tmp_path / "x.dump")
    command_line, password = seen.read_text(encoding="utf-8").splitlines()
    assert "s3cret" not in command_line and "parkflow@127.0.0.1:1/none" in command_line
    assert "sslmode=require" in command_line
    assert password == "s3cret@pw"


def test_backing_up_a_database_that_does_not_exist_creates_neither(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(ValidationError) as refused:
        back_up(make_engine(f"sqlite:///{missing}"), tmp_path / "copy.db")
    assert (refused.value.code, refused.value.field) == ("not_initialised", "database")
    assert list(tmp_path.iterdir()) == []
