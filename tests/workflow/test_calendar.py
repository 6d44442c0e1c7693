"""The business calendar: the chinese_calendar seed, admin files and their overlay."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PARK_TZ, D
from workflow.calendar import (
    BusinessCalendar,
    CalendarFileError,
    DayInfo,
    SpecialDay,
    holiday_name,
    parse_calendar_file,
    seed_from_chinese_calendar,
)
from workflow.deadlines import Period, compute_deadline
from workflow.errors import ValidationError

# A made-up 2027 arrangement in the shape the State Council publishes (not the real one).
FILE_2027 = """\
# 2027 年节假日安排（测试用）
date,kind,name

2027-01-01,holiday,元旦
2027-09-26,workday,国庆节调休
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
2027-10-09,workday,国庆节调休
"""


def test_the_seed_covers_exactly_2004_to_2026() -> None:
    _, years = seed_from_chinese_calendar()
    assert years == list(range(2004, 2027))


def test_the_seed_holds_the_2026_national_day_as_seven_named_holidays() -> None:
    days, _ = seed_from_chinese_calendar()
    october = [s for s in days if D("2026-10-01") <= s.day <= D("2026-10-31")]
    holidays = [s for s in october if not s.is_workday]
    assert [s.day.day for s in holidays] == [1, 2, 3, 4, 5, 6, 7]
    assert {s.name for s in holidays} == {"国庆节"}


def test_the_seed_holds_the_six_adjusted_working_days_of_2026() -> None:
    days, _ = seed_from_chinese_calendar()
    adjusted = {(s.day, s.name) for s in days if s.is_workday and s.day.year == 2026}
    assert adjusted == {
        (D("2026-01-04"), "元旦"),
        (D("2026-02-14"), "春节"),
        (D("2026-02-28"), "春节"),
        (D("2026-05-09"), "劳动节"),
        (D("2026-09-20"), "国庆节"),
        (D("2026-10-10"), "国庆节"),
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", False),  # National Day, Thursday
        ("2026-10-07", False),  # last day of National Day, Wednesday
        ("2026-10-08", True),  # first working day after it
        ("2026-09-20", True),  # adjusted working Sunday
        ("2026-10-10", True),  # adjusted working Saturday
        ("2026-10-11", False),  # ordinary Sunday
        ("2026-02-16", False),  # Spring Festival, Monday
        ("2026-02-14", True),  # adjusted working Saturday before Spring Festival
        ("2026-01-05", True),  # ordinary Monday
        ("2027-01-01", True),  # uncovered year: a Friday is a working day, weekends only
        ("2027-01-02", False),  # uncovered year: Saturday
    ],
)
def test_a_day_is_a_working_day_by_the_seeded_calendar(
    calendar: BusinessCalendar, day: str, expected: bool
) -> None:
    assert calendar.is_workday(D(day)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", DayInfo("holiday", "国庆节")),
        ("2026-10-03", DayInfo("holiday", "国庆节")),  # a Saturday, kept for its name
        ("2026-09-20", DayInfo("adjusted_workday", "国庆节")),
        ("2026-04-05", DayInfo("holiday", "清明")),
        ("2026-10-31", DayInfo("weekend")),
        ("2026-10-30", DayInfo("workday")),
    ],
)
def test_a_day_is_described_by_kind_and_holiday_name(
    calendar: BusinessCalendar, day: str, expected: DayInfo
) -> None:
    assert calendar.describe(D(day)) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", "2026-10-08"),
        ("2026-10-08", "2026-10-08"),
        ("2026-10-31", "2026-11-02"),
        ("2026-02-15", "2026-02-24"),
        ("2026-01-01", "2026-01-04"),
        ("2027-01-02", "2027-01-04"),
    ],
)
def test_the_next_working_day_is_found_on_or_after_a_day(
    calendar: BusinessCalendar, day: str, expected: str
) -> None:
    assert calendar.next_workday(D(day)) == D(expected)


def test_coverage_is_reported_per_year(calendar: BusinessCalendar) -> None:
    assert calendar.covers(2004)
    assert calendar.covers(2026)
    assert not calendar.covers(2027)
    assert not calendar.covers(2003)


def test_a_later_special_day_for_the_same_date_wins() -> None:
    calendar = BusinessCalendar(
        [SpecialDay(D("2027-10-01"), False, "国庆节"), SpecialDay(D("2027-10-01"), True, "更正")]
    )
    assert calendar.is_workday(D("2027-10-01"))
    assert calendar.special_days == (SpecialDay(D("2027-10-01"), True, "更正"),)


def test_a_calendar_without_any_working_day_refuses_to_search_forever() -> None:
    all_rest = BusinessCalendar(
        SpecialDay(date.fromordinal(D("2026-01-01").toordinal() + i), False, "假")
        for i in range(400)
    )
    with pytest.raises(ValueError, match="no working day"):
        all_rest.next_workday(D("2026-01-01"))


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("国庆节", "National Day"),
        ("春节", "Spring Festival"),
        ("清明", "Tomb-sweeping Day"),
        ("国庆节调休", "National Day make-up day"),
        ("国庆节、中秋节", "National Day and Mid-autumn Festival"),
        ("校庆", "校庆"),
    ],
)
def test_a_holiday_name_is_shown_in_the_readers_language(chinese: str, english: str) -> None:
    assert holiday_name(chinese, "en") == english
    assert holiday_name(chinese, "zh-CN").startswith(chinese)


def test_a_good_calendar_file_gives_its_days_and_covers_the_years_it_names() -> None:
    days, years = parse_calendar_file(FILE_2027)
    assert years == [2027]
    assert len(days) == 10
    assert days[0] == SpecialDay(D("2027-01-01"), False, "元旦")
    assert SpecialDay(D("2027-09-26"), True, "国庆节调休") in days


def test_a_calendar_file_may_quote_a_name_holding_a_comma() -> None:
    days, _ = parse_calendar_file('date,kind,name\n2027-05-01,holiday,"劳动节,五一"\n')
    assert days == [SpecialDay(D("2027-05-01"), False, "劳动节,五一")]


@pytest.mark.parametrize(
    ("text", "line_no", "message"),
    [
        (
            "date,kind,name\n2027-10-01,holiday,国庆节\n2027-13-01,holiday,国庆节\n",
            3,
            "日历文件第 3 行：日期“2027-13-01”无效（应为 YYYY-MM-DD）",
        ),
        (
            "# comment\ndate,kind,name\n\n2027-10-01,holday,国庆节\n",
            4,
            "日历文件第 4 行：类型“holday”无效，应为 holiday 或 workday",
        ),
        ("date,kind,name\n20271001,holiday,国庆节\n", 2,
         "日历文件第 2 行：日期“20271001”无效（应为 YYYY-MM-DD）"),
        (
            "date,kind,name\n2027-10-01,holiday\n",
            2,
            "日历文件第 2 行：应有 3 列（date,kind,name），实际 2 列",
        ),
        ("date,kind,name\n2027-10-01,holiday, \n", 2, "日历文件第 2 行：名称为空"),
        (
            "date,kind,name\n2027-10-01,holiday,国庆节\n2027-10-01,workday,调休\n",
            3,
            "日历文件第 3 行：日期 2027-10-01 重复（第 2 行已定义）",
        ),
        (
            "2027-10-01,holiday,国庆节\n",
            1,
            "日历文件第 1 行：表头应为“date,kind,name”，实际为“2027-10-01,holiday,国庆节”",
        ),
    ],
)
def test_a_bad_calendar_line_is_reported_with_its_line_number(
    text: str, line_no: int, message: str
) -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_calendar_file(text)
    error = caught.value
    assert error.line_no == line_no
    # the error carries a code and parameters; the sentence is rendered for the reader
    shown = ValidationError(error.code, field="file", line=error.line_no, **error.params)
    assert shown.message("zh-CN") == message
    assert f"line {line_no}" in shown.message("en")
    assert isinstance(caught.value, ValueError)


def test_a_file_overlay_covers_2027_and_moves_a_deadline_off_its_national_day(
    calendar: BusinessCalendar,
) -> None:
    calendar = calendar.overlay(BusinessCalendar(*parse_calendar_file(FILE_2027)))
    result = compute_deadline(
        start=D("2027-09-24"),
        period=Period(days=7),
        calendar=calendar,
        tz=PARK_TZ,
        anchor_label="入库",
    )
    assert calendar.covers(2027)
    assert result.due_date == D("2027-10-08")
    assert result.warnings == ()
    assert "2027-10-01 为法定节假日（国庆节），顺延至 2027-10-08" in result.explanation


def test_a_file_replaces_the_whole_year_it_covers_and_keeps_the_others(
    calendar: BusinessCalendar,
) -> None:
    # An admin correction for 2026 that lists only 10-01: the rest of the seeded 2026 is gone.
    correction = BusinessCalendar(
        *parse_calendar_file("date,kind,name\n2026-10-01,holiday,国庆节\n")
    )
    calendar = calendar.overlay(correction)
    assert not calendar.is_workday(D("2026-10-01"))
    assert calendar.is_workday(D("2026-10-02"))  # a Friday, no longer a holiday
    assert not calendar.is_workday(D("2025-10-08"))  # 2025 still comes from the seed
    assert calendar.covered_years == frozenset(range(2004, 2027))
