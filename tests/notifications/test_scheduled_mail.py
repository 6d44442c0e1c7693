"""The weekly mails, the star inquiries and the monthly and quarterly reports, through the
outbox (SPEC §3).

Projects are changed through the use cases with the observers of `make_park`; the sweep and
delivery run with `run_once` at moments set on the injected clock, and what arrives is read
back from a real SMTP server and matched to its outbox row through the Message-ID.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from tests.factories import ALICE, BOB, LEADER, TASK_FORCE, VICE, at, seed_project
from tests.support.checks import outbox_rows
from tests.support.mail import ladder, received, sweep_at, text_of, visit
from tests.support.smtp_server import SmtpTestServer
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import follow_up

# ---------------------------------------------------------------- weekly mails

def test_the_agenda_goes_to_every_member_and_leader_on_monday_at_half_past_eight(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, "量子精密测量仪器")

    sweep_at(engine, live, smtp_server, at(11, 23, 8, 29), clock)
    assert outbox_rows(engine, kind="agenda") == []

    sweep_at(engine, live, smtp_server, at(11, 23, 8, 30), clock)

    agenda = outbox_rows(engine, kind="agenda")
    assert ladder(agenda) == {("agenda", who, at(11, 23, 8, 30)) for who in TASK_FORCE}
    assert {row.status for row in agenda} == {"sent"}
    mails = received(engine, smtp_server, "agenda")
    assert sorted(r for m in mails for r in m.rcpt_tos) == sorted(TASK_FORCE)
    assert all("量子精密测量仪器" in text_of(m) for m in mails)  # this week's new intake


def test_the_digest_goes_to_every_leader_on_monday_at_nine_listing_every_overdue_project(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    overdue = ["钙钛矿光伏组件", "固态锂电池电解质", "高通量基因测序仪"]
    seed_project(engine, live, ALICE, overdue[0], intake="2026-11-10")  # visit due 11-17
    seed_project(engine, live, BOB, overdue[1], intake="2026-11-12")  # visit due 11-19
    late_registration = seed_project(engine, live, ALICE, overdue[2], intake="2026-10-15")
    visit(engine, live, late_registration, on="2026-10-20")  # registration due 11-16
    seed_project(engine, live, ALICE, "环境监测传感网")  # due 11-27: on time

    sweep_at(engine, live, smtp_server, at(11, 23, 8, 59), clock)
    assert outbox_rows(engine, kind="digest") == []

    sweep_at(engine, live, smtp_server, at(11, 23, 9, 0), clock)

    digest = outbox_rows(engine, kind="digest")
    assert ladder(digest) == {("digest", who, at(11, 23)) for who in (LEADER, VICE)}
    assert {row.status for row in digest} == {"sent"}
    mails = received(engine, smtp_server, "digest")
    assert sorted(r for m in mails for r in m.rcpt_tos) == [LEADER, VICE]
    for mail in mails:
        body = text_of(mail)
        assert all(name in body for name in overdue), body
        assert "环境监测传感网" not in body
        assert "以下 3 个项目" in body


def test_no_digest_goes_out_on_a_monday_when_nothing_is_overdue(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, "环境监测传感网")  # visit due Fri 11-27

    sweep_at(engine, live, smtp_server, at(11, 23, 9, 0), clock)
    sweep_at(engine, live, smtp_server, at(11, 23, 12, 0), clock)
    assert outbox_rows(engine, kind="digest") == []
    assert received(engine, smtp_server, "digest") == []

    # the next Monday the visit is overdue: now the leaders hear of it
    sweep_at(engine, live, smtp_server, at(11, 30, 9, 0), clock)
    assert ladder(outbox_rows(engine, kind="digest", status="sent")) == {
        ("digest", who, at(11, 30)) for who in (LEADER, VICE)}


@pytest.mark.parametrize(("moment", "agenda", "digest"), [
    pytest.param(at(11, 23, 20, 29), "sent", "sent", id="agenda-11h59-late"),
    pytest.param(at(11, 23, 20, 45), "skipped", "sent", id="agenda-12h15-digest-11h45"),
    pytest.param(at(11, 23, 21, 1), "skipped", "skipped", id="both-over-12h-late"),
    pytest.param(at(11, 26, 9, 0), "skipped", "skipped", id="three-days-late"),
])
def test_a_periodic_mail_more_than_12_hours_late_is_recorded_skipped_not_sent(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer, moment: datetime, agenda: str, digest: str) -> None:
    seed_project(engine, live, ALICE, "钙钛矿光伏组件", intake="2026-11-10")  # overdue since 11-18

    sweep_at(engine, live, smtp_server, moment, clock)

    assert {row.status for row in outbox_rows(engine, kind="agenda")} == {agenda}
    assert {row.status for row in outbox_rows(engine, kind="digest")} == {digest}
    assert len(received(engine, smtp_server, "agenda")) == (5 if agenda == "sent" else 0)
    assert len(received(engine, smtp_server, "digest")) == (2 if digest == "sent" else 0)
    for row in outbox_rows(engine, status="skipped"):
        if row.kind in ("agenda", "digest"):
            assert (row.reason_code, row.reason_params) == ("late", {"hours": 12})


# ---------------------------------------------------------------- star follow-up inquiries

def test_a_star_project_without_follow_up_gets_an_inquiry_at_nine_on_the_eighth_day_weekly(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "高通量基因测序仪")
    visit(engine, live, project_id)  # Fri 11-20: four 4s → 3 stars

    assert ladder(outbox_rows(engine, kind="inquiry")) == {("inquiry", ALICE, at(11, 28))}
    sweep_at(engine, live, smtp_server, at(11, 28, 8, 59), clock)
    assert received(engine, smtp_server, "inquiry") == []

    sweep_at(engine, live, smtp_server, at(11, 28, 9, 0), clock)

    [first] = received(engine, smtp_server, "inquiry")
    assert first.rcpt_tos == [ALICE]
    assert "高通量基因测序仪" in text_of(first)
    assert ladder(outbox_rows(engine, kind="inquiry", status="pending")) == {
        ("inquiry", ALICE, at(12, 5))}

    sweep_at(engine, live, smtp_server, at(12, 5, 9, 0), clock)

    assert len(received(engine, smtp_server, "inquiry")) == 2
    assert ladder(outbox_rows(engine, kind="inquiry", status="pending")) == {
        ("inquiry", ALICE, at(12, 12))}


def test_logging_a_follow_up_cancels_the_pending_inquiry_and_restarts_the_seven_days(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "高通量基因测序仪")
    visit(engine, live, project_id)
    sweep_at(engine, live, smtp_server, at(11, 28, 9, 0), clock)  # the first inquiry
    [pending] = outbox_rows(engine, kind="inquiry", status="pending")  # due Sat 12-05

    clock.set(at(12, 1, 10))
    with writing(engine) as session:
        follow_up(session, live, project_id=project_id, actor=ALICE,
                  note="企业完成天使轮融资，下周看场地")

    assert {row.id: row.status for row in outbox_rows(engine, kind="inquiry")}[pending.id] == (
        "cancelled")
    assert ladder(outbox_rows(engine, kind="inquiry", status="pending")) == {
        ("inquiry", ALICE, at(12, 9))}  # 7 days from Tue 12-01, at 09:00 on the 8th day
    sweep_at(engine, live, smtp_server, at(12, 5, 9, 0), clock)
    assert len(received(engine, smtp_server, "inquiry")) == 1

    sweep_at(engine, live, smtp_server, at(12, 9, 9, 0), clock)

    inquiries = received(engine, smtp_server, "inquiry")
    assert len(inquiries) == 2
    assert "企业完成天使轮融资" in text_of(inquiries[-1])  # the last follow-up is quoted


def test_an_inquiry_that_could_not_be_delivered_does_not_end_the_weekly_inquiries(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "高通量基因测序仪")
    visit(engine, live, project_id)
    smtp_server.fail_rcpt(552, "5.2.2 Mailbox full")  # that week alice's mailbox was full
    sweep_at(engine, live, smtp_server, at(11, 28, 9, 0), clock)
    assert sorted(row.status for row in outbox_rows(engine, kind="inquiry")) == ["failed",
                                                                               "pending"]
    smtp_server.reset_failures()

    sweep_at(engine, live, smtp_server, at(12, 5, 9, 0), clock)

    # still no follow-up a week later: the owner is asked again
    [second] = received(engine, smtp_server, "inquiry")
    assert second.rcpt_tos == [ALICE]


def test_a_project_without_stars_gets_no_inquiry(
        engine: Engine, live: Park, task_force: dict[str, str]) -> None:
    project_id = seed_project(engine, live, ALICE, "无人机集群调度")
    visit(engine, live, project_id, scores=2)  # total 8 → 0 stars

    assert outbox_rows(engine, kind="inquiry") == []


# ---------------------------------------------------------------- monthly and quarterly reports

def test_the_leaders_get_the_monthly_dispatch_on_the_first_with_last_months_figures(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, "量子精密测量仪器", intake="2026-11-10")  # overdue on 11-18
    visit(engine, live, seed_project(engine, live, ALICE, "钙钛矿光伏组件", intake="2026-11-16"))
    sweep_at(engine, live, smtp_server, at(11, 30, 9, 0), clock)
    assert received(engine, smtp_server, "monthly_report") == []

    sweep_at(engine, live, smtp_server, at(12, 1, 9, 0), clock)
    sweep_at(engine, live, smtp_server, at(12, 1, 9, 5), clock)

    mails = received(engine, smtp_server, "monthly_report")
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted([LEADER, VICE])
    text = text_of(mails[0]).replace("\r\n", "\n")
    assert "2026年11月" in text and "新入库：2" in text and "走访：1" in text
    assert "月末逾期（按小组）\n  1. 项目组  逾期：1" in text  # by group, and by owner:
    assert "月末逾期（按负责人）\n  1. 李爱丽  逾期：1" in text
    subject = str(mails[0].message["Subject"])
    assert subject.startswith("【月调度】2026年11月") and "逾期 1 项" in subject
    # the same report as a workbook, attached
    [workbook] = list(mails[0].message.iter_attachments())
    assert workbook.get_filename() == "月调度-2026-11.xlsx"
    assert workbook.get_content_type() == ("application/vnd.openxmlformats-officedocument."
                                           "spreadsheetml.sheet")
    assert workbook.get_content()[:2] == b"PK"


def test_the_quarterly_summary_counts_openings_and_conversion_by_category(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    with reading(engine) as session:
        from notifications.reports import report_mail
        report, workbook = report_mail(session, live, "quarterly_report", at(10, 1, 9, 0),
                                       "zh-CN", lambda path: path)
    assert report["period"] == "2026年第3季度" and report["opened_count"] == 0
    conversion = next(s for s in report["sections"] if s["title"] == "本季度入库项目转化情况")
    assert [row[0]["text"] for row in conversion["rows"]] == ["科技成果转化类", "校友产业化类",
                                                             "创新平台类"]
    assert workbook.filename == "季总结-2026-Q3.xlsx" and workbook.content[:2] == b"PK"
    preview_kinds = {row["kind"] for row in _preview(engine, live, at(11, 20, 10, 0),
                                                     at(12, 31, 23, 59))}
    assert "monthly_report" in preview_kinds and "quarterly_report" not in preview_kinds


def _preview(engine: Engine, park: Park, now: datetime, until: datetime) -> list[dict[str, Any]]:
    from notifications.preview import preview
    with reading(engine) as session:
        return preview(session, park, now=now, until=until)
