"""The reminder ladder, the weekly mails and the star inquiries, through the outbox (SPEC §3).

Projects are changed through the use cases with the observers of `make_park`, so the outbox
rows are written in the same transaction as the state change; the sweep and delivery run
with `run_once` at moments set on the injected clock, and what arrives is read back from a
real SMTP server and matched to its outbox row through the Message-ID.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from db.engine import reading, writing
from db.models import OutboxMessage
from notifications.delivery import run_once
from notifications.mail import SmtpMailer
from parkflow.cli import app as cli
from tests.factories import (
    ALICE,
    BOB,
    CAROL,
    LEADER,
    MAIL_SETTINGS,
    PARK_TZ,
    VICE,
    outbox_rows,
    seed_project,
    text_of,
)
from tests.support.smtp_server import ReceivedMessage, SmtpTestServer
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import advance, follow_up
from workflow.users import add_user

TASK_FORCE = {LEADER, VICE, ALICE, CAROL, BOB}  # members and leaders, not the admin


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in park time, in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARK_TZ)


# ---------------------------------------------------------------- fixtures and helpers

def visit(engine: Engine, park: Park, project_id: int, *, scores: int = 4,
          on: str | None = None) -> None:
    fields = {"visitors": "王主任,李爱丽", "needs": "funding,space", "team": scores,
              "technology": scores, "capital": scores, "market": scores}
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="visit", actor=ALICE, at=on,
                fields=fields)


def ladder(rows: list[OutboxMessage]) -> set[tuple[str, str, datetime]]:
    """(kind, recipient, send_at in park time) of each row."""
    return {(row.kind, row.recipient, row.send_at.astimezone(PARK_TZ)) for row in rows}


def sweep_at(engine: Engine, park: Park, server: SmtpTestServer, moment: datetime,
             clock: FixedClock) -> dict[str, int]:
    """One `reminders run` at `moment`, as the scheduler would do it."""
    clock.set(moment)
    return run_once(engine, park, SmtpMailer(server.settings()), MAIL_SETTINGS, now=moment,
                    worker="test-sweeper")


def delivered(engine: Engine, server: SmtpTestServer) -> list[tuple[OutboxMessage,
                                                                    ReceivedMessage]]:
    """Every message the server received, with the outbox row it came from."""
    by_id = {row.message_id: row for row in outbox_rows(engine) if row.message_id}
    return [(by_id[str(m.message["Message-ID"])], m) for m in server.messages]


def received(engine: Engine, server: SmtpTestServer, kind: str) -> list[ReceivedMessage]:
    return [message for row, message in delivered(engine, server) if row.kind == kind]


# ---------------------------------------------------------------- the stage ladder

def test_a_leader_with_a_long_but_valid_address_does_not_stop_projects_being_added(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock) -> None:
    # 180 characters: within what users.email accepts (254), as long office addresses get
    office = "supervision-office-of-the-hefei-high-tech-zone-science-park-task-force"
    long_address = f"{office}.deputy-director@{'jianguan-bangongshi.' * 4}gov.cn"
    assert 160 < len(long_address) <= 254
    with writing(engine) as session:
        add_user(session, live.lifecycle, email=long_address, name="监管办副主任",
                 role="leader", now=clock.now())

    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    warned = {row.recipient for row in outbox_rows(engine, kind="warning", project_id=project_id)}
    assert long_address in warned


def test_a_project_entering_intake_gets_reminders_three_days_before_and_on_the_due_day(
        engine: Engine, live: Park, task_force: dict[str, str]) -> None:
    # entered on Friday 2026-11-20: the visit is due 7 days later, Friday 11-27 (a workday)
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    reminders = outbox_rows(engine, kind="reminder", project_id=project_id)

    assert ladder(reminders) == {("reminder", ALICE, at(11, 24)),
                                 ("reminder", ALICE, at(11, 27))}
    assert {row.status for row in reminders} == {"pending"}
    assert all(row.send_at.utcoffset() is not None for row in reminders)


def test_the_early_warning_goes_at_nine_the_day_after_the_due_day_to_owner_leads_and_leaders(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock) -> None:
    with writing(engine) as session:  # a lead of another group must not be told
        add_user(session, live.lifecycle, email="bob-lead@park.test", name="赵组长",
                 role="member", group="finance", group_lead=True, now=clock.now())
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    warnings = outbox_rows(engine, kind="warning", project_id=project_id)

    # alice's group (project) is led by carol; both leaders; not bob, not the admin
    assert ladder(warnings) == {("warning", who, at(11, 28)) for who in (ALICE, CAROL, LEADER,
                                                                       VICE)}


def test_an_owner_who_leads_the_group_is_warned_once(
        engine: Engine, live: Park, task_force: dict[str, str]) -> None:
    project_id = seed_project(engine, live, CAROL, "类脑芯片设计")

    warnings = outbox_rows(engine, kind="warning", project_id=project_id)

    assert sorted(row.recipient for row in warnings) == sorted([CAROL, LEADER, VICE])


def test_leaving_a_stage_cancels_its_pending_ladder_and_plans_the_next_stage(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock) -> None:
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")
    intake_rows = {row.id for row in outbox_rows(engine, project_id=project_id)}
    clock.set(at(11, 23, 15))

    visit(engine, live, project_id)

    rows = outbox_rows(engine, project_id=project_id)
    assert {row.status for row in rows if row.id in intake_rows} == {"cancelled"}
    # registration is due intake + 1 month = Sun 2026-12-20, rolled forward to Mon 12-21
    new = [row for row in rows if row.id not in intake_rows and row.kind != "inquiry"]
    assert ladder(new) == {("reminder", ALICE, at(12, 18)), ("reminder", ALICE, at(12, 21)),
                           *{("warning", who, at(12, 22)) for who in (ALICE, CAROL, LEADER,
                                                                      VICE)}}
    assert {row.status for row in new} == {"pending"}


def test_a_cancelled_rung_is_never_sent(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")
    visit(engine, live, project_id, scores=2)  # no stars: no inquiry either

    sweep_at(engine, live, smtp_server, at(11, 28, 10), clock)

    assert [row.kind for row, _ in delivered(engine, smtp_server)
            if row.project_id == project_id] == []


@pytest.mark.parametrize(("resume", "sent", "skipped"), [
    pytest.param(at(11, 27, 10), {("reminder", ALICE, at(11, 27))},
                 {("reminder", ALICE, at(11, 24))}, id="back-on-the-due-day"),
    pytest.param(at(11, 28, 10), {("warning", w, at(11, 28)) for w in (ALICE, CAROL, LEADER,
                                                                     VICE)},
                 {("reminder", ALICE, at(11, 24)), ("reminder", ALICE, at(11, 27))},
                 id="back-the-day-after"),
])
def test_after_downtime_only_the_latest_due_rung_is_sent_and_overtaken_ones_are_skipped(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer, resume: datetime, sent: set[Any],
        skipped: set[Any]) -> None:
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    sweep_at(engine, live, smtp_server, resume, clock)  # the first sweep since Friday

    assert ladder(outbox_rows(engine, project_id=project_id, status="sent")) == sent
    assert ladder(outbox_rows(engine, project_id=project_id, status="skipped")) == skipped
    stage_mail = [(row.kind, m.rcpt_tos) for row, m in delivered(engine, smtp_server)
                  if row.project_id == project_id]
    assert sorted(stage_mail) == sorted((kind, [who]) for kind, who, _ in sent)
    assert all(row.reason_code == "overtaken"
               for row in outbox_rows(engine, project_id=project_id, status="skipped"))


def test_each_rung_goes_out_on_its_own_day_when_nothing_was_down(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    for moment in (at(11, 24), at(11, 27), at(11, 28)):
        sweep_at(engine, live, smtp_server, moment, clock)

    rows = outbox_rows(engine, project_id=project_id)
    assert Counter(row.status for row in rows) == {"sent": 6}
    assert all(row.sent_at == row.send_at for row in rows)


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


# ---------------------------------------------------------------- `reminders run` is idempotent

def test_reminders_run_twice_at_the_same_moment_sends_nothing_the_second_time(
        engine: Engine, live: Park, task_force: dict[str, str], db_url: str,
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, "量子精密测量仪器")  # visit due 11-27: warnings on 11-28
    seed_project(engine, live, ALICE, "钙钛矿光伏组件",
                 intake="2026-11-10")  # overdue on Monday 11-23
    env = {"PARKFLOW_DATABASE_URL": db_url, "PARKFLOW_SMTP_URL": smtp_server.url,
           "PARKFLOW_BASE_URL": MAIL_SETTINGS.base_url, "PARKFLOW_LANG": "en",
           "PARKFLOW_TEST_NOW": "2026-11-28T10:00:00+08:00"}
    command = ["reminders", "run", "--json"]
    runner = CliRunner()

    first = runner.invoke(cli, command, env=env)
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)
    after_first = len(smtp_server.messages)

    second = runner.invoke(cli, command, env=env)

    assert second.exit_code == 0, second.output
    assert counts["sent"] == after_first > 0
    assert counts["skipped"] > 0  # the overtaken rungs and the Monday mails 2 days late
    assert json.loads(second.stdout) == {"sent": 0, "failed": 0, "retrying": 0, "skipped": 0,
                                         "cancelled": 0}
    assert len(smtp_server.messages) == after_first
    ids = [str(m.message["Message-ID"]) for m in smtp_server.messages]
    assert len(set(ids)) == len(ids)


def test_admins_are_told_once_when_a_deadline_falls_in_a_year_not_loaded(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    clock.set(at(12, 28, 10, 0))
    seed_project(engine, live, ALICE, "跨年项目", intake="2026-12-28")  # visit due 2027-01-04
    sweep_at(engine, live, smtp_server, at(12, 28, 10, 5), clock)
    sweep_at(engine, live, smtp_server, at(12, 29, 9, 0), clock)

    [mail] = received(engine, smtp_server, "calendar_missing")
    assert mail.rcpt_tos == ["admin@park.test"]
    assert "2027" in text_of(mail) and "跨年项目" in text_of(mail)


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
    text = text_of(mails[0])
    assert "2026年11月" in text and "走访：1" in text and "逾期情况（共 1 项）" in text
    assert "责任人 李爱丽：1" in text  # counted by owner (and by group)


def test_the_quarterly_summary_counts_openings_and_conversion_by_category(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    with reading(engine) as session:
        from notifications.reports import quarterly
        report = quarterly(session, live, at(10, 1, 9, 0), "zh-CN",
                           lambda path: path)["report"]
    assert report["period"] == "2026年第3季度" and report["opened"] == []
    assert {c["label"] for c in report["categories"]} == {"科技成果转化类", "校友产业化类",
                                                        "创新平台类"}
    preview_kinds = {row["kind"] for row in _preview(engine, live, at(11, 20, 10, 0),
                                                     at(12, 31, 23, 59))}
    assert "monthly_report" in preview_kinds and "quarterly_report" not in preview_kinds


def _preview(engine: Engine, park: Park, now: datetime, until: datetime) -> list[dict[str, Any]]:
    from notifications.preview import preview
    with reading(engine) as session:
        return preview(session, park, now=now, until=until)
