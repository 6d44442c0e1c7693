"""After opening: a move out of the zone warns at once (迁出预警) and stays on 首页 until a
leader acknowledges it; the owners of opened projects are asked for their quarterly figures."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import OutboxMessage, columns
from notifications.preview import preview
from notifications.reminders import sweep
from tests.factories import ALICE, BOB, CAROL, LEADER, NOW, PARK_TZ, fire, history_rows, opened
from tests.support.after_opening import FIGURES, INSIDE, OUTSIDE
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotPermitted
from workflow.park import Park
from workflow.relocation import acknowledge, open_warnings

_O = columns(OutboxMessage)


def outbox_rows(engine: Engine, kind: str) -> list[tuple[str, datetime, str]]:
    with reading(engine) as session:
        rows = session.execute(select(_O.recipient, _O.send_at, _O.status)
                               .where(_O.kind == kind).order_by(_O.id)).all()
    return [(r.recipient, r.send_at.astimezone(PARK_TZ), r.status) for r in rows]


def move(engine: Engine, park: Park, project_id: int, address: str) -> None:
    fire(engine, park, project_id, "address_change", ALICE, fields={"address": address})


def test_a_move_out_of_the_zone_warns_the_owner_the_group_lead_and_the_leaders_once(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    move(engine, live, pid, OUTSIDE)
    assert sorted(outbox_rows(engine, "relocation_warning")) == [
        (ALICE, NOW, "pending"), (CAROL, NOW, "pending"), (LEADER, NOW, "pending")]
    with writing(engine) as session:
        sweep(session, live, now=NOW)  # nothing more is planned for the same move
    assert len(outbox_rows(engine, "relocation_warning")) == 3
    assert BOB not in {r for r, *_ in outbox_rows(engine, "relocation_warning")}
    last = history_rows(engine, pid)[-1]
    assert (last["event"], last["from_state"], last["to_state"]) == (
        "address_change", "opened", "opened")


def test_a_move_inside_the_zone_warns_nobody(engine: Engine, live: Park,
                                             people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    move(engine, live, pid, INSIDE)
    move(engine, live, pid, "合肥市蜀山区望江西路 900 号")  # a road of the zone's keywords
    assert outbox_rows(engine, "relocation_warning") == []
    with reading(engine) as session:
        assert open_warnings(session, live) == []


def test_the_warning_stays_until_a_leader_acknowledges_it(engine: Engine, live: Park,
                                                          people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    move(engine, live, pid, OUTSIDE)
    with reading(engine) as session:
        [warning] = open_warnings(session, live)
    assert (warning.project_id, warning.address, warning.actor) == (pid, OUTSIDE, "李爱丽")
    with writing(engine) as session, pytest.raises(NotPermitted):
        acknowledge(session, live, warning_id=warning.history_id, actor=ALICE)
    with writing(engine) as session:
        acknowledge(session, live, warning_id=warning.history_id, actor=LEADER)
    with reading(engine) as session:
        assert open_warnings(session, live) == []
    last = history_rows(engine, pid)[-1]
    assert (last["event"], last["from_state"], last["to_state"], last["actor"]) == (
        "relocation_ack", "opened", "opened", LEADER)
    assert last["fields"] == {"warning": warning.history_id, "address": OUTSIDE}
    with writing(engine) as session, pytest.raises(Conflict):
        acknowledge(session, live, warning_id=warning.history_id, actor=LEADER)


def test_the_owner_is_asked_for_the_quarters_figures_on_the_10th_of_its_first_month(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    until = datetime(2027, 4, 30, tzinfo=PARK_TZ)
    with reading(engine) as session:
        rows = [r for r in preview(session, live, now=NOW, until=until)
                if r["kind"] == "indicators_request"]
    assert [(r["project_id"], r["recipients"], r["send_at"], r["reason"]) for r in rows] == [
        (pid, [ALICE], "2027-01-10T09:00:00+08:00", "请报送2026年第4季度经营指标"),
        (pid, [ALICE], "2027-04-10T09:00:00+08:00", "请报送2027年第1季度经营指标")]


def test_the_sweep_asks_once_and_figures_recorded_settle_the_request(
        engine: Engine, live: Park, clock: FixedClock, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    tenth = datetime(2027, 1, 10, 9, 0, tzinfo=PARK_TZ)
    for _ in range(2):
        with writing(engine) as session:
            sweep(session, live, now=tenth)
    assert outbox_rows(engine, "indicators_request") == [(ALICE, tenth, "pending")]
    clock.set(tenth)
    fire(engine, live, pid, "indicators", ALICE, at=tenth,
         fields={**FIGURES, "quarter": "2026-Q4"})
    assert outbox_rows(engine, "indicators_request") == [(ALICE, tenth, "cancelled")]
