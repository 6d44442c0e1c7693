"""Delivering the outbox over real SMTP: what arrives, and what happens when the server says no.

Every test runs the real delivery path (`run_once`: sweep, claim, render, send, settle)
against an aiosmtpd server, on SQLite and on PostgreSQL, with simulated time only.
"""

from __future__ import annotations

import html
import json
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any, cast

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from db.engine import reading, writing
from db.models import OutboxMessage
from notifications import delivery, outbox
from notifications.delivery import run_once
from notifications.mail import SmtpMailer
from notifications.render import RenderError
from parkflow.cli import app as cli
from tests.factories import ALICE, PARK_TZ, seed_project
from tests.support.mail import BASE_URL, MAIL_SETTINGS, SCRIPT
from tests.support.smtp_server import ReceivedMessage, SmtpTestServer
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotFound
from workflow.park import Park
from workflow.projects import deadline_of, load_snapshot
from workflow.users import add_user

ERIN = "erin@park.test"  # a member who reads English
THREE_DAYS_BEFORE = datetime(2026, 11, 24, 9, 0, tzinfo=PARK_TZ)  # first rung of a 11-20 intake


# ---------------------------------------------------------------- helpers

def run(engine: Engine, park: Park, server: SmtpTestServer, now: datetime) -> dict[str, int]:
    return run_once(engine, park, SmtpMailer(server.settings()), MAIL_SETTINGS, now=now,
                    worker="test-worker")


def row(engine: Engine, row_id: int | None) -> OutboxMessage:
    assert row_id is not None
    with reading(engine) as session:
        found = session.get(OutboxMessage, row_id)
    assert found is not None
    return found


def first_reminder(engine: Engine, project_id: int) -> OutboxMessage:
    """The three-days-before reminder of a project's current stage."""
    with reading(engine) as session:
        rows = outbox.list_rows(session, project_id=project_id)
    return next(r for r in rows if r.kind == "reminder")


def ident(message: OutboxMessage) -> int:
    assert message.id is not None
    return message.id


def part(message: ReceivedMessage, subtype: str) -> str:
    body = message.message.get_body(preferencelist=(subtype,))
    assert body is not None and body.get_content_type() == f"text/{subtype}"
    return cast(str, cast(EmailMessage, body).get_content())


def raw_subject(message: ReceivedMessage) -> str:
    """The Subject as it travelled, before decoding."""
    head = message.raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    line = next(h for h in head.split(b"\r\n") if h.lower().startswith(b"subject:"))
    return line.decode("ascii")


def explanation(engine: Engine, park: Park, project_id: int, lang: str) -> str:
    with reading(engine) as session:
        deadline = deadline_of(park, session, load_snapshot(session, project_id), lang)
    assert deadline is not None
    return deadline.explanation


# ---------------------------------------------------------------- what arrives

def test_a_reminder_arrives_as_multipart_alternative_in_chinese_with_link_and_explanation(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    project_id = seed_project(engine, live, ALICE, "量子精密测量仪器")

    counts = run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    assert counts["sent"] == 1
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == [ALICE]
    assert mail.message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.message.iter_parts()] == ["text/plain",
                                                                         "text/html"]
    assert raw_subject(mail).isascii()  # encoded on the wire…
    subject = str(make_header(decode_header(str(mail.message["Subject"]))))
    assert subject.startswith("【到期提醒】量子精密测量仪器")  # …and decodes to Chinese
    assert "2026年11月27日" in subject
    url = f"{BASE_URL}/projects/{project_id}"
    why = explanation(engine, live, project_id, "zh-CN")
    assert why.startswith("入库 2026-11-20 + 7天 = 2026-11-27")
    text, page = part(mail, "plain"), part(mail, "html")
    assert url in text and f'href="{url}"' in page
    assert why in text and html.escape(why, quote=False) in page
    assert "还有 3 天到期" in text
    sent = first_reminder(engine, project_id)
    assert (sent.status, sent.message_id) == ("sent", mail.message["Message-ID"])


def test_the_date_header_is_in_the_parks_time_whatever_the_clock_gives(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    """The system clock gives UTC: the header said +0000 where the text says 09:00."""
    seed_project(engine, live, ALICE, "量子精密测量仪器")
    run(engine, live, smtp_server, THREE_DAYS_BEFORE.astimezone(UTC))
    [mail] = smtp_server.messages
    assert mail.message["Date"] == "Tue, 24 Nov 2026 09:00:00 +0800"


def test_a_member_who_reads_english_gets_the_reminder_in_english(
        engine: Engine, live: Park, people: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    with writing(engine) as session:
        add_user(session, live.lifecycle, email=ERIN, name="Erin Walsh", role="member",
                 group="project", lang="en", now=clock.now())
    project_id = seed_project(engine, live, ERIN, "Quantum sensing lab")

    run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    [mail] = smtp_server.messages
    assert str(mail.message["Subject"]).startswith("[Reminder] Quantum sensing lab")
    text = part(mail, "plain")
    assert text.startswith("Dear Erin Walsh,")
    why = explanation(engine, live, project_id, "en")
    assert why.startswith("intake 2026-11-20 + 7 days = 2026-11-27")
    assert why in text
    assert f"{BASE_URL}/projects/{project_id}" in text
    assert "您好" not in text and "您好" not in part(mail, "html")
    assert 'lang="en"' in part(mail, "html")


def test_a_project_named_like_a_script_arrives_escaped_in_the_html_part(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, SCRIPT)

    run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    [mail] = smtp_server.messages
    page = part(mail, "html")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT in part(mail, "plain")  # plain text is not HTML: shown as typed


# ---------------------------------------------------------------- temporary failures

def test_a_4xx_keeps_the_row_pending_with_attempts_and_backoff_and_reports_it_retrying(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))
    smtp_server.fail_rcpt(451)
    now = THREE_DAYS_BEFORE

    seen = []
    for _ in range(4):
        counts = run(engine, live, smtp_server, now)
        current = row(engine, reminder.id)
        seen.append((counts["retrying"], counts["failed"], current.status, current.attempts,
                     current.next_attempt_at - now))
        assert current.last_error is not None and "451 4.3.0 Local error" in current.last_error
        assert (current.reason_code, current.reason_params["attempts"]) == (
            "retrying", current.attempts)
        # before the backoff has passed, nothing is tried
        assert run(engine, live, smtp_server, current.next_attempt_at
                   - timedelta(seconds=1))["retrying"] == 0
        now = current.next_attempt_at

    minutes = [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert seen == [(1, 0, "pending", n, wait) for n, wait in zip(range(1, 5), minutes,
                                                                  strict=True)]
    assert smtp_server.messages == []


@pytest.mark.parametrize("failure", ["rcpt-451", "data-421", "server-down"])
def test_after_24_hours_of_temporary_failures_the_row_fails_with_the_servers_reason(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer, failure: str) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))
    expected = {"rcpt-451": "451 4.3.0 Local error", "data-421": "421 4.3.2 Service shutting",
                "server-down": "cannot reach 127.0.0.1"}[failure]
    if failure == "rcpt-451":
        smtp_server.fail_rcpt(451)
    elif failure == "data-421":
        smtp_server.fail_data(421)
    else:
        smtp_server.stop()
    now, runs = reminder.send_at, []

    for _ in range(100):  # bounded: the backoff is at most an hour
        runs.append((now, run(engine, live, smtp_server, now)))
        current = row(engine, reminder.id)
        if current.status != "pending":
            break
        now = current.next_attempt_at

    assert current.status == "failed"
    assert current.last_error is not None and expected in current.last_error
    assert current.reason_code == "delivery_failed"
    assert expected in current.reason_params["error"]
    assert [counts["retrying"] for _, counts in runs[:-1]] == [1] * (len(runs) - 1)
    last_try, last_counts = runs[-1]
    assert last_counts["failed"] == 1
    window_end = reminder.send_at + timedelta(hours=24)
    # retried for the whole day: the last try was within the window, the next would be past it
    assert window_end - timedelta(hours=1) < last_try <= window_end
    assert current.attempts == len(runs) > 20


# ---------------------------------------------------------------- permanent failures

@pytest.mark.parametrize(("fail", "reason"), [
    ("rcpt", "550 5.1.1 Mailbox unavailable"),
    ("data", "554 5.7.1 Message rejected as spam"),
])
def test_a_5xx_fails_the_row_at_once_with_the_servers_reason(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer, fail: str, reason: str) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))
    code = int(reason[:3])
    if fail == "rcpt":
        smtp_server.fail_rcpt(code)
    else:
        smtp_server.fail_data(code)

    counts = run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    assert (counts["sent"], counts["failed"], counts["retrying"]) == (0, 1, 0)
    failed = row(engine, reminder.id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error is not None and reason in failed.last_error
    assert failed.reason_code == "delivery_failed" and reason in failed.reason_params["error"]
    # a later run does not try again
    later = run(engine, live, smtp_server, THREE_DAYS_BEFORE + timedelta(hours=2))
    assert later["failed"] == later["retrying"] == 0
    assert row(engine, reminder.id).attempts == 1


def test_retrying_a_failed_row_makes_it_pending_and_the_next_run_delivers_it(
        engine: Engine, live: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))
    smtp_server.fail_rcpt(550)
    run(engine, live, smtp_server, THREE_DAYS_BEFORE)
    smtp_server.reset_failures()
    fixed = THREE_DAYS_BEFORE + timedelta(hours=3)  # someone corrected the mailbox

    with writing(engine) as session:
        outbox.retry(session, ident(reminder), now=fixed)

    again = row(engine, reminder.id)
    assert (again.status, again.next_attempt_at) == ("pending", fixed)
    assert again.retry_until == fixed + timedelta(hours=24)
    counts = run(engine, live, smtp_server, fixed)
    assert counts["sent"] == 1
    assert row(engine, reminder.id).status == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages] == [[ALICE]]


def test_only_a_failed_row_can_be_retried(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))

    with writing(engine) as session, pytest.raises(Conflict):
        outbox.retry(session, ident(reminder), now=THREE_DAYS_BEFORE)
    with writing(engine) as session, pytest.raises(NotFound):
        outbox.retry(session, 999_999, now=THREE_DAYS_BEFORE)


def test_outbox_retry_on_the_command_line_queues_a_failed_row_for_the_next_run(
        engine: Engine, live: Park, people: dict[str, str], db_url: str,
        smtp_server: SmtpTestServer) -> None:
    reminder = first_reminder(engine, seed_project(engine, live, ALICE, "量子精密测量仪器"))
    env = {"PARKFLOW_DATABASE_URL": db_url, "PARKFLOW_SMTP_URL": smtp_server.url,
           "PARKFLOW_BASE_URL": BASE_URL, "PARKFLOW_LANG": "en",
           "PARKFLOW_TEST_NOW": THREE_DAYS_BEFORE.isoformat()}
    runner = CliRunner()
    smtp_server.fail_rcpt(550)
    first = runner.invoke(cli, ["reminders", "run", "--now", THREE_DAYS_BEFORE.isoformat(),
                                "--json"], env=env)
    assert first.exit_code == 0, first.output  # failures are reported, not an error
    assert json.loads(first.stdout)["failed"] == 1
    listed = runner.invoke(cli, ["outbox", "list", "--status", "failed", "--json"], env=env)
    [failed] = json.loads(listed.stdout)
    assert failed["id"] == reminder.id and "550 5.1.1" in failed["reason"]
    smtp_server.reset_failures()

    retried = runner.invoke(cli, ["outbox", "retry", str(reminder.id)], env=env)

    assert retried.exit_code == 0, retried.output
    queued = row(engine, reminder.id)
    assert queued.status == "pending"
    # `outbox retry` queues the row at the command's now; run at that moment
    again = runner.invoke(cli, ["reminders", "run", "--now", queued.next_attempt_at.isoformat(),
                                "--json"], env=env)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["sent"] >= 1
    assert row(engine, reminder.id).status == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages].count([ALICE]) >= 1
    assert runner.invoke(cli, ["outbox", "retry", str(reminder.id)], env=env).exit_code == 5
    assert runner.invoke(cli, ["outbox", "retry", "999999"], env=env).exit_code == 4


def test_a_row_that_fails_unexpectedly_is_logged_and_retried_and_the_others_still_go_out(
        engine: Engine, live: Park, people: dict[str, str], smtp_server: SmtpTestServer,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    projects = [seed_project(engine, live, ALICE, f"项目{n}") for n in range(3)]
    broken = first_reminder(engine, projects[1])
    real_render = delivery.render_message

    def template_that_raises(kind: str, context: Any, **options: Any) -> Any:
        if context["project"]["id"] == projects[1]:
            raise RuntimeError("the template blew up")
        return real_render(kind, context, **options)
    monkeypatch.setattr(delivery, "render_message", template_that_raises)

    with caplog.at_level(logging.ERROR, logger="parkflow.delivery"):
        counts = run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    assert counts["sent"] == 2 and counts["retrying"] == 1
    assert sorted(m.rcpt_tos for m in smtp_server.messages) == [[ALICE], [ALICE]]
    after = row(engine, broken.id)
    assert (after.status, after.attempts, after.locked_by) == ("pending", 1, None)
    assert after.next_attempt_at == THREE_DAYS_BEFORE + timedelta(minutes=1)
    assert after.last_error is not None and "the template blew up" in after.last_error
    assert any("failed unexpectedly" in r.getMessage() for r in caplog.records)
    with reading(engine) as session:  # nothing of the batch is left leased
        assert all(r.locked_by is None for r in outbox.list_rows(session))

    monkeypatch.setattr(delivery, "render_message", real_render)
    assert run(engine, live, smtp_server, after.next_attempt_at)["sent"] == 1
    assert row(engine, broken.id).status == "sent"


def test_a_message_that_cannot_be_rendered_fails_at_once_and_the_others_still_go_out(
        engine: Engine, live: Park, people: dict[str, str], smtp_server: SmtpTestServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    projects = [seed_project(engine, live, ALICE, f"项目{n}") for n in range(3)]
    broken = first_reminder(engine, projects[1])
    real_render = delivery.render_message

    def template_with_a_bug(kind: str, context: Any, **options: Any) -> Any:
        if context["project"]["id"] == projects[1]:
            raise RenderError(kind, "zh-CN", "UndefinedError: 'deadline' is undefined")
        return real_render(kind, context, **options)
    monkeypatch.setattr(delivery, "render_message", template_with_a_bug)

    counts = run(engine, live, smtp_server, THREE_DAYS_BEFORE)

    assert counts["sent"] == 2 and counts["failed"] == 1
    assert sorted(m.rcpt_tos for m in smtp_server.messages) == [[ALICE], [ALICE]]
    after = row(engine, broken.id)
    assert (after.status, after.reason_code, after.locked_by) == ("failed", "render_failed", None)
    assert after.last_error is not None and "'deadline' is undefined" in after.last_error
    with reading(engine) as session:  # the mails sent before and after it are recorded
        statuses = Counter(r.status for r in outbox.list_rows(session))
    assert (statuses["sent"], statuses["failed"]) == (2, 1)


# ---------------------------------------------------------------- an outage

def test_an_hour_long_smtp_outage_ends_with_everything_due_delivered_exactly_once(
        engine: Engine, live: Park, people: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    seed_project(engine, live, ALICE, "钙钛矿光伏组件",
                 intake="2026-11-10")  # overdue: a Monday digest
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=PARK_TZ))
    seed_project(engine, live, ALICE, "量子精密测量仪器")  # visit due Mon 11-30: reminder at 09:00
    start = datetime(2026, 11, 30, 8, 0, tzinfo=PARK_TZ)
    run(engine, live, smtp_server, start)  # everything before the outage
    before = len(smtp_server.messages)
    smtp_server.stop()
    down_until = start + timedelta(minutes=80)  # down 08:20–09:20: agenda, digest, reminder

    totals: Counter[str] = Counter()
    now = start + timedelta(minutes=20)
    while now <= start + timedelta(hours=4):
        if now >= down_until and not smtp_server.running:
            smtp_server.start()
        totals.update(run(engine, live, smtp_server, now))
        if now < down_until:
            assert smtp_server.messages[before:] == []
        now += timedelta(minutes=5)

    assert totals["retrying"] > 0 and totals["failed"] == 0
    with reading(engine) as session:
        due = [r for r in outbox.list_rows(session) if r.send_at <= now and r.status != "skipped"]
    assert {r.status for r in due} == {"sent"}
    during = {r.message_id for r in due if r.send_at > start}
    assert {r.kind for r in due if r.send_at > start} == {"agenda", "digest", "reminder"}
    ids = Counter(str(m.message["Message-ID"]) for m in smtp_server.messages)
    assert set(ids) == {r.message_id for r in due}
    assert all(n == 1 for n in ids.values()), ids
    assert len(during) == 4 + 1 + 1  # three members and the leader; the leader; the owner
