"""首页 and 我的待办 computed once per change, not once per look.

Both replay the history (reports.today): 首页 two monthly reports and today's follow-ups, a
to-do list its owner's projects. Every change to a project or an approval writes a history
row, and every deadline ends at midnight, so what they show stands until a new history row
is written or the day turns in park time: looks in between share one computation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import ApprovalEvent, ProjectEvent, columns
from reports.today import today_of
from workflow.park import Park

Stamp = tuple[date, int, int]
T = TypeVar("T")


def stamp(session: Session, park: Park) -> Stamp:
    """What the pages depend on: the day, the newest project and approval history rows."""
    connection = session.connection()
    newest_event = connection.execute(select(func.max(columns(ProjectEvent).id))).scalar()
    newest_decision = connection.execute(select(func.max(columns(ApprovalEvent).id))).scalar()
    return today_of(park), int(newest_event or 0), int(newest_decision or 0)


class TodayCache:
    """The latest value of each page (首页; one to-do list per person) with its stamp.

    One computation per page at a time: leaders opening 首页 together wait for the first
    one's figures instead of replaying the history side by side.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._entries: dict[Hashable, tuple[Stamp, Any]] = {}

    def get(self, name: Hashable, key: Stamp, compute: Callable[[], T]) -> T:
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            entry = self._entries.get(name)
            if entry is not None and entry[0] == key:
                value: T = entry[1]
                return value
            value = compute()
            with self._lock:
                if name not in self._entries and len(self._entries) >= self.size:
                    oldest = next(iter(self._entries))
                    self._entries.pop(oldest)
                    self._locks.pop(oldest, None)
                self._entries[name] = (key, value)
            return value
