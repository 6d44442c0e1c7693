"""Deadlines as the Civil Code computes them (民法典 第201–203条), pure functions of dates.

- The start day is not counted: a period of N days ends N days after the start day.
- A period of months ends on the corresponding day of the final month, anchored on the start
  date (Jan 31 + 1 month = Feb 28/29; never chained month by month), or that month's last day.
- The last day ends at 24:00 in the park's time zone.
- A last day that is not a working day moves to the next working day (unless switched off).

Every Deadline carries a human explanation (zh-CN or en, from the catalogue; it is computed
when read, never stored) and warnings when a day it looked at lies in a year whose holiday
arrangement has not been loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from i18n import N_, gettext, ngettext
from i18n.formats import weekday_name
from workflow.calendar import BusinessCalendar, DayInfo, holiday_name

__all__ = [
    "Deadline",
    "Period",
    "compute_deadline",
    "due_day",
    "extend_deadline",
    "local_date",
    "shift_deadline",
]

_PERIOD_TEXT = re.compile(r"\s*(\d+)\s*(days?|months?|天|个月)\s*", re.IGNORECASE)
_MONTH_UNITS = ("month", "months", "个月")

# how a step of the computation moved the deadline: (with a note, without one)
_EXTENDED = (N_("extended by %(amount)s (%(note)s): %(step)s"),
             N_("extended by %(amount)s: %(step)s"))
_PAUSED = (N_("paused %(amount)s (%(note)s): %(step)s"), N_("paused %(amount)s: %(step)s"))


def _lang(lang: str) -> str:
    """Normalise a language tag ("zh-CN", "en", "en-US") to the two we write; refuse others
    (an explanation in a language nobody asked for would be a silent mistake)."""
    low = lang.lower()
    if low.startswith("zh"):
        return "zh-CN"
    if low.startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {lang!r}; expected 'zh-CN' or 'en'")


def _then(lang: str, earlier: str, later: str) -> str:
    """Two steps of an explanation, one after the other."""
    return gettext(lang, N_("%(earlier)s; %(later)s"), earlier=earlier, later=later)


def _days(lang: str, days: int) -> str:
    return ngettext(lang, "%(count)s day", "%(count)s days", days, count=days)


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
        language = _lang(lang)
        months = ngettext(language, "%(num)d month", "%(num)d months", self.months)
        days = ngettext(language, "%(num)d day", "%(num)d days", self.days)
        if self.months and self.days:
            return gettext(language, N_("%(months)s %(days)s"), months=months, days=days)
        return months if self.months else days

    def end(self, start: date) -> date:
        """The last day of the period, before any roll-forward."""
        return start + relativedelta(months=self.months, days=self.days)


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
    key = ("deadline", start, period, tz, anchor_label, roll_forward, language)
    found: Deadline | None = calendar.memo.get(key)
    if found is None:
        end = period.end(start)
        head = (f"{anchor_label} {start.isoformat()} + {period.label(language)} = "
                f"{end.isoformat()}")
        found = _land(start, head, end, (), calendar, tz, roll_forward, language)
        if len(calendar.memo) >= MEMO_LIMIT:
            calendar.memo.clear()
        calendar.memo[key] = found
    return found


MEMO_LIMIT = 4096  # deadlines kept per calendar


def due_day(end: date, calendar: BusinessCalendar, roll_forward: bool = True) -> date:
    """The due day of a period whose last day is `end`: rolled past days off if the rule says
    so. The arithmetic alone, for replays that need no explanation (reports)."""
    return calendar.next_workday(end) if roll_forward else end


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
    verb: tuple[str, str],
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    note: str,
    roll_forward: bool,
    lang: str,
) -> Deadline:
    """Move a deadline `days` calendar days past its current due date, keeping the history."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    end = deadline.due_date + timedelta(days=days)
    step = f"{deadline.due_date.isoformat()} + {Period(days=days).label(lang)} = {end.isoformat()}"
    with_note, without = verb
    head = gettext(lang, with_note if note else without, amount=_days(lang, days), note=note,
                   step=step)
    # The old due date is the base of the new one, so its doubts still apply.
    return _land(deadline.start, _then(lang, deadline.explanation, head), end,
                 deadline.warnings, calendar, tz, roll_forward, lang)


def _land(
    start: date,
    head: str,
    end: date,
    earlier_warnings: tuple[str, ...],
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    roll_forward: bool,
    lang: str,
) -> Deadline:
    """Roll `end` forward if asked and build the Deadline with its explanation."""
    due = due_day(end, calendar, roll_forward)
    looked_at = [end + timedelta(days=i) for i in range((due - end).days + 1)]
    warnings = earlier_warnings + _coverage_warnings(looked_at, calendar, roll_forward, lang)
    status = _status(end, due, calendar.describe(end), roll_forward, lang,
                     known=calendar.covers(end.year))
    explanation = _then(lang, head, gettext(lang, N_("%(day)s → due %(due)s 24:00"),
                                            day=status, due=due.isoformat()))
    return Deadline(
        start=start,
        due_date=due,
        due_at=datetime.combine(due + timedelta(days=1), time(0), tzinfo=tz),
        explanation=explanation,
        warnings=tuple(dict.fromkeys(warnings)),  # de-duplicated, order kept
    )


def _status(end: date, due: date, info: DayInfo, roll_forward: bool, lang: str, *,
            known: bool = True) -> str:
    """The day's status, e.g. "2026-10-01 为法定节假日（国庆节），顺延至 2026-10-08"."""
    what = _day_phrase(end, info, lang, known=known)
    if info.kind in ("workday", "adjusted_workday"):
        return what
    if not roll_forward:
        return gettext(lang, N_("%(day)s, not moved"), day=what)
    return gettext(lang, N_("%(day)s, moved to %(due)s"), day=what, due=due.isoformat())


_DAY_PHRASES = {
    "workday": N_("%(day)s is a working day"),
    "adjusted_workday": N_("%(day)s is an adjusted working day (%(name)s)"),
    "holiday": N_("%(day)s is a statutory holiday (%(name)s)"),
    "weekend": N_("%(day)s is a weekend (%(weekday)s)"),
}


def _day_phrase(day: date, info: DayInfo, lang: str, *, known: bool = True) -> str:
    if info.kind == "workday" and not known:  # not "a working day" as a fact
        return gettext(lang, N_("%(day)s is counted as a working day (its year's holidays are "
                                "not loaded yet)"), day=day.isoformat())
    # the weekday's name only where the phrase shows it: naming it loads Babel's locale data
    # (tens of ms), which `project show` paid at every start for a due day that is a workday
    weekday = weekday_name(day, lang, width="wide") if info.kind == "weekend" else ""
    return gettext(lang, _DAY_PHRASES[info.kind], day=day.isoformat(),
                   name=holiday_name(info.name or "", lang), weekday=weekday)


def _coverage_warnings(
    looked_at: list[date], calendar: BusinessCalendar, roll_forward: bool, lang: str
) -> tuple[str, ...]:
    """One loud warning per year looked at whose holiday arrangement is not loaded."""
    missing = sorted({d.year for d in looked_at if not calendar.covers(d.year)})
    return tuple(_coverage_warning(year, roll_forward, lang) for year in missing)


def _coverage_warning(year: int, roll_forward: bool, lang: str) -> str:
    if roll_forward:
        return gettext(lang, N_("The %(year)s holiday arrangement has not been loaded; the due "
                                "date was moved past weekends only and may be wrong"), year=year)
    return gettext(lang, N_("The %(year)s holiday arrangement has not been loaded; cannot tell "
                            "whether the due date is a holiday"), year=year)


def working_days_after(start: date, days: int, calendar: BusinessCalendar) -> date:
    """The `days`-th working day after `start` (start not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day
