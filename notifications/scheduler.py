"""APScheduler as a clock that wakes idempotent functions; it holds nothing that must survive.

Jobs live in the memory store and are re-created at every start with fixed ids, in the park's
time zone. What is due is always derived from the database, so a restart, a crash or a second
scheduler process loses and duplicates nothing. Only this module imports apscheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from states.definition import WEEKDAYS, ReminderRule

SWEEP_JOB = "sweep"


def configure(scheduler: BaseScheduler, run: Callable[[], object], rule: ReminderRule,
              tz: ZoneInfo, *, every_seconds: int = 60) -> None:
    """The sweep every minute, plus wake-ups on the weekly slots so those mails are punctual."""
    options = {"replace_existing": True, "coalesce": True, "max_instances": 1,
               "misfire_grace_time": None}
    scheduler.add_job(run, IntervalTrigger(seconds=every_seconds, timezone=tz), id=SWEEP_JOB,
                      name="sweep + delivery", **options)
    for name, slot in (("agenda", rule.agenda), ("digest", rule.digest)):
        scheduler.add_job(run, CronTrigger(day_of_week=WEEKDAYS[slot.weekday][:3],
                                           hour=slot.hour, minute=slot.minute, timezone=tz),
                          id=f"weekly-{name}", name=f"weekly {name}", **options)
    for name, monthly in (("monthly", rule.monthly_report), ("quarterly", rule.quarterly_report)):
        months = ",".join(str(m) for m in range(1, 13, monthly.every_months))
        scheduler.add_job(run, CronTrigger(month=months, day=1, hour=monthly.hour,
                                           minute=monthly.minute, timezone=tz),
                          id=f"{name}-report", name=f"{name} report", **options)
    scheduler.add_job(run, CronTrigger(hour=rule.send_hour, minute=rule.send_minute,
                                       timezone=tz),
                      id="daily-reminders", name="daily reminders", **options)


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
