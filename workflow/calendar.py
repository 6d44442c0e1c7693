"""The business calendar: weekends, Chinese statutory holidays and adjusted working days (调休).

Seeded from the `chinese_calendar` package and correctable by an admin-edited CSV file.
Pure data and lookups: no database, no clock.

    ValueError
    └── CalendarFileError(line_no, code, **params)   a bad line in an admin calendar file
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from i18n import N_, gettext
from i18n.formats import format_list

__all__ = [
    "BusinessCalendar",
    "CalendarFileError",
    "DayInfo",
    "DayKind",
    "SpecialDay",
    "holiday_name",
    "parse_calendar_file",
    "seed_from_chinese_calendar",
]

DayKind = Literal["workday", "weekend", "holiday", "adjusted_workday"]

# The holiday names stored (as `chinese_calendar.Holiday.<x>.chinese` spells them) -> their
# catalogue message, shown in the reader's language.
_HOLIDAYS: dict[str, str] = {
    "元旦": N_("New Year's Day"),
    "春节": N_("Spring Festival"),
    "清明": N_("Tomb-sweeping Day"),
    "清明节": N_("Tomb-sweeping Day"),
    "劳动节": N_("Labour Day"),
    "端午": N_("Dragon Boat Festival"),
    "端午节": N_("Dragon Boat Festival"),
    "中秋": N_("Mid-autumn Festival"),
    "中秋节": N_("Mid-autumn Festival"),
    "国庆节": N_("National Day"),
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": N_("Anti-Fascist 70th Day"),
}
_MAKE_UP_SUFFIX = "调休"

# No real calendar rests for a year on end; a longer search means a broken calendar file.
_MAX_ROLL_DAYS = 366

_FILE_HEADER = ("date", "kind", "name")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def holiday_name(name: str, lang: str) -> str:
    """A holiday's stored (Chinese) name in `lang`; names the catalogue does not know (an
    admin's own) are shown as written."""
    if "、" in name:  # one item of a notice for two holidays: "国庆节、中秋节"
        return format_list((holiday_name(part, lang) for part in name.split("、")), lang)
    if name in _HOLIDAYS:
        return gettext(lang, _HOLIDAYS[name])
    base = name.removesuffix(_MAKE_UP_SUFFIX)
    if base != name and base in _HOLIDAYS:
        return gettext(lang, N_("%(holiday)s make-up day"),
                       holiday=gettext(lang, _HOLIDAYS[base]))
    return name


@dataclass(frozen=True)
class SpecialDay:
    """A day that deviates from (or names a day within) the Mon–Fri rule."""

    day: date
    is_workday: bool  # False: statutory holiday (法定节假日); True: adjusted working day (调休上班)
    name: str  # Chinese name, e.g. "国庆节"; see holiday_name()


@dataclass(frozen=True)
class DayInfo:
    """What kind of day a date is, and the holiday it belongs to if any."""

    kind: DayKind
    name: str | None = None


class CalendarFileError(ValueError):
    """A line of an admin calendar file could not be read: an error code and its parameters
    (the sentence is workflow.error_text's `calendar_…` message)."""

    def __init__(self, line_no: int, code: str, **params: object) -> None:
        self.line_no = line_no
        self.code = code
        self.params = params
        super().__init__(f"line {line_no}: {code} {params}")


class BusinessCalendar:
    """Working days: a special day wins, otherwise Monday to Friday.

    A special day always applies; `covered_years` only records which years have had their
    holiday arrangement loaded, so callers can warn that an uncovered year rests on weekends only.
    """

    def __init__(
        self, special_days: Iterable[SpecialDay] = (), covered_years: Iterable[int] = ()
    ) -> None:
        # Later entries win, so an override list can simply be appended.
        self._by_day: dict[date, SpecialDay] = {s.day: s for s in special_days}
        self._covered = frozenset(covered_years)
        # results computed from this calendar, which never changes (deadlines: every event
        # of a day shares a handful); bounded by its users
        self.memo: dict[Any, Any] = {}

    @property
    def covered_years(self) -> frozenset[int]:
        """Years whose holiday arrangement is loaded."""
        return self._covered

    @property
    def special_days(self) -> tuple[SpecialDay, ...]:
        """All special days, in date order."""
        return tuple(self._by_day[d] for d in sorted(self._by_day))

    def covers(self, year: int) -> bool:
        """True if the holiday arrangement of `year` is loaded."""
        return year in self._covered

    def is_workday(self, day: date) -> bool:
        """True if people work on `day`."""
        special = self._by_day.get(day)
        if special is not None:
            return special.is_workday
        return day.weekday() < 5

    def describe(self, day: date) -> DayInfo:
        """Classify `day` for explanations."""
        special = self._by_day.get(day)
        if special is not None:
            kind: DayKind = "adjusted_workday" if special.is_workday else "holiday"
            return DayInfo(kind, special.name)
        return DayInfo("workday" if day.weekday() < 5 else "weekend")

    def next_workday(self, day: date) -> date:
        """The first working day on or after `day`."""
        candidate = day
        for _ in range(_MAX_ROLL_DAYS):
            if self.is_workday(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_ROLL_DAYS} days of {day.isoformat()}")

    def overlay(self, other: BusinessCalendar) -> BusinessCalendar:
        """A calendar where `other` replaces this one for every year `other` covers.

        Whole years are replaced, not merged, so an admin file can also remove a wrong entry.
        """
        kept = (s for s in self.special_days if s.day.year not in other.covered_years)
        return BusinessCalendar([*kept, *other.special_days], self._covered | other.covered_years)

    def __repr__(self) -> str:
        years = sorted(self._covered)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"BusinessCalendar(years={span}, special_days={len(self._by_day)})"


def seed_from_chinese_calendar() -> tuple[list[SpecialDay], list[int]]:
    """Every holiday and adjusted working day `chinese_calendar` knows, and the years it covers.

    Holidays that fall on a weekend are kept too: they do not change is_workday but their name
    makes explanations clearer. The covered years are the package's own supported range, the
    span of its holiday table (it raises NotImplementedError outside it).
    """
    from chinese_calendar import constants  # imported here: only seeding needs the package

    days = [SpecialDay(d, False, _chinese_name(v)) for d, v in constants.holidays.items()]
    days += [SpecialDay(d, True, _chinese_name(v)) for d, v in constants.workdays.items()]
    days.sort(key=lambda s: s.day)
    first, last = min(constants.holidays).year, max(constants.holidays).year
    return days, list(range(first, last + 1))


def _chinese_name(value: object) -> str:
    """Chinese name from a `chinese_calendar` table value.

    Version 1.11 stores the enum's value, the English name ("National Day"); older releases
    stored "National Day,国庆节,3" or the enum itself, so accept all three.
    """
    from chinese_calendar import Holiday

    if isinstance(value, Holiday):
        return str(value.chinese)
    text = str(value)
    if "," in text:
        return text.split(",")[1].strip()
    try:
        return str(Holiday(text).chinese)
    except ValueError:
        return text


def parse_calendar_file(text: str) -> tuple[list[SpecialDay], list[int]]:
    """Read an admin calendar CSV (`date,kind,name`; kind is `holiday` or `workday`).

    Blank lines and lines starting with '#' are ignored. The covered years are exactly the
    years that appear in the file: listing any day of a year declares that year's arrangement
    complete (every year has at least New Year's Day). Raises CalendarFileError on a bad line.
    """
    days: list[SpecialDay] = []
    seen: dict[date, int] = {}
    header_read = False
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in next(csv.reader([line]))]
        if not header_read:
            _check_header(line_no, fields)
            header_read = True
            continue
        special = _parse_line(line_no, fields)
        if special.day in seen:
            day, first = special.day.isoformat(), seen[special.day]
            raise CalendarFileError(line_no, "calendar_duplicate", value=day, first=first)
        seen[special.day] = line_no
        days.append(special)
    days.sort(key=lambda s: s.day)
    return days, sorted({s.day.year for s in days})


def _check_header(line_no: int, fields: list[str]) -> None:
    if tuple(f.lower() for f in fields) != _FILE_HEADER:
        expected, actual = ",".join(_FILE_HEADER), ",".join(fields)
        raise CalendarFileError(line_no, "calendar_header", expected=expected, actual=actual)


def _parse_line(line_no: int, fields: list[str]) -> SpecialDay:
    if len(fields) != len(_FILE_HEADER):
        raise CalendarFileError(line_no, "calendar_columns", count=len(fields))
    raw_date, kind, name = fields
    if kind not in ("holiday", "workday"):
        raise CalendarFileError(line_no, "calendar_kind", value=kind)
    if not name:
        raise CalendarFileError(line_no, "calendar_name")
    return SpecialDay(_parse_date(line_no, raw_date), kind == "workday", name)


def _parse_date(line_no: int, raw: str) -> date:
    # fromisoformat alone also accepts "20271001" and week dates; admins write YYYY-MM-DD.
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise CalendarFileError(line_no, "calendar_date", value=raw)
