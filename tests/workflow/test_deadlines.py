"""Deadlines per 民法典 第201–203条, checked against dates worked out by hand.

The 2026 arrangement used below is the one in chinese_calendar 1.11.0 (checked in its data):
holidays 01-01..03 元旦, 02-15..23 春节, 04-04..06 清明, 05-01..05 劳动节, 06-19..21 端午,
09-25..27 中秋, 10-01..07 国庆节; adjusted working days (调休) 01-04 (Sun), 02-14 (Sat),
02-28 (Sat), 05-09 (Sat), 09-20 (Sun), 10-10 (Sat). The package stops at 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PARK_TZ, D, deadline
from workflow.calendar import BusinessCalendar, SpecialDay
from workflow.deadlines import (
    Period,
    compute_deadline,
    local_date,
)

# (start, period, roll_forward, unrolled last day, due date) — every date worked out by hand.
HAND_COMPUTED = [
    # month ends: anchored on the start date, clamped to the month's last day
    pytest.param(
        "2026-01-31", "1 month", True, "2026-02-28", "2026-02-28", id="jan31-2026-adj-sat"
    ),
    pytest.param("2027-01-31", "1 month", True, "2027-02-28", "2027-03-01", id="jan31-2027-sunday"),
    pytest.param("2028-01-31", "1 month", True, "2028-02-29", "2028-02-29", id="jan31-2028-leap"),
    pytest.param("2024-01-31", "1 month", True, "2024-02-29", "2024-02-29", id="jan31-2024-leap"),
    pytest.param("2026-03-31", "1 month", True, "2026-04-30", "2026-04-30", id="mar31-apr30"),
    pytest.param("2026-08-31", "1 month", True, "2026-09-30", "2026-09-30", id="aug31-sep30"),
    pytest.param("2026-05-31", "1 month", True, "2026-06-30", "2026-06-30", id="may31-jun30"),
    pytest.param("2026-10-31", "1 month", True, "2026-11-30", "2026-11-30", id="oct31-nov30"),
    pytest.param("2026-01-30", "1 month", True, "2026-02-28", "2026-02-28", id="jan30-clamped"),
    pytest.param("2026-01-31", "2 months", True, "2026-03-31", "2026-03-31", id="not-chained"),
    pytest.param("2026-07-31", "2 months", True, "2026-09-30", "2026-09-30", id="jul31-2m"),
    pytest.param("2026-02-28", "1 month", True, "2026-03-28", "2026-03-30", id="feb28-sat"),
    pytest.param("2026-02-28", "3 months", True, "2026-05-28", "2026-05-28", id="feb28-3m"),
    # December into January
    pytest.param("2025-12-15", "1 month", True, "2026-01-15", "2026-01-15", id="dec-jan"),
    pytest.param("2025-12-01", "1 month", True, "2026-01-01", "2026-01-04", id="new-year"),
    pytest.param("2026-12-15", "1 month", True, "2027-01-15", "2027-01-15", id="dec-jan-2027"),
    pytest.param("2026-12-31", "1 month", True, "2027-01-31", "2027-02-01", id="dec31-sun"),
    pytest.param("2026-12-31", "2 months", True, "2027-02-28", "2027-03-01", id="dec31-2m"),
    pytest.param("2026-12-25", "7 days", True, "2027-01-01", "2027-01-01", id="2027-uncovered"),
    pytest.param("2026-12-26", "7 days", True, "2027-01-02", "2027-01-04", id="2027-weekend"),
    # the 2026 National Day holiday (10-01..10-07) and its adjusted Sunday/Saturday
    pytest.param("2026-09-24", "7 days", True, "2026-10-01", "2026-10-08", id="national-day"),
    pytest.param("2026-09-01", "1 month", True, "2026-10-01", "2026-10-08", id="national-day-1m"),
    pytest.param("2026-08-01", "2 months", True, "2026-10-01", "2026-10-08", id="nat-day-2m"),
    pytest.param("2026-09-21", "10 days", True, "2026-10-01", "2026-10-08", id="nat-day-10d"),
    pytest.param("2026-09-28", "10 days", True, "2026-10-08", "2026-10-08", id="after-nat-day"),
    pytest.param("2026-09-30", "1 month", True, "2026-10-30", "2026-10-30", id="spec-example"),
    pytest.param("2026-09-13", "7 days", True, "2026-09-20", "2026-09-20", id="adjusted-sunday"),
    pytest.param("2026-10-03", "7 days", True, "2026-10-10", "2026-10-10", id="adjusted-sat"),
    pytest.param("2026-09-30", "10 days", True, "2026-10-10", "2026-10-10", id="adjusted-sat-10d"),
    pytest.param("2025-12-28", "7 days", True, "2026-01-04", "2026-01-04", id="adjusted-jan4"),
    # Spring Festival 2026 (02-15..02-23)
    pytest.param("2026-02-08", "7 days", True, "2026-02-15", "2026-02-24", id="spring-festival"),
    pytest.param("2026-01-16", "1 month", True, "2026-02-16", "2026-02-24", id="spring-fest-1m"),
    pytest.param("2026-02-07", "7 days", True, "2026-02-14", "2026-02-14", id="spring-adjusted"),
    # other 2026 holidays
    pytest.param("2026-03-04", "1 month", True, "2026-04-04", "2026-04-07", id="qingming"),
    pytest.param("2026-04-01", "1 month", True, "2026-05-01", "2026-05-06", id="labour-day"),
    pytest.param("2026-04-28", "7 days", True, "2026-05-05", "2026-05-06", id="labour-day-end"),
    pytest.param("2026-05-02", "7 days", True, "2026-05-09", "2026-05-09", id="labour-adjusted"),
    pytest.param("2026-06-12", "7 days", True, "2026-06-19", "2026-06-22", id="dragon-boat"),
    pytest.param("2026-08-25", "1 month", True, "2026-09-25", "2026-09-28", id="mid-autumn"),
    pytest.param("2026-09-19", "7 days", True, "2026-09-26", "2026-09-28", id="mid-autumn-sat"),
    # ordinary weeks
    pytest.param("2026-10-24", "7 days", True, "2026-10-31", "2026-11-02", id="saturday"),
    pytest.param("2026-11-01", "7 days", True, "2026-11-08", "2026-11-09", id="sunday"),
    pytest.param("2026-03-01", "10 days", True, "2026-03-11", "2026-03-11", id="wednesday"),
    pytest.param("2026-03-31", "7 days", True, "2026-04-07", "2026-04-07", id="7d-over-month"),
    pytest.param("2026-11-30", "1 month", True, "2026-12-30", "2026-12-30", id="nov30-dec30"),
    pytest.param("2026-10-01", "1 month", True, "2026-11-01", "2026-11-02", id="nov1-sunday"),
    # roll-forward switched off: the last day stands even on a rest day
    pytest.param("2026-09-24", "7 days", False, "2026-10-01", "2026-10-01", id="no-roll-holiday"),
    pytest.param("2026-10-24", "7 days", False, "2026-10-31", "2026-10-31", id="no-roll-sat"),
    pytest.param("2026-02-08", "7 days", False, "2026-02-15", "2026-02-15", id="no-roll-spring"),
    pytest.param("2027-01-31", "1 month", False, "2027-02-28", "2027-02-28", id="no-roll-2027"),
    pytest.param("2026-09-30", "1 month", False, "2026-10-30", "2026-10-30", id="no-roll-workday"),
]


@pytest.mark.parametrize(("start", "period", "roll_forward", "last_day", "due"), HAND_COMPUTED)
def test_the_due_date_is_the_day_worked_out_by_hand(
    calendar: BusinessCalendar,
    start: str,
    period: str,
    roll_forward: bool,
    last_day: str,
    due: str,
) -> None:
    result = deadline(calendar, start, period, roll_forward=roll_forward)
    assert result.due_date == D(due)
    assert f"= {last_day}；" in result.explanation
    assert result.start == D(start)


@pytest.mark.parametrize(("start", "period", "roll_forward", "last_day", "due"), HAND_COMPUTED)
def test_a_warning_appears_exactly_when_an_unloaded_year_is_involved(
    calendar: BusinessCalendar,
    start: str,
    period: str,
    roll_forward: bool,
    last_day: str,
    due: str,
) -> None:
    result = deadline(calendar, start, period, roll_forward=roll_forward)
    # The seed covers 2004–2026; here the roll-forward never crosses a year boundary.
    assert bool(result.warnings) == (D(last_day).year > 2026)


def test_the_deadline_ends_at_midnight_after_the_last_day_in_the_park_zone(
    calendar: BusinessCalendar,
) -> None:
    result = deadline(calendar, "2026-09-30", "1 month")
    assert result.due_at == datetime(2026, 10, 31, 0, 0, tzinfo=PARK_TZ)
    assert result.due_at == datetime(2026, 10, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "lang", "expected"),
    [
        (
            "1 month",
            "zh-CN",
            "入库 2026-09-30 + 1个月 = 2026-10-30；2026-10-30 为工作日 → 截止 2026-10-30 24:00",
        ),
        (
            "1 month",
            "en",
            "intake 2026-09-30 + 1 month = 2026-10-30; 2026-10-30 is a working day"
            " → due 2026-10-30 24:00",
        ),
    ],
)
def test_a_working_day_is_explained_as_such(
    calendar: BusinessCalendar, period: str, lang: str, expected: str
) -> None:
    assert deadline(calendar, "2026-09-30", period, lang=lang).explanation == expected


@pytest.mark.parametrize(
    ("start", "period", "lang", "expected"),
    [
        (
            "2026-09-24",
            "7 days",
            "zh-CN",
            "入库 2026-09-24 + 7天 = 2026-10-01；2026-10-01 为法定节假日（国庆节），"
            "顺延至 2026-10-08 → 截止 2026-10-08 24:00",
        ),
        (
            "2026-09-24",
            "7 days",
            "en",
            "intake 2026-09-24 + 7 days = 2026-10-01; 2026-10-01 is a statutory holiday"
            " (National Day), moved to 2026-10-08 → due 2026-10-08 24:00",
        ),
        (
            "2026-10-24",
            "7 days",
            "zh-CN",
            "入库 2026-10-24 + 7天 = 2026-10-31；2026-10-31 为周末（星期六），"
            "顺延至 2026-11-02 → 截止 2026-11-02 24:00",
        ),
        (
            "2026-11-01",
            "7 days",
            "en",
            "intake 2026-11-01 + 7 days = 2026-11-08; 2026-11-08 is a weekend (Sunday),"
            " moved to 2026-11-09 → due 2026-11-09 24:00",
        ),
        (
            "2026-09-13",
            "7 days",
            "zh-CN",
            "入库 2026-09-13 + 7天 = 2026-09-20；2026-09-20 为调休工作日（国庆节）"
            " → 截止 2026-09-20 24:00",
        ),
        (
            "2026-02-07",
            "7 days",
            "en",
            "intake 2026-02-07 + 7 days = 2026-02-14; 2026-02-14 is an adjusted working day"
            " (Spring Festival) → due 2026-02-14 24:00",
        ),
        (
            "2026-01-16",
            "1 month",
            "zh-CN",
            "入库 2026-01-16 + 1个月 = 2026-02-16；2026-02-16 为法定节假日（春节），"
            "顺延至 2026-02-24 → 截止 2026-02-24 24:00",
        ),
    ],
)
def test_a_rolled_or_adjusted_day_is_explained_with_its_reason(
    calendar: BusinessCalendar, start: str, period: str, lang: str, expected: str
) -> None:
    assert deadline(calendar, start, period, lang=lang).explanation == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-CN", "入库 2026-09-24 + 7天 = 2026-10-01；2026-10-01 为法定节假日（国庆节），不顺延"),
        (
            "en",
            "intake 2026-09-24 + 7 days = 2026-10-01; 2026-10-01 is a statutory holiday"
            " (National Day), not moved",
        ),
    ],
)
def test_without_roll_forward_the_explanation_says_the_day_was_not_moved(
    calendar: BusinessCalendar, lang: str, expected: str
) -> None:
    result = deadline(calendar, "2026-09-24", "7 days", roll_forward=False, lang=lang)
    assert result.explanation.startswith(expected)
    assert result.explanation.endswith("2026-10-01 24:00")


def test_the_anchor_label_is_used_as_given(calendar: BusinessCalendar) -> None:
    result = compute_deadline(
        start=D("2026-09-30"),
        period=Period(months=1),
        calendar=calendar,
        tz=PARK_TZ,
        anchor_label="注册",
    )
    assert result.explanation.startswith("注册 2026-09-30 + 1个月 = 2026-10-30")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-CN", "2027 年的节假日安排尚未导入，截止日期仅按周末顺延，可能不准确"),
        (
            "en",
            "The 2027 holiday arrangement has not been loaded;"
            " the due date was moved past weekends only and may be wrong",
        ),
    ],
)
def test_a_deadline_in_an_unloaded_year_is_still_computed_but_warned_about(
    calendar: BusinessCalendar, lang: str, expected: str
) -> None:
    # 2027-10-01 is a Friday; without the 2027 arrangement it counts as a working day.
    result = deadline(calendar, "2027-09-24", "7 days", lang=lang)
    assert result.due_date == D("2027-10-01")
    assert result.warnings == (expected,)
    # National Day: the explanation must not call it a working day while 2027 is unknown
    phrase = {"zh-CN": "2027-10-01 暂按工作日计（该年节假日安排尚未导入）",
              "en": "2027-10-01 is counted as a working day (its year's holidays are not "
                    "loaded yet)"}[lang]
    assert phrase in result.explanation
    assert "为工作日" not in result.explanation and "is a working day" not in result.explanation


def test_without_roll_forward_the_unloaded_year_warning_says_the_holiday_is_unknown(
    calendar: BusinessCalendar,
) -> None:
    result = deadline(calendar, "2027-09-24", "7 days", roll_forward=False)
    assert result.warnings == ("2027 年的节假日安排尚未导入，无法确认截止日是否为节假日",)


def test_rolling_forward_into_an_unloaded_year_is_warned_about() -> None:
    # A covered 2026 whose last day is a holiday pushes the roll-forward into uncovered 2027.
    year_end = BusinessCalendar([SpecialDay(D("2026-12-31"), False, "测试假日")], [2026])
    result = compute_deadline(
        start=D("2026-12-24"),
        period=Period(days=7),
        calendar=year_end,
        tz=PARK_TZ,
        anchor_label="入库",
    )
    assert result.due_date == D("2027-01-01")
    assert result.warnings == ("2027 年的节假日安排尚未导入，截止日期仅按周末顺延，可能不准确",)


@pytest.mark.parametrize(
    ("moment", "expected_day", "expected_due"),
    [
        # 15:30Z is 23:30 on 09-30 in Shanghai: + 1 month = 10-30, a Friday.
        (datetime(2026, 9, 30, 15, 30, tzinfo=UTC), "2026-09-30", "2026-10-30"),
        # 16:30Z is 00:30 on 10-01: + 1 month = 11-01, a Sunday, rolled to Monday 11-02.
        (datetime(2026, 9, 30, 16, 30, tzinfo=UTC), "2026-10-01", "2026-11-02"),
    ],
)
def test_the_start_day_is_the_local_day_in_the_park_zone(
    calendar: BusinessCalendar, moment: datetime, expected_day: str, expected_due: str
) -> None:
    start = local_date(moment, PARK_TZ)
    assert start == D(expected_day)
    result = compute_deadline(
        start=start,
        period=Period(months=1),
        calendar=calendar,
        tz=PARK_TZ,
        anchor_label="入库",
    )
    assert result.due_date == D(expected_due)


def test_local_date_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 9, 30, 23, 30), PARK_TZ)


def test_a_datetime_start_is_refused_so_the_local_day_is_never_skipped(
    calendar: BusinessCalendar,
) -> None:
    with pytest.raises(TypeError, match="local_date"):
        compute_deadline(
            start=datetime(2026, 9, 30, 15, 30, tzinfo=UTC),
            period=Period(days=7),
            calendar=calendar,
            tz=PARK_TZ,
            anchor_label="入库",
        )


STARTS = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))
PERIODS = st.one_of(
    st.builds(Period, months=st.integers(1, 12)),
    st.builds(Period, days=st.integers(1, 60)),
)


@given(start=STARTS, period=PERIODS)
def test_the_due_date_is_a_working_day_on_or_after_the_last_day(
    calendar: BusinessCalendar, start: date, period: Period
) -> None:
    unrolled = compute_deadline(
        start=start,
        period=period,
        calendar=calendar,
        tz=PARK_TZ,
        anchor_label="入库",
        roll_forward=False,
    )
    rolled = compute_deadline(
        start=start, period=period, calendar=calendar, tz=PARK_TZ, anchor_label="入库"
    )
    assert unrolled.due_date > start
    assert rolled.due_date >= unrolled.due_date
    assert calendar.is_workday(rolled.due_date)
    # The longest rest in the data is 10 days (Spring Festival 2020, extended for COVID-19).
    assert rolled.due_date - unrolled.due_date <= timedelta(days=10)


@given(start=STARTS, later_by=st.integers(0, 400), period=PERIODS)
def test_a_later_start_never_gives_an_earlier_due_date(
    calendar: BusinessCalendar, start: date, later_by: int, period: Period
) -> None:
    def due(day: date) -> date:
        return compute_deadline(
            start=day, period=period, calendar=calendar, tz=PARK_TZ, anchor_label="入库"
        ).due_date

    assert due(start) <= due(start + timedelta(days=later_by))
