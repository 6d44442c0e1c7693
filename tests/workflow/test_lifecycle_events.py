"""Every event from every state of the default lifecycle, through the use cases, on both databases.

A project is brought to a state by the use cases themselves (`add_project`, `advance`), then an
event is fired: either the project moves and one history row says who did what and when, or
the event is refused and nothing at all changes (state, version, deadline, history).

Every test works on a project of its own, so one database per backend serves the whole module
(emptying PostgreSQL before each of some 300 tests would cost more than the tests themselves).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from db.engine import reading, writing
from db.models import Project, ProjectEvent
from tests.factories import (
    ACTIVE,
    EVENTS,
    EXIT_DAY,
    INTAKE_DAY,
    MOVES,
    NOW,
    PARK_TZ,
    ROAD,
    STATES,
    STORED,
    bring_to,
    fire,
    history_rows,
    new_project,
    refused_event,
    snapshot,
)
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotPermitted, ValidationError
from workflow.park import Park
from workflow.projects import add_project, advance, deadline_of

# ---------------------------------------------------------------- one database per backend

@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    """One database per backend serves the module: every test has a project of its own."""
    return module_engine


@pytest.fixture
def people(module_people: dict[str, str]) -> dict[str, str]:
    return module_people


# ---------------------------------------------------------------- helpers

def count_projects(engine: Engine) -> tuple[int, int]:
    with reading(engine) as session:
        return (session.execute(select(func.count()).select_from(Project)).scalar_one(),
                session.execute(select(func.count()).select_from(ProjectEvent)).scalar_one())


def due_at(day: str) -> datetime:
    """The end (24:00 park time) of `day`."""
    return datetime.fromisoformat(day).replace(tzinfo=PARK_TZ) + timedelta(days=1)


# ---------------------------------------------------------------- the matrix

@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", STATES)
def test_an_event_moves_the_project_and_records_history_or_is_refused_as_a_conflict(
        engine: Engine, park: Park, people: dict[str, str], state: str, event: str) -> None:
    project_id = bring_to(engine, park, people, state)
    actor = people["leader"] if event == "reactivate" else people["alice"]
    if (state, event) not in MOVES:
        error = refused_event(engine, park, project_id, event, actor, Conflict)
        assert error.exit_code == 5
        assert error.field == "event"
        return
    before, history = snapshot(engine, project_id), history_rows(engine, project_id)
    fire(engine, park, project_id, event, actor)
    after, rows = snapshot(engine, project_id), history_rows(engine, project_id)
    assert after.state == MOVES[state, event]
    assert after.version == before.version + 1
    assert rows[:-1] == history
    new = rows[-1]
    assert (new["event"], new["from_state"], new["to_state"]) == (event, state, after.state)
    assert new["actor"] == actor
    assert new["occurred_at"] == NOW
    assert new["recorded_at"] == NOW
    assert new["fields"] == STORED[event]
    assert after.last_event_at == NOW


def test_the_first_history_row_is_the_intake_by_whoever_entered_the_project(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        project = add_project(session, park, name="甲", category="alumni",
                              owner=people["alice"], actor=people["carol"], intake=INTAKE_DAY)
    [row] = history_rows(engine, project.id)
    assert (row["event"], row["from_state"], row["to_state"]) == ("intake", None, "intake")
    assert row["actor"] == people["carol"]
    assert row["occurred_at"] == datetime(2026, 11, 2, tzinfo=PARK_TZ)
    assert row["recorded_at"] == NOW
    assert project.version == 1


def test_an_unknown_event_is_invalid_input_and_changes_nothing(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    before, history = snapshot(engine, project_id), history_rows(engine, project_id)
    with pytest.raises(ValidationError) as caught, writing(engine) as session:
        advance(session, park, project_id=project_id, event="teleport", actor=people["alice"])
    assert caught.value.exit_code == 2
    assert caught.value.field == "event"
    assert snapshot(engine, project_id) == before
    assert history_rows(engine, project_id) == history


# ---------------------------------------------------------------- roles

@pytest.mark.parametrize("event", ["visit", "exit"])
@pytest.mark.parametrize("who", ["alice", "carol", "leader"])
def test_the_owner_a_member_of_the_owners_group_and_a_leader_may_fire_an_event(
        engine: Engine, park: Park, people: dict[str, str], who: str, event: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, event, people[who])
    assert snapshot(engine, project_id).state == MOVES["intake", event]
    assert history_rows(engine, project_id)[-1]["actor"] == people[who]


@pytest.mark.parametrize("event", ["visit", "exit", "register"])
@pytest.mark.parametrize("who", ["bob", "admin", "stranger"])
def test_a_member_of_another_group_an_admin_or_an_unknown_person_is_not_permitted(
        engine: Engine, park: Park, people: dict[str, str], who: str, event: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    actor = people.get(who, "stranger@park.test")
    error = refused_event(engine, park, project_id, event, actor, NotPermitted)
    assert error.exit_code == 3
    assert error.field == "by"


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "admin"])
def test_only_a_leader_may_reactivate_an_exited_project(
        engine: Engine, park: Park, people: dict[str, str], who: str) -> None:
    project_id = bring_to(engine, park, people, "exited")
    error = refused_event(engine, park, project_id, "reactivate", people[who], NotPermitted)
    assert error.exit_code == 3


@pytest.mark.parametrize("exit_from", ACTIVE)
def test_reactivation_returns_to_the_exact_state_the_project_exited_from(
        engine: Engine, park: Park, people: dict[str, str], exit_from: str) -> None:
    project_id = bring_to(engine, park, people, exit_from)
    before_exit = snapshot(engine, project_id)
    fire(engine, park, project_id, "exit", people["alice"], at=EXIT_DAY)
    exited = snapshot(engine, project_id)
    assert (exited.state, exited.exited_from, exited.due_at) == ("exited", exit_from, None)
    fire(engine, park, project_id, "reactivate", people["leader"])
    back = snapshot(engine, project_id)
    assert back.state == exit_from
    assert back.exited_from is None
    assert back.due_at == before_exit.due_at
    assert back.stars == before_exit.stars
    last = history_rows(engine, project_id)[-1]
    assert (last["event"], last["from_state"], last["to_state"]) == (
        "reactivate", "exited", exit_from)
    # and the project goes on from there as if it never left
    if exit_from != "opened":
        follow = ACTIVE.index(exit_from)
        fire(engine, park, project_id, ROAD[follow][0], people["alice"])
        assert snapshot(engine, project_id).state == ACTIVE[follow + 1]


def test_a_project_may_exit_again_after_reactivation_and_returns_to_the_new_state(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = bring_to(engine, park, people, "exited", exit_from="intake")
    fire(engine, park, project_id, "reactivate", people["leader"])
    fire(engine, park, project_id, "visit", people["alice"])
    fire(engine, park, project_id, "exit", people["alice"])
    fire(engine, park, project_id, "reactivate", people["leader"])
    assert snapshot(engine, project_id).state == "visited"


# ---------------------------------------------------------------- business dates

@pytest.mark.parametrize("at", [
    NOW + timedelta(minutes=1),
    "2026-11-21",
    "2026-11-20T10:01:00+08:00",
    "2026-11-20T02:01:00Z",
    "2026-11-20T10:00:01",  # naive: park time
])
def test_an_event_in_the_future_is_refused(
        engine: Engine, park: Park, people: dict[str, str], at: str | datetime) -> None:
    project_id = new_project(engine, park, people["alice"])
    error = refused_event(engine, park, project_id, "visit", people["alice"], ValidationError,
                          at=at)
    assert error.field == "at"


@pytest.mark.parametrize("at", ["2026-11-09", "2026-11-10T14:59:59+08:00",
                                "2026-11-10T06:59:00Z"])
def test_an_event_before_the_previous_event_is_refused(
        engine: Engine, park: Park, people: dict[str, str], at: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-10T15:00:00+08:00")
    error = refused_event(engine, park, project_id, "register", people["alice"], ValidationError,
                          at=at)
    assert error.field == "at"
    assert error.code == "before_previous"


@pytest.mark.parametrize("at", ["2026-13-01", "yesterday", "2026-11-1", "11/10/2026"])
def test_a_date_that_is_not_a_date_is_refused(
        engine: Engine, park: Park, people: dict[str, str], at: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    error = refused_event(engine, park, project_id, "visit", people["alice"], ValidationError,
                          at=at)
    assert error.field == "at"


def test_bare_dates_on_the_day_of_the_previous_event_are_accepted_and_keep_their_order(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-10T15:00:00+08:00")
    fire(engine, park, project_id, "register", people["alice"], at="2026-11-10")
    fire(engine, park, project_id, "sign", people["alice"], at="2026-11-10")
    rows = history_rows(engine, project_id)
    moments = [row["occurred_at"] for row in rows]
    assert moments == sorted(moments)
    assert [m.astimezone(PARK_TZ).date().isoformat() for m in moments[1:]] == ["2026-11-10"] * 3
    assert moments[2] >= datetime(2026, 11, 10, 15, 0, tzinfo=PARK_TZ)
    assert snapshot(engine, project_id).milestones == {
        "intake": INTAKE_DAY, "visit": "2026-11-10", "register": "2026-11-10",
        "sign": "2026-11-10"}


def test_an_event_dated_today_happens_now(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-20")
    assert history_rows(engine, project_id)[-1]["occurred_at"] == NOW


def test_an_earlier_day_starts_at_midnight_park_time_and_is_recorded_now(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-12")
    row = history_rows(engine, project_id)[-1]
    assert row["occurred_at"] == datetime(2026, 11, 12, tzinfo=PARK_TZ)
    assert row["recorded_at"] == NOW


def test_an_intake_date_in_the_future_is_refused_and_no_project_is_written(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    before = count_projects(engine)
    with pytest.raises(ValidationError) as caught, writing(engine) as session:
        add_project(session, park, name="甲", category="alumni", owner=people["alice"],
                    actor=people["alice"], intake="2026-11-21")
    assert caught.value.field == "intake_date"
    assert count_projects(engine) == before


# ---------------------------------------------------------------- deadlines

def test_the_deadline_is_recomputed_after_each_event(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    expected = [
        (None, None, due_at("2026-11-09")),            # intake 11-02 + 7 days (Mon)
        ("visit", "2026-11-05", due_at("2026-12-02")),  # intake 11-02 + 1 month (Wed)
        ("register", "2026-11-10", due_at("2026-12-10")),  # register + 1 month (Thu)
        ("sign", "2026-11-15", due_at("2026-12-15")),   # sign + 1 month (Tue)
        ("open", "2026-11-18", None),
        ("exit", "2026-11-19", None),
    ]
    for event, day, due in expected:
        if event:
            fire(engine, park, project_id, event, people["alice"], at=day)
        project = snapshot(engine, project_id)
        assert project.due_at == due, event
        with reading(engine) as session:
            deadline = deadline_of(park, session, project)
        assert (deadline.due_at if deadline else None) == due


def test_a_late_visit_keeps_the_deadline_one_month_after_intake(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-18")
    assert snapshot(engine, project_id).due_at == due_at("2026-12-02")


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    # intake 09-24 + 7 days = 10-01, 国庆节 → the first working day after it is 10-08
    project_id = new_project(engine, park, people["alice"], intake="2026-09-24")
    assert snapshot(engine, project_id).due_at == due_at("2026-10-08")


def test_the_deadline_counts_from_the_business_date_not_the_recording_time(
        engine: Engine, park: Park, people: dict[str, str], clock: FixedClock) -> None:
    project_id = bring_to(engine, park, people, "visited")
    clock.advance(timedelta(days=3))
    fire(engine, park, project_id, "register", people["alice"], at="2026-11-12")
    assert snapshot(engine, project_id).due_at == due_at("2026-12-14")  # 12-12 is a Saturday
    assert history_rows(engine, project_id)[-1]["recorded_at"] == NOW + timedelta(days=3)
