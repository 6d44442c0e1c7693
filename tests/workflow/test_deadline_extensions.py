"""An approved extension or suspension moves a deadline (民法典 第201–203条): calendar days on
the current due date, rolled forward to a working day, explained after the original.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories import PARK_TZ, D, deadline
from workflow.calendar import BusinessCalendar
from workflow.deadlines import extend_deadline, shift_deadline


def test_an_extension_adds_calendar_days_to_the_current_due_date_and_keeps_the_history(
    calendar: BusinessCalendar,
) -> None:
    original = deadline(calendar, "2026-10-09", "1 month")  # 11-09, a Monday
    extended = extend_deadline(
        original, days=10, calendar=calendar, tz=PARK_TZ, note="王主任 2026-11-02 批准"
    )
    assert extended.due_date == D("2026-11-19")
    assert extended.start == D("2026-10-09")
    assert extended.due_at == datetime(2026, 11, 20, tzinfo=PARK_TZ)
    assert extended.explanation == (
        "入库 2026-10-09 + 1个月 = 2026-11-09；2026-11-09 为工作日 → 截止 2026-11-09 24:00"
        "；延期 10 天（王主任 2026-11-02 批准）：2026-11-09 + 10天 = 2026-11-19"
        "；2026-11-19 为工作日 → 截止 2026-11-19 24:00"
    )


def test_an_extension_landing_on_a_holiday_is_rolled_forward(calendar: BusinessCalendar) -> None:
    original = deadline(calendar, "2026-09-14", "7 days", lang="en")  # 09-21, a Monday
    extended = extend_deadline(
        original,
        days=10,
        calendar=calendar,
        tz=PARK_TZ,
        note="approved by Director Wang 2026-09-18",
        lang="en",
    )
    assert extended.due_date == D("2026-10-08")
    assert extended.explanation.endswith(
        "; extended by 10 days (approved by Director Wang 2026-09-18): 2026-09-21 + 10 days"
        " = 2026-10-01; 2026-10-01 is a statutory holiday (National Day), moved to 2026-10-08"
        " → due 2026-10-08 24:00"
    )


def test_an_extension_can_be_left_unrolled(calendar: BusinessCalendar) -> None:
    original = deadline(calendar, "2026-09-14", "7 days")
    extended = extend_deadline(
        original, days=10, calendar=calendar, tz=PARK_TZ, note="", roll_forward=False
    )
    assert extended.due_date == D("2026-10-01")
    assert "延期 10 天：2026-09-21 + 10天 = 2026-10-01" in extended.explanation


def test_an_extension_of_a_warned_deadline_keeps_the_warning_once(
    calendar: BusinessCalendar,
) -> None:
    original = deadline(calendar, "2027-01-31", "1 month")
    extended = extend_deadline(original, days=3, calendar=calendar, tz=PARK_TZ, note="批准")
    assert extended.warnings == original.warnings
    assert len(extended.warnings) == 1


@pytest.mark.parametrize("days", [0, -3])
def test_an_extension_must_add_at_least_one_day(calendar: BusinessCalendar, days: int) -> None:
    original = deadline(calendar, "2026-10-09", "1 month")
    with pytest.raises(ValueError, match="at least 1"):
        extend_deadline(original, days=days, calendar=calendar, tz=PARK_TZ, note="")


def test_a_suspension_moves_the_deadline_by_the_paused_days(calendar: BusinessCalendar) -> None:
    original = deadline(calendar, "2026-10-09", "1 month")  # 11-09
    shifted = shift_deadline(
        original, days=5, calendar=calendar, tz=PARK_TZ, note="等待区政府批复"
    )
    assert shifted.due_date == D("2026-11-16")  # 11-14 is a Saturday
    assert "；暂停 5 天（等待区政府批复）：2026-11-09 + 5天 = 2026-11-14；" in shifted.explanation
