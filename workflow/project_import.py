"""Entering an existing library (台账): many projects at once, each with its past events.

Each project goes through the rules of `add_project` and `advance` — name, category, owner,
every event's state, fields and date (never in the future, never before the one before) —
applied in memory by the same functions (`check_new_project`, `new_snapshot`, `fire_event`).
Only the writing differs: the rows of a batch of projects go in as a few multi-row
statements, not one statement per event, so a library of 10,000 projects enters in seconds.

The history says what happened: the intake and each event at its business date, recorded
now, by the person importing, each entry marked `imported`. The observers then see each
project once, as new, with `Transition.imported`: the reminders planned are those of its
current stage still ahead (none for days that passed before parkflow knew the project).

Only leaders and admins import; the events' own roles are not asked (the import is theirs).
Nothing is written unless every project passes: the refusals come back, one per project.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from workflow.errors import NotPermitted, ValidationError, WorkflowError
from workflow.fields import validate_record
from workflow.moments import resolve_moment
from workflow.park import Park
from workflow.projects import (
    IMPORTED_MARK,
    Snapshot,
    Transition,
    check_new_project,
    check_owner,
    fire_event,
    new_snapshot,
    notify,
    stored_due_at,
    user_id,
)
from workflow.search import COMPANY_FIELDS, SearchKeys, search_keys
from workflow.users import require_actor

IMPORTERS = ("leader", "admin")  # who may bring a library in
BATCH = 500  # projects written per round of statements
Moment = str | date | datetime
Progress = Callable[[str, int, int], None]  # (stage: rules | write, projects done, of)

_P, _E = columns(Project), columns(ProjectEvent)
_INSERT_PROJECTS = insert(Project.__table__).returning(  # type: ignore[attr-defined]
    _P.id, sort_by_parameter_order=True)
_INSERT_HISTORY = insert(ProjectEvent.__table__).returning(  # type: ignore[attr-defined]
    _E.id, sort_by_parameter_order=True)
_SET_ENTRY = (update(Project.__table__)  # type: ignore[attr-defined]
              .where(_P.id == bindparam("b_id"))
              .values(stage_entry_id=bindparam("b_entry")))


@dataclass(frozen=True)
class PastProject:
    """A project of an existing library: what it is, and the events it went through, in
    order, each with its business date and fields."""

    name: str
    category: str
    owner: User
    intake: Moment
    events: Sequence[tuple[str, Moment, Mapping[str, Any]]] = ()
    record: Mapping[str, Any] = field(default_factory=dict)  # its `project_fields`
    # what moved a stage's deadline while the project was in it, in order: ("extension" |
    # "pause", days) by state; and the day a suspension that still holds began
    changes: Mapping[str, Sequence[tuple[str, int]]] = field(default_factory=dict)
    suspended: Moment | None = None


@dataclass(frozen=True)
class Refusal:
    """Why one project cannot go in: at which step (`intake` or an event), what error."""

    index: int
    step: str
    error: WorkflowError


@dataclass
class _Entered:
    """A project replayed in memory: its row as it ends, and its history entries."""

    project: Snapshot
    history: list[dict[str, Any]]
    entry: int  # which history entry entered the current state
    keys: SearchKeys  # as `add_project` and the events write them: the latest company counts
    record: dict[str, Any]


def require_importer(session: Session, actor: str | User, *, action: str = "import") -> User:
    """The person importing (or, `action` "export", downloading the ledger), if a leader or an
    admin; NotPermitted (exit 3) otherwise, naming the person by name and what they tried."""
    user = require_actor(session, actor)
    if user.role not in IMPORTERS:
        raise NotPermitted("not_allowed", field="by", actor=user.name or user.email,
                           event=action, roles=IMPORTERS)
    return user


def enter_projects(session: Session, park: Park, *, projects: Sequence[PastProject],
                   actor: str | User,
                   progress: Progress | None = None) -> tuple[list[int], list[Refusal]]:
    """Enter every project with its history, or none: (their ids, []) or ([], refusals)."""
    importer = require_importer(session, actor)
    now = park.now()
    entered: list[_Entered] = []
    refusals: list[Refusal] = []
    for index, past in enumerate(projects):
        try:
            entered.append(_replay(session, park, past, now))
        except _Refused as refused:
            refusals.append(Refusal(index, refused.step, refused.error))
        if progress and ((index + 1) % BATCH == 0 or index + 1 == len(projects)):
            progress("rules", index + 1, len(projects))
    if refusals:
        return [], refusals
    ids: list[int] = []
    for start in range(0, len(entered), BATCH):
        ids += _write(session, park, entered[start:start + BATCH], importer, now)
        if progress:
            progress("write", len(ids), len(entered))
    return ids, []


class _Refused(Exception):
    def __init__(self, step: str, error: WorkflowError) -> None:
        super().__init__(step)
        self.step, self.error = step, error


def _replay(session: Session, park: Park, past: PastProject, now: datetime) -> _Entered:
    """The project and its history as `add_project` and `advance` would make them."""
    step = "intake"
    try:
        name = check_new_project(park, name=past.name, category=past.category)
        check_owner(past.owner)
        occurred_at = resolve_moment(past.intake, field="intake_date", tz=park.tz, now=now)
        # the deadline of the stage the project ends in is computed once, at the end
        record = validate_record(park.lifecycle.project_fields, past.record)
        project = new_snapshot(park, session, name=name, category=past.category,
                               owner=past.owner, occurred_at=occurred_at, deadline=False)
        history = [_entry("intake", None, project.state, occurred_at, record, now)]
        entry, keys = 0, search_keys(name)
        project = _changed(project, past.changes.get(project.state, ()), history, now)
        for step, at, fields in past.events:
            spec = park.lifecycle.events.get(step)
            if spec is None:
                raise ValidationError("unknown_event", field="event", value=step,
                                      choices=list(park.lifecycle.events))
            after, clean = fire_event(park, session, project, spec, actor=None, at=at,
                                      fields=fields, now=now, deadline=False)
            history.append(_entry(step, project.state, after.state, after.last_event_at,
                                  clean, now))
            if after.state != project.state:
                entry = len(history) - 1
                after = _changed(after, past.changes.get(after.state, ()), history, now)
            if any(clean.get(key) for key in COMPANY_FIELDS):
                keys = search_keys(name, clean.get("company_name"), clean.get("uscc"))
            project = after
        if past.suspended is not None:
            step = "suspended_since"
            project = _suspended(park, project, past.suspended, history, now)
    except WorkflowError as exc:
        raise _Refused(step, exc) from exc
    return _Entered(replace(project, due_at=stored_due_at(park, session, project)), history,
                    entry, keys, record)


def _changed(project: Snapshot, changes: Sequence[tuple[str, int]],
             history: list[dict[str, Any]], now: datetime) -> Snapshot:
    """The stage just entered with its deadline changes: an extension granted, a pause
    ended (`extension`, `suspend` + `resume` entries, as the approvals write them), each at
    the moment the stage began; who granted them is not known."""
    at, state = project.last_event_at, project.state
    adjustments, before = list(project.adjustments), len(history)
    for kind, days in changes:
        if kind == "extension":
            history.append(_entry("extension", state, state, at, {"days": days}, now))
        else:
            history.append(_entry("suspend", state, state, at, {}, now))
            history.append(_entry("resume", state, state, at, {"paused_days": days}, now))
        adjustments.append({"kind": "extension" if kind == "extension" else "suspension",
                            "days": days, IMPORTED_MARK: True})
    return replace(project, adjustments=tuple(adjustments),
                   version=project.version + len(history) - before)  # one per entry


def _suspended(park: Park, project: Snapshot, since: Moment, history: list[dict[str, Any]],
               now: datetime) -> Snapshot:
    """The project suspended since the start of `since` (as `suspend` approved then)."""
    at = resolve_moment(since, field="suspended_since", tz=park.tz, now=now)
    if park.lifecycle.states[project.state].final:
        raise ValidationError("cannot_suspend_state", field="suspended_since",
                              state=project.state)
    if at < project.last_event_at:
        raise ValidationError("before_previous", field="suspended_since", value=at,
                              previous=project.last_event_at)
    history.append(_entry("suspend", project.state, project.state, at, {}, now))
    return replace(project, suspended_at=at, version=project.version + 1)


def _entry(event: str, from_state: str | None, to_state: str, occurred_at: datetime,
           fields: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {"event": event, "from_state": from_state, "to_state": to_state,
            "occurred_at": occurred_at, "recorded_at": now,
            "fields": {**fields, IMPORTED_MARK: True}}


def _write(session: Session, park: Park, batch: list[_Entered], importer: User,
           now: datetime) -> list[int]:
    """One batch: the projects, their history, their stage entries; then the observers."""
    connection = session.connection()
    ids = list(connection.execute(_INSERT_PROJECTS, [
        _row(e.project, now) | e.keys.values() | {"record": e.record} for e in batch]).scalars())
    history = [{**h, "project_id": pid, "actor_id": user_id(importer)}
               for pid, e in zip(ids, batch, strict=True) for h in e.history]
    history_ids = list(connection.execute(_INSERT_HISTORY, history).scalars())
    entries, offset = [], 0
    for e in batch:
        entries.append(history_ids[offset + e.entry])
        offset += len(e.history)
    connection.execute(_SET_ENTRY, [{"b_id": pid, "b_entry": entry}
                                    for pid, entry in zip(ids, entries, strict=True)])
    for pid, entry, e in zip(ids, entries, batch, strict=True):
        project = replace(e.project, id=pid, stage_entry_id=entry)
        last = e.history[-1]
        notify(session, park, Transition(None, project, last["event"], entry,
                                         user_id(importer), project.last_event_at,
                                         imported=True))
    return ids


def _row(project: Snapshot, now: datetime) -> dict[str, Any]:
    return {"name": project.name, "category": project.category, "state": project.state,
            "owner_id": project.owner_id, "group": project.group, "stars": project.stars,
            "milestones": dict(project.milestones), "adjustments": list(project.adjustments),
            "exited_from": project.exited_from, "due_at": project.due_at,
            "last_event_at": project.last_event_at,
            "last_follow_up_at": project.last_follow_up_at,
            "suspended_at": project.suspended_at, "version": project.version,
            "created_at": now}
