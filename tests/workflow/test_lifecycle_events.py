"""Every event from every state of the default lifecycle, through the use cases, on both databases.

A project is brought to a state by the use cases themselves (`add_project`, `advance`), then an
event is fired: either the project moves and one history row says who did what and when, or
the event is refused and nothing at all changes (state, version, deadline, history).

Every test works on a project of its own, so one database per backend serves the whole module
(emptying PostgreSQL before each of some 300 tests would cost more than the tests themselves).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from db.engine import make_engine, reading, writing
from db.models import Project, ProjectEvent, User, columns
from tests.factories import (
    ACTIVE,
    EVENTS,
    NOW,
    PARK_TZ,
    PEOPLE,
    STATES,
    snapshot,
)
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import add_project, advance, deadline_of
from workflow.users import add_user

# The default lifecycle of SPEC.md §2, written out by hand: (state, event) → new state.
EXIT_FROM = "registered"  # the state a project in `exited` left, for the matrix below
MOVES: dict[tuple[str, str], str] = {
    ("intake", "visit"): "visited",
    ("visited", "register"): "registered",
    ("registered", "sign"): "signed",
    ("signed", "open"): "opened",
    **{(state, "exit"): "exited" for state in ACTIVE},
    ("exited", "reactivate"): EXIT_FROM,
}

GOOD_USCC = "91350100M000100Y43"  # GB 32100-2015 check character of 91350100M000100Y4 is 3
VALID: dict[str, dict[str, Any]] = {
    "visit": {"visitors": "张三,李四", "needs": "funding,space", "team": "4",
              "technology": "5", "capital": "3", "market": "4"},
    "register": {"company_name": "合肥量测科技有限公司", "uscc": GOOD_USCC,
                 "address": "合肥市高新区望江西路 800 号"},
    "sign": {"agreement_no": "HT-2026-017"},
    "open": {"premises": "创新产业园二期 A3 栋 5 层"},
    "exit": {"reason": "relocated", "note": "迁往苏州"},
    "reactivate": {"note": "重新落地"},
}
# What the history keeps of VALID: normalised values.
STORED: dict[str, dict[str, Any]] = {
    "visit": {"visitors": ["张三", "李四"], "needs": ["funding", "space"], "team": 4,
              "technology": 5, "capital": 3, "market": 4},
    "register": {**VALID["register"]},
    "sign": {**VALID["sign"]},
    "open": {**VALID["open"]},
    "exit": {**VALID["exit"]},
    "reactivate": {**VALID["reactivate"]},
}

INTAKE_DAY = "2026-11-02"  # a Monday
# The road to each state, with the business date of every step (all before NOW).
ROAD = [("visit", "2026-11-05"), ("register", "2026-11-10"), ("sign", "2026-11-15"),
        ("open", "2026-11-18")]
EXIT_DAY = "2026-11-19"
SOURCE_OF = {"visit": "intake", "register": "visited", "sign": "registered", "open": "signed",
             "exit": "intake", "reactivate": "exited"}


# ---------------------------------------------------------------- fixtures

# read the definition files once for the module
BASE_PARK = Park.default(tz=PARK_TZ, clock=FixedClock(NOW))
LIFECYCLE = BASE_PARK.lifecycle
KEEP_TABLES = {"calendar_days", "calendar_years", "alembic_version"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for this module, emptied of people and projects."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("events") / "parkflow.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
        tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in KEEP_TABLES]
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def people(engine: Engine) -> dict[str, str]:
    """Users in two groups, a group lead, a leader and an admin; name → email."""
    with writing(engine) as session:
        for email, name, role, group, lead in PEOPLE:
            add_user(session, LIFECYCLE, email=email, name=name, role=role, group=group,
                     group_lead=lead, now=NOW)
    return {email.split("@")[0]: email for email, *_ in PEOPLE}


@pytest.fixture
def park(clock: FixedClock) -> Park:
    return replace(BASE_PARK, clock=clock, observers=[])


# ---------------------------------------------------------------- helpers

def new_project(engine: Engine, park: Park, owner: str, *, intake: str = INTAKE_DAY) -> int:
    with writing(engine) as session:
        return add_project(session, park, name="量子精密测量", category="tech_transfer",
                           owner=owner, actor=owner, intake=intake).id


def fire(engine: Engine, park: Park, project_id: int, event: str, actor: str, *,
         at: str | datetime | None = None, fields: Mapping[str, Any] | None = None) -> None:
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event=event, actor=actor, at=at,
                fields=VALID[event] if fields is None else fields)


def bring_to(engine: Engine, park: Park, people: dict[str, str], state: str, *,
             exit_from: str = EXIT_FROM) -> int:
    """A project of alice's, moved to `state` by the use cases (`exited` via `exit_from`)."""
    project_id = new_project(engine, park, people["alice"])
    target = exit_from if state == "exited" else state
    for event, day in ROAD[:ACTIVE.index(target)]:
        fire(engine, park, project_id, event, people["alice"], at=day)
    if state == "exited":
        fire(engine, park, project_id, "exit", people["alice"], at=EXIT_DAY)
    assert snapshot(engine, project_id).state == state
    return project_id


def history_rows(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """The project's history as stored, with the actor's email."""
    e, u = columns(ProjectEvent), columns(User)
    with reading(engine) as session:
        rows = session.execute(
            select(e.id, e.event, e.from_state, e.to_state, u.email.label("actor"),
                   e.occurred_at, e.recorded_at, e.fields)
            .join(User, u.id == e.actor_id).where(e.project_id == project_id)
            .order_by(e.id)).all()
    return [dict(row._mapping) for row in rows]


def refused(engine: Engine, park: Park, project_id: int, event: str, actor: str,
            error: type[WorkflowError], *, at: str | datetime | None = None,
            fields: Mapping[str, Any] | None = None) -> WorkflowError:
    """Fire an event that must fail with `error`; assert the project did not change at all."""
    before, history = snapshot(engine, project_id), history_rows(engine, project_id)
    with pytest.raises(error) as caught:
        fire(engine, park, project_id, event, actor, at=at, fields=fields)
    assert snapshot(engine, project_id) == before
    assert history_rows(engine, project_id) == history
    return caught.value


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
        error = refused(engine, park, project_id, event, actor, Conflict)
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


# ---------------------------------------------------------------- fields

REQUIRED = [(event, name) for event, fields in VALID.items() for name in fields]


@pytest.mark.parametrize(("event", "missing"), REQUIRED)
def test_every_required_field_is_named_when_missing_and_nothing_is_written(
        engine: Engine, park: Park, people: dict[str, str], event: str, missing: str) -> None:
    project_id = bring_to(engine, park, people, SOURCE_OF[event])
    actor = people["leader"]
    fields = {k: v for k, v in VALID[event].items() if k != missing}
    error = refused(engine, park, project_id, event, actor, ValidationError, fields=fields)
    assert error.exit_code == 2
    assert error.field == missing
    labels = park.lifecycle.events[event].fields[missing].label
    assert error.message("zh-CN") == f"缺少字段：{labels['zh-CN']}"
    assert error.message("en") == f"Missing field: {labels['en']}"
    blank = {**VALID[event], missing: "   "}
    assert refused(engine, park, project_id, event, actor, ValidationError,
                   fields=blank).field == missing


SCORES = ["team", "technology", "capital", "market"]


@pytest.mark.parametrize("value", [0, 6, "0", "6", "4.5", "x", True, False, 4.5, -1, "-1"])
def test_a_score_outside_1_to_5_or_not_an_integer_is_refused_for_each_dimension(
        engine: Engine, park: Park, people: dict[str, str], value: Any) -> None:
    project_id = new_project(engine, park, people["alice"])
    for score in SCORES:
        error = refused(engine, park, project_id, "visit", people["alice"], ValidationError,
                        fields={**VALID["visit"], score: value})
        assert error.field == score
        assert error.exit_code == 2
        label = park.lifecycle.events["visit"].fields[score].label
        assert error.message("en").lower().startswith(label["en"])
        assert error.message("zh-CN").startswith(label["zh-CN"])


@pytest.mark.parametrize("value", [1, 5, "1", " 5 "])
def test_scores_of_1_and_5_are_accepted(
        engine: Engine, park: Park, people: dict[str, str], value: Any) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"],
         fields={**VALID["visit"], "team": value})
    assert history_rows(engine, project_id)[-1]["fields"]["team"] == int(value)


@pytest.mark.parametrize(("event", "name", "value"), [
    ("visit", "needs", "funding,money"),
    ("visit", "needs", "Funding"),
    ("visit", "needs", ","),
    ("exit", "reason", "bankrupt"),
    ("exit", "reason", "failed,merged"),  # one reason, not a set
    ("visit", "visitors", " , ，"),
])
def test_a_choice_outside_the_definition_is_refused(
        engine: Engine, park: Park, people: dict[str, str], event: str, name: str,
        value: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    error = refused(engine, park, project_id, event, people["alice"], ValidationError,
                    fields={**VALID[event], name: value})
    assert error.field == name


def test_needs_are_stored_once_each_in_the_definition_order(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"],
         fields={**VALID["visit"], "needs": "policy，funding、policy"})
    assert history_rows(engine, project_id)[-1]["fields"]["needs"] == ["funding", "policy"]


@pytest.mark.parametrize(("uscc", "code"), [
    ("91350100M000100Y4", "uscc_length"),
    ("91350100M000100Y433", "uscc_length"),
    ("", "required"),
    *[(GOOD_USCC[:8] + char + GOOD_USCC[9:], "uscc_charset") for char in "IOSVZ"],
    ("91350100M000100Y4-", "uscc_charset"),
    ("91350100M000100Y44", "uscc_check"),
    ("91350100M000100Y4A", "uscc_check"),
    ("91350100M000100X43", "uscc_check"),
])
def test_a_credit_code_with_a_wrong_length_character_or_check_digit_is_refused(
        engine: Engine, park: Park, people: dict[str, str], uscc: str, code: str) -> None:
    project_id = bring_to(engine, park, people, "visited")
    error = refused(engine, park, project_id, "register", people["alice"], ValidationError,
                    fields={**VALID["register"], "uscc": uscc})
    assert error.field == "uscc"
    assert error.code == code


@pytest.mark.parametrize("uscc", ["914403001922038216", "91440300708461136T"])
def test_real_credit_codes_are_accepted(
        engine: Engine, park: Park, people: dict[str, str], uscc: str) -> None:
    project_id = bring_to(engine, park, people, "visited")
    fire(engine, park, project_id, "register", people["alice"],
         fields={**VALID["register"], "uscc": uscc})
    assert history_rows(engine, project_id)[-1]["fields"]["uscc"] == uscc


def test_a_lower_case_credit_code_with_a_right_check_digit_is_stored_upper_case(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = bring_to(engine, park, people, "visited")
    fire(engine, park, project_id, "register", people["alice"],
         fields={**VALID["register"], "uscc": " 91350100m000100y43 "})
    assert history_rows(engine, project_id)[-1]["fields"]["uscc"] == GOOD_USCC


@pytest.mark.parametrize("event", EVENTS)
def test_a_field_the_event_does_not_take_is_refused_by_name(
        engine: Engine, park: Park, people: dict[str, str], event: str) -> None:
    project_id = bring_to(engine, park, people, SOURCE_OF[event])
    error = refused(engine, park, project_id, event, people["leader"], ValidationError,
                    fields={**VALID[event], "colour": "red"})
    assert error.field == "colour"


# ---------------------------------------------------------------- stars

@pytest.mark.parametrize(("scores", "stars"), [
    ((5, 5, 5, 5), 3),
    ((4, 4, 4, 4), 3),  # 16
    ((4, 4, 4, 3), 2),  # 15
    ((4, 3, 3, 3), 2),  # 13
    ((3, 3, 3, 3), 1),  # 12
    ((4, 4, 1, 1), 1),  # 10
    ((3, 3, 2, 1), 0),  # 9
    ((1, 1, 1, 1), 0),
])
def test_the_star_rating_follows_the_total_of_the_four_scores(
        engine: Engine, park: Park, people: dict[str, str], scores: tuple[int, ...],
        stars: int) -> None:
    project_id = new_project(engine, park, people["alice"])
    fields = {**VALID["visit"], **dict(zip(("team", "technology", "capital", "market"),
                                           map(str, scores), strict=True))}
    fire(engine, park, project_id, "visit", people["alice"], fields=fields)
    assert snapshot(engine, project_id).stars == stars


def test_the_star_rating_survives_the_later_events(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = bring_to(engine, park, people, "opened")
    assert snapshot(engine, project_id).stars == 3  # 4+5+3+4 = 16


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
    error = refused(engine, park, project_id, event, actor, NotPermitted)
    assert error.exit_code == 3
    assert error.field == "by"


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "admin"])
def test_only_a_leader_may_reactivate_an_exited_project(
        engine: Engine, park: Park, people: dict[str, str], who: str) -> None:
    project_id = bring_to(engine, park, people, "exited")
    error = refused(engine, park, project_id, "reactivate", people[who], NotPermitted)
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
    error = refused(engine, park, project_id, "visit", people["alice"], ValidationError, at=at)
    assert error.field == "at"


@pytest.mark.parametrize("at", ["2026-11-09", "2026-11-10T14:59:59+08:00",
                                "2026-11-10T06:59:00Z"])
def test_an_event_before_the_previous_event_is_refused(
        engine: Engine, park: Park, people: dict[str, str], at: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"], at="2026-11-10T15:00:00+08:00")
    error = refused(engine, park, project_id, "register", people["alice"], ValidationError,
                    at=at)
    assert error.field == "at"
    assert error.code == "before_previous"


@pytest.mark.parametrize("at", ["2026-13-01", "yesterday", "2026-11-1", "11/10/2026"])
def test_a_date_that_is_not_a_date_is_refused(
        engine: Engine, park: Park, people: dict[str, str], at: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    error = refused(engine, park, project_id, "visit", people["alice"], ValidationError, at=at)
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
