"""The park: what every use case needs, wired once by the composition root and injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from db.models import CalendarDay, CalendarYear
from states.definition import LIFECYCLE_FILE, Lifecycle, load_lifecycle
from workflow.calendar import BusinessCalendar, SpecialDay
from workflow.clock import Clock, SystemClock
from workflow.machine import LifecycleMachine, machine_for

if TYPE_CHECKING:
    from workflow.projects import Transition

DEFAULT_TZ = "Asia/Shanghai"

# Called inside the event's transaction, after the project row and its history are written:
# what must change together with a state change (its outbox rows) subscribes here.
TransitionObserver = Callable[[Session, "Park", "Transition"], None]


@dataclass
class Park:
    lifecycle: Lifecycle
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    clock: Clock = field(default_factory=SystemClock)
    observers: list[TransitionObserver] = field(default_factory=list)
    _calendar: BusinessCalendar | None = None

    @classmethod
    def default(cls, **kwargs: Any) -> Park:
        return cls(lifecycle=load_lifecycle(LIFECYCLE_FILE), **kwargs)

    @property
    def machine(self) -> LifecycleMachine:
        return machine_for(self.lifecycle)

    def now(self) -> datetime:
        return self.clock.now()

    def calendar(self, session: Session) -> BusinessCalendar:
        """The business calendar from the database, read once and kept until invalidated."""
        if self._calendar is None:
            days = [SpecialDay(d.day, d.is_workday, d.name)
                    for d in session.exec(select(CalendarDay)).all()]
            years = list(session.exec(select(CalendarYear.year)).all())
            self._calendar = BusinessCalendar(days, years)
        return self._calendar

    def invalidate_calendar(self) -> None:
        self._calendar = None
