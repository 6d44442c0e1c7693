"""A write command loads nothing while it holds the write lock (issue 11, Faults).

SQLite has one writer at a time; a second process's writer waits at most the busy timeout
(5 s) for the lock. The reminder observers and the pinyin dictionaries, which read commands
skip, were imported inside the first write unit (~0.35 s under the lock in `project add`,
seconds on a loaded machine), and the other of two commands run together failed with
"database is locked" (on a full disk: tests/parkflow/test_full_disk.py). Each command runs
in a fresh interpreter; a wrapper notes the modules loaded between the writer's BEGIN and
its COMMIT.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.factories import VALID, seed_project
from tests.support.command import Cli, sets
from workflow.park import Park

# the modules loaded between the writer's first BEGIN IMMEDIATE and the next COMMIT
UNDER_THE_LOCK = """
from sqlalchemy import Engine, event

@event.listens_for(Engine, "begin")
def locked(conn):
    if conn.get_execution_options().get("sqlite_immediate") and "lock" not in seen:
        seen["lock"] = set(sys.modules)

@event.listens_for(Engine, "commit")
def committed(conn):
    if "lock" in seen and "inside" not in seen:
        seen["inside"] = sorted(set(sys.modules) - seen["lock"])
"""


def loaded_under_the_lock(cli: Cli, *args: str) -> tuple[object, list[str] | None]:
    """The exit code of `parkflow ARGS` and the modules its first write unit loaded."""
    code, inside = cli.observed(UNDER_THE_LOCK, "seen.get('inside')", *args)
    return code, inside


def test_a_write_command_imports_before_it_takes_the_write_lock(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    alice = people["alice"]
    code, inside = loaded_under_the_lock(
        cli, "project", "add", "量子精密测量", "--category", "tech_transfer", "--owner", alice,
        "--by", alice)
    assert code in (0, None) and inside == [], inside  # a commit was seen, with no import

    project_id = seed_project(engine, park, alice, "镜像项目", intake="2026-11-18")
    code, inside = loaded_under_the_lock(
        cli, "project", "advance", str(project_id), "visit", "--by", alice,
        "--at", "2026-11-19", *sets(VALID["visit"]))
    assert code in (0, None) and inside == [], inside


def test_a_write_that_waits_out_the_busy_timeout_says_the_database_is_busy(
        cli: Cli, db_url: str, people: dict[str, str]) -> None:
    """Another process holds SQLite's write lock past the busy timeout (5 s): one line from
    the catalogue, nothing saved, and the same command passes once the lock is gone."""
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL writers wait for row locks, not for a database-wide lock")
    import sqlite3
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    alice = people["alice"]
    add = ("project", "add", "锁外项目", "--category", "tech_transfer", "--owner", alice,
           "--by", alice, "--json")
    try:
        holder.execute("BEGIN IMMEDIATE")
        refused = cli(*add)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    lines = [line for line in refused.err.splitlines() if line.strip()]
    assert refused.code == 1 and len(lines) == 1, refused
    assert "数据库正忙" in lines[0] and "未保存" in lines[0], refused
    assert cli("project", "list", "--json").json() == []
    assert cli(*add).code == 0
