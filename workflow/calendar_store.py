"""The business calendar in the database: seeded from chinese-calendar, corrected by admins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, extract, select
from sqlmodel import Session

from db.locks import INIT, wait_for_lock
from db.models import CalendarDay, CalendarYear, User, columns
from workflow.calendar import (
    CalendarFileError,
    SpecialDay,
    parse_calendar_file,
    seed_from_chinese_calendar,
)
from workflow.errors import NotPermitted, ValidationError
from workflow.park import Park
from workflow.projects import recompute_deadlines

SEED_SOURCE = "chinese-calendar"


def seed_calendar(session: Session, park: Park, *, now: datetime) -> list[int]:
    """Load every year chinese-calendar knows and the database does not have yet (one
    process at a time: two at once would both insert the years the other is inserting)."""
    wait_for_lock(session.connection(), INIT)
    days, years = seed_from_chinese_calendar()
    known = set(session.execute(select(columns(CalendarYear).year)).scalars())
    missing = [y for y in years if y not in known]
    _store(session, [d for d in days if d.day.year in missing], missing, SEED_SOURCE, now)
    park.calendar_changed(session)
    return missing


def import_calendar(session: Session, park: Park, *, text: str, source: str, actor: User,
                    now: datetime) -> list[int]:
    """Replace the arrangement of every year in an admin's file (date,kind,name CSV)."""
    if actor.role != "admin":
        raise NotPermitted("admin_only", field="by")
    try:
        days, years = parse_calendar_file(text)
    except CalendarFileError as exc:
        raise ValidationError(exc.code, field="file", line=exc.line_no,
                              **exc.params) from exc
    if not years:
        raise ValidationError("calendar_empty", field="file")
    store_arrangement(session, park, days=days, years=years, source=source, actor=actor,
                      now=now)
    return years


def store_arrangement(session: Session, park: Park, *, days: list[SpecialDay], years: list[int],
                      source: str, actor: User, now: datetime) -> None:
    """Replace the arrangement of `years` by `days`, then bring stored deadlines in line.

    A day outside `years` replaces only its own date and leaves its year as it was (the notice
    for 2019 starts its New Year holiday on 2018-12-30).
    """
    for year in years:
        in_year = extract("year", columns(CalendarDay).day) == year
        session.execute(delete(CalendarDay).where(in_year))
        session.execute(delete(CalendarYear).where(columns(CalendarYear).year == year))
    outside = [d.day for d in days if d.day.year not in years]
    if outside:
        session.execute(delete(CalendarDay).where(columns(CalendarDay).day.in_(outside)))
    _store(session, days, years, source, now)
    park.calendar_changed(session)
    recompute_deadlines(session, park, actor=actor, now=now,
                        cause={"calendar_years": years, "source": source})


def show_calendar(session: Session, year: int) -> dict[str, Any]:
    """A year's special days and whether its arrangement is loaded."""
    loaded = session.get(CalendarYear, year)
    day = columns(CalendarDay).day
    days = session.execute(select(CalendarDay).where(extract("year", day) == year)
                           .order_by(day)).scalars()
    return {"year": year, "covered": loaded is not None,
            "source": loaded.source if loaded else None,
            "days": [{"date": d.day.isoformat(), "kind": "workday" if d.is_workday else "holiday",
                      "name": d.name} for d in days]}


def _store(session: Session, days: Iterable[SpecialDay], years: Iterable[int], source: str,
           now: datetime) -> None:
    session.add_all(CalendarDay(day=d.day, is_workday=d.is_workday, name=d.name) for d in days)
    session.add_all(CalendarYear(year=y, source=source, loaded_at=now) for y in years)
    session.flush()


def covered_years(session: Session) -> list[int]:
    return sorted(session.execute(select(columns(CalendarYear).year)).scalars())


