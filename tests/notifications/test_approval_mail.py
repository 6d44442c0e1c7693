"""The approval flow's mail, delivered from the outbox to a real SMTP server (aiosmtpd):
who is asked, who is told the outcome, the due-day reminder and the weekly agenda.
"""

from __future__ import annotations

from datetime import datetime
from email.header import decode_header, make_header

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from notifications.delivery import run_once
from notifications.mail import SmtpMailer
from parkflow.wiring import make_park
from tests.factories import (
    LEADER,
    LEADER2,
    NOW,
    PARK_TZ,
    decided,
    extension,
    on,
    seed_project,
    space,
    suspension,
)
from tests.support.checks import outbox_rows
from tests.support.mail import BASE_URL, MAIL_SETTINGS, text_of
from tests.support.smtp_server import ReceivedMessage, SmtpTestServer
from workflow.approvals import list_approvals, resubmit
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.space import add_listing, offer

# the second leader is in place before `project` is entered: they are warned too
pytestmark = pytest.mark.usefixtures("staff")


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
                           area=1600, type="office", actor=LEADER, now=clock.now())
        assert unit.id is not None
        offer(session, live, request_id=filed["id"], listing_id=unit.id, actor=alice)
    deliver(engine, live, smtp_server, clock.now())
    offered = mails(smtp_server, "【房源推荐】")
    assert set(offered) == {carol, alice}
    assert subject(offered[alice]) == (
        "【房源推荐】合肥创新产业园 B3 501（办公用房 1,600 m²）可供“量子精密测量”选用")
    assert "1,500 m²" in text_of(offered[alice])
    assert len(smtp_server.messages) == 2


def test_the_request_mail_names_the_decisions_by_the_buttons_the_leader_will_press(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    space(engine, live, project, staff["carol"], area=1500)
    deliver(engine, live, smtp_server, NOW)
    asked = mails(smtp_server, "【待审批】") | mails(smtp_server, "[Approval needed]")
    events = live.approvals.lifecycle.events
    chinese, english = text_of(asked[staff["leader"]]), text_of(asked[LEADER2])
    zh = [events[e].label["zh-CN"] for e in ("approve", "reject", "return")]
    assert zh == ["批准", "驳回", "退回补充"]  # states/approval.yaml, as the inbox shows them
    assert "选择“批准”“驳回”或“退回补充”；选择“退回补充”时" in chinese
    assert "同意”" not in chinese and "退回修改" not in chinese
    assert "choose “Approve”, “Reject” or “Return”. When you choose “Return”" in english


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
    # last week's report (11-16 … 11-22), as the meeting reads it: oldest request first
    assert "待审批事项（按提交先后）：2" in body
    assert ("延期申请  项目：量子精密测量  申请人：李爱丽  提交日期：2026年11月20日 10:00"
            in body)
    assert ("用房申请  项目：量子精密测量  申请人：李爱丽  提交日期：2026年11月20日 10:00"
            in body)
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


def _due(engine: Engine, park: Park, project_id: int) -> str:
    """The project's deadline as the mails write it."""
    from i18n.formats import format_period_end
    from workflow.projects import deadline_of, load_snapshot
    with reading(engine) as session:
        deadline = deadline_of(park, session, load_snapshot(session, project_id), "zh-CN")
    assert deadline is not None
    return format_period_end(deadline.due_date, "zh-CN")


def test_an_extension_mail_gives_the_deadline_a_leader_weighs_and_the_one_it_moved_to(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    """The request said neither deadline, nor the unit of its days; its stage came twice."""
    before = _due(engine, live, project)
    aid = extension(engine, live, project, staff["alice"], days=10)
    deliver(engine, live, smtp_server, NOW)
    body = text_of(mails(smtp_server, "【待审批】")[staff["leader"]])
    assert "延期天数：10 天" in body and f"当前截止时间：{before}" in body
    assert "申请涉及阶段：已入库·待走访" in body
    assert body.count("当前阶段") == 1
    decided(engine, live, aid, "approve", staff["leader"])
    after = _due(engine, live, project)
    assert after != before
    deliver(engine, live, smtp_server, NOW)
    [mail] = mails(smtp_server, "【审批结果】").values()
    assert f"当前截止时间：{after}" in text_of(mail)


def test_an_approved_suspension_tells_the_owner_the_clock_stands_still(
        engine: Engine, live: Park, staff: dict[str, str], project: int,
        smtp_server: SmtpTestServer) -> None:
    """It told them to press on with the next steps, of a project now paused."""
    aid = suspension(engine, live, project, staff["alice"])
    decided(engine, live, aid, "approve", staff["leader"])
    deliver(engine, live, smtp_server, NOW)
    [mail] = mails(smtp_server, "【审批结果】").values()
    body = text_of(mail)
    assert "项目已暂停，时限停止计算" in body
    assert "抓紧推进" not in body
