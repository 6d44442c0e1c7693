"""A report's cut-off (reports.weekly.cut_for): the period's end once it has ended, now while
it runs, so that nothing is judged at a moment still to come."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from reports.periods import period_containing
from reports.weekly import cut_for
from tests.factories import PARK_TZ, on
from workflow.clock import FixedClock
from workflow.park import Park

NOVEMBER = period_containing("monthly", date(2026, 11, 1))
END = on("2026-12-01", "00:00")
INSTANT = timedelta(microseconds=1)


def park_at(moment: datetime) -> Park:
    return Park.default(tz=PARK_TZ, clock=FixedClock(moment))


@pytest.mark.parametrize(("now", "until", "as_of", "last_day"), [
    (on("2026-12-07", "10:00"), END, END, "2026-11-30"),  # long over
    (END, END, END, "2026-11-30"),  # over this very moment
    (on("2026-11-30", "23:59"), on("2026-11-30", "23:59") + INSTANT, on("2026-11-30", "23:59"),
     "2026-11-30"),
    (on("2026-11-20", "10:00"), on("2026-11-20", "10:00") + INSTANT, on("2026-11-20", "10:00"),
     "2026-11-20"),
    # at midnight the 19th has ended: a stage due that day is late, one due today is not
    (on("2026-11-20", "00:00"), on("2026-11-20", "00:00") + INSTANT, on("2026-11-20", "00:00"),
     "2026-11-20"),
])
def test_a_report_is_cut_at_its_periods_end_or_at_now_while_it_runs(
        now: datetime, until: datetime, as_of: datetime, last_day: str) -> None:
    cut = cut_for(NOVEMBER, park_at(now), as_recorded=False)
    assert (cut.until, cut.as_of, cut.recorded_by) == (until, as_of, None)
    assert cut.last_day(PARK_TZ) == date.fromisoformat(last_day)


def test_what_occurred_or_was_recorded_at_now_is_in_the_period_in_progress() -> None:
    now = on("2026-11-20", "10:00")
    cut = cut_for(NOVEMBER, park_at(now), as_recorded=True)
    assert cut.until > now and cut.recorded_by == cut.until
    assert cut.as_of == now


@pytest.mark.parametrize(("day", "lang", "label"), [
    ("2026-11-11", "zh-CN", "2026年11月9日 – 11月15日"),
    ("2027-01-01", "zh-CN", "2026年12月28日 – 2027年1月3日"),  # a filed copy must not read 2026
    ("2027-01-01", "en", "Dec 28, 2026 – Jan 3, 2027"),
])
def test_a_week_is_named_by_its_days_with_the_second_year_across_new_year(
        day: str, lang: str, label: str) -> None:
    assert period_containing("weekly", date.fromisoformat(day)).label(lang) == label
