"""The indexes behind the hot reads, on both databases: the plan of each query as sent.

Each test captures the SQL and parameters a read sends and asks the database for its plan.
SQLite's plan does not depend on the rows (no ANALYZE); PostgreSQL's does, so there the plan
is asked with sorting disabled (`enable_sort = off`): it still sorts when no index gives the
order, so a plan without a Sort node proves the index can serve it on any data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from db.engine import reading
from tests.factories import new_project
from workflow.park import Park
from workflow.views import count_by_state, list_projects


@contextmanager
def sent(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs sent on `engine` inside the block, with their parameters."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    """The database's plan of one statement, a line per step."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in rows)
        conn.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, parameters)
        return "\n".join(str(row[0]) for row in rows)


def sorts(found: str) -> bool:
    return "TEMP B-TREE" in found or "Sort" in found


def the_plan(engine: Engine, read: Callable[[Any], object]) -> str:
    with reading(engine) as session, sent(engine) as statements:
        read(session)
    (statement, parameters), = statements
    return plan(engine, statement, parameters)


@pytest.fixture
def projects(engine: Engine, park: Park, people: dict[str, str]) -> None:
    for _ in range(3):
        new_project(engine, park, people["alice"])


@pytest.mark.usefixtures("projects")
def test_a_board_column_reads_its_most_urgent_cards_from_an_index_without_sorting(
        engine: Engine, park: Park) -> None:
    found = the_plan(engine, lambda session: list_projects(
        session, park, state="intake", urgent_first=True, limit=24))
    assert "ix_projects_state_urgent" in found, found
    assert not sorts(found), found


@pytest.mark.usefixtures("projects")
def test_a_state_sorted_by_nearest_deadline_reads_the_same_index_without_sorting(
        engine: Engine, park: Park) -> None:
    found = the_plan(engine, lambda session: list_projects(
        session, park, state="intake", sort="due", limit=50))
    assert "ix_projects_state_urgent" in found, found
    assert not sorts(found), found


@pytest.mark.usefixtures("projects")
def test_the_overdue_list_reads_the_deadline_index_alone_in_its_order(engine: Engine,
                                                                      park: Park) -> None:
    found = the_plan(engine, lambda session: list_projects(session, park, overdue=True))
    assert "ix_projects_due_summary" in found, found
    assert not sorts(found), found
    if engine.dialect.name == "sqlite":  # PostgreSQL's index-only scan depends on VACUUM
        assert "COVERING INDEX ix_projects_due_summary" in found, found


@pytest.mark.usefixtures("projects")
def test_the_board_counts_read_the_state_index_alone_on_sqlite(engine: Engine,
                                                               park: Park) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL counts with a sequential scan or the index, by the rows")
    found = the_plan(engine, lambda session: count_by_state(session, park))
    assert "COVERING INDEX ix_projects_state_urgent" in found, found
