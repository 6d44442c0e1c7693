"""The scheduled mails' dates through the sweep, the outbox and a real SMTP server (issue 9):
the 月调度 on the first working day of the month for the month before, the 季总结 likewise
for the quarter before, the 周例会 agenda off a Monday holiday, and each period sent once —
across a catch-up after downtime and across a calendar loaded after a mail went out.

The 2027 arrangement is the made-up notice in tests/data, imported as an admin would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine

from db.engine import writing
from db.models import OutboxMessage
from tests.factories import LEADER, SAMPLE_2027, TASK_FORCE, VICE, drop_year, on
from tests.support.checks import outbox_rows
from tests.support.mail import ladder, received, sweep_at
from tests.support.smtp_server import SmtpTestServer
from workflow.clock import FixedClock
from workflow.notice_import import import_notice
from workflow.park import Park

LEADERS = (LEADER, VICE)


@pytest.fixture
def calendar_2027(engine: Engine, live: Park, task_force: dict[str, str]) -> Iterator[None]:
    """The 2027 notice imported by the admin (at NOW); dropped afterwards, as on PostgreSQL
    the calendar tables outlive the test."""
    load_2027(engine, live, task_force["admin"])
    yield
    with writing(engine) as session:
        drop_year(session, 2027)


def load_2027(engine: Engine, park: Park, admin: str) -> None:
    with writing(engine) as session:
        import_notice(session, park, text=SAMPLE_2027, year=2027, actor=admin,
                      now=park.now(), dry_run=False)


def series(engine: Engine, name: str) -> list[OutboxMessage]:
    return [row for row in outbox_rows(engine) if row.series == name]


def subjects(engine: Engine, server: SmtpTestServer, kind: str) -> list[str]:
    return sorted(str(m.message["Subject"]) for m in received(engine, server, kind))


# ---------------------------------------------------------------- which period, which title

def test_the_dispatch_sent_on_december_1_2026_is_titled_november(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    sweep_at(engine, live, smtp_server, on("2026-12-01"), clock)

    assert subjects(engine, smtp_server, "monthly_report") == [
        "【月调度】2026年11月项目推进情况（逾期 0 项）"] * 2
    rows = series(engine, "monthly_report:2026-12-01")
    assert ladder(rows) == {("monthly_report", who, on("2026-12-01")) for who in LEADERS}
    assert {(row.reason_code, tuple(sorted(row.reason_params.items()))) for row in rows} == {
        ("monthly_report", (("day", "2026-12-01"), ("month", "2026-11-01")))}


def test_in_january_2027_both_reports_wait_for_monday_the_4th_after_new_years_day(
        engine: Engine, live: Park, calendar_2027: None, clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    sweep_at(engine, live, smtp_server, on("2026-12-01"), clock)
    for moment in (on("2027-01-01"), on("2027-01-02"), on("2027-01-03"),
                   on("2027-01-04", "08:59")):
        sweep_at(engine, live, smtp_server, moment, clock)
        assert series(engine, "monthly_report:2027-01-01") == []
        assert series(engine, "quarterly_report:2027-01-01") == []

    sweep_at(engine, live, smtp_server, on("2027-01-04"), clock)

    assert ladder(series(engine, "monthly_report:2027-01-01")) == {
        ("monthly_report", who, on("2027-01-04")) for who in LEADERS}
    assert ladder(series(engine, "quarterly_report:2027-01-01")) == {
        ("quarterly_report", who, on("2027-01-04")) for who in LEADERS}
    assert subjects(engine, smtp_server, "monthly_report") == [
        "【月调度】2026年11月项目推进情况（逾期 0 项）"] * 2 + [
        "【月调度】2026年12月项目推进情况（逾期 0 项）"] * 2
    assert subjects(engine, smtp_server, "quarterly_report") == [
        "【季总结】2026年第4季度：新开业 0 个项目"] * 2


# ---------------------------------------------------------------- the agenda

def test_the_agenda_of_qingming_monday_2027_goes_out_on_tuesday_at_half_past_eight(
        engine: Engine, live: Park, calendar_2027: None, clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    for moment in (on("2027-04-05", "08:30"), on("2027-04-06", "08:29")):
        sweep_at(engine, live, smtp_server, moment, clock)
        assert series(engine, "agenda:2027-04-05") == []

    sweep_at(engine, live, smtp_server, on("2027-04-06", "08:30"), clock)

    rows = series(engine, "agenda:2027-04-05")
    assert ladder(rows) == {("agenda", who, on("2027-04-06", "08:30")) for who in TASK_FORCE}
    assert {row.status for row in rows} == {"sent"}


def test_no_agenda_in_the_spring_festival_week_2027_and_the_next_on_monday_the_15th(
        engine: Engine, live: Park, calendar_2027: None, clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    sweep_at(engine, live, smtp_server, on("2027-02-01", "08:30"), clock)
    for day in range(8, 15):  # Monday 8 to Sunday 14, all off
        sweep_at(engine, live, smtp_server, on(f"2027-02-{day:02}", "08:30"), clock)

    sweep_at(engine, live, smtp_server, on("2027-02-15", "08:30"), clock)

    sent = {row.series for row in outbox_rows(engine, kind="agenda", status="sent")}
    assert sent == {"agenda:2027-02-01", "agenda:2027-02-15"}
    assert len(received(engine, smtp_server, "agenda")) == 2 * len(TASK_FORCE)


# ---------------------------------------------------------------- exactly once

@pytest.mark.parametrize(("back_at", "status", "mails"), [
    pytest.param(on("2027-01-04", "14:00"), "sent", 2, id="back-5h-after-the-slot"),
    pytest.param(on("2027-01-05", "10:00"), "skipped", 0, id="back-25h-after-it"),
])
def test_catching_up_after_downtime_settles_each_period_once(
        engine: Engine, live: Park, calendar_2027: None, clock: FixedClock,
        smtp_server: SmtpTestServer, back_at: datetime, status: str, mails: int) -> None:
    sweep_at(engine, live, smtp_server, on("2026-12-01"), clock)  # then down until back_at

    for moment in (back_at, back_at, on("2027-01-11"), on("2027-01-31", "23:59")):
        sweep_at(engine, live, smtp_server, moment, clock)

    for kind in ("monthly_report", "quarterly_report"):
        rows = series(engine, f"{kind}:2027-01-01")
        assert ladder(rows) == {(kind, who, on("2027-01-04")) for who in LEADERS}
        assert {row.status for row in rows} == {status}
        assert len(received(engine, smtp_server, kind)) == mails + (
            2 if kind == "monthly_report" else 0)  # and November's, sent on December 1
    assert [row.series for row in outbox_rows(engine, kind="monthly_report")].count(
        "monthly_report:2026-12-01") == 2  # nothing more for the past periods


def test_a_calendar_loaded_after_the_dispatch_went_out_does_not_send_it_again(
        engine: Engine, live: Park, task_force: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    # 2027 not loaded yet: New Year's Day is a Friday like any other (the admins are warned)
    sweep_at(engine, live, smtp_server, on("2027-01-01"), clock)
    assert ladder(series(engine, "monthly_report:2027-01-01")) == {
        ("monthly_report", who, on("2027-01-01")) for who in LEADERS}

    clock.set(on("2027-01-02"))
    try:
        load_2027(engine, live, task_force["admin"])
        sweep_at(engine, live, smtp_server, on("2027-01-04"), clock)
    finally:
        with writing(engine) as session:
            drop_year(session, 2027)

    assert len(series(engine, "monthly_report:2027-01-01")) == 2
    assert len(received(engine, smtp_server, "monthly_report")) == 2
