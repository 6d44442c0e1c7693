"""Properties of the engine under any sequence of events, valid or not (hypothesis, SQLite).

Each example enters a new project and fires a random sequence of events — known or not, by
people with or without the right, with fields valid or broken, dated now, earlier, in the
future or before the previous event — while a fixed clock moves forward. A small model of the
lifecycle predicts whether each attempt must succeed; after every attempt the stored project
must agree with its own history.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import event as statistic
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import ProjectEvent, columns
from tests.factories import NOW, PARK_TZ, SQLITE_ONLY
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import Snapshot, add_project, advance, deadline_of, load_snapshot

FORWARD = {"intake": "visit", "visited": "register", "registered": "sign", "signed": "open",
           "opened": "exit", "exited": "reactivate"}
MOVES = {("intake", "visit"): "visited", ("visited", "register"): "registered",
         ("registered", "sign"): "signed", ("signed", "open"): "opened"}
ACTIVE = ("intake", "visited", "registered", "signed", "opened")
VALID: dict[str, dict[str, str]] = {
    "visit": {"visitors": "张三", "needs": "policy", "team": "5", "technology": "4",
              "capital": "2", "market": "3"},
    "register": {"company_name": "量测科技", "uscc": "91350100M000100Y43", "address": "望江西路"},
    "sign": {"agreement_no": "HT-9"},
    "open": {"premises": "A3"},
    "exit": {"reason": "failed", "note": "经营失败"},
    "reactivate": {"note": "恢复"},
}
BROKEN: dict[str, dict[str, str]] = {
    "visit": {"team": "6"},
    "register": {"uscc": "91350100M000100Y44"},
    "sign": {"agreement_no": " "},
    "open": {"premises": ""},
    "exit": {"reason": "bankrupt"},
    "reactivate": {"note": "  "},
}
MAY_FIRE = {"alice", "carol", "leader"}  # owner alice, carol of her group, a leader


# SQLite only, one file per test: the properties are about the engine, the storage tests
# cover PostgreSQL
pytestmark = SQLITE_ONLY


# ---------------------------------------------------------------- steps

@dataclass(frozen=True)
class Step:
    event: str        # an event, "next" (the one that moves forward) or "bogus"
    actor: str        # a key of `people`, or "stranger"
    fields: str       # valid | missing | extra | broken
    at: str           # now | day_of_previous | between | future | before_previous | garbage
    wait_minutes: int

    def __repr__(self) -> str:  # shorter reports from hypothesis
        return f"Step({self.event}, {self.actor}, {self.fields}, {self.at}, +{self.wait_minutes}m)"


steps = st.builds(
    Step,
    event=st.sampled_from(["next"] * 12 + [*VALID, "bogus"]),
    actor=st.sampled_from(["alice"] * 4 + ["carol", "leader", "leader", "bob", "admin",
                                           "stranger"]),
    fields=st.sampled_from(["valid"] * 10 + ["missing", "extra", "broken"]),
    at=st.sampled_from(["now"] * 5 + ["day_of_previous", "between", "between", "future",
                                      "before_previous", "garbage"]),
    wait_minutes=st.integers(min_value=0, max_value=3 * 24 * 60),
)


def fields_for(event: str, kind: str) -> dict[str, str]:
    valid = VALID.get(event, {"note": "x"})
    if kind == "missing":
        return dict(list(valid.items())[1:])
    if kind == "extra":
        return {**valid, "colour": "red"}
    if kind == "broken":
        return {**valid, **BROKEN.get(event, {})}
    return dict(valid)


def moment_for(kind: str, previous: datetime, now: datetime) -> str | datetime | None:
    if kind == "day_of_previous":
        return previous.astimezone(PARK_TZ).date().isoformat()
    if kind == "between":
        return previous + (now - previous) / 2
    if kind == "future":
        return now + timedelta(minutes=1)
    if kind == "before_previous":
        return previous - timedelta(minutes=1)
    if kind == "garbage":
        return "2026-02-30"
    return None


def problems(step: Step, event: str, project: Snapshot) -> dict[str, type[WorkflowError]]:
    """What is wrong with an attempt, by the model of SPEC.md §2 and CLI.md."""
    wrong: dict[str, type[WorkflowError]] = {}
    if event not in VALID:
        return {"event": ValidationError}
    allowed = {"leader"} if event == "reactivate" else MAY_FIRE
    if step.actor not in allowed:
        wrong["actor"] = NotPermitted
    if expected_state(project, event) is None:
        wrong["state"] = Conflict
    if step.fields != "valid":
        wrong["fields"] = ValidationError
    if step.at in ("future", "before_previous", "garbage"):
        wrong["at"] = ValidationError
    return wrong


def expected_state(project: Snapshot, event: str) -> str | None:
    if event == "exit":
        return "exited" if project.state in ACTIVE else None
    if event == "reactivate":
        return project.exited_from if project.state == "exited" else None
    return MOVES.get((project.state, event))


# ---------------------------------------------------------------- the property

def read(engine: Engine, park: Park, project_id: int) -> tuple[Snapshot, list[dict[str, Any]],
                                                                  datetime | None]:
    e = columns(ProjectEvent)
    with reading(engine) as session:
        project = load_snapshot(session, project_id)
        rows = [dict(r._mapping) for r in session.execute(
            select(e.id, e.event, e.from_state, e.to_state, e.occurred_at, e.recorded_at)
            .where(e.project_id == project_id).order_by(e.id))]
        deadline = deadline_of(park, session, project)
    return project, rows, deadline.due_at if deadline else None


def check_consistent(park: Park, project: Snapshot, rows: Sequence[Mapping[str, Any]],
                     computed_due_at: datetime | None, successes: int) -> None:
    assert project.state == rows[-1]["to_state"]
    assert project.version == successes + 1
    assert len(rows) == successes + 1
    assert project.due_at == computed_due_at  # the stored deadline is the computed one
    has_deadline = park.lifecycle.states[project.state].deadline is not None
    assert (project.due_at is not None) == has_deadline
    assert (project.exited_from is not None) == (project.state == "exited")
    moments = [row["occurred_at"] for row in rows]
    assert moments == sorted(moments)
    assert all(row["occurred_at"] <= row["recorded_at"] for row in rows)
    assert project.last_event_at == moments[-1]
    for before, after in itertools.pairwise(rows):
        assert after["from_state"] == before["to_state"]


@settings(max_examples=50, deadline=None, phases=[p for p in Phase if p != Phase.explain],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(intake_days_ago=st.integers(min_value=0, max_value=40),
       attempts=st.lists(steps, min_size=4, max_size=20))
@example(intake_days_ago=3, attempts=[Step("next", "leader", "valid", "now", 60)] * 8)
@example(intake_days_ago=0, attempts=[Step("next", "alice", "valid", "day_of_previous", 0)] * 8)
def test_any_sequence_of_events_leaves_the_project_consistent_with_its_history(
        engine: Engine, park: Park, clock: FixedClock, people: dict[str, str],
        intake_days_ago: int, attempts: list[Step]) -> None:
    clock.set(NOW)
    with writing(engine) as session:
        project_id = add_project(
            session, park, name="性质测试", category="platform", owner=people["alice"],
            actor=people["alice"], allow_duplicate=True,  # one name for every example
            intake=(NOW - timedelta(days=intake_days_ago)).date().isoformat()).id
    successes = 0
    before, rows, due = read(engine, park, project_id)
    check_consistent(park, before, rows, due, successes)
    for step in attempts:
        clock.advance(timedelta(minutes=step.wait_minutes))
        event = FORWARD[before.state] if step.event == "next" else step.event
        wrong = problems(step, event, before)
        try:
            with writing(engine) as session:
                advance(session, park, project_id=project_id, event=event,
                        actor=people.get(step.actor, "stranger@park.test"),
                        at=moment_for(step.at, before.last_event_at, clock.now()),
                        fields=fields_for(event, step.fields), allow_duplicate=True)
        except WorkflowError as error:
            assert wrong, f"{step} was refused: {error!r}"
            assert isinstance(error, tuple(wrong.values())), (step, wrong, error)
            after, new_rows, due = read(engine, park, project_id)
            assert after == before  # nothing at all changed, the deadline included
            assert new_rows == rows
        else:
            assert not wrong, f"{step} was accepted despite {sorted(wrong)}"
            successes += 1
            after, new_rows, due = read(engine, park, project_id)
            assert after.state == expected_state(before, event)
            assert new_rows[:-1] == rows
            last = new_rows[-1]
            assert (last["event"], last["from_state"], last["to_state"]) == (
                event, before.state, after.state)
            assert last["recorded_at"] == clock.now()
            if after.due_at != before.due_at:  # a deadline only moves with a change of stage
                assert last["from_state"] != last["to_state"]
            if event == "reactivate":
                assert after.state == before.exited_from
        check_consistent(park, after, new_rows, due, successes)
        before, rows = after, new_rows
    statistic(f"ended in {before.state}")
    statistic(f"{min(successes, 5)}+ successful events" if successes >= 5
              else f"{successes} successful events")
