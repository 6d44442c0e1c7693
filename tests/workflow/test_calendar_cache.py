"""Each process caches the business calendar: an import shows in the importing process once it
commits, and in every other process (the scheduler, the web workers) within a minute."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from db.engine import reading, writing
from db.models import CalendarDay, User, columns
from tests.factories import NOW, PARK_TZ
from workflow.calendar_store import import_calendar
from workflow.clock import FixedClock
from workflow.park import CALENDAR_RECHECK, Park

MONDAY = date(2026, 11, 23)  # an ordinary working day, made a holiday by the import below
ARRANGEMENT = ("date,kind,name\n2026-01-01,holiday,元旦\n"
               "2026-11-23,holiday,园区停电\n")


def admin(session: Session, email: str) -> User:
    return session.execute(select(User).where(columns(User).email == email)).scalar_one()


def is_workday(engine: Engine, park: Park, day: date) -> bool:
    with reading(engine) as session:
        return park.calendar(session).is_workday(day)


def test_another_process_sees_an_import_within_a_minute(
        engine: Engine, people: dict[str, str], calendar_2026_restored: None) -> None:
    importer = Park.default(tz=PARK_TZ, clock=FixedClock(NOW))
    other_clock = FixedClock(NOW)
    other = Park.default(tz=PARK_TZ, clock=other_clock)  # e.g. a web worker
    assert is_workday(engine, other, MONDAY)

    with writing(engine) as session:
        import_calendar(session, importer, text=ARRANGEMENT, source="停电.csv",
                        actor=admin(session, people["admin"]), now=NOW)

    assert not is_workday(engine, importer, MONDAY)  # at once where it was imported
    assert is_workday(engine, other, MONDAY)  # the other process still trusts its cache
    other_clock.advance(CALENDAR_RECHECK - timedelta(seconds=1))
    assert is_workday(engine, other, MONDAY)
    other_clock.advance(timedelta(seconds=1))
    assert not is_workday(engine, other, MONDAY)  # a minute later it has looked again


def test_an_import_that_rolls_back_leaves_the_cached_calendar_as_it_was(
        engine: Engine, people: dict[str, str], calendar_2026_restored: None) -> None:
    park = Park.default(tz=PARK_TZ, clock=FixedClock(NOW))
    assert is_workday(engine, park, MONDAY)

    with pytest.raises(RuntimeError), writing(engine) as session:
        import_calendar(session, park, text=ARRANGEMENT, source="停电.csv",
                        actor=admin(session, people["admin"]), now=NOW)
        assert not park.calendar(session).is_workday(MONDAY)  # its own transaction's view
        raise RuntimeError("the import is abandoned")

    assert is_workday(engine, park, MONDAY)
    with reading(engine) as session:
        assert session.get(CalendarDay, MONDAY) is None
