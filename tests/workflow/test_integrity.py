"""`parkflow check`'s verification: a demo park is consistent, and every kind of
inconsistency planted by a direct SQL change is found, named and shown with labels.

The demo park is built once per backend; each test plants its change inside a transaction
that is rolled back afterwards, and checks the database as that transaction sees it.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, select, update
from sqlmodel import Session

from db.engine import make_engine, reading, writing
from db.models import Approval, OutboxMessage, Project, ProjectEvent, columns
from notifications.integrity import check
from parkflow.demo import build_demo
from parkflow.wiring import make_park
from reports.ledger import build_ledger, export_ledger
from reports.ledger_import import import_ledger
from tests.factories import LEADER, LEDGER_ROAD, NOW, PEOPLE, ledger_projects
from workflow.clock import FixedClock
from workflow.integrity import Problem, allowed_step, problem_text
from workflow.labels import Labels
from workflow.park import Park
from workflow.users import add_user

_P, _E, _O, _A = (columns(Project), columns(ProjectEvent), columns(OutboxMessage),
                  columns(Approval))


@pytest.fixture(scope="module")
def demo_park() -> Park:
    return make_park(clock=FixedClock(NOW))


@pytest.fixture(scope="module")
def demo(module_engine: Engine, demo_park: Park) -> Engine:
    """The demo park (about 30 projects in every state, approvals, reminders), once."""
    build_demo(module_engine, demo_park)
    return module_engine


@pytest.fixture
def planted(demo: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with demo.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def problems(connection: Connection, park: Park) -> list[Problem]:
    with Session(bind=connection) as session:
        return check(session, park)


def first(connection: Connection, query: Any) -> Any:
    return connection.execute(query.limit(1)).scalar_one()


# ---------------------------------------------------------------- what is planted

def wrong_state(c: Connection) -> tuple[int, str]:
    pid = first(c, select(_P.id).where(_P.state == "visited").order_by(_P.id))
    c.execute(update(Project).where(_P.id == pid).values(state="registered"))
    return pid, "state_mismatch"


def wrong_version(c: Connection) -> tuple[int, str]:
    pid = first(c, select(_P.id).order_by(_P.id.desc()))
    c.execute(update(Project).where(_P.id == pid).values(version=_P.version + 1))
    return pid, "version_mismatch"


def history_deleted(c: Connection) -> tuple[int, str]:
    pid = first(c, select(_P.id).where(_P.state == "intake").order_by(_P.id))
    c.execute(delete(ProjectEvent).where(_E.project_id == pid))
    return pid, "no_history"


def owner_gone(c: Connection) -> tuple[int, str]:
    """A project whose owner is no user: the foreign key is set aside for this transaction."""
    pid = first(c, select(_P.id).where(_P.state == "signed").order_by(_P.id))
    if c.dialect.name == "sqlite":
        c.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:  # skips the foreign key's triggers, until the rollback
        c.exec_driver_sql("SET LOCAL session_replication_role = replica")
    c.execute(update(Project).where(_P.id == pid).values(owner_id=999_999))
    return pid, "unknown_owner"


def chain_broken(c: Connection) -> tuple[int, str]:
    entry = first(c, select(_E.id).where(_E.event == "sign").order_by(_E.id))
    c.execute(update(ProjectEvent).where(_E.id == entry).values(from_state="visited"))
    return first(c, select(_E.project_id).where(_E.id == entry)), "broken_chain"


def step_not_allowed(c: Connection) -> tuple[int, str]:
    entry = first(c, select(_E.id).where(_E.event == "visit").order_by(_E.id))
    c.execute(update(ProjectEvent).where(_E.id == entry).values(event="sign"))
    return first(c, select(_E.project_id).where(_E.id == entry)), "impossible_step"


def milestone_moved(c: Connection) -> tuple[int, str]:
    """The visit's day changed on the row and its deadline with it: only the history knows."""
    pid = first(c, select(_P.id).where(_P.state == "registered").order_by(_P.id.desc()))
    milestones = dict(first(c, select(_P.milestones).where(_P.id == pid)))
    milestones["visit"] = "2020-01-02"
    c.execute(update(Project).where(_P.id == pid).values(milestones=milestones))
    return pid, "milestone_mismatch"


def deadline_moved(c: Connection) -> tuple[int, str]:
    pid, due = c.execute(select(_P.id, _P.due_at).where(_P.due_at.is_not(None))
                         .order_by(_P.id).limit(1)).one()
    c.execute(update(Project).where(_P.id == pid).values(due_at=due + timedelta(days=1)))
    return pid, "deadline_mismatch"


def stars_changed(c: Connection) -> tuple[int, str]:
    """Stars on a project never visited (the reviewer's `update projects set stars=3`)."""
    pid = first(c, select(_P.id).where(_P.state == "intake").order_by(_P.id.desc()))
    c.execute(update(Project).where(_P.id == pid).values(stars=3))
    return pid, "stars_mismatch"


def reminder_of_a_stage_left(c: Connection) -> tuple[int, str]:
    row, pid = c.execute(select(_O.id, _O.project_id).where(
        _O.status == "pending", _O.kind == "reminder").order_by(_O.id).limit(1)).one()
    c.execute(update(OutboxMessage).where(_O.id == row).values(series=_O.series + "-old"))
    return pid, "stale_outbox"


def exited_project(c: Connection) -> int:
    return int(first(c, select(_P.id).where(_P.state == "exited").order_by(_P.id)))


def message_for_an_exited_project(c: Connection) -> tuple[int, str]:
    pid = exited_project(c)
    row = first(c, select(_O.id).where(_O.status == "pending", _O.kind == "warning")
                .order_by(_O.id))
    c.execute(update(OutboxMessage).where(_O.id == row).values(project_id=pid))
    return pid, "outbox_on_finished"


def approval_on_an_exited_project(c: Connection) -> tuple[int, str]:
    pid = exited_project(c)
    row = first(c, select(_A.id).where(_A.state == "submitted").order_by(_A.id))
    c.execute(update(Approval).where(_A.id == row).values(project_id=pid))
    return pid, "approval_on_finished"


PLANTS: list[Callable[[Connection], tuple[int, str]]] = [
    wrong_state, wrong_version, history_deleted, owner_gone, chain_broken, step_not_allowed,
    milestone_moved, deadline_moved, stars_changed, reminder_of_a_stage_left,
    message_for_an_exited_project,
    approval_on_an_exited_project]


# ---------------------------------------------------------------- the tests

def test_the_demo_park_is_consistent(planted: Connection, demo_park: Park) -> None:
    assert problems(planted, demo_park) == []


@pytest.mark.parametrize("plant", PLANTS, ids=lambda plant: plant.__name__)
def test_each_planted_inconsistency_is_found_on_its_project(
        planted: Connection, demo_park: Park,
        plant: Callable[[Connection], tuple[int, str]]) -> None:
    project_id, kind = plant(planted)
    found = problems(planted, demo_park)
    assert kind in {p.kind for p in found}, found
    assert {p.project_id for p in found} == {project_id}, found  # and nothing else is blamed


def test_every_inconsistency_planted_at_once_is_listed(planted: Connection,
                                                       demo_park: Park) -> None:
    expected = [plant(planted) for plant in PLANTS]
    found = {(p.project_id, p.kind) for p in problems(planted, demo_park)}
    assert set(expected) <= found
    assert {kind for _, kind in expected} == {
        "state_mismatch", "version_mismatch", "no_history", "unknown_owner", "broken_chain",
        "impossible_step",
        "milestone_mismatch", "deadline_mismatch", "stars_mismatch", "stale_outbox",
        "outbox_on_finished", "approval_on_finished"}


def test_a_problem_reads_with_labels_and_keeps_ids_in_json(planted: Connection,
                                                           demo_park: Park) -> None:
    project_id, _ = wrong_state(planted)
    problem = next(p for p in problems(planted, demo_park) if p.kind == "state_mismatch")
    zh, en = Labels.of(demo_park, "zh-CN"), Labels.of(demo_park, "en")
    assert problem_text(problem, zh) == ("状态为“已注册·待签约”，"
                                         "但历史记录的最后状态是“已走访·待注册”")
    assert "registered" not in problem_text(problem, en)
    assert problem.as_json(zh) == {
        "kind": "state_mismatch", "project": project_id, "message": problem_text(problem, zh),
        "details": {"state": "registered", "history_state": "visited"}}


@pytest.mark.parametrize(("event", "source", "dest", "allowed"), [
    ("intake", None, "intake", True),
    ("intake", None, "visited", False),
    ("visit", "intake", "visited", True),
    ("sign", "intake", "signed", False),
    ("reactivate", "exited", "registered", True),   # back to where it left from
    ("reactivate", "exited", "exited", False),
    ("follow_up", "visited", "visited", True),      # an entry that is not a lifecycle move
    ("follow_up", "visited", "registered", False),
])
def test_the_lifecycle_decides_which_steps_a_history_may_take(
        demo_park: Park, event: str, source: str | None, dest: str, allowed: bool) -> None:
    assert allowed_step(demo_park.lifecycle, event, source, dest) is allowed


def test_projects_brought_in_from_a_ledger_check_clean(
        sqlite_template: Path, tmp_path: Path, demo_park: Park) -> None:
    """An imported history (dates in the past, no observers' catch-up) is consistent too."""
    engines = []
    for name in ("source", "target"):
        shutil.copy(sqlite_template, tmp_path / f"{name}.db")
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        with writing(engine) as session:
            for email, person, role, group, lead in PEOPLE:
                add_user(session, demo_park.lifecycle, email=email, name=person, role=role,
                         group=group, group_lead=lead, now=NOW)
        engines.append(engine)
    source, target = engines
    ledger_projects(source, demo_park)
    labels = Labels.of(demo_park, "zh-CN")
    with reading(source) as session:
        ledger = build_ledger(session, demo_park, labels)
    data = io.BytesIO()
    export_ledger(data, "csv", ledger, labels)
    with writing(target) as session:
        imported = import_ledger(session, demo_park, data=data.getvalue(), filename="台账.csv",
                                 actor=LEADER, lang="zh-CN")
    assert imported.imported == len(LEDGER_ROAD)
    for engine in engines:
        with reading(engine) as session:
            assert check(session, demo_park) == []
        engine.dispose()
