"""Leader approvals — extensions, suspensions, large space — on SQLite and on PostgreSQL.

The use cases run with a fixed clock (2026-11-20 10:00, a Friday) and the park wired with
its observers, so each change's outbox rows are checked with it; the mail tests deliver the
outbox to a real SMTP server (aiosmtpd). Every refusal leaves every table as it was.
"""

from __future__ import annotations

import threading
from datetime import datetime
from email.header import decode_header, make_header
from typing import Any

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import Approval, ApprovalEvent, OutboxMessage, SpaceRequest, columns
from notifications.delivery import run_once
from notifications.mail import SmtpMailer
from parkflow.wiring import make_park
from tests.factories import (
    BASE_URL,
    LEADER2,
    MAIL_SETTINGS,
    NOW,
    PARK_TZ,
    REGISTER,
    VISIT,
    fingerprint,
    outbox_rows,
    refused,
    seed_project,
    snapshot,
    text_of,
)
from tests.support.smtp_server import ReceivedMessage, SmtpTestServer
from workflow.approvals import (
    approval_history,
    decide,
    file_extension,
    file_suspension,
    list_approvals,
    resubmit,
    resume,
    withdraw,
)
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import advance, follow_up
from workflow.space import add_listing, offer, request_space
from workflow.views import list_projects, project_view


def on(day: str, clock: str = "09:00") -> datetime:
    """A moment in park time: 09:00 unless told."""
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


# ---------------------------------------------------------------- fixtures and helpers

@pytest.fixture
def project(engine: Engine, live: Park, staff: dict[str, str]) -> int:
    """alice's project, entered today: the visit is due 2026-11-27 (a Friday)."""
    return seed_project(engine, live, staff["alice"])


def extension(engine: Engine, park: Park, project_id: int, by: str, days: int | str = 10,
              reason: str = "企业注册材料待工商核准") -> int:
    with writing(engine) as session:
        approval = file_extension(session, park, project_id=project_id, days=days,
                                  reason=reason, actor=by)
        assert approval.id is not None
        return approval.id


def suspension(engine: Engine, park: Park, project_id: int, by: str,
               reason: str = "等待管委会会议决定") -> int:
    with writing(engine) as session:
        approval = file_suspension(session, park, project_id=project_id, reason=reason,
                                   actor=by)
        assert approval.id is not None
        return approval.id


def space(engine: Engine, park: Park, project_id: int, by: str, area: float = 1500,
          type: str = "office") -> dict[str, Any]:
    with writing(engine) as session:
        return request_space(session, park, project_id=project_id, type=type, area=area,
                             needed_by="2026-12-31", actor=by, carrier="合肥创新产业园",
                             note="研发团队扩编")


def decided(engine: Engine, park: Park, approval_id: int, decision: str, by: str,
            comment: str | None = None) -> Approval:
    with writing(engine) as session:
        return decide(session, park, approval_id=approval_id, decision=decision, actor=by,
                      comment=comment)


def approval(engine: Engine, approval_id: int) -> Approval:
    with reading(engine) as session:
        row = session.get(Approval, approval_id)
    assert row is not None
    return row


def events(engine: Engine, park: Park, approval_id: int) -> list[tuple[str, str | None, str,
                                                                         str]]:
    with reading(engine) as session:
        return [(e["event"], e["from"], e["to"], e["actor"])
                for e in approval_history(session, park, approval_id)]


def view(engine: Engine, park: Park, project_id: int, lang: str = "zh-CN") -> dict[str, Any]:
    with reading(engine) as session:
        return project_view(session, park, project_id, lang)


def inbox(engine: Engine, park: Park, by: str, *, pending: bool = False,
          mine: bool = False) -> list[dict[str, Any]]:
    with reading(engine) as session:
        return list_approvals(session, park, viewer=by, pending=pending, mine=mine)


def moments(found: list[OutboxMessage]) -> list[tuple[str, str, str]]:
    """(kind, recipient, send_at in park time) of outbox rows, sorted."""
    return sorted((r.kind, r.recipient, r.send_at.astimezone(PARK_TZ).isoformat()[:16])
                  for r in found)


def opened(engine: Engine, park: Park, owner: str) -> int:
    """A project that has gone all the way to opening (no deadline any more)."""
    pid = seed_project(engine, park, owner, name="已开业项目", intake="2026-11-01")
    steps = [("visit", "2026-11-02", VISIT), ("register", "2026-11-03", REGISTER),
             ("sign", "2026-11-04", {"agreement_no": "HT-1"}),
             ("open", "2026-11-05", {"premises": "A3 栋"})]
    with writing(engine) as session:
        for event, day, fields in steps:
            advance(session, park, project_id=pid, event=event, actor=owner, at=day,
                    fields=fields)
    return pid


# ---------------------------------------------------------------- filing

def test_an_extension_is_filed_submitted_due_in_three_working_days_and_told_to_the_leaders(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    aid = extension(engine, live, project, staff["carol"], days=10)  # the group lead files

    row = approval(engine, aid)
    assert (row.kind, row.state, row.version, row.subject_id, row.project_id) == (
        "extension", "submitted", 1, project, project)
    assert row.details == {"days": 10, "state": "intake"}
    assert row.due_at.astimezone(PARK_TZ) == on("2026-11-26", "00:00")  # end of Wed 11-25
    assert events(engine, live, aid) == [("submit", None, "submitted", staff["carol"])]
    [listed] = inbox(engine, live, staff["leader"], pending=True)
    assert {k: listed[k] for k in ("id", "kind", "subject_id", "state", "requested_by",
                                   "decided_by", "comment")} == {
        "id": aid, "kind": "extension", "subject_id": project, "state": "submitted",
        "requested_by": staff["carol"], "decided_by": None, "comment": None}
    assert listed["overdue"] is False
    assert moments(outbox_rows(engine, kind="approval_requested")) == [
        ("approval_requested", staff["leader"], "2026-11-20T10:00"),
        ("approval_requested", staff["leader"], "2026-11-25T09:00"),
        ("approval_requested", LEADER2, "2026-11-20T10:00"),
        ("approval_requested", LEADER2, "2026-11-25T09:00")]
    # the project itself is untouched until a leader decides
    assert (snapshot(engine, project).version, snapshot(engine, project).adjustments) == (1, ())


def test_a_leader_may_file_a_request_but_never_decide_it_and_is_not_asked_to(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    filed = space(engine, live, project, staff["leader"], type="plant", area=50)
    assert filed["needs_approval"] is True
    aid = filed["approval_id"]
    assert {r.recipient for r in outbox_rows(engine, kind="approval_requested")} == {LEADER2}

    error = refused(engine, NotPermitted, "by",
                    lambda s: decide(s, live, approval_id=aid, decision="approve",
                                     actor=staff["leader"]))
    assert error.code == "self_approval"
    decided(engine, live, aid, "approve", LEADER2)
    assert approval(engine, aid).state == "approved"


# ---------------------------------------------------------------- deciding: refusals

def test_every_refused_decision_changes_nothing(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    aid = extension(engine, live, project, staff["alice"])
    cases: list[tuple[str, str, str, str | None, type[WorkflowError], str]] = [
        ("the requester, a member", "approve", staff["alice"], None, NotPermitted, "by"),
        ("a group lead", "approve", staff["carol"], None, NotPermitted, "by"),
        ("a member of another group", "reject", staff["bob"], "不行", NotPermitted, "by"),
        ("an admin", "approve", staff["admin"], None, NotPermitted, "by"),
        ("an unknown person", "approve", "nobody@park.test", None, NotPermitted, "by"),
        ("nobody named", "approve", "", None, NotPermitted, "by"),
        ("a rejection without comment", "reject", staff["leader"], None, ValidationError,
         "comment"),
        ("a rejection with a blank comment", "reject", staff["leader"], "   ",
         ValidationError, "comment"),
        ("a return without comment", "return", staff["leader"], None, ValidationError,
         "comment"),
        ("an unknown decision word", "approved", staff["leader"], None, ValidationError,
         "decision"),
        ("another unknown decision word", "withdraw", staff["leader"], None,
         ValidationError, "decision"),
    ]
    for what, decision, by, comment, kind, field in cases:
        with subtests.test(what):
            refused(engine, kind, field, decide, live, approval_id=aid, decision=decision,
                    actor=by, comment=comment)
    with subtests.test("an unknown approval"):
        refused(engine, NotFound, "id",
                lambda s: decide(s, live, approval_id=999, decision="approve",
                                 actor=staff["leader"]))
    assert approval(engine, aid).state == "submitted"

    decided(engine, live, aid, "reject", LEADER2, comment="理由不充分")
    after_first = fingerprint(engine)
    for decision, comment in (("approve", None), ("reject", "再次驳回"), ("return", "补材料")):
        for by in (staff["leader"], LEADER2):  # deciding twice, or deciding a decided one
            with subtests.test(f"{decision} by {by} after a rejection"):
                error = refused(engine, Conflict, "id", decide, live, approval_id=aid,
                                decision=decision, actor=by, comment=comment)
                assert error.code == "not_pending"
    with subtests.test("withdrawing or resubmitting a decided request"):
        refused(engine, Conflict, "id",
                lambda s: withdraw(s, live, approval_id=aid, actor=staff["alice"]))
        refused(engine, Conflict, "id",
                lambda s: resubmit(s, live, approval_id=aid, actor=staff["alice"]))
    assert fingerprint(engine) == after_first
    row = approval(engine, aid)
    assert (row.state, row.comment, row.version) == ("rejected", "理由不充分", 2)
    assert [e[0] for e in events(engine, live, aid)] == ["submit", "reject"]


# ---------------------------------------------------------------- return, resubmit, withdraw

def test_a_returned_request_can_be_resubmitted_by_its_requester_and_then_approved(
        engine: Engine, live: Park, clock: FixedClock, staff: dict[str, str],
        project: int) -> None:
    alice, carol, leader = staff["alice"], staff["carol"], staff["leader"]
    filed = space(engine, live, project, carol, area=1500)
    aid = filed["approval_id"]
    other = space(engine, live, project, alice, area=2000)["approval_id"]

    returned = decided(engine, live, aid, "return", leader, comment="请补充租赁意向书")
    assert (returned.state, returned.comment, returned.decided_by is not None) == (
        "returned", "请补充租赁意向书", True)
    assert [r["id"] for r in inbox(engine, live, leader, pending=True)] == [other]
    assert [r["id"] for r in inbox(engine, live, carol, mine=True)] == [aid]
    assert {r["id"] for r in inbox(engine, live, alice)} == {aid, other}  # the owner sees both
    assert inbox(engine, live, staff["bob"]) == []
    assert moments(outbox_rows(engine, kind="approval_returned")) == [
        ("approval_returned", alice, "2026-11-20T10:00"),
        ("approval_returned", carol, "2026-11-20T10:00")]
    mine = [r for r in outbox_rows(engine, kind="approval_requested")
            if r.payload["approval_id"] == aid]
    assert {r.status for r in mine} == {"cancelled"}  # nobody is reminded of a returned one

    for who in (alice, leader):  # only the requester answers a return
        refused(engine, NotPermitted, "by", resubmit, live, approval_id=aid, actor=who,
                note="补")
    refused(engine, Conflict, "id",  # a pending one is not resubmitted
            lambda s: resubmit(s, live, approval_id=other, actor=alice, note="补"))

    clock.set(on("2026-11-23", "10:00"))  # Monday: the decision is due three working days on
    with writing(engine) as session:
        again = resubmit(session, live, approval_id=aid, actor=carol, note="已补充意向书")
    assert (again.state, again.version) == ("resubmitted", 3)
    assert again.due_at.astimezone(PARK_TZ) == on("2026-11-27", "00:00")
    assert [r["id"] for r in inbox(engine, live, leader, pending=True)] == [aid, other]
    fresh = [r for r in outbox_rows(engine, kind="approval_requested", status="pending")
             if r.payload["approval_id"] == aid]
    assert moments(fresh) == [
        ("approval_requested", leader, "2026-11-23T10:00"),
        ("approval_requested", leader, "2026-11-26T09:00"),
        ("approval_requested", LEADER2, "2026-11-23T10:00"),
        ("approval_requested", LEADER2, "2026-11-26T09:00")]

    decided(engine, live, aid, "approve", LEADER2)
    assert [(e, to, actor) for e, _, to, actor in events(engine, live, aid)] == [
        ("submit", "submitted", carol), ("return", "returned", leader),
        ("resubmit", "resubmitted", carol), ("approve", "approved", LEADER2)]
    with reading(engine) as session:
        history = approval_history(session, live, aid)
    assert history[1]["fields"] == {"comment": "请补充租赁意向书"}
    assert history[2]["fields"] == {"note": "已补充意向书"}
    assert approval(engine, aid).decided_by != approval(engine, other).decided_by


def test_the_approval_history_records_the_state_each_event_left_and_the_one_it_reached(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    alice, leader = staff["alice"], staff["leader"]
    aid = extension(engine, live, project, alice)
    decided(engine, live, aid, "return", leader, comment="说明原因")
    with writing(engine) as session:
        resubmit(session, live, approval_id=aid, actor=alice, note="已说明")
    decided(engine, live, aid, "approve", LEADER2)
    gone = space(engine, live, project, alice)["approval_id"]
    with writing(engine) as session:
        withdraw(session, live, approval_id=gone, actor=alice)

    assert events(engine, live, aid) == [
        ("submit", None, "submitted", alice), ("return", "submitted", "returned", leader),
        ("resubmit", "returned", "resubmitted", alice),
        ("approve", "resubmitted", "approved", LEADER2)]
    assert events(engine, live, gone) == [
        ("submit", None, "submitted", alice), ("withdraw", "submitted", "withdrawn", alice)]


def test_the_requester_may_withdraw_a_pending_or_returned_request_and_nothing_is_sent(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    alice, leader = staff["alice"], staff["leader"]
    filed = space(engine, live, project, alice, area=1800)
    aid = filed["approval_id"]
    refused(engine, NotPermitted, "by",
            lambda s: withdraw(s, live, approval_id=aid, actor=leader))
    refused(engine, NotPermitted, "by",
            lambda s: withdraw(s, live, approval_id=aid, actor=staff["carol"]))
    with writing(engine) as session:
        gone = withdraw(session, live, approval_id=aid, actor=alice)
    assert gone.state == "withdrawn"
    with reading(engine) as session:
        request = session.get(SpaceRequest, filed["id"])
    assert request is not None and request.status == "withdrawn"
    assert {r.status for r in outbox_rows(engine, kind="approval_requested")} == {"cancelled"}
    assert outbox_rows(engine, kind="approval_decided") == []
    refused(engine, Conflict, "id", lambda s: withdraw(s, live, approval_id=aid, actor=alice))
    refused(engine, Conflict, "id",
            lambda s: decide(s, live, approval_id=aid, decision="approve", actor=leader))

    ext = extension(engine, live, project, alice)
    decided(engine, live, ext, "return", leader, comment="写明延期原因")
    with writing(engine) as session:
        assert withdraw(session, live, approval_id=ext, actor=alice).state == "withdrawn"
    extension(engine, live, project, alice)  # the stage is free for a new extension


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


def test_an_extension_for_a_stage_the_project_has_left_cannot_be_approved_only_rejected(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    aid = extension(engine, live, project, staff["alice"], days=5)
    with writing(engine) as session:
        advance(session, live, project_id=project, event="visit", actor=staff["alice"],
                fields=VISIT)
    fresh = extension(engine, live, project, staff["alice"], days=5)  # the new stage is free
    error = refused(engine, Conflict, "id",
                    lambda s: decide(s, live, approval_id=aid, decision="approve",
                                     actor=staff["leader"]))
    assert error.code == "stage_left"
    decided(engine, live, aid, "reject", staff["leader"], comment="阶段已变化")
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


# ---------------------------------------------------------------- two leaders at once

def test_two_leaders_deciding_at_the_same_moment_one_wins_the_other_is_told(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    aid = extension(engine, live, project, staff["alice"], days=10)
    outcome: dict[str, object] = {}

    def rival() -> None:
        try:
            outcome["rival"] = decided(engine, live, aid, "reject", LEADER2, comment="不同意")
        except WorkflowError as exc:
            outcome["rival"] = exc

    with writing(engine) as session:
        decide(session, live, approval_id=aid, decision="approve", actor=staff["leader"])
        thread = threading.Thread(target=rival)
        thread.start()  # waits on the open transaction (row lock / BEGIN IMMEDIATE)
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the rival decision did not wait for the first one"
    thread.join(timeout=30)

    assert isinstance(outcome["rival"], Conflict), outcome
    assert outcome["rival"].field == "id"
    row = approval(engine, aid)
    assert (row.state, row.version, row.comment) == ("approved", 2, None)
    assert [e[0] for e in events(engine, live, aid)] == ["submit", "approve"]
    with reading(engine) as session:
        decisions = session.execute(select(columns(ApprovalEvent).id).where(
            columns(ApprovalEvent).approval_id == aid,
            columns(ApprovalEvent).event.in_(("approve", "reject", "return")))).all()
    assert len(decisions) == 1
    assert moments(outbox_rows(engine, kind="approval_decided")) == [
        ("approval_decided", staff["alice"], "2026-11-20T10:00")]
    assert [e["event"] for e in view(engine, live, project)["history"]] == [
        "intake", "extension"]


# ---------------------------------------------------------------- mail over real SMTP

def deliver(engine: Engine, park: Park, server: SmtpTestServer, now: datetime) -> int:
    server.clear()
    return run_once(engine, park, SmtpMailer(server.settings()), MAIL_SETTINGS, now=now,
                    worker="test-worker")["sent"]


def subject(message: ReceivedMessage) -> str:
    # a long subject is folded right after "Subject:"; the unfolded value starts with a space
    return str(make_header(decode_header(str(message.message["Subject"])))).strip()


def mails(server: SmtpTestServer, prefix: str) -> dict[str, ReceivedMessage]:
    """The messages whose subject starts with `prefix`, by recipient."""
    found: dict[str, ReceivedMessage] = {}
    for message in server.messages:
        if subject(message).startswith(prefix):
            [to] = message.rcpt_tos
            assert to not in found, f"{to} got two {prefix} mails"
            found[to] = message
    return found


def test_the_approval_flow_mails_leaders_requester_and_owner_over_smtp(
        engine: Engine, live: Park, clock: FixedClock, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    alice, carol, leader = staff["alice"], staff["carol"], staff["leader"]
    filed = space(engine, live, project, carol, area=1500)
    aid = filed["approval_id"]

    deliver(engine, live, smtp_server, NOW)
    asked = mails(smtp_server, "【待审批】") | mails(smtp_server, "[Approval needed]")
    assert set(asked) == {leader, LEADER2}  # not the requester, not the owner
    body = text_of(asked[leader])
    assert subject(asked[leader]) == "【待审批】用房申请：量子精密测量（陈卡罗提交）"
    assert body.startswith("王主任，您好")
    for fact in ("办公用房", "1,500 m²", "2026年12月31日", "合肥创新产业园", "研发团队扩编",
                 f"{BASE_URL}/approvals/{aid}"):
        assert fact in body, fact
    assert subject(asked[LEADER2]).startswith("[Approval needed] Space request")

    clock.set(on("2026-11-20", "11:00"))
    decided(engine, live, aid, "return", leader, comment="请补充租赁意向书及用工计划")
    deliver(engine, live, smtp_server, clock.now())
    returned = mails(smtp_server, "【退回修改】")
    assert set(returned) == {carol, alice}
    assert "审批意见：请补充租赁意向书及用工计划" in text_of(returned[carol])
    assert "王主任" in text_of(returned[alice])
    assert len(smtp_server.messages) == 2

    clock.set(on("2026-11-20", "12:00"))
    with writing(engine) as session:
        resubmit(session, live, approval_id=aid, actor=carol, note="已补充")
    deliver(engine, live, smtp_server, clock.now())
    assert set(mails(smtp_server, "【待审批】") | mails(smtp_server, "[Approval needed]")) == {
        leader, LEADER2}

    clock.set(on("2026-11-20", "14:00"))
    decided(engine, live, aid, "approve", LEADER2, comment="同意，优先安排")
    deliver(engine, live, smtp_server, clock.now())
    outcome = mails(smtp_server, "【审批结果】")
    assert set(outcome) == {carol, alice}
    assert subject(outcome[alice]) == "【审批结果】用房申请已获批准：量子精密测量"
    assert "审批意见：同意，优先安排" in text_of(outcome[alice])
    assert "Sun Wei" in text_of(outcome[carol])

    with writing(engine) as session:
        unit = add_listing(session, live, carrier="合肥创新产业园", building="B3", unit="501",
                           area=1600, type="office", now=clock.now())
        assert unit.id is not None
        offer(session, live, request_id=filed["id"], listing_id=unit.id, actor=alice)
    deliver(engine, live, smtp_server, clock.now())
    offered = mails(smtp_server, "【房源推荐】")
    assert set(offered) == {carol, alice}
    assert subject(offered[alice]) == (
        "【房源推荐】合肥创新产业园B3501（办公用房 1,600 m²）可供“量子精密测量”选用")
    assert "1,500 m²" in text_of(offered[alice])
    assert len(smtp_server.messages) == 2


def test_a_rejection_mail_says_not_approved_with_the_comment(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    aid = extension(engine, live, project, staff["alice"], days=10)
    decided(engine, live, aid, "reject", staff["leader"], comment="请按期完成走访")
    deliver(engine, live, smtp_server, NOW)
    [mail] = mails(smtp_server, "【审批结果】").values()
    assert mail.rcpt_tos == [staff["alice"]]
    assert subject(mail) == "【审批结果】延期申请未获批准：量子精密测量"
    assert "不予同意" in text_of(mail) and "请按期完成走访" in text_of(mail)
    assert "延期天数：10" in text_of(mail)
    assert mails(smtp_server, "【待审批】") == {}  # decided before delivery: not asked


def test_a_pending_approval_reminds_the_leaders_on_its_due_day_and_a_decided_one_does_not(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    pending = extension(engine, live, project, staff["alice"], days=10)
    other = seed_project(engine, live, staff["carol"], name="校友芯片")
    answered = suspension(engine, live, other, staff["carol"])
    assert deliver(engine, live, smtp_server, NOW) == 4  # two approvals × two leaders
    decided(engine, live, answered, "reject", staff["leader"], comment="无需暂停")
    deliver(engine, live, smtp_server, NOW)

    deliver(engine, live, smtp_server, on("2026-11-24"))  # the day before: only the stage
    assert mails(smtp_server, "【待审批】") == {}

    deliver(engine, live, smtp_server, on("2026-11-25"))  # the third working day
    due = mails(smtp_server, "【审批今日到期】") | mails(smtp_server, "[Approval due today]")
    assert set(due) == {staff["leader"], LEADER2}  # the due-day mail says it is due today
    assert all(f"/approvals/{pending}" in text_of(m) for m in due.values())
    assert [r.status for r in outbox_rows(engine, kind="approval_requested")
            if r.payload["approval_id"] == answered
            and r.send_at.astimezone(PARK_TZ) == on("2026-11-25")] == ["cancelled", "cancelled"]
    with reading(engine) as session:
        [listed] = list_approvals(session, make_park(clock=FixedClock(on("2026-11-26", "00:00"))),
                                  viewer=staff["leader"], pending=True)
    assert (listed["id"], listed["overdue"]) == (pending, True)


def test_the_weekly_agenda_lists_the_pending_approvals(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    extension(engine, live, project, staff["alice"], days=10)
    filed = space(engine, live, project, staff["alice"], type="plant", area=50)
    big = space(engine, live, project, staff["alice"], area=3000)
    decided(engine, live, big["approval_id"], "approve", staff["leader"])

    deliver(engine, live, smtp_server, on("2026-11-23", "08:30"))  # Monday's meeting

    agenda = mails(smtp_server, "【周例会】") | mails(smtp_server, "[Weekly meeting]")
    assert set(agenda) == {staff["leader"], LEADER2, staff["alice"], staff["carol"],
                           staff["bob"]}
    body = text_of(agenda[staff["carol"]])
    assert "五、待审批事项（2 项）" in body
    assert "延期申请：量子精密测量 | 申请人：李爱丽 | 提交日期：2026年11月20日" in body
    assert "用房申请：量子精密测量 | 申请人：李爱丽" in body
    assert f"{BASE_URL}/approvals/{filed['approval_id']}" in body
    assert f"/approvals/{big['approval_id']}" not in body  # decided: not on the agenda


def test_a_returned_mail_delivered_after_a_later_decision_still_carries_the_return_comment(
        engine: Engine, live: Park, clock: FixedClock, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    """SMTP was down for an hour: the return, the resubmission and the approval all happened
    before the outbox could deliver. The mail about the return must still say what the
    leader asked for, and who returned it."""
    aid = extension(engine, live, project, staff["alice"], days=10)
    decided(engine, live, aid, "return", staff["leader"], comment="请补充工商受理回执")
    clock.set(on("2026-11-20", "10:30"))
    with writing(engine) as session:
        resubmit(session, live, approval_id=aid, actor=staff["alice"], note="已补充回执")
    clock.set(on("2026-11-20", "10:45"))
    decided(engine, live, aid, "approve", LEADER2, comment="同意")

    deliver(engine, live, smtp_server, on("2026-11-20", "11:00"))

    [returned] = mails(smtp_server, "【退回修改】").values()
    body = text_of(returned)
    assert "审批意见：请补充工商受理回执" in body
    assert "已由 王主任 于 2026年11月20日 10:00 退回修改" in body
