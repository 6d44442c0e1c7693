"""The reminder ladder of each stage, and `reminders run`, through the outbox (SPEC §3).

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

from db.engine import writing
from parkflow.cli import app as cli
from tests.factories import ALICE, CAROL, LEADER, VICE, at, seed_project
from tests.support.checks import outbox_rows
from tests.support.mail import MAIL_SETTINGS, delivered, ladder, received, sweep_at, text_of, visit
from tests.support.smtp_server import SmtpTestServer
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.users import add_user

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
