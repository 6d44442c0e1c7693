"""Stays computed by the database: one row per stretch of a project in one state.

The per-project replay (reports.timeline) reads every history row in Python; a park of
100,000 projects has 600,000. Here window functions pair each state change with the next
(LEAD) and carry the milestone dates a deadline counts from (a running MAX), so a report
counts the funnel in SQL and takes into Python only the stays it must judge against the
working calendar: those that ended in its period and those open at its end with a deadline.
The judging is the replay's own (`Replay.due_date`, the `Stay` it knows), so a deadline
means the same thing on both paths.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from db.prepared import unconverted
from reports.timeline import Cut, Replay, Stay
from states.definition import initial_milestone
from workflow.park import Park

_P, _E, _U = columns(Project), columns(ProjectEvent), columns(User)
CHANGES = ("extension", "suspend", "resume")  # what moves or pauses a stay's deadline


def _stampers(park: Park) -> dict[str, tuple[str, ...]]:
    """Each milestone a deadline counts from, and the events that stamp it."""
    lifecycle = park.lifecycle
    used = {s.deadline.milestone for s in lifecycle.states.values() if s.deadline}
    entry = initial_milestone(lifecycle.milestones) or "intake"
    return {m: tuple(name for name, e in lifecycle.events.items() if e.stamps == m)
            + (("intake",) if m == entry else ()) for m in sorted(used)}


def _recorded(cut: Cut) -> list[ColumnElement[bool]]:
    where = [_E.occurred_at < cut.until]
    if cut.recorded_by is not None:
        where.append(_E.recorded_at < cut.recorded_by)
    return where


def stays_query(cut: Cut, start: datetime) -> Any:
    """The stays that overlap the period from `start` to the cut, as a subquery: id (of the
    entering row), project_id, state, entered_at, left_at, left_by.

    Only they count: each project's stay at the start (its last state change before it) and
    every stay entered since. Years of finished stays are skipped by one GROUP BY on the
    index, and the window pass (LEAD: when and by which event a stay ended) runs over the
    overlapping rows alone."""
    change = or_(_E.from_state.is_(None), _E.from_state != _E.to_state)
    at_start = (select(func.max(_E.id)).where(change, _E.occurred_at < start, *_recorded(cut))
                .group_by(_E.project_id))
    window = {"partition_by": _E.project_id, "order_by": _E.id}
    moment = _E.occurred_at.type  # what the database gives back must be read as a moment
    return (select(_E.id, _E.project_id, _E.to_state.label("state"),
                   _E.occurred_at.label("entered_at"),
                   type_coerce(func.lead(_E.occurred_at).over(**window),  # type: ignore[arg-type]
                               moment).label("left_at"),
                   func.lead(_E.event).over(**window).label("left_by"))  # type: ignore[arg-type]
            .where(change, *_recorded(cut),
                   or_(_E.occurred_at >= start, _E.id.in_(at_start)))
            # computed once for the counts and the rows of one statement (SQLite, PostgreSQL)
            .cte("stays").prefix_with("MATERIALIZED"))


def _measures(s: Any, start: datetime) -> dict[str, ColumnElement[bool]]:
    left = and_(s.c.left_at.is_not(None), s.c.left_at >= start)
    return {"at_start": and_(s.c.entered_at < start,
                             or_(s.c.left_at.is_(None), s.c.left_at >= start)),
            "at_end": s.c.left_at.is_(None), "entered": s.c.entered_at >= start,
            "moved_on": and_(left, s.c.left_by != "exit"),
            "exited": and_(left, s.c.left_by == "exit")}


@dataclass
class Snapshot:
    """A period's stays: counted per state by the database, and, judged in Python, those
    that ended in the period and those open at its end in a state with a deadline."""

    counts: dict[str, dict[str, int]]
    left: list[tuple[Owned, Stay]]
    open_timed: list[tuple[Owned, Stay]]


def snapshot(session: Session, park: Park, replay: Replay, cut: Cut,
             start: datetime) -> Snapshot:
    """One statement, one window pass: the counts per state, and the stays to judge."""
    s = stays_query(cut, start)
    measures = _measures(s, start)
    timed = [name for name, state in park.lifecycle.states.items() if state.deadline]
    judged = _judged_query(park, s, or_(and_(s.c.left_at.is_not(None), s.c.left_at >= start),
                                        and_(s.c.left_at.is_(None), s.c.state.in_(timed))))
    blank = [null()] * len(measures)
    counted = select(literal(0), null(), s.c.state, *([null()] * 7),
                     *(func.sum(case((c, 1), else_=0)) for c in measures.values())
                     ).group_by(s.c.state)
    rows = list(session.connection().execute(
        union_all(judged.add_columns(*blank), counted)))
    counts = {row[2]: dict(zip(measures, (int(n or 0) for n in row[-len(measures):]),
                               strict=True)) for row in rows if row[0] == 0}
    stays = _judge(session, park, replay, cut, [row[1:-len(measures)] for row in rows
                                                if row[0] == 1])
    return Snapshot(counts, [r for r in stays if r[1].left_at is not None],
                    [r for r in stays if r[1].left_at is None])


def members(session: Session, cut: Cut, start: datetime, state: str,
            measure: str) -> list[int]:
    """The projects behind one of the snapshot's counts."""
    s = stays_query(cut, start)
    return [row[0] for row in session.connection().execute(
        select(s.c.project_id).where(s.c.state == state, _measures(s, start)[measure])
        .order_by(s.c.project_id))]


@dataclass(frozen=True)
class Owned:
    """Who a stay belongs to: its project, the owner and the owner's group."""

    project_id: int
    owner: str
    owner_name: str
    group: str | None


def _rules(park: Park) -> dict[str, str]:
    """Each state with a deadline, and the milestone it counts from."""
    return {name: state.deadline.milestone for name, state in park.lifecycle.states.items()
            if state.deadline}


def _judged_query(park: Park, s: Any, where: ColumnElement[bool]) -> Select[Any]:
    """The stays `where` selects, with the stamp of the milestone their deadline counts from
    (the latest up to the stay's entry, looked up by the project's index), and whose they are.
    The first column marks the rows (1) apart from the counts (0) in `snapshot`."""
    owner = User.__table__.alias("owner")  # type: ignore[attr-defined]
    later = ProjectEvent.__table__.alias("stamp")  # type: ignore[attr-defined]
    lookups = {m: select(func.max(later.c.occurred_at)).where(
        later.c.project_id == s.c.project_id, later.c.id <= s.c.id,
        later.c.event.in_(events)).scalar_subquery() for m, events in _stampers(park).items()}
    milestone = type_coerce(case(*((s.c.state == state, lookups[m])
                                   for state, m in _rules(park).items()), else_=None),
                            _E.occurred_at.type)
    return (select(literal(1), s.c.project_id, s.c.state, s.c.entered_at, s.c.left_at,
                   s.c.left_by, milestone, _P.group, owner.c.email, owner.c.name)
            .join(Project, _P.id == s.c.project_id).join(owner, owner.c.id == _P.owner_id)
            .where(where))


def _judge(session: Session, park: Park, replay: Replay, cut: Cut,
           rows: list[Any]) -> list[tuple[Owned, Stay]]:
    """The replay's Stay of each row, with its deadline and the changes made to it."""
    rules = _rules(park)
    changes = _changes(session, cut, {row[0] for row in rows})
    result = []
    for project_id, state, entered_at, left_at, left_by, stamped, group, email, name in rows:
        base = replay.base_deadline(state, {rules[state]: replay.local(stamped)}) \
            if stamped is not None else None
        stay = Stay(state, entered_at, base, left_at, left_by)
        for event, when, fields in changes.get(project_id, ()):
            if entered_at <= when and (left_at is None or when < left_at):
                _apply(stay, event, when, fields)
        result.append((Owned(project_id, email, name, group), stay))
    return result


def _changes(session: Session, cut: Cut,
             projects: set[int]) -> dict[int, list[tuple[str, datetime, dict[str, Any]]]]:
    """The deadline changes (extensions, pauses) of these projects, in order."""
    found: dict[int, list[tuple[str, datetime, dict[str, Any]]]] = defaultdict(list)
    if not projects:
        return found
    query = (select(_E.project_id, _E.event, _E.occurred_at, _E.fields)
             .where(_E.event.in_(CHANGES), *_recorded(cut)).order_by(_E.project_id, _E.id))
    for row in session.connection().execute(query):
        if row.project_id in projects:
            found[row.project_id].append((row.event, row.occurred_at, row.fields or {}))
    return found


def _apply(stay: Stay, event: str, when: datetime, fields: dict[str, Any]) -> None:
    """One change inside a stay, as the replay records it."""
    if event == "extension":
        stay.changes.append((when, "extension", int(fields.get("days", 0))))
    elif event == "suspend":
        stay.suspended.append([when, None])
    else:
        for pause in stay.suspended:
            if pause[1] is None:
                pause[1] = when
        stay.changes.append((when, "resume", int(fields.get("paused_days", 0))))


def local_days(replay: Replay, stay: Stay) -> int:
    """Calendar days from entering a finished stay to leaving it, in park time."""
    assert stay.left_at is not None
    return (replay.local(stay.left_at) - replay.local(stay.entered_at)).days


def period_events(session: Session, park: Park, cut: Cut, start: datetime, *,
                  who_and_when: bool = True) -> list[Any]:
    """The intakes and lifecycle events that occurred from `start` to the cut: project_id,
    event, fields (of visits and exits, the only ones a report reads), and unless
    `who_and_when` is false, occurred_at, actor and actor_name (counting needs neither: a
    month holds thousands of rows, each a join and a datetime saved)."""
    counted = ("intake", *park.lifecycle.moving_events)
    fields = case((_E.event.in_(("visit", "exit")), _E.fields), else_=None).label("fields")
    query = select(_E.project_id, _E.event, fields)
    if who_and_when:
        query = (query.add_columns(_E.occurred_at, _U.email.label("actor"),
                                   _U.name.label("actor_name"))
                 .join(User, _U.id == _E.actor_id))
    query = (query.where(_E.occurred_at >= start, _E.event.in_(counted), *_recorded(cut))
             .order_by(_E.id))
    # fetched as the driver returns them and converted here: most rows' fields are NULL
    # (only visits and exits carry theirs), and a month is thousands of rows
    rows, converters = unconverted(session, query)
    shape = _EventByWhom if who_and_when else _Event
    if not any(converters):
        return [shape._make(row) for row in rows]
    return [shape._make([value if convert is None or value is None else convert(value)
                         for value, convert in zip(row, converters, strict=True)])
            for row in rows]


class _Event(NamedTuple):
    project_id: int
    event: str
    fields: dict[str, Any] | None


class _EventByWhom(NamedTuple):
    project_id: int
    event: str
    fields: dict[str, Any] | None
    occurred_at: datetime
    actor: str
    actor_name: str


def project_refs(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The name, category, owner and group of the projects `ids` (as a report lists them)."""
    owner = User.__table__.alias("owner")  # type: ignore[attr-defined]
    wanted, found = sorted(ids), {}
    for at in range(0, len(wanted), 500):  # SQL parameters stay well under the limits
        query = (select(_P.id, _P.name, _P.category, _P.group, owner.c.email, owner.c.name)
                 .join(owner, owner.c.id == _P.owner_id)
                 .where(_P.id.in_(wanted[at:at + 500])))
        for id_, name, category, group, email, owner_name in session.connection().execute(query):
            found[id_] = {"id": id_, "name": name, "owner": email, "owner_name": owner_name,
                          "group": group, "category": category}
    return found


def visits_and_follow_ups(session: Session, cut: Cut,
                          ids: set[int]) -> dict[int, list[tuple[str, datetime, dict[str, Any]]]]:
    """The visits (with their scores) and follow-ups of the projects `ids` up to the cut."""
    found: dict[int, list[tuple[str, datetime, dict[str, Any]]]] = defaultdict(list)
    wanted = sorted(ids)
    for at in range(0, len(wanted), 500):
        query = (select(_E.project_id, _E.event, _E.occurred_at,
                        case((_E.event == "visit", _E.fields), else_=None))
                 .where(_E.project_id.in_(wanted[at:at + 500]),
                        _E.event.in_(("visit", "follow_up")), *_recorded(cut))
                 .order_by(_E.id))
        for project_id, event, when, fields in session.connection().execute(query):
            found[project_id].append((event, when, fields or {}))
    return found


def first_intakes(session: Session, cut: Cut, ids: set[int]) -> dict[int, datetime]:
    """When each of the projects `ids` was taken in."""
    found: dict[int, datetime] = {}
    wanted = sorted(ids)
    for at in range(0, len(wanted), 500):
        query = (select(_E.project_id, type_coerce(func.min(_E.occurred_at), _E.occurred_at.type))
                 .where(_E.project_id.in_(wanted[at:at + 500]), _E.event == "intake",
                        *_recorded(cut)).group_by(_E.project_id))
        found.update({row[0]: row[1] for row in session.connection().execute(query)})
    return found


def states_reached(session: Session, cut: Cut, ids: set[int]) -> dict[int, set[str]]:
    """The states each of the projects `ids` has been in by the cut."""
    found: dict[int, set[str]] = defaultdict(set)
    wanted = sorted(ids)
    for at in range(0, len(wanted), 500):
        query = (select(_E.project_id, _E.to_state).distinct()
                 .where(_E.project_id.in_(wanted[at:at + 500]), *_recorded(cut)))
        for project_id, state in session.connection().execute(query):
            found[project_id].add(state)
    return found


def history_before(session: Session, cut: Cut, moment: datetime) -> bool:
    """Whether any project had been taken in before `moment` (as the cut sees it)."""
    query = select(func.count()).select_from(
        select(_E.id).where(_E.event == "intake", _E.occurred_at < moment, *_recorded(cut))
        .limit(1).subquery())
    return bool(session.connection().execute(query).scalar())

