"""Deadlines as the Civil Code computes them (民法典 第201–203条), pure functions of dates.

- The start day is not counted: a period of N days ends N days after the start day.
- A period of months ends on the corresponding day of the final month, anchored on the start
  date (Jan 31 + 1 month = Feb 28/29; never chained month by month), or that month's last day.
- The last day ends at 24:00 in the park's time zone.
- A last day that is not a working day moves to the next working day (unless switched off).

Every Deadline carries a human explanation (zh-CN or en) and warnings when a day it looked at
lies in a year whose holiday arrangement has not been loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from workflow.calendar import BusinessCalendar, DayInfo, english_name

__all__ = [
    "Deadline",
    "Period",
    "compute_deadline",
    "extend_deadline",
    "local_date",
    "shift_deadline",
]

_Lang = Literal["zh", "en"]

_PERIOD_TEXT = re.compile(r"\s*(\d+)\s*(days?|months?|天|个月)\s*", re.IGNORECASE)
_MONTH_UNITS = ("month", "months", "个月")

_WEEKDAYS: dict[_Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SEPARATOR: dict[_Lang, str] = {"zh": "；", "en": "; "}
_EXTENDED: dict[_Lang, str] = {"zh": "延期", "en": "extended by"}
_PAUSED: dict[_Lang, str] = {"zh": "暂停", "en": "paused"}


def _lang(lang: str) -> _Lang:
    """Normalise a language tag ("zh-CN", "en", "en-US") to the two we write."""
    low = lang.lower()
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {lang!r}; expected 'zh-CN' or 'en'")


@dataclass(frozen=True)
class Period:
    """A legal period: whole months and/or days."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0 or (self.months == 0 and self.days == 0):
            got = f"months={self.months} days={self.days}"
            raise ValueError(f"a period must be positive, got {got}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse "7 days", "1 month", "2 months" (also "7天", "1个月")."""
        match = _PERIOD_TEXT.fullmatch(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(f"invalid period {text!r}; expected e.g. '7 days' or '1 month'")
        count, unit = int(match.group(1)), match.group(2).lower()
        return cls(months=count) if unit in _MONTH_UNITS else cls(days=count)

    def label(self, lang: str) -> str:
        """Label in zh-CN ("7天", "1个月") or en ("7 days", "1 month")."""
        if _lang(lang) == "zh":
            months = f"{self.months}个月" if self.months else ""
            return months + (f"{self.days}天" if self.days else "")
        words = [_count_en(self.months, "month"), _count_en(self.days, "day")]
        return " ".join(w for w in words if w)

    def end(self, start: date) -> date:
        """The last day of the period, before any roll-forward."""
        return start + relativedelta(months=self.months, days=self.days)


def _count_en(n: int, noun: str) -> str:
    if n == 0:
        return ""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and how it was reached."""

    start: date  # the anchor date (not counted, Civil Code art. 201)
    due_date: date  # last day of the period after roll-forward
    due_at: datetime  # aware, park tz: the day after due_date at 00:00, i.e. 24:00 of due_date
    explanation: str
    warnings: tuple[str, ...]


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of an aware `moment` in the park's time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(tz).date()


def compute_deadline(
    *,
    start: date,
    period: Period,
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    anchor_label: str,
    roll_forward: bool = True,
    lang: str = "zh-CN",
) -> Deadline:
    """The deadline `period` after `start`; `anchor_label` is already localised ("入库")."""
    # A datetime is a date subclass; letting one through would silently skip local_date().
    if isinstance(start, datetime):
        raise TypeError("start must be a date; convert moments with local_date(moment, tz)")
    language = _lang(lang)
    end = period.end(start)
    head = f"{anchor_label} {start.isoformat()} + {period.label(language)} = {end.isoformat()}"
    return _land(start, head, end, (), calendar, tz, roll_forward, language)


def extend_deadline(
    deadline: Deadline,
    *,
    days: int,
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    note: str,
    roll_forward: bool = True,
    lang: str = "zh-CN",
) -> Deadline:
    """An extension (延期): `days` calendar days after the current due date, rolled forward.

    `note` says who granted it, e.g. "王主任 2026-11-02 批准".
    """
    return _push(deadline, days, _EXTENDED, calendar, tz, note, roll_forward, _lang(lang))


def shift_deadline(
    deadline: Deadline,
    *,
    days: int,
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    note: str,
    roll_forward: bool = True,
    lang: str = "zh-CN",
) -> Deadline:
    """A suspension: the clock was paused `days` calendar days, so the due date moves as far."""
    return _push(deadline, days, _PAUSED, calendar, tz, note, roll_forward, _lang(lang))


def _push(
    deadline: Deadline,
    days: int,
    verb: dict[_Lang, str],
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    note: str,
    roll_forward: bool,
    lang: _Lang,
) -> Deadline:
    """Move a deadline `days` calendar days past its current due date, keeping the history."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    end = deadline.due_date + timedelta(days=days)
    amount = f"{days} 天" if lang == "zh" else _count_en(days, "day")
    reason = (f"（{note}）" if lang == "zh" else f" ({note})") if note else ""
    colon = "：" if lang == "zh" else ": "
    step = f"{Period(days=days).label(lang)} = {end.isoformat()}"
    head = f"{verb[lang]} {amount}{reason}{colon}{deadline.due_date.isoformat()} + {step}"
    # The old due date is the base of the new one, so its doubts still apply.
    prefix = deadline.explanation + _SEPARATOR[lang]
    return _land(
        deadline.start, prefix + head, end, deadline.warnings, calendar, tz, roll_forward, lang
    )


def _land(
    start: date,
    head: str,
    end: date,
    earlier_warnings: tuple[str, ...],
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    roll_forward: bool,
    lang: _Lang,
) -> Deadline:
    """Roll `end` forward if asked and build the Deadline with its explanation."""
    due = calendar.next_workday(end) if roll_forward else end
    looked_at = [end + timedelta(days=i) for i in range((due - end).days + 1)]
    warnings = earlier_warnings + _coverage_warnings(looked_at, calendar, roll_forward, lang)
    status = _status(end, due, calendar.describe(end), roll_forward, lang)
    due_word = "截止" if lang == "zh" else "due"
    explanation = f"{head}{_SEPARATOR[lang]}{status} → {due_word} {due.isoformat()} 24:00"
    return Deadline(
        start=start,
        due_date=due,
        due_at=datetime.combine(due + timedelta(days=1), time(0), tzinfo=tz),
        explanation=explanation,
        warnings=tuple(dict.fromkeys(warnings)),  # de-duplicated, order kept
    )


def _status(end: date, due: date, info: DayInfo, roll_forward: bool, lang: _Lang) -> str:
    """The day's status, e.g. "2026-10-01 为法定节假日（国庆节），顺延至 2026-10-08"."""
    what = _day_phrase(end, info, lang)
    if info.kind in ("workday", "adjusted_workday"):
        return what
    if not roll_forward:
        return what + ("，不顺延" if lang == "zh" else ", not moved")
    moved = f"，顺延至 {due.isoformat()}" if lang == "zh" else f", moved to {due.isoformat()}"
    return what + moved


def _day_phrase(day: date, info: DayInfo, lang: _Lang) -> str:
    name = info.name or ""
    if lang == "en":
        name = english_name(name)
    phrases: dict[str, tuple[str, str]] = {
        "workday": ("为工作日", "is a working day"),
        "adjusted_workday": (f"为调休工作日（{name}）", f"is an adjusted working day ({name})"),
        "holiday": (f"为法定节假日（{name}）", f"is a statutory holiday ({name})"),
        "weekend": (
            f"为周末（{_WEEKDAYS['zh'][day.weekday()]}）",
            f"is a weekend ({_WEEKDAYS['en'][day.weekday()]})",
        ),
    }
    zh, en = phrases[info.kind]
    return f"{day.isoformat()} {zh if lang == 'zh' else en}"


def _coverage_warnings(
    looked_at: list[date], calendar: BusinessCalendar, roll_forward: bool, lang: _Lang
) -> tuple[str, ...]:
    """One loud warning per year looked at whose holiday arrangement is not loaded."""
    missing = sorted({d.year for d in looked_at if not calendar.covers(d.year)})
    return tuple(_coverage_warning(year, roll_forward, lang) for year in missing)


def _coverage_warning(year: int, roll_forward: bool, lang: _Lang) -> str:
    if lang == "zh":
        if roll_forward:
            return f"{year} 年的节假日安排尚未导入，截止日期仅按周末顺延，可能不准确"
        return f"{year} 年的节假日安排尚未导入，无法确认截止日是否为节假日"
    if roll_forward:
        return (
            f"the {year} holiday arrangement has not been loaded; "
            "the due date was moved past weekends only and may be wrong"
        )
    return (
        f"the {year} holiday arrangement has not been loaded; "
        "cannot tell whether the due date is a holiday"
    )


def working_days_after(start: date, days: int, calendar: BusinessCalendar) -> date:
    """The `days`-th working day after `start` (start not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day
