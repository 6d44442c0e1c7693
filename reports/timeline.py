"""Every project's stages replayed from the history, as it stood at a cut-off moment.

A report counts events by when they occurred (`occurred_at`), so an event recorded late but
occurring in the period is in it; `recorded_by` narrows the history to what had been
recorded by then (the report as it could be produced that day). Nothing here reads the
project rows' current state: a report of October is the same in December.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select
from sqlmodel import Session

from db.models import Approval, ApprovalEvent, Project, ProjectEvent, User, columns
from workflow.calendar import BusinessCalendar
from workflow.deadlines import Period, due_day
from workflow.park import Park

_P, _E, _U = columns(Project), columns(ProjectEvent), columns(User)
_A, _AE = columns(Approval), columns(ApprovalEvent)

# the history entries whose fields a report reads (scores, exit reason, days granted)
_FIELDS_READ = ("visit", "exit", "extension", "resume", "register")
INSTANT = timedelta(microseconds=1)  # the finest step of a stored moment


@dataclass(frozen=True)
class Cut:
    """Which history a report sees: events occurred before `until`, and, as recorded,
    only those recorded before `recorded_by`. A period still in progress is cut at `now`
    (what occurred at that moment included: `until` is the instant after it)."""

    until: datetime
    recorded_by: datetime | None = None
    now: datetime | None = None

    @property
    def as_of(self) -> datetime:
        """The moment the figures stand at: the period's end, or now while it runs."""
        return self.now if self.now is not None else self.until

    def last_day(self, tz: ZoneInfo) -> date:
        """The day on which deadlines are judged: the last day the history reaches (a
        period's last day, or today for a period still in progress). A stage due that day
        is not late yet."""
        return (self.until - INSTANT).astimezone(tz).date()


@dataclass
class Stay:
    """One stretch of a project in one state."""

    state: str
    entered_at: datetime
    deadline: date | None  # the stage's due day by its rule, before any change
    left_at: datetime | None = None
    left_by: str | None = None
    # (when, "extension" | "resume", days): the changes to the deadline during the stay
    changes: list[tuple[datetime, str, int]] = field(default_factory=list)
    suspended: list[list[datetime | None]] = field(default_factory=list)  # [since, until]

    def holds_at(self, moment: datetime) -> bool:
        """In this state just before `moment` (events at `moment` belong after it)."""
        return self.entered_at < moment and (self.left_at is None or self.left_at >= moment)

    def suspended_at(self, moment: datetime) -> bool:
        return any(since < moment and (until is None or until >= moment)  # type: ignore[operator]
                   for since, until in self.suspended)


@dataclass
class Track:
    """One project as the history tells it."""

    id: int
    name: str
    category: str
    owner: str  # email
    owner_name: str
    group: str | None
    stays: list[Stay] = field(default_factory=list)
    # (event, actor email, occurred_at, fields read) of every history entry
    events: list[tuple[str, str, datetime, dict[str, Any]]] = field(default_factory=list)
    stars: int = 0
    visited_on: date | None = None
    last_follow_up: datetime | None = None

    @property
    def intake_at(self) -> datetime | None:
        return self.stays[0].entered_at if self.stays else None

    @property
    def current(self) -> Stay | None:
        return self.stays[-1] if self.stays else None

    def stay_at(self, moment: datetime) -> Stay | None:
        return next((s for s in reversed(self.stays) if s.holds_at(moment)), None)

    def first_reached(self, state: str) -> datetime | None:
        return next((s.entered_at for s in self.stays if s.state == state), None)


class Replay:
    """Builds the tracks; knows the park's rules, calendar and deadline arithmetic."""

    def __init__(self, park: Park, calendar: BusinessCalendar) -> None:
        self.park, self.calendar = park, calendar
        self.lifecycle = park.lifecycle
        self._base = lru_cache(maxsize=4096)(self._compute_base)

    def _compute_base(self, state: str, start: date) -> date:
        rule = self.lifecycle.states[state].deadline
        assert rule is not None
        end = Period(rule.period.months, rule.period.days).end(start)
        return due_day(end, self.calendar, rule.roll_forward)

    def base_deadline(self, state: str, milestones: dict[str, date]) -> date | None:
        rule = self.lifecycle.states[state].deadline
        if rule is None or rule.milestone not in milestones:
            return None
        return self._base(state, milestones[rule.milestone])

    def due_date(self, stay: Stay, moment: datetime) -> date | None:
        """The stay's due day as it stood just before `moment`; None while the clock is
        paused or for a stage without a deadline."""
        if stay.deadline is None or stay.suspended_at(moment):
            return None
        return self._moved(stay, [days for when, _, days in stay.changes if when < moment])

    def due_when_left(self, stay: Stay) -> date | None:
        """A finished stay's due day with every change made during it (a change recorded at
        the very moment the project moved on came before it)."""
        if stay.deadline is None:
            return None
        return self._moved(stay, [days for _, _, days in stay.changes])

    def _moved(self, stay: Stay, changes: list[int]) -> date:
        assert stay.deadline is not None
        due = stay.deadline
        rule = self.lifecycle.states[stay.state].deadline
        assert rule is not None
        for days in changes:  # an extension and a pause move it alike
            if days > 0:
                due = due_day(due + timedelta(days=days), self.calendar, rule.roll_forward)
        return due

    def local(self, moment: datetime) -> date:
        return moment.astimezone(self.park.tz).date()

    def play(self, track: Track, rows: list[Any]) -> Track:
        milestones: dict[str, date] = {}
        for row in rows:
            fields = row.fields or {}
            track.events.append((row.event, row.actor, row.occurred_at, fields))
            spec = self.lifecycle.events.get(row.event)
            if spec is not None and spec.stamps:
                milestones[spec.stamps] = self.local(row.occurred_at)
            if row.from_state is None:  # the intake
                milestones.setdefault("intake", self.local(row.occurred_at))
            if row.from_state != row.to_state:
                self._move(track, row, milestones)
            else:
                self._within(track, row, fields)
            if row.event == "visit":
                track.visited_on = self.local(row.occurred_at)
                scores = self.lifecycle.stars.scores
                if scores and all(name in fields for name in scores):
                    track.stars = self.lifecycle.stars.stars_for(fields)
        return track

    def _move(self, track: Track, row: Any, milestones: dict[str, date]) -> None:
        if track.current is not None:
            track.current.left_at, track.current.left_by = row.occurred_at, row.event
            for pause in track.current.suspended:  # leaving ends a suspension
                if pause[1] is None:
                    pause[1] = row.occurred_at
        track.stays.append(Stay(row.to_state, row.occurred_at,
                                self.base_deadline(row.to_state, milestones)))

    def _within(self, track: Track, row: Any, fields: dict[str, Any]) -> None:
        stay = track.current
        if row.event == "follow_up":
            track.last_follow_up = row.occurred_at
        if stay is None:
            return
        if row.event == "extension":
            stay.changes.append((row.occurred_at, "extension", int(fields.get("days", 0))))
        elif row.event == "suspend":
            stay.suspended.append([row.occurred_at, None])
        elif row.event == "resume":
            for pause in stay.suspended:
                if pause[1] is None:
                    pause[1] = row.occurred_at
            stay.changes.append((row.occurred_at, "resume", int(fields.get("paused_days", 0))))


def _history(session: Session, cut: Cut | None, every_field: bool = False,
             project_id: int | None = None) -> Iterator[Any]:
    fields = _E.fields if every_field else case((_E.event.in_(_FIELDS_READ), _E.fields),
                                                else_=None)
    query = (select(_E.project_id, _E.event, _E.from_state, _E.to_state, _E.occurred_at,
                    _U.email.label("actor"), fields.label("fields"))
             .join(User, _U.id == _E.actor_id))
    if cut is not None:
        query = query.where(_E.occurred_at < cut.until)
    if cut is not None and cut.recorded_by is not None:
        query = query.where(_E.recorded_at < cut.recorded_by)
    if project_id is not None:
        query = query.where(_E.project_id == project_id)
    return iter(session.connection().execute(query.order_by(_E.project_id, _E.id)))


def replay_project(session: Session, park: Park, project_id: int) -> tuple[Replay, Track]:
    """One project replayed from its whole history (its page's progress bar), with the
    replay that answers its stays' due days."""
    replay = Replay(park, park.calendar(session))
    track = Track(project_id, "", "", "", "", None)
    return replay, replay.play(track, list(_history(session, None, project_id=project_id)))


@dataclass
class History:
    """The replayed tracks at a cut, with the replay that answers their deadlines."""

    replay: Replay
    tracks: list[Track]
    cut: Cut
    people: dict[str, str]  # email → name, for whoever acted

    def due_date(self, stay: Stay, moment: datetime) -> date | None:
        return self.replay.due_date(stay, moment)

    def local(self, moment: datetime) -> date:
        return self.replay.local(moment)


def load(session: Session, park: Park, cut: Cut, *, every_field: bool = False) -> History:
    """Every project that had been taken in by the cut, replayed up to it.

    The tracks' events carry the fields the reports read; `every_field`: every event's
    fields (the ledger shows them all).
    """
    owner = User.__table__.alias("owner")  # type: ignore[attr-defined]
    query = (select(_P.id, _P.name, _P.category, _P.group, owner.c.email,
                    owner.c.name.label("oname")).join(owner, owner.c.id == _P.owner_id))
    projects = {row.id: row for row in session.connection().execute(query)}
    replay = Replay(park, park.calendar(session))
    result: list[Track] = []
    batch: list[Any] = []
    for row in _history(session, cut, every_field):
        if batch and batch[0].project_id != row.project_id:
            result.append(_track(replay, projects[batch[0].project_id], batch))
            batch = []
        batch.append(row)
    if batch:
        result.append(_track(replay, projects[batch[0].project_id], batch))
    people = {row.email: row.name
              for row in session.connection().execute(select(_U.email, _U.name))}
    return History(replay, [t for t in result if t.stays], cut, people)


def _track(replay: Replay, project: Any, rows: list[Any]) -> Track:
    return replay.play(Track(project.id, project.name, project.category, project.email,
                             project.oname, project.group), rows)


def pending_approvals(session: Session, park: Park, cut: Cut) -> list[dict[str, Any]]:
    """Requests awaiting a leader's decision at the cut, oldest first."""
    query = (select(_AE.approval_id, _AE.to_state, _AE.occurred_at)
             .where(_AE.occurred_at < cut.until))
    if cut.recorded_by is not None:
        query = query.where(_AE.recorded_at < cut.recorded_by)
    last: dict[int, str] = {}
    submitted: dict[int, datetime] = {}
    for row in session.connection().execute(query.order_by(_AE.approval_id, _AE.id)):
        last[row.approval_id] = row.to_state
        submitted.setdefault(row.approval_id, row.occurred_at)
    pending = [a for a, state in last.items() if state in park.approvals.pending_states]
    if not pending:
        return []
    requester = User.__table__.alias("requester")  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(_A.id, _A.kind, _A.project_id, _A.due_at, _P.name, requester.c.email,
               requester.c.name.label("requester_name"))
        .join(Project, _P.id == _A.project_id)
        .join(requester, requester.c.id == _A.requested_by)
        .where(_A.id.in_(pending)))
    tz = park.tz
    result = [{"id": r.id, "kind": r.kind, "project_id": r.project_id, "project": r.name,
               "requested_by": r.email, "requested_by_name": r.requester_name,
               "submitted_at": submitted[r.id].astimezone(tz).isoformat(),
               "due_at": r.due_at.astimezone(tz).isoformat()} for r in rows]
    return sorted(result, key=lambda a: (a["submitted_at"], a["id"]))

