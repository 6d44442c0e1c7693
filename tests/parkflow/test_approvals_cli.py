"""Space and approvals from the command line, on SQLite and on PostgreSQL.

The end-to-end flow and the race of two leaders run `parkflow` as real subprocesses (at the
fixed moment NOW, through the test-only PARKFLOW_TEST_NOW); independent calls run side
by side. The full matrix of refusals is in test_approvals_cli_refusals.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import ApprovalEvent, columns
from tests.factories import APPROVAL_KEYS, LEADER2, PARK_TZ, VISIT, seed_project, snapshot
from tests.support.checks import outbox_rows
from tests.support.command import Cli, assert_error
from workflow.approvals import file_extension, list_approvals
from workflow.park import Park
from workflow.views import list_projects, project_view


def nine(day: date) -> str:
    return f"{day.isoformat()}T09:00:00+08:00"


# ---------------------------------------------------------------- the whole flow

def test_the_approval_flow_end_to_end_from_the_command_line(
        cli: Cli, engine: Engine, live: Park, staff: dict[str, str],
        today: date) -> None:
    alice, leader = staff["alice"], staff["leader"]
    p1 = seed_project(engine, live, alice, "量子精密测量")
    p2 = seed_project(engine, live, alice, "校友芯片")
    old_due = date(2026, 11, 27)  # intake Friday 11-20 + 7 days
    needed = (today + timedelta(days=30)).isoformat()
    ask = ["space", "request", str(p1), "--needed-by", needed, "--by", alice, "--json"]

    # filing: a listing, space requests, an extension, a suspension
    added, big, small, plant, ext, susp = cli.all(
        ["space", "listing", "add", "--carrier", "合肥创新产业园", "--building", "B3",
         "--unit", "501", "--area", "1600", "--type", "office", "--by", leader, "--json"],
        [*ask, "--type", "office", "--area", "1500", "--carrier", "合肥创新产业园",
         "--note", "研发团队扩编"],
        [*ask, "--type", "office", "--area", "300"],
        [*ask, "--type", "plant", "--area", "50"],
        ["extension", "request", str(p1), "--days", "10", "--reason", "工商注册材料待核准",
         "--by", alice, "--json"],
        ["project", "suspend", str(p2), "--reason", "等待管委会会议决定", "--by", alice,
         "--json"])
    for result in (added, big, small, plant, ext, susp):
        assert result.code == 0, result
    listing_id = added.json()["id"]
    assert {k: added.json()[k] for k in ("carrier", "building", "unit", "area", "type",
                                         "status")} == {
        "carrier": "合肥创新产业园", "building": "B3", "unit": "501", "area": 1600,
        "type": "office", "status": "available"}
    assert {k: v for k, v in big.json().items() if k != "approval_id"} == {
        "id": big.json()["id"], "needs_approval": True,
        "reason": "办公用房 1,500 m² ≥ 1,000 m²，须先报分管领导审批"}
    assert isinstance(big.json()["approval_id"], int)
    assert small.json() == {"id": small.json()["id"], "needs_approval": False,
                            "approval_id": None,
                            "reason": "办公用房 300 m² < 1,000 m²，直接进入匹配"}
    assert plant.json()["needs_approval"] is True
    assert plant.json()["reason"] == "生产性厂房不论面积均须先报分管领导审批"
    big_aid, plant_aid = big.json()["approval_id"], plant.json()["approval_id"]
    ext_aid, susp_aid = ext.json()["id"], susp.json()["id"]
    assert (ext.json()["kind"], ext.json()["state"]) == ("extension", "submitted")
    assert (susp.json()["kind"], susp.json()["state"]) == ("suspension", "submitted")

    # the leader's inbox
    inbox = cli("approvals", "list", "--by", leader, "--pending", "--json")
    rows = inbox.json()
    assert all(set(row) >= APPROVAL_KEYS for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert {row["id"]: {k: row[k] for k in APPROVAL_KEYS} for row in rows} == {
        big_aid: {"id": big_aid, "kind": "space", "subject_id": big.json()["id"],
                  "state": "submitted", "requested_by": alice, "decided_by": None,
                  "comment": None},
        plant_aid: {"id": plant_aid, "kind": "space", "subject_id": plant.json()["id"],
                    "state": "submitted", "requested_by": alice, "decided_by": None,
                    "comment": None},
        ext_aid: {"id": ext_aid, "kind": "extension", "subject_id": p1, "state": "submitted",
                  "requested_by": alice, "decided_by": None, "comment": None},
        susp_aid: {"id": susp_aid, "kind": "suspension", "subject_id": p2,
                   "state": "submitted", "requested_by": alice, "decided_by": None,
                   "comment": None}}

    # the text says the decision's deadline as people count it: 24:00 of its last day
    due = datetime.fromisoformat(rows[0]["due_at"])
    assert due.time() == time(0)
    last_day = (due.date() - timedelta(days=1)).isoformat()
    text = cli("approvals", "list", "--by", leader, "--pending").out
    assert f"截止 {last_day} 24:00" in text and f"截止 {due.date().isoformat()}" not in text

    # decisions: a return with a comment, two approvals, a rejection
    returned, extended, suspended, rejected = cli.all(
        ["approvals", "decide", str(big_aid), "return", "--by", leader, "--comment",
         "请补充租赁意向书", "--json"],
        ["approvals", "decide", str(ext_aid), "approve", "--by", leader, "--json"],
        ["approvals", "decide", str(susp_aid), "approve", "--by", LEADER2],
        ["approvals", "decide", str(plant_aid), "reject", "--by", LEADER2, "--comment",
         "厂房指标已满", "--json"])
    for result in (returned, extended, suspended, rejected):
        assert result.code == 0, result
    assert {k: returned.json()[k] for k in ("state", "decided_by", "comment")} == {
        "state": "returned", "decided_by": leader, "comment": "请补充租赁意向书"}
    assert extended.json()["state"] == "approved"
    assert rejected.json()["state"] == "rejected"

    shown1, shown2, blocked, twice, early = cli.all(
        ["project", "show", str(p1), "--json"],
        ["project", "show", str(p2), "--json"],
        ["project", "advance", str(p2), "visit", "--by", alice, "--json",
         *[a for k, v in VISIT.items() for a in ("--set", f"{k}={v}")]],
        ["approvals", "decide", str(ext_aid), "approve", "--by", LEADER2, "--json"],
        ["space", "offer", str(big.json()["id"]), str(listing_id), "--by", alice, "--json"])
    assert_error(twice, 5, "conflict", "id")
    assert_error(early, 5, "conflict", "request")  # returned, not approved: no offer yet
    with reading(engine) as session:
        assert list_approvals(session, live, viewer=leader, pending=True) == []

    # the extension: 10 calendar days on the old due date, rolled forward to a working day
    new_due = date(2026, 12, 7)  # 11-27 + 10 days, a Monday
    deadline = shown1.json()["deadline"]
    assert deadline["due_date"] == new_due.isoformat()
    assert deadline["due_at"] == f"{(new_due + timedelta(days=1)).isoformat()}T00:00:00+08:00"
    assert "延期 10 天" in deadline["explanation"] and "王主任" in deadline["explanation"]
    assert f"{old_due.isoformat()} + 10天" in deadline["explanation"]
    last = shown1.json()["history"][-1]
    assert (last["event"], last["actor"], last["fields"]["days"]) == ("extension", leader, 10)
    reminders = [(r.send_at.astimezone(PARK_TZ).isoformat(), r.status) for r in outbox_rows(
        engine, kind="reminder") if r.project_id == p1]
    assert sorted(reminders) == sorted([
        (nine(old_due - timedelta(days=3)), "cancelled"), (nine(old_due), "cancelled"),
        (nine(new_due - timedelta(days=3)), "pending"), (nine(new_due), "pending")])

    # the suspension: no running clock, the warning says so, events wait for resume
    paused = shown2.json()
    assert paused["deadline_status"] is None
    assert any("暂停" in w for w in paused["deadline"]["warnings"])
    assert "暂停" in shown2.err
    with reading(engine) as session:
        [row2] = [r for r in list_projects(session, live) if r["id"] == p2]
    assert (row2["due_at"], row2["deadline_status"]) == (None, None)
    assert_error(blocked, 5, "conflict", "event")
    assert [h["event"] for h in paused["history"]] == ["intake", "suspend"]

    # resubmit → approve → offer; resume
    again, resumed = cli.all(
        ["approvals", "resubmit", str(big_aid), "--by", alice, "--note", "已补充意向书",
         "--json"],
        ["project", "resume", str(p2), "--by", alice])
    assert again.code == 0 and again.json()["state"] == "resubmitted", again
    assert resumed.code == 0, resumed
    approved = cli("approvals", "decide", str(big_aid), "approve", "--by", LEADER2, "--json")
    assert approved.code == 0 and approved.json()["state"] == "approved", approved
    offered = cli("space", "offer", str(big.json()["id"]), str(listing_id), "--by", alice)
    assert offered.code == 0, offered
    with reading(engine) as session:
        back = project_view(session, live, p2)
    assert back["deadline"]["due_date"] == old_due.isoformat()  # paused for 0 days
    assert back["deadline"]["warnings"] == []
    assert [h["event"] for h in back["history"]] == ["intake", "suspend", "resume"]

    listings, requests = cli.all(["space", "listing", "list", "--json"],
                                 ["space", "request", "list", "--project", str(p1),
                                  "--json"])
    assert [(r["id"], r["status"], r["reserved_for"]) for r in listings.json()] == [
        (listing_id, "reserved", big.json()["id"])]
    assert {r["id"]: (r["status"], r["approval_id"], r["listing_id"])
            for r in requests.json()} == {
        big.json()["id"]: ("offered", big_aid, listing_id),
        small.json()["id"]: ("open", None, None),
        plant.json()["id"]: ("rejected", plant_aid, None)}
    with reading(engine) as session:
        states = {row["id"]: (row["state"], row["decided_by"])
                  for row in list_approvals(session, live, viewer=leader)}
    assert states == {big_aid: ("approved", LEADER2), plant_aid: ("rejected", LEADER2),
                      ext_aid: ("approved", leader), susp_aid: ("approved", LEADER2)}
    told = sorted((r.kind, r.recipient) for r in outbox_rows(engine)
                  if r.kind in ("approval_returned", "approval_decided", "listing_offered"))
    assert told == sorted([("approval_returned", alice)] + [("approval_decided", alice)] * 4
                          + [("listing_offered", alice)])


# ---------------------------------------------------------------- two leaders at once

def test_two_leaders_deciding_the_same_request_in_two_processes_one_wins(
        cli: Cli, engine: Engine, live: Park, staff: dict[str, str]) -> None:
    alice = staff["alice"]
    pid = seed_project(engine, live, alice, "量子精密测量")
    with writing(engine) as session:
        aid = file_extension(session, live, project_id=pid, days=10, reason="等待批复",
                             actor=alice).id
    before = snapshot(engine, pid)

    approve, reject = cli.started_together(
        ["approvals", "decide", str(aid), "approve", "--by", staff["leader"], "--json"],
        ["approvals", "decide", str(aid), "reject", "--by", LEADER2, "--comment", "不同意",
         "--json"])

    assert sorted((approve.code, reject.code)) == [0, 5], (approve, reject)
    winner, loser = (approve, reject) if approve.code == 0 else (reject, approve)
    assert_error(loser, 5, "conflict", "id")
    state = winner.json()["state"]
    event = {"approved": "approve", "rejected": "reject"}[state]
    with reading(engine) as session:
        e = columns(ApprovalEvent)
        decisions = session.execute(select(e.event).where(
            e.approval_id == aid, e.event != "submit")).scalars().all()
    assert decisions == [event]
    told = outbox_rows(engine, kind="approval_decided")
    assert [(r.recipient, r.payload["approval_id"]) for r in told] == [(alice, aid)]
    assert told[0].dedupe_key.split(":")[3] == event  # approval:ID:HISTORY:EVENT:recipient
    after = snapshot(engine, pid)
    assert after.version == before.version + (1 if event == "approve" else 0)
    assert len(after.adjustments) == (1 if event == "approve" else 0)
