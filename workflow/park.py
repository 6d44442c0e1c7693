"""The park: what every use case needs, wired once by the composition root and injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from db.models import CalendarDay, CalendarYear
from states.approval import ApprovalPolicy, load_approval_policy
from states.definition import LIFECYCLE_FILE, Lifecycle, load_lifecycle
from workflow.calendar import BusinessCalendar, SpecialDay
from workflow.clock import Clock
from workflow.machine import LifecycleMachine, machine_for

DEFAULT_TZ = "Asia/Shanghai"

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
        """The business calendar from the database, read once and kept until invalidated."""
        if self._calendar is None:
            days = [SpecialDay(d.day, d.is_workday, d.name)
                    for d in session.exec(select(CalendarDay)).all()]
            years = list(session.exec(select(CalendarYear.year)).all())
            self._calendar = BusinessCalendar(days, years)
        return self._calendar

    def invalidate_calendar(self) -> None:
        self._calendar = None
