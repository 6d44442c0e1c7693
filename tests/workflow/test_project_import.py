"""Entering a library: each project as `add_project` and `advance` would have made it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import Project, User, columns
from tests.factories import (
    ALICE,
    BOB,
    GOOD_USCC,
    LEADER,
    NOW,
    REGISTER,
    VISIT,
    history_rows,
    snapshot,
)
from workflow.errors import NotFound, NotPermitted
from workflow.park import Park
from workflow.project_import import PastProject, enter_projects
from workflow.projects import add_project, advance
from workflow.users import find_user

ROAD: list[tuple[str, str, dict[str, Any]]] = [("visit", "2026-11-05", VISIT),
                                               ("register", "2026-11-10", REGISTER)]


def user(engine: Engine, email: str) -> User:
    with reading(engine) as session:
        found = find_user(session, email)
    assert found is not None
    return found


def search_columns(engine: Engine, project_id: int) -> tuple[str, str]:
    p = columns(Project)
    with reading(engine) as session:
        row = session.execute(select(p.name_initials, p.search_text)
                              .where(p.id == project_id)).one()
    return row.name_initials, row.search_text


def test_an_entered_project_is_the_one_the_use_cases_make(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        fired = add_project(session, live, name="量子精密测量", category="alumni", owner=ALICE,
                            actor=ALICE, intake="2026-11-02").id
        for event, day, fields in ROAD:
            advance(session, live, project_id=fired, event=event, actor=ALICE, at=day,
                    fields=fields)
    with writing(engine) as session:
        ids, refusals = enter_projects(session, live, actor=LEADER, projects=[PastProject(
            "量子精密测量", "alumni", user(engine, ALICE), "2026-11-02", ROAD)])
    assert (ids, refusals) == ([2], [])
    made, entered = snapshot(engine, fired), snapshot(engine, 2)
    assert replace(entered, id=made.id, stage_entry_id=made.stage_entry_id) == made
    assert search_columns(engine, 2) == search_columns(engine, fired) == (
        "lzjmcl", f"量子精密测量 合肥量测科技有限公司 {GOOD_USCC.lower()}")  # found as the other
    by_hand, imported = history_rows(engine, fired), history_rows(engine, 2)
    assert [(h["event"], h["from_state"], h["to_state"], h["occurred_at"]) for h in imported] == \
        [(h["event"], h["from_state"], h["to_state"], h["occurred_at"]) for h in by_hand]
    assert [h["fields"] for h in imported] == [{**h["fields"], "imported": True}
                                               for h in by_hand]
    assert {(h["actor"], h["recorded_at"]) for h in imported} == {(LEADER, NOW)}
    assert entered.stage_entry_id == imported[-1]["id"]


def test_one_refused_project_keeps_every_other_out_and_says_where(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice = user(engine, ALICE)
    with writing(engine) as session:
        ids, refusals = enter_projects(session, live, actor=LEADER, projects=[
            PastProject("甲", "alumni", alice, "2026-11-02", ROAD),
            PastProject("乙", "alumni", alice, "2026-11-02", [("sign", "2026-11-03", {})]),
            PastProject("丙", "alumni", user(engine, BOB), "2026-11-02",
                        [("visit", "2026-11-01", VISIT)])])
    assert ids == []
    assert [(r.index, r.step, r.error.code, r.error.field) for r in refusals] == [
        (1, "sign", "invalid_transition", "event"), (2, "visit", "before_previous", "at")]
    with reading(engine) as session:
        assert session.get(User, 1) is not None  # the people are there, no project is
    with pytest.raises(NotFound):
        snapshot(engine, 1)


def test_members_do_not_enter_libraries(engine: Engine, live: Park,
                                        people: dict[str, str]) -> None:
    with writing(engine) as session, pytest.raises(NotPermitted) as refused:
        enter_projects(session, live, actor=ALICE, projects=[])
    assert refused.value.params["event"] == "import"
