"""APScheduler as a clock: fixed job ids, the park's time zone, no pile-ups, nothing dropped.

The scheduler is started paused (jobs reach the job store, nothing ever runs) and fire times
are asked of the triggers for a given moment, so no test depends on the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler

from notifications.planning import occurrences_between, periodic_slots
from notifications.scheduler import SWEEP_JOB, configure, wake_ups
from parkflow.settings import Settings
from parkflow.wiring import make_park
from states.definition import MonthlySlot, ReminderRule, WeeklySlot
from tests.factories import NOW, PARK_TZ, calendar_2026_2027
from workflow.clock import FixedClock

JOB_IDS = {"sweep", "weekly-agenda", "weekly-digest", "daily-reminders", "monthly-report",
           "quarterly-report"}


def tick() -> None:
    """Stands in for one `reminders run`; never called (the scheduler stays paused)."""


@pytest.fixture
def scheduler() -> Iterator[BackgroundScheduler]:
    scheduler = BackgroundScheduler(timezone=PARK_TZ)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


@pytest.fixture
def rule() -> ReminderRule:
    return make_park(clock=FixedClock(NOW)).lifecycle.reminders


def jobs(scheduler: BackgroundScheduler) -> dict[str, Job]:
    listed = scheduler.get_jobs()
    assert len({job.id for job in listed}) == len(listed), "a job id appears twice"
    return {job.id: job for job in listed}


def next_fire(job: Job, after: datetime) -> Any:
    return job.trigger.get_next_fire_time(None, after)


def test_configure_registers_the_sweep_and_the_weekly_and_daily_jobs_under_fixed_ids(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ)

    registered = jobs(scheduler)

    assert set(registered) == JOB_IDS
    assert SWEEP_JOB == "sweep"
    assert all(job.func is tick for job in registered.values())


def test_every_job_coalesces_runs_one_instance_and_is_never_dropped_as_misfired(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ)

    for job in jobs(scheduler).values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None), (
            job.id)


def test_configuring_twice_replaces_the_jobs_instead_of_adding_more(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ, every_seconds=60)

    configure(scheduler, tick, rule, PARK_TZ, every_seconds=30)

    registered = jobs(scheduler)
    assert set(registered) == JOB_IDS
    assert registered["sweep"].trigger.interval == timedelta(seconds=30)


def test_configuring_twice_before_the_scheduler_starts_leaves_one_job_per_id(
        rule: ReminderRule) -> None:
    scheduler = BackgroundScheduler(timezone=PARK_TZ)
    configure(scheduler, tick, rule, PARK_TZ)
    configure(scheduler, tick, rule, PARK_TZ)
    scheduler.start(paused=True)
    try:
        assert set(jobs(scheduler)) == JOB_IDS
    finally:
        scheduler.shutdown(wait=False)


def test_every_trigger_runs_in_the_parks_time_zone(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    park = make_park(Settings(timezone="Asia/Shanghai"), clock=FixedClock(NOW))

    configure(scheduler, tick, rule, park.tz)

    assert {str(job.trigger.timezone) for job in jobs(scheduler).values()} == {"Asia/Shanghai"}


@pytest.mark.parametrize(("job_id", "expected"), [
    # the agenda and the reports may move to a later working day: their jobs wake the sweep
    # at their time every day they may move to, and the sweep decides (test_periodic_dates)
    ("weekly-agenda", datetime(2026, 11, 21, 8, 30, tzinfo=PARK_TZ)),  # Saturday 08:30
    ("weekly-digest", datetime(2026, 11, 23, 9, 0, tzinfo=PARK_TZ)),  # Monday 09:00 only
    ("daily-reminders", datetime(2026, 11, 21, 9, 0, tzinfo=PARK_TZ)),  # weekends too
    ("monthly-report", datetime(2026, 11, 21, 9, 0, tzinfo=PARK_TZ)),  # every day, 09:00
    ("quarterly-report", datetime(2027, 1, 1, 9, 0, tzinfo=PARK_TZ)),  # Jan, Apr, Jul, Oct
])
def test_the_periodic_and_daily_jobs_fire_at_their_slots_in_park_time(
        scheduler: BackgroundScheduler, rule: ReminderRule, job_id: str,
        expected: datetime) -> None:
    configure(scheduler, tick, rule, PARK_TZ)

    fire = next_fire(jobs(scheduler)[job_id], NOW)

    assert fire == expected
    assert fire.utcoffset() == timedelta(hours=8)


def test_the_digest_after_friday_2026_11_20_fires_on_monday_2026_11_23_at_0900_plus_0800(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ)

    fire = next_fire(jobs(scheduler)["weekly-digest"], NOW)

    assert fire.isoformat() == "2026-11-23T09:00:00+08:00"


def test_the_quarterly_job_wakes_every_day_of_the_quarters_first_months_only(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ)
    job = jobs(scheduler)["quarterly-report"]

    assert next_fire(job, datetime(2027, 1, 1, 9, 1, tzinfo=PARK_TZ)) == datetime(
        2027, 1, 2, 9, 0, tzinfo=PARK_TZ)
    assert next_fire(job, datetime(2027, 1, 31, 9, 1, tzinfo=PARK_TZ)) == datetime(
        2027, 4, 1, 9, 0, tzinfo=PARK_TZ)


@pytest.mark.parametrize(("slot", "fields"), [
    (WeeklySlot(0, 8, 30), {"day_of_week": "mon", "hour": 8, "minute": 30}),
    (WeeklySlot(0, 8, 30, working_day=True), {"day_of_week": "mon-sun", "hour": 8,
                                              "minute": 30}),
    (WeeklySlot(2, 17, 0, working_day=True), {"day_of_week": "wed-sun", "hour": 17,
                                              "minute": 0}),
    (MonthlySlot(1, 9, 0), {"month": "1,2,3,4,5,6,7,8,9,10,11,12", "day": 1, "hour": 9,
                            "minute": 0}),
    (MonthlySlot(3, 9, 0, working_day=True), {"month": "1,4,7,10", "hour": 9, "minute": 0}),
])
def test_a_slot_that_keeps_its_day_wakes_on_it_and_one_that_moves_on_every_day_it_may_move_to(
        slot: WeeklySlot | MonthlySlot, fields: dict[str, object]) -> None:
    assert wake_ups(slot) == fields


@pytest.mark.parametrize(("job_id", "kind"), [
    ("weekly-agenda", "agenda"), ("weekly-digest", "digest"),
    ("monthly-report", "monthly_report"), ("quarterly-report", "quarterly_report")])
def test_every_job_wakes_the_sweep_at_each_moment_the_planner_sends_its_mail_in_2026_2027(
        scheduler: BackgroundScheduler, rule: ReminderRule, job_id: str, kind: str) -> None:
    configure(scheduler, tick, rule, PARK_TZ)
    job, slot = jobs(scheduler)[job_id], periodic_slots(rule)[kind]

    planned = occurrences_between(slot, datetime(2026, 1, 1, tzinfo=PARK_TZ),
                                  datetime(2027, 12, 31, 23, 59, tzinfo=PARK_TZ), PARK_TZ,
                                  calendar_2026_2027())

    assert planned
    late = [o.at for o in planned if next_fire(job, o.at - timedelta(seconds=1)) != o.at]
    assert late == []


def test_a_park_in_another_zone_gets_its_mails_at_its_own_local_time(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    berlin = ZoneInfo("Europe/Berlin")

    configure(scheduler, tick, rule, berlin)

    fire = next_fire(jobs(scheduler)["weekly-digest"], NOW)
    assert fire == datetime(2026, 11, 23, 9, 0, tzinfo=berlin)
    assert fire.utcoffset() == timedelta(hours=1)


def test_the_sweep_wakes_every_interval(
        scheduler: BackgroundScheduler, rule: ReminderRule) -> None:
    configure(scheduler, tick, rule, PARK_TZ, every_seconds=45)

    sweep = jobs(scheduler)["sweep"]

    first = next_fire(sweep, NOW)
    assert first is not None
    assert next_fire(sweep, first + timedelta(seconds=1)) - first == timedelta(seconds=45)
