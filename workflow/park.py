"""The park: what every use case needs, wired once by the composition root and injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func
from sqlalchemy import select as sa_select
from sqlmodel import Session

from db.models import CalendarDay, CalendarYear, columns
from db.prepared import Prepared
from states.approval import ApprovalPolicy, load_approval_policy
from states.definition import LIFECYCLE_FILE, Lifecycle, load_lifecycle
from workflow.calendar import BusinessCalendar, SpecialDay
from workflow.clock import Clock
from workflow.machine import LifecycleMachine, machine_for

DEFAULT_TZ = "Asia/Shanghai"
# how long a process trusts its cached calendar before asking the database whether another
# process (an admin's import on the web, the CLI) changed it
CALENDAR_RECHECK = timedelta(minutes=1)

# Called inside the transaction of every change, after its rows and history are written,
# with the change (a project Transition, an ApprovalChange, a ListingOffered): what must
# commit together with it (its outbox rows) subscribes here.
Observer = Callable[[Session, "Park", Any], None]


@dataclass
class Park:
    lifecycle: Lifecycle
    clock: Clock  # always given: the composition root or the test picks the time
    approvals: ApprovalPolicy = field(default_factory=load_approval_policy)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    observers: list[Observer] = field(default_factory=list)
    # chat robots configured per group, e.g. {"project": ("wecom:project",)}
    chat_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _calendar: BusinessCalendar | None = None
    _calendar_stamp: tuple[Any, ...] = ()
    _calendar_checked_until: datetime | None = None

    @classmethod
    def default(cls, *, clock: Clock, **kwargs: Any) -> Park:
        """The park of the shipped definition files."""
        return cls(lifecycle=load_lifecycle(LIFECYCLE_FILE), clock=clock, **kwargs)

    @property
    def machine(self) -> LifecycleMachine:
        return machine_for(self.lifecycle)

    @property
    def approval_machine(self) -> LifecycleMachine:
        return machine_for(self.approvals.lifecycle)

    def now(self) -> datetime:
        return self.clock.now()

    def calendar(self, session: Session) -> BusinessCalendar:
        """The business calendar, cached; re-checked against the database once a minute.

        A transaction that changes the calendar sees its own version; the shared cache moves
        only once that transaction commits.
        """
        if CHANGED in session.info:
            if session.info[CHANGED] is None:
                session.flush()  # its own new days, read below on its connection
                session.info[CHANGED] = _load_calendar(session)
            return session.info[CHANGED]
        now = self.now()
        if self._calendar is None or self._calendar_checked_until is None \
                or now >= self._calendar_checked_until:
            stamp = _calendar_stamp(session)
            if self._calendar is None or stamp != self._calendar_stamp:
                self._calendar, self._calendar_stamp = _load_calendar(session), stamp
            self._calendar_checked_until = now + CALENDAR_RECHECK
        return self._calendar

    def calendar_changed(self, session: Session) -> None:
        """Called by a transaction that rewrites the calendar: drop the cache after commit."""
        if CHANGED not in session.info:
            # begun, so that its commit fires after_commit (db.engine commits a unit's
            # session only if it began a transaction)
            session.connection()
            session.info[CHANGED] = None
            event.listen(session, "after_commit", self._after_calendar_commit, once=True)
            event.listen(session, "after_rollback", _forget_change, once=True)

    def _after_calendar_commit(self, session: Session) -> None:
        session.info.pop(CHANGED, None)
        self.invalidate_calendar()

    def invalidate_calendar(self) -> None:
        self._calendar = None
        self._calendar_checked_until = None


CHANGED = "parkflow.calendar_changed"  # session.info key: this transaction's own calendar


def _forget_change(session: Session) -> None:
    session.info.pop(CHANGED, None)


def _load_calendar(session: Session) -> BusinessCalendar:
    days = [SpecialDay(day, bool(is_workday), name)
            for day, is_workday, name in _CALENDAR_DAYS.all(session, {})]
    years = [year for year, in _CALENDAR_YEARS.all(session, {})]
    return BusinessCalendar(days, years)


def _calendar_stamp(session: Session) -> tuple[Any, ...]:
    """Cheap evidence of a change: the loaded years, their newest load, the special days."""
    stamp = _CALENDAR_STAMP.first(session, {})
    assert stamp is not None  # aggregates: always one row
    return stamp


_Y, _D = columns(CalendarYear), columns(CalendarDay)
# Core, not the ORM: a read command's first ORM query configures every mapper and compiles
# the ORM statement, several times the cost of the query (it is often the only one)
_CALENDAR_DAYS = Prepared(sa_select(_D.day, _D.is_workday, _D.name))
_CALENDAR_YEARS = Prepared(sa_select(_Y.year))
_TABLES = CalendarYear.__table__, CalendarDay.__table__  # type: ignore[attr-defined]
# one prepared statement (db.prepared): a busy process runs it once a minute, on the event path
_CALENDAR_STAMP = Prepared(sa_select(
    sa_select(func.count()).select_from(_TABLES[0]).scalar_subquery(),
    sa_select(func.max(_Y.loaded_at)).scalar_subquery(),
    sa_select(func.count()).select_from(_TABLES[1]).scalar_subquery()))
