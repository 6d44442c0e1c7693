"""Read models: projects and their history as plain dicts, the shapes of CLI.md and the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from db.prepared import Prepared, Processor, unconverted
from workflow.deadlines import Deadline
from workflow.errors import NotFound
from workflow.park import Park
from workflow.projects import (
    SNAPSHOT_COLUMNS,
    Snapshot,
    deadline_of,
    deadline_status,
    load_snapshot,
)
from workflow.search import owner_ranks, search_condition

_P = columns(Project)
_E = columns(ProjectEvent)
_U = columns(User)


def iso(moment: datetime | None, park: Park) -> str | None:
    """ISO-8601 with the park's offset (what people and scripts read)."""
    return moment.astimezone(park.tz).isoformat() if moment else None


def due_soon_window(park: Park) -> timedelta:
    return timedelta(days=max(park.lifecycle.reminders.before_due_days, default=3))


def deadline_json(deadline: Deadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return {"due_date": deadline.due_date.isoformat(), "due_at": deadline.due_at.isoformat(),
            "explanation": deadline.explanation, "warnings": list(deadline.warnings)}


def project_view(session: Session, park: Park, project_id: int,
                 lang: str = "zh-CN") -> dict[str, Any]:
    """Everything `project show` prints: facts, deadline with explanation, history."""
    row = _PROJECT_VIEW.first(session, {"project_id": project_id})
    if row is None:
        raise NotFound("project_not_found", field="id", value=project_id)
    snapshot = Snapshot.from_values(row[:-3])
    owner_email, owner_name, record = row[-3:]
    deadline = deadline_of(park, session, snapshot, lang)
    state = park.lifecycle.states[snapshot.state]
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "category": snapshot.category,
        "state": snapshot.state,
        "state_label": state.label.get(lang, state.label["zh-CN"]),
        "owner": {"email": owner_email, "name": owner_name},
        "group": snapshot.group,
        "stars": snapshot.stars,
        "milestones": dict(snapshot.milestones),
        "exited_from": snapshot.exited_from,
        "version": snapshot.version,
        "deadline": deadline_json(deadline),
        "deadline_status": deadline_status(snapshot.due_at, park.now(), due_soon_window(park)),
        "record": dict(record or {}),
        "history": _history(session, park, project_id),
    }


# a project's view in two statements compiled once (db.prepared): the row with its owner and
# record, then the history; the API answers every event with the view (on a database server
# each statement is a round trip)
_PROJECT_VIEW = Prepared(
    select(*SNAPSHOT_COLUMNS, _U.email, _U.name, _P.record)
    .join(User, _U.id == _P.owner_id)
    .where(_P.id == bindparam("project_id")))
_HISTORY = Prepared(
    select(_E.event, _E.from_state, _E.to_state, _U.email, _E.occurred_at, _E.recorded_at,
           _E.fields)
    .join(User, _U.id == _E.actor_id)
    .where(_E.project_id == bindparam("project_id"))
    .order_by(_E.id))


def history(session: Session, park: Park, project_id: int) -> list[dict[str, Any]]:
    load_snapshot(session, project_id)  # NotFound for an unknown project
    return _history(session, park, project_id)


def _history(session: Session, park: Park, project_id: int) -> list[dict[str, Any]]:
    return [{"event": event, "from": from_state, "to": to_state, "actor": email,
             "occurred_at": iso(occurred_at, park), "recorded_at": iso(recorded_at, park),
             "fields": fields or {}}
            for event, from_state, to_state, email, occurred_at, recorded_at, fields
            in _HISTORY.all(session, {"project_id": project_id})]


_OWNER = User.__table__.alias("owner")  # type: ignore[attr-defined]

# the orders a list can be sorted in (`sort`), each ascending unless `descending`
SORTS = ("name", "state", "owner", "due", "overdue", "stars")


def _filtered(query: Any, *, state: str | None, owner: str | None, group: str | None,
              category: str | None, min_stars: int | None, overdue_at: datetime | None = None,
              search: str | None = None, owner_name: Any | None = None) -> Any:
    if state:
        query = query.where(_P.state == state)
    if owner:
        query = query.where(_P.owner_id.in_(
            select(_U.id).where(_U.email == owner.strip().lower())))
    if group:
        query = query.where(_P.group == group)
    if category:
        query = query.where(_P.category == category)
    if min_stars:
        query = query.where(_P.stars >= min_stars)
    if overdue_at is not None:
        query = query.where(_P.due_at <= overdue_at)
    found = search_condition(search, owner_name)
    if found is not None:
        query = query.where(found)
    return query


def list_projects(session: Session, park: Park, *, state: str | None = None,
                  overdue: bool = False, owner: str | None = None, group: str | None = None,
                  category: str | None = None, min_stars: int | None = None,
                  search: str | None = None, sort: str | None = None,
                  descending: bool = False, urgent_first: bool = False, offset: int = 0,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Project summaries with deadline status, filtered, sorted and paged in SQL.

    `search` finds by name, company, credit code, owner's name or pinyin initials
    (workflow.search). `sort` is one of SORTS. Without it: `overdue` and `urgent_first`
    (nearest deadline first, then stars) come in index order (db.models: the overdue rows from
    ix_projects_due_summary alone, a state's most urgent from ix_projects_state_urgent);
    otherwise id order.
    """
    now = park.now()
    query = (select(_P.id, _P.name, _P.category, _P.state, _P.group, _P.stars, _P.due_at,
                    _OWNER.c.email, _OWNER.c.name.label("owner_name"))
             .join(_OWNER, _OWNER.c.id == _P.owner_id))
    query = _filtered(query, state=state, owner=owner, group=group, category=category,
                      min_stars=min_stars, overdue_at=now if overdue else None, search=search,
                      owner_name=_OWNER.c.name)
    if sort in SORTS:
        order = _sorted_by(session, park, sort, descending=descending, now=now)
    elif overdue:  # most overdue first, straight from ix_projects_due_summary
        order = (_P.due_at, _P.id)
    elif urgent_first:
        order = _URGENT
    else:
        order = (_P.id,)
    query = query.order_by(*order).offset(offset or None).limit(limit)
    rows, converters = unconverted(session, query)
    return summaries(rows, park, now, due_soon_window(park), converters)


def count_projects(session: Session, park: Park, *, state: str | None = None,
                   overdue: bool = False, owner: str | None = None, group: str | None = None,
                   category: str | None = None, min_stars: int | None = None,
                   search: str | None = None) -> int:
    """How many projects `list_projects` finds with the same filters (for paging)."""
    query = _filtered(select(func.count()).select_from(Project), state=state, owner=owner,
                      group=group, category=category, min_stars=min_stars,
                      overdue_at=park.now() if overdue else None, search=search)
    return int(session.connection().execute(query).scalar_one())


# nearest deadline first (none last), then the most stars: ix_projects_state_urgent's order
# (db.models.URGENT_INDEX), so a state's first rows come from the index without a sort
_URGENT = (_P.due_at.is_(None), _P.due_at, _P.stars.desc(), _P.id)


def _sorted_by(session: Session, park: Park, sort: str, *, descending: bool,
               now: datetime) -> tuple[Any, ...]:
    """ORDER BY for a column people sort by; ties go by the nearest deadline (by the name
    for `name`), then id, so pages are stable. Projects without a deadline (not overdue, for
    `overdue`) come last in both directions.
    """
    def way(column: Any) -> Any:
        return column.desc() if descending else column.asc()

    if sort == "name":  # pinyin order: the initials first, then the name itself
        return way(_P.name_initials), way(_P.name), _P.id
    if sort == "state":  # the definition's order, not the alphabet's
        rank = case({name: i for i, name in enumerate(park.lifecycle.states)},
                    value=_P.state, else_=len(park.lifecycle.states))
        return way(rank), *_URGENT
    if sort == "owner":  # in pinyin order of the owners' names
        ranks = owner_ranks(session)
        if not ranks:  # nobody, so no project either
            return _URGENT
        return way(case(ranks, value=_P.owner_id, else_=len(ranks))), *_URGENT
    if sort == "stars":
        return way(_P.stars), _P.due_at.is_(None), _P.due_at, _P.id
    if sort == "overdue":  # more days overdue = an earlier deadline; the others as `due`
        overdue_since = case((_P.due_at <= now, _P.due_at), else_=None)
        return (overdue_since.is_(None),
                overdue_since.asc() if descending else overdue_since.desc(), *_URGENT)
    return _P.due_at.is_(None), way(_P.due_at), _P.stars.desc(), _P.id  # due


def count_by_state(session: Session, park: Park, *, owner: str | None = None,
                   group: str | None = None, category: str | None = None,
                   min_stars: int | None = None) -> dict[str, tuple[int, int]]:
    """Per state: how many projects, and how many of them overdue (one GROUP BY)."""
    overdue = func.sum(case((_P.due_at <= park.now(), 1), else_=0))
    query = _filtered(select(_P.state, func.count(), overdue).group_by(_P.state), state=None,
                      owner=owner, group=group, category=category, min_stars=min_stars)
    return {state: (int(n), int(late or 0))
            for state, n, late in session.connection().execute(query)}


def days_overdue(due_at: datetime | None, now: datetime, tz: tzinfo) -> int | None:
    """Calendar days since the deadline's last day, in park time (None unless overdue).

    `due_at` is the end of the last day (24:00): overdue from then on, by 1 day that day.
    """
    if due_at is None or now < due_at:
        return None
    last_day = (due_at.astimezone(tz) - ONE_DAY).date()
    return (now.astimezone(tz).date() - last_day).days


ONE_DAY = timedelta(days=1)


def summary(row: Any, park: Park, now: datetime, soon: timedelta) -> dict[str, Any]:
    """A project's line on the board or in a list."""
    return summaries((row,), park, now, soon)[0]


_DUE = 6  # due_at's place in a summary's row
# (due_date, due_at, deadline_status) of a project without a deadline
_NO_DEADLINE: tuple[str | None, str | None, str | None] = (None, None, None)


def summaries(rows: Sequence[Any], park: Park, now: datetime, soon: timedelta,
              converters: Sequence[Processor] = ()) -> list[dict[str, Any]]:
    """The lines of many projects (built for 100k rows: kept lean).

    Rows are (id, name, category, state, group, stars, due_at, owner email, owner name),
    converted, or as the driver returned them with `converters` (db.prepared.unconverted).
    Deadlines fall at the end of a day, so many projects share one: each distinct due_at is
    converted, put in park time, formatted and compared with `now` once.
    """
    to_due = converters[_DUE] if converters else None
    if any(convert is not None for i, convert in enumerate(converters) if i != _DUE):
        rows = [tuple(value if convert is None or i == _DUE else convert(value)
                      for i, (value, convert) in enumerate(zip(row, converters, strict=True)))
                for row in rows]
    dues: dict[Any, tuple[str | None, str | None, str | None]] = {  # by due_at, as fetched
        None: _NO_DEADLINE}
    tz = park.tz
    now = now.astimezone(UTC)  # as the deadlines come: compared without an offset lookup
    lines = []
    for id_, name, category, state, group, stars, due_at, email, owner_name in rows:
        due = dues.get(due_at)
        if due is None:
            moment = to_due(due_at) if to_due else due_at
            local_due = moment.astimezone(tz)
            due = dues[due_at] = ((local_due - ONE_DAY).date().isoformat(),
                                  local_due.isoformat(), deadline_status(moment, now, soon))
        lines.append({
            "id": id_, "name": name, "category": category, "state": state,
            "owner": {"email": email, "name": owner_name}, "group": group, "stars": stars,
            "due_date": due[0], "due_at": due[1], "deadline_status": due[2],
        })
    return lines
