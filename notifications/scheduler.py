"""APScheduler as a clock that wakes idempotent functions; it holds nothing that must survive.

Jobs live in the memory store and are re-created at every start with fixed ids, in the park's
time zone. What is due is always derived from the database, so a restart, a crash or a second
scheduler process loses and duplicates nothing: on PostgreSQL each sweep runs under an
advisory lock (another process's sweep at the same moment skips), and delivery claims rows
with SKIP LOCKED (notifications/delivery.py). Only this module imports apscheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from states.definition import WEEKDAYS, MonthlySlot, ReminderRule, WeeklySlot

SWEEP_JOB = "sweep"


def configure(scheduler: BaseScheduler, run: Callable[[], object], rule: ReminderRule,
              tz: ZoneInfo, *, every_seconds: int = 60) -> None:
    """The sweep every minute, plus wake-ups at the periodic slots so those mails are punctual."""
    options = {"replace_existing": True, "coalesce": True, "max_instances": 1,
               "misfire_grace_time": None}
    scheduler.add_job(run, IntervalTrigger(seconds=every_seconds, timezone=tz), id=SWEEP_JOB,
                      name="sweep + delivery", **options)
    for job_id, slot in (("weekly-agenda", rule.agenda), ("weekly-digest", rule.digest),
                         ("monthly-report", rule.monthly_report),
                         ("quarterly-report", rule.quarterly_report)):
        scheduler.add_job(run, CronTrigger(**wake_ups(slot), timezone=tz), id=job_id,
                          name=job_id.replace("-", " "), **options)
    scheduler.add_job(run, CronTrigger(hour=rule.send_hour, minute=rule.send_minute,
                                       timezone=tz),
                      id="daily-reminders", name="daily reminders", **options)


def wake_ups(slot: WeeklySlot | MonthlySlot) -> dict[str, str | int]:
    """The cron fields that wake the sweep at every moment a slot can go out.

    Cron cannot say "the first working day": a slot that moves off days off wakes the sweep
    at its time on every day it may move to (its weekday to Sunday, every day of its
    months), and the sweep, reading the calendar and the outbox, sends it once.
    """
    fields: dict[str, str | int] = {"hour": slot.hour, "minute": slot.minute}
    if isinstance(slot, WeeklySlot):
        first = WEEKDAYS[slot.weekday][:3]
        fields["day_of_week"] = f"{first}-sun" if slot.working_day else first
        return fields
    fields["month"] = ",".join(str(m) for m in range(1, 13, slot.every_months))
    if not slot.working_day:
        fields["day"] = 1
    return fields


def run_forever(run: Callable[[], object], rule: ReminderRule, tz: ZoneInfo,
                *, every_seconds: int = 60) -> None:
    """`parkflow scheduler`: a dedicated blocking process."""
    scheduler = BlockingScheduler(timezone=tz)
    configure(scheduler, run, rule, tz, every_seconds=every_seconds)
    run()  # catch up at once instead of waiting for the first tick
    scheduler.start()


def start_background(run: Callable[[], object], rule: ReminderRule, tz: ZoneInfo,
                     *, every_seconds: int = 60) -> BaseScheduler:
    """`parkflow serve --with-scheduler`: the same jobs on a thread of the web server."""
    scheduler = BackgroundScheduler(timezone=tz)
    configure(scheduler, run, rule, tz, every_seconds=every_seconds)
    scheduler.start()
    return scheduler
