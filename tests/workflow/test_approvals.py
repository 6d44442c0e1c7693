"""Leader approvals — extensions, suspensions, large space — on SQLite and on PostgreSQL:
filing, deciding, returning, resubmitting, withdrawing, two leaders at once.

The use cases run with a fixed clock (2026-11-20 10:00, a Friday) and the park wired with
its observers, so each change's outbox rows are checked with it. Every refusal leaves every
table as it was. What an approved extension or suspension does to the project is in
test_extensions_and_suspensions.py; the mail in tests/notifications/test_approval_mail.py.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import ApprovalEvent, SpaceRequest, columns
from tests.factories import (
    LEADER2,
    PARK_TZ,
    approval,
    decided,
    events,
    extension,
    fire,
    inbox,
    moments,
    on,
    snapshot,
    space,
    suspension,
    view,
)
from tests.support.checks import fingerprint, outbox_rows, refused
from workflow.approvals import (
    approval_history,
    decide,
    resubmit,
    withdraw,
)
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park

# the second leader is in place before `project` is entered: they are warned too
pytestmark = pytest.mark.usefixtures("staff")


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
        ("nobody named", "approve", "", None, ValidationError, "by"),
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


# ---------------------------------------------------------------- a stage left undecided

def test_an_extension_or_suspension_lapses_when_its_project_leaves_the_stage(
        engine: Engine, live: Park, staff: dict[str, str], project: int) -> None:
    alice, leader = staff["alice"], staff["leader"]
    ext = extension(engine, live, project, alice)
    held = suspension(engine, live, project, staff["carol"])
    returned = space(engine, live, project, alice, area=1800)["approval_id"]
    decided(engine, live, returned, "return", leader, comment="写明用途")
    fire(engine, live, project, "visit", alice)

    # no leader can grant them now: they end, recorded as ended by alice's step
    assert (approval(engine, ext).state, approval(engine, held).state) == ("lapsed", "lapsed")
    assert events(engine, live, ext)[-1] == ("lapse", "submitted", "lapsed", alice)
    assert inbox(engine, live, leader, pending=True) == []
    # the leaders' reminders of them are cancelled; nobody is mailed a decision
    assert {r.status for r in outbox_rows(engine, kind="approval_requested")
            if r.dedupe_key.startswith((f"approval:{ext}:", f"approval:{held}:"))} == {
        "cancelled"}
    assert outbox_rows(engine, kind="approval_decided") == []
    refused(engine, Conflict, "id",
            lambda s: decide(s, live, approval_id=ext, decision="approve", actor=leader))
    # a space request is about the project, not the stage: still with its requester
    assert approval(engine, returned).state == "returned"
    extension(engine, live, project, alice)  # the new stage takes a new extension


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
