"""Extensions and suspensions a leader approves: what they do to the project's deadline, its
reminders and its events, on SQLite and on PostgreSQL.

The use cases run with a fixed clock (2026-11-20 10:00, a Friday) and the park wired with
its observers, so each change's outbox rows are checked with it. Every refusal leaves every
table as it was.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from parkflow.wiring import make_park
from tests.factories import (
    LEADER2,
    NOW,
    VISIT,
    approval,
    decided,
    extension,
    moments,
    on,
    opened,
    seed_project,
    snapshot,
    suspension,
    view,
)
from tests.support.checks import outbox_rows, refused
from workflow.approvals import decide, file_extension, file_suspension, resubmit, resume
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import advance, follow_up
from workflow.views import list_projects

# the second leader is in place before `project` is entered: they are warned too
pytestmark = pytest.mark.usefixtures("staff")


# ---------------------------------------------------------------- extensions

def test_an_approved_extension_moves_the_due_date_rolls_forward_explains_and_reschedules(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    old_ladder = moments(outbox_rows(engine, project_id=project, status="pending"))
    assert old_ladder == [
        ("reminder", staff["alice"], "2026-11-24T09:00"),
        ("reminder", staff["alice"], "2026-11-27T09:00"),
        ("warning", staff["alice"], "2026-11-28T09:00"),
        ("warning", staff["carol"], "2026-11-28T09:00"),
        ("warning", staff["leader"], "2026-11-28T09:00"),
        ("warning", LEADER2, "2026-11-28T09:00")]
    aid = extension(engine, live, project, staff["alice"], days=2)  # 11-29 is a Sunday

    decided(engine, live, aid, "approve", staff["leader"], comment="同意延期")

    shown = view(engine, live, project)
    assert shown["deadline"]["due_date"] == "2026-11-30"
    assert shown["deadline"]["due_at"] == "2026-12-01T00:00:00+08:00"
    why = shown["deadline"]["explanation"]
    assert why.startswith("入库 2026-11-20 + 7天 = 2026-11-27")
    assert "延期 2 天" in why and "王主任" in why and "2026-11-20 批准" in why
    assert "2026-11-27 + 2天 = 2026-11-29" in why and "2026-11-30 24:00" in why
    english = view(engine, live, project, "en")["deadline"]["explanation"]
    assert "extended by 2 days" in english and "approved by 王主任 on 2026-11-20" in english
    last = shown["history"][-1]
    assert (last["event"], last["from"], last["to"], last["actor"]) == (
        "extension", "intake", "intake", staff["leader"])
    assert last["fields"] == {"days": 2, "reason": "企业注册材料待工商核准", "approval_id": aid}
    assert (shown["state"], shown["version"]) == ("intake", 2)
    assert snapshot(engine, project).due_at == on("2026-12-01", "00:00")

    stage = [r for r in outbox_rows(engine) if r.kind in ("reminder", "warning")]
    assert moments([r for r in stage if r.status == "cancelled"]) == old_ladder
    assert moments([r for r in stage if r.status == "pending"]) == [
        ("reminder", staff["alice"], "2026-11-27T09:00"),
        ("reminder", staff["alice"], "2026-11-30T09:00"),
        ("warning", staff["alice"], "2026-12-01T09:00"),
        ("warning", staff["carol"], "2026-12-01T09:00"),
        ("warning", staff["leader"], "2026-12-01T09:00"),
        ("warning", LEADER2, "2026-12-01T09:00")]
    assert moments(outbox_rows(engine, kind="approval_decided")) == [
        ("approval_decided", staff["alice"], "2026-11-20T10:00")]  # requester = owner: once
    assert {r.status for r in outbox_rows(engine, kind="approval_requested")} == {"cancelled"}
    row = approval(engine, aid)
    assert (row.state, row.comment, row.version, row.decided_at) == (
        "approved", "同意延期", 2, NOW)


def test_an_overdue_stage_is_extended_from_its_old_due_date_and_a_second_one_adds_up(
        engine: Engine, live: Park, staff: dict[str, str]) -> None:
    late = seed_project(engine, live, staff["alice"], name="逾期项目", intake="2026-11-02")
    assert view(engine, live, late)["deadline_status"] == "overdue"  # due Mon 11-09
    first = extension(engine, live, late, staff["alice"], days=20)  # 11-29 Sunday → 11-30
    decided(engine, live, first, "approve", staff["leader"])
    shown = view(engine, live, late)
    assert (shown["deadline"]["due_date"], shown["deadline_status"]) == ("2026-11-30",
                                                                         "on_time")
    second = extension(engine, live, late, staff["alice"], days=3)  # 12-03, a Thursday
    decided(engine, live, second, "approve", LEADER2)
    shown = view(engine, live, late)
    assert shown["deadline"]["due_date"] == "2026-12-03"
    why = shown["deadline"]["explanation"]
    assert why.count("延期") == 2 and "Sun Wei" in why
    assert [e["event"] for e in shown["history"]] == ["intake", "extension", "extension"]
    # a new stage starts without the old stage's extensions
    with writing(engine) as session:
        advance(session, live, project_id=late, event="visit", actor=staff["alice"],
                fields=VISIT)
    assert "延期" not in view(engine, live, late)["deadline"]["explanation"]


def test_every_refused_extension_request_changes_nothing(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    alice = staff["alice"]
    done = opened(engine, live, alice)
    gone = seed_project(engine, live, alice, name="已退库项目")
    with writing(engine) as session:
        advance(session, live, project_id=gone, event="exit", actor=alice,
                fields={"reason": "failed", "note": "项目终止"})
    cases: list[tuple[str, int, int | str, str, str, type[WorkflowError], str]] = [
        ("zero days", project, 0, "理由", alice, ValidationError, "days"),
        ("negative days", project, -3, "理由", alice, ValidationError, "days"),
        ("far too many days", project, 9999, "理由", alice, ValidationError, "days"),
        ("one day more than a year", project, 366, "理由", alice, ValidationError, "days"),
        ("days that are not a number", project, "x", "理由", alice, ValidationError, "days"),
        ("days with a fraction", project, "2.5", "理由", alice, ValidationError, "days"),
        ("no reason", project, 5, "  ", alice, ValidationError, "reason"),
        ("a member of another group", project, 5, "理由", staff["bob"], NotPermitted, "by"),
        ("an unknown person", project, 5, "理由", "nobody@park.test", NotPermitted, "by"),
        ("an unknown project", 999, 5, "理由", alice, NotFound, "id"),
        ("an opened project (no deadline)", done, 5, "理由", alice, Conflict, "project"),
        ("an exited project", gone, 5, "理由", alice, Conflict, "project"),
    ]
    for what, pid, days, reason, by, kind, field in cases:
        with subtests.test(what):
            refused(engine, kind, field, file_extension, live, project_id=pid, days=days,
                    reason=reason, actor=by)

    first = extension(engine, live, project, alice, days=365)  # a year is the most
    for state in ("submitted", "returned"):
        with subtests.test(f"a second extension while the first is {state}"):
            if state == "returned":
                decided(engine, live, first, "return", staff["leader"], comment="说明原因")
            error = refused(engine, Conflict, "project",
                            lambda s: file_extension(s, live, project_id=project, days=5,
                                                     reason="再申请", actor=staff["carol"]))
            assert error.code == "extension_pending"
    with writing(engine) as session:
        resubmit(session, live, approval_id=first, actor=alice)
    decided(engine, live, first, "reject", staff["leader"], comment="一年太长")
    extension(engine, live, project, staff["carol"], days=5)  # after a decision: allowed


def test_an_extension_for_a_stage_the_project_has_left_lapsed_and_cannot_be_decided(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    aid = extension(engine, live, project, staff["alice"], days=5)
    with writing(engine) as session:
        advance(session, live, project_id=project, event="visit", actor=staff["alice"],
                fields=VISIT)
    fresh = extension(engine, live, project, staff["alice"], days=5)  # the new stage is free
    for decision, comment in (("approve", None), ("reject", "阶段已变化")):
        error = refused(engine, Conflict, "id",
                        lambda s, d=decision, c=comment: decide(  # type: ignore[misc]
                            s, live, approval_id=aid, decision=d, actor=staff["leader"],
                            comment=c))
        assert (error.code, error.params["approval_state"]) == ("not_pending", "lapsed")
    decided(engine, live, fresh, "approve", staff["leader"])
    assert [e["event"] for e in view(engine, live, project)["history"]] == [
        "intake", "visit", "extension"]


# ---------------------------------------------------------------- suspensions

def test_a_suspension_stops_the_clock_blocks_events_and_resume_restores_the_remaining_days(
        engine: Engine, live: Park, clock: FixedClock, staff: dict[str, str],
        project: int) -> None:
    alice, leader = staff["alice"], staff["leader"]
    aid = suspension(engine, live, project, alice)
    assert snapshot(engine, project).suspended_at is None  # not before a leader approves
    refused(engine, Conflict, "project",
            lambda s: file_suspension(s, live, project_id=project, reason="再次", actor=alice))
    refused(engine, Conflict, "project",  # nothing to resume yet
            lambda s: resume(s, live, project_id=project, actor=alice))

    decided(engine, live, aid, "approve", leader)

    paused = snapshot(engine, project)
    assert (paused.suspended_at, paused.due_at, paused.version) == (NOW, None, 2)
    shown = view(engine, live, project)
    assert shown["deadline_status"] is None
    assert shown["deadline"]["due_date"] == "2026-11-27"
    assert any("暂停" in w for w in shown["deadline"]["warnings"])
    assert any("suspended" in w for w in view(engine, live, project, "en")["deadline"]
               ["warnings"])
    with reading(engine) as session:
        [row] = [r for r in list_projects(session, live) if r["id"] == project]
        overdue_later = list_projects(session, make_park(clock=FixedClock(
            on("2027-01-04"))), overdue=True)
    assert (row["due_at"], row["due_date"], row["deadline_status"]) == (None, None, None)
    assert overdue_later == []  # a paused project is never overdue
    assert outbox_rows(engine, kind="reminder", status="pending") == []
    assert outbox_rows(engine, kind="warning", status="pending") == []
    assert shown["history"][-1]["event"] == "suspend"
    assert shown["history"][-1]["fields"] == {"reason": "等待管委会会议决定", "approval_id": aid}

    refused(engine, Conflict, "event",
            lambda s: advance(s, live, project_id=project, event="visit", actor=alice,
                              fields=VISIT))
    refused(engine, Conflict, "project",
            lambda s: file_suspension(s, live, project_id=project, reason="再次", actor=alice))
    refused(engine, NotPermitted, "by",
            lambda s: resume(s, live, project_id=project, actor=staff["bob"]))

    clock.set(on("2026-11-25", "15:00"))  # five days later
    with writing(engine) as session:
        resume(session, live, project_id=project, actor=alice)

    back = view(engine, live, project)
    assert back["deadline"]["due_date"] == "2026-12-02"  # 11-27 + 5 days, a Wednesday
    assert back["deadline"]["warnings"] == []
    assert back["deadline_status"] == "on_time"
    assert "暂停 5 天" in back["deadline"]["explanation"]
    assert "2026-11-27 + 5天 = 2026-12-02" in back["deadline"]["explanation"]
    assert [e["event"] for e in back["history"]] == ["intake", "suspend", "resume"]
    assert back["history"][-1]["fields"] == {"paused_days": 5}
    assert back["history"][-1]["actor"] == alice
    assert snapshot(engine, project).suspended_at is None
    assert moments(outbox_rows(engine, kind="reminder", status="pending")) == [
        ("reminder", alice, "2026-11-29T09:00"), ("reminder", alice, "2026-12-02T09:00")]
    refused(engine, Conflict, "project",
            lambda s: resume(s, live, project_id=project, actor=alice))
    with writing(engine) as session:  # events flow again
        advance(session, live, project_id=project, event="visit", actor=alice, fields=VISIT)


def test_a_suspended_project_may_still_exit_and_a_follow_up_is_still_recorded(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    alice = staff["alice"]
    decided(engine, live, suspension(engine, live, project, alice), "approve", LEADER2)
    with writing(engine) as session:
        follow_up(session, live, project_id=project, actor=alice, note="仍在等待批复")
        advance(session, live, project_id=project, event="exit", actor=alice,
                fields={"reason": "other", "note": "政府决定不予支持"})
    gone = snapshot(engine, project)
    assert (gone.state, gone.suspended_at, gone.due_at) == ("exited", None, None)
    refused(engine, Conflict, "project",
            lambda s: resume(s, live, project_id=project, actor=alice))
    refused(engine, Conflict, "project",
            lambda s: file_suspension(s, live, project_id=project, reason="x", actor=alice))


def test_a_rejected_suspension_leaves_the_clock_running_and_a_blank_reason_is_refused(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    refused(engine, ValidationError, "reason",
            lambda s: file_suspension(s, live, project_id=project, reason=" ",
                                      actor=staff["alice"]))
    refused(engine, NotPermitted, "by",
            lambda s: file_suspension(s, live, project_id=project, reason="x",
                                      actor=staff["bob"]))
    aid = suspension(engine, live, project, staff["alice"])
    before = snapshot(engine, project)
    decided(engine, live, aid, "reject", staff["leader"], comment="请按期推进")
    assert snapshot(engine, project) == before
    assert moments(outbox_rows(engine, kind="approval_decided")) == [
        ("approval_decided", staff["alice"], "2026-11-20T10:00")]
