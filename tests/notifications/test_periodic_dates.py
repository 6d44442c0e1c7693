"""When the periodic mails go out over 2026–2027, with the seeded calendar and the made-up
2027 notice loaded (tests/data): the 月调度 and the 季总结 on the first working day of their
month, the 周例会 agenda on Monday or, when Monday is off, on the week's first working day.

Every expected date is worked out by hand from the two notices (see the comments), not by
the code under test.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest

from notifications.planning import (
    Occurrence,
    occurrence_at_or_before,
    occurrence_of,
    occurrences_between,
    periodic_series,
    plan_periodic,
    sending_day,
)
from states.definition import MonthlySlot, ReminderRule, WeeklySlot
from tests.factories import PARK_TZ, D, calendar_2026_2027
from workflow.calendar import BusinessCalendar, SpecialDay

RULE = ReminderRule()  # the shipped slots are the defaults (tests/states checks the file)
CALENDAR = calendar_2026_2027()


def moment(day: str, clock: str) -> datetime:
    return datetime.combine(D(day), time.fromisoformat(clock), tzinfo=PARK_TZ)


# ---------------------------------------------------------------- the monthly dispatch

@pytest.mark.parametrize(("month", "sent_on"), [
    ("2027-01-01", "2027-01-04"),  # 元旦 Fri 1 – Sun 3: Monday the 4th
    ("2027-02-01", "2027-02-01"),  # a Monday
    ("2027-03-01", "2027-03-01"),  # a Monday
    ("2027-04-01", "2027-04-01"),  # a Thursday
    ("2027-05-01", "2027-05-06"),  # 劳动节 Sat 1 – Wed 5: Thursday the 6th
    ("2027-06-01", "2027-06-01"),  # a Tuesday
    ("2027-07-01", "2027-07-01"),  # a Thursday
    ("2027-08-01", "2027-08-02"),  # Sunday the 1st: Monday the 2nd
    ("2027-09-01", "2027-09-01"),  # a Wednesday
    ("2027-10-01", "2027-10-08"),  # 国庆节 Fri 1 – Thu 7: Friday the 8th
    ("2027-11-01", "2027-11-01"),  # a Monday
    ("2027-12-01", "2027-12-01"),  # a Wednesday
])
def test_the_monthly_dispatch_of_2027_goes_out_at_nine_on_each_months_first_working_day(
        month: str, sent_on: str) -> None:
    occurrence = occurrence_of(RULE.monthly_report, D(month), PARK_TZ, CALENDAR)

    assert occurrence == Occurrence(D(month), moment(sent_on, "09:00"))


@pytest.mark.parametrize(("month", "sent_on"), [
    ("2026-01-01", "2026-01-04"),  # 元旦 Thu 1 – Sat 3, Sunday the 4th is worked (调休上班)
    ("2026-02-01", "2026-02-02"),  # Sunday the 1st
    ("2026-05-01", "2026-05-06"),  # 劳动节 Fri 1 – Tue 5
    ("2026-10-01", "2026-10-08"),  # 国庆节 Thu 1 – Wed 7
    ("2026-11-01", "2026-11-02"),  # Sunday the 1st
    ("2026-12-01", "2026-12-01"),  # a Tuesday
])
def test_the_monthly_dispatch_of_2026_moves_off_holidays_and_weekends_to_a_make_up_day_too(
        month: str, sent_on: str) -> None:
    assert sending_day(RULE.monthly_report, D(month), CALENDAR) == D(sent_on)


def test_the_mail_sent_in_december_2026_covers_november_and_january_2027s_december() -> None:
    december = occurrence_of(RULE.monthly_report, D("2026-12-01"), PARK_TZ, CALENDAR)
    january = occurrence_of(RULE.monthly_report, D("2027-01-01"), PARK_TZ, CALENDAR)
    assert december is not None and january is not None

    [for_november] = plan_periodic("monthly_report", december, ["leader@park.test"], PARK_TZ)
    [for_december] = plan_periodic("monthly_report", january, ["leader@park.test"], PARK_TZ)

    assert for_november.reason_params == {"day": "2026-12-01", "month": "2026-11-01"}
    assert for_december.reason_params == {"day": "2027-01-04", "month": "2026-12-01"}
    assert for_december.send_at == moment("2027-01-04", "09:00")
    # one series per period, named by the month's 1st whatever day it moved to
    assert for_december.dedupe_key == "monthly_report:2027-01-01:leader@park.test"


def test_on_new_years_day_2027_the_latest_dispatch_is_still_decembers_first() -> None:
    on_holiday = occurrence_at_or_before(RULE.monthly_report, moment("2027-01-01", "10:00"),
                                         PARK_TZ, CALENDAR)
    before_nine = occurrence_at_or_before(RULE.monthly_report, moment("2027-01-04", "08:59"),
                                          PARK_TZ, CALENDAR)
    at_nine = occurrence_at_or_before(RULE.monthly_report, moment("2027-01-04", "09:00"),
                                      PARK_TZ, CALENDAR)

    assert on_holiday == before_nine == Occurrence(D("2026-12-01"),
                                                   moment("2026-12-01", "09:00"))
    assert at_nine == Occurrence(D("2027-01-01"), moment("2027-01-04", "09:00"))


def test_a_dispatch_set_to_the_first_day_keeps_new_years_day() -> None:
    on_the_first = MonthlySlot(1, 9, 0)  # reports_on: first_day

    assert sending_day(on_the_first, D("2027-01-01"), CALENDAR) == D("2027-01-01")


# ---------------------------------------------------------------- the quarterly summary

def test_the_quarterly_summary_goes_out_on_each_quarters_first_working_day() -> None:
    found = occurrences_between(RULE.quarterly_report, moment("2025-12-31", "00:00"),
                                moment("2027-12-31", "23:59"), PARK_TZ, CALENDAR)

    assert [(o.anchor, o.at) for o in found] == [
        (D("2026-01-01"), moment("2026-01-04", "09:00")),  # Sunday, a make-up working day
        (D("2026-04-01"), moment("2026-04-01", "09:00")),
        (D("2026-07-01"), moment("2026-07-01", "09:00")),
        (D("2026-10-01"), moment("2026-10-08", "09:00")),
        (D("2027-01-01"), moment("2027-01-04", "09:00")),
        (D("2027-04-01"), moment("2027-04-01", "09:00")),
        (D("2027-07-01"), moment("2027-07-01", "09:00")),
        (D("2027-10-01"), moment("2027-10-08", "09:00")),
    ]


def test_the_summary_sent_in_january_2027_covers_the_fourth_quarter_of_2026() -> None:
    january = occurrence_of(RULE.quarterly_report, D("2027-01-01"), PARK_TZ, CALENDAR)
    assert january is not None

    [planned] = plan_periodic("quarterly_report", january, ["leader@park.test"], PARK_TZ)

    assert planned.reason_params == {"day": "2027-01-04", "quarter": "2026-10-01"}
    assert planned.series == "quarterly_report:2027-01-01"


# ---------------------------------------------------------------- the weekly agenda

@pytest.mark.parametrize(("monday", "sent_on"), [
    ("2026-11-23", "2026-11-23"),  # an ordinary Monday
    ("2026-02-23", "2026-02-24"),  # 春节 until Mon 23: Tuesday
    ("2026-04-06", "2026-04-07"),  # 清明 Sat 4 – Mon 6: Tuesday
    ("2026-05-04", "2026-05-06"),  # 劳动节 until Tue 5: Wednesday
    ("2026-10-05", "2026-10-08"),  # 国庆节 until Wed 7: Thursday
    ("2027-01-04", "2027-01-04"),  # 元旦 ended on Sunday
    ("2027-02-01", "2027-02-01"),  # the week before 春节
    ("2027-02-15", "2027-02-15"),  # the week after it
    ("2027-04-05", "2027-04-06"),  # 清明 Sat 3 – Mon 5: Tuesday
    ("2027-05-03", "2027-05-06"),  # 劳动节 until Wed 5: Thursday
    ("2027-10-04", "2027-10-08"),  # 国庆节 until Thu 7: Friday
])
def test_the_agenda_keeps_monday_half_past_eight_or_moves_to_the_weeks_first_working_day(
        monday: str, sent_on: str) -> None:
    occurrence = occurrence_of(RULE.agenda, D(monday), PARK_TZ, CALENDAR)

    assert occurrence == Occurrence(D(monday), moment(sent_on, "08:30"))


@pytest.mark.parametrize("monday", [
    "2026-02-16",  # 春节 2026: Sun 15 – Mon 23, the whole week off
    "2027-02-08",  # 春节 2027: Fri 5 – Fri 12, then the weekend
])
def test_a_week_off_from_monday_to_sunday_has_no_agenda(monday: str) -> None:
    assert occurrence_of(RULE.agenda, D(monday), PARK_TZ, CALENDAR) is None


def test_around_spring_festival_2027_the_agendas_go_out_on_the_mondays_around_the_week_off(
        ) -> None:
    found = occurrences_between(RULE.agenda, moment("2027-01-31", "00:00"),
                                moment("2027-02-28", "23:59"), PARK_TZ, CALENDAR)

    assert [o.at for o in found] == [moment("2027-02-01", "08:30"),
                                     moment("2027-02-15", "08:30"),
                                     moment("2027-02-22", "08:30")]
    # during the week off the latest agenda is the one before it
    assert occurrence_at_or_before(RULE.agenda, moment("2027-02-10", "12:00"), PARK_TZ,
                                   CALENDAR) == Occurrence(D("2027-02-01"),
                                                           moment("2027-02-01", "08:30"))


def test_a_make_up_working_day_takes_the_agenda_of_a_week_otherwise_off() -> None:
    # an invented week: Monday to Friday off, Saturday worked instead (调休上班)
    week_off = [SpecialDay(D(f"2030-06-{d:02}"), False, "测试假日") for d in range(10, 15)]
    calendar = BusinessCalendar([*week_off, SpecialDay(D("2030-06-15"), True, "测试假日调休")],
                                [2030])

    assert sending_day(RULE.agenda, D("2030-06-10"), calendar) == D("2030-06-15")


def test_the_digest_keeps_its_monday_even_on_a_holiday() -> None:
    assert sending_day(RULE.digest, D("2026-10-05"), CALENDAR) == D("2026-10-05")
    assert sending_day(WeeklySlot(0, 9, 0, working_day=True), D("2026-10-05"),
                       CALENDAR) == D("2026-10-08")


def test_a_moved_agenda_keeps_the_series_of_its_monday() -> None:
    occurrence = occurrence_of(RULE.agenda, D("2026-10-05"), PARK_TZ, CALENDAR)
    assert occurrence is not None

    assert periodic_series("agenda", occurrence) == "agenda:2026-10-05"
    [planned] = plan_periodic("agenda", occurrence, ["alice@park.test"], PARK_TZ)
    assert planned.reason_params == {"day": "2026-10-08"}


def test_each_period_has_exactly_one_occurrence_over_the_two_years() -> None:
    start, end = moment("2026-01-01", "00:00"), moment("2027-12-31", "23:59")
    for slot, expected in ((RULE.monthly_report, 24), (RULE.quarterly_report, 8),
                           (RULE.agenda, 52 + 52 - 2)):  # Mondays, less two 春节 weeks off
        found = occurrences_between(slot, start, end, PARK_TZ, CALENDAR)
        assert len(found) == len({o.anchor for o in found}) == expected
        # never before its anchor, never out of its week or month, always on a working day
        for o in found:
            day = o.at.date()
            assert CALENDAR.is_workday(day) and o.anchor <= day, o
            assert (day - o.anchor).days < 7 if isinstance(slot, WeeklySlot) \
                else day.month == o.anchor.month, o

