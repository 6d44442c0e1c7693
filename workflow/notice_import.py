"""Importing the State Council's holiday notice into the business calendar.

What the notice says is shown beside what the calendar has now, day by day; on confirmation
the year's arrangement is replaced the way an admin's calendar file replaces it (stored
deadlines recomputed, each move a `recalculated` history entry). Admins only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlmodel import Session

from db.models import CalendarDay, CalendarYear, User, columns
from workflow.calendar import SpecialDay
from workflow.calendar_store import store_arrangement
from workflow.errors import NotPermitted, ValidationError
from workflow.holiday_notice import Notice, NoticeError, parse_notice
from workflow.park import Park
from workflow.users import require_actor

Change = Literal["added", "removed", "unchanged", "changed"]
CHANGES: tuple[Change, ...] = ("added", "removed", "changed", "unchanged")
# A notice is about 1,500 characters; the whole page it was copied from may be ten times that.
MAX_NOTICE_CHARS = 50_000
_NEW_YEAR = "元旦"


@dataclass(frozen=True)
class DayComparison:
    """One date: what the notice says and what the calendar has now (None: no special day)."""

    day: date
    notice: SpecialDay | None
    calendar: SpecialDay | None

    @property
    def change(self) -> Change:
        """added / removed by the notice, unchanged, or changed from day off to working day
        (or back). A name written differently (清明 / 清明节) is no change."""
        if self.calendar is None:
            return "added"
        if self.notice is None:
            return "removed"
        return "unchanged" if self.notice.is_workday == self.calendar.is_workday else "changed"


@dataclass(frozen=True)
class NoticeImport:
    """What a notice import understood, beside the calendar as it was, and whether it stored."""

    notice: Notice
    days: tuple[DayComparison, ...]
    source_before: str | None  # where the year's arrangement came from; None: not loaded
    imported: bool

    @property
    def year(self) -> int:
        return self.notice.year

    def counts(self) -> dict[Change, int]:
        """How many days are added, removed, changed and unchanged."""
        counted = Counter(d.change for d in self.days)
        return {change: counted[change] for change in CHANGES}

    def as_json(self) -> dict[str, Any]:
        """The command's --json answer (CLI.md)."""
        return {"year": self.year,
                "holidays": [d.isoformat() for d in self.notice.holidays],
                "workdays": [d.isoformat() for d in self.notice.workdays],
                "imported": self.imported}


def notice_source(year: int) -> str:
    """How the calendar records a year loaded from its notice."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def import_notice(session: Session, park: Park, *, text: str, year: int, actor: str | User,
                  now: datetime, dry_run: bool) -> NoticeImport:
    """Read the notice for `year` and compare it with the calendar; unless `dry_run`, replace
    the year's arrangement with it. A sentence it cannot read: ValidationError, nothing stored."""
    user = require_actor(session, actor)
    if user.role != "admin":
        raise NotPermitted("admin_only", field="by")
    notice = read_notice(text, year)
    current = _calendar_days(session, notice)
    # December days of next year's New Year holiday (the 2019 notice starts it on 2018-12-30)
    # belong to the next notice: this one neither compares nor removes them.
    kept = [d for d in current.values() if d.day.year == year and d.day.month == 12
            and _NEW_YEAR in d.name and d.day not in notice.holidays
            and d.day not in notice.workdays]
    for day in kept:
        del current[day.day]
    said = {d.day: d for d in notice.special_days()}
    days = tuple(DayComparison(day, said.get(day), current.get(day))
                 for day in sorted(said.keys() | current.keys()))
    loaded = session.get(CalendarYear, year)
    result = NoticeImport(notice, days, loaded.source if loaded else None, imported=not dry_run)
    if not dry_run:
        store_arrangement(session, park, days=[*said.values(), *kept], years=[year],
                          source=notice_source(year), actor=user, now=now)
    return result


def read_notice(text: str, year: int) -> Notice:
    """The notice parsed, its problems as the engine's ValidationError (field `text`)."""
    if not 1900 <= year <= 2200:
        raise ValidationError("out_of_range", field="year", value=year, low=1900, high=2200)
    if len(text) > MAX_NOTICE_CHARS:
        raise ValidationError("too_long", field="text", length=len(text),
                              limit=MAX_NOTICE_CHARS)
    try:
        return parse_notice(text, year)
    except NoticeError as exc:
        raise ValidationError(exc.code, field="text", **exc.params) from exc


def _calendar_days(session: Session, notice: Notice) -> dict[date, SpecialDay]:
    """The calendar's special days of the notice's year and of any date the notice names."""
    day = columns(CalendarDay).day
    named = [d for d in [*notice.holidays, *notice.workdays] if d.year != notice.year]
    rows = session.execute(select(CalendarDay).where(or_(
        day.between(date(notice.year, 1, 1), date(notice.year, 12, 31)),
        day.in_(named)))).scalars()
    return {r.day: SpecialDay(r.day, r.is_workday, r.name) for r in rows}
