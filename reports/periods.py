"""A report's period: a Monday–Sunday week, a calendar month or a quarter, in park time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from i18n.formats import format_skeleton
from workflow.errors import ValidationError
from workflow.moments import park_date

Kind = Literal["weekly", "monthly", "quarterly"]

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")


# a report reaches back to the first intakes a park imports (and its neighbours' years exist)
YEARS = range(1900, 3000)


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date  # first day
    end: date  # last day (inclusive)

    def start_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=tz)

    def end_at(self, tz: ZoneInfo) -> datetime:
        """The first moment after the period (exclusive bound of its events)."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=tz)

    @property
    def key(self) -> str:
        """2026-W47, 2026-10, 2026-Q4: what the pickers and the command take."""
        if self.kind == "weekly":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "monthly":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def label(self, lang: str) -> str:
        """2026年10月 / October 2026; 2026年第4季度 / Q4 2026; a week by its days."""
        if self.kind == "monthly":
            return format_skeleton("yMMMM", self.start, lang)
        if self.kind == "quarterly":
            return format_skeleton("yQQQ", self.start, lang)
        # the end's year only when it is another (a week across New Year)
        end = "yMMMd" if self.end.year != self.start.year else "MMMd"
        return f"{format_skeleton('yMMMd', self.start, lang)} – " \
               f"{format_skeleton(end, self.end, lang)}"

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.end + timedelta(days=1))

    def year_earlier(self) -> Period:
        return period_containing(self.kind, self.start.replace(year=self.start.year - 1))

    def months(self) -> list[Period]:
        """The calendar months inside the period (a quarter's three)."""
        months, day = [], self.start
        while day <= self.end:
            month = period_containing("monthly", day)
            months.append(month)
            day = month.end + timedelta(days=1)
        return months


def period_containing(kind: Kind, day: date) -> Period:
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    first_month = day.month if kind == "monthly" else (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    span = 1 if kind == "monthly" else 3
    month0 = first_month - 1 + span
    after = date(day.year + month0 // 12, month0 % 12 + 1, 1)
    return Period(kind, start, after - timedelta(days=1))


def last_full(kind: Kind, today: date) -> Period:
    """The default period: the last one that has ended before today."""
    return period_containing(kind, today).previous()


def parse_period(kind: Kind, text: str | None, *, today: date, tz: ZoneInfo) -> Period:
    """`--at D` (weekly), `--month YYYY-MM`, `--quarter YYYY-Qn`; None: the last full period."""
    if text is None or not text.strip():
        return last_full(kind, today)
    text = text.strip()
    if kind == "weekly":
        day = park_date(text, field="at", tz=tz)
        if day.year not in YEARS:
            raise ValidationError("year_range", field="at", value=text, low=YEARS.start,
                                  high=YEARS.stop - 1)
        return _begun(period_containing(kind, day), today, "at", text)
    pattern, field = (_MONTH, "month") if kind == "monthly" else (_QUARTER, "quarter")
    match = pattern.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= (12 if kind == "monthly" else 4):
        raise ValidationError("bad_period", field=field, value=text,
                              expected="YYYY-MM" if kind == "monthly" else "YYYY-Qn")
    year, number = int(match.group(1)), int(match.group(2))
    if year not in YEARS:
        raise ValidationError("year_range", field=field, value=text, low=YEARS.start,
                              high=YEARS.stop - 1)
    month = number if kind == "monthly" else (number - 1) * 3 + 1
    return _begun(period_containing(kind, date(year, month, 1)), today, field, text)


def _begun(period: Period, today: date, field: str, text: str) -> Period:
    """A report looks back: a period after today has nothing to count yet."""
    if period.start > today:
        raise ValidationError("period_not_begun", field=field, value=text)
    return period
