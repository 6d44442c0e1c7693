"""Project use cases: add, advance, read. Each write runs inside the caller's transaction.

The hot path of `advance` is one SELECT of the project, one history INSERT and one
compare-and-set UPDATE (`WHERE id = :id AND version = :version`): a concurrent change to the
same project makes the UPDATE match nothing and the event is refused as a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from db.prepared import Prepared
from i18n import N_, gettext
from states.definition import PREVIOUS, EventDef, initial_milestone, pick
from workflow.access import check_may_act, refusal
from workflow.deadlines import (
    Deadline,
    Period,
    compute_deadline,
    extend_deadline,
    local_date,
    shift_deadline,
)
from workflow.duplicates import check_codes, check_name, codes_in
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, inputs_of
from workflow.fields import check_length, choice_key, validate_fields, validate_record
from workflow.machine import Token
from workflow.moments import resolve_moment
from workflow.park import Park
from workflow.search import search_keys, update_search_keys
from workflow.users import find_user, require_actor

_P = columns(Project)
# a project's columns as a Snapshot holds them (`Snapshot.from_values`), for a read that
# wants more of the row in the same statement (workflow.views.project_view)
SNAPSHOT_COLUMNS = (_P.id, _P.name, _P.category, _P.state, _P.owner_id, _P.group, _P.stars,
                    _P.milestones, _P.adjustments, _P.exited_from, _P.due_at, _P.stage_entry_id,
                    _P.last_event_at, _P.last_follow_up_at, _P.suspended_at, _P.version)


@dataclass(frozen=True)
class Snapshot:
    """A project as the engine sees it: plain values, detached from any session."""

    id: int
    name: str
    category: str
    state: str
    owner_id: int
    group: str | None
    stars: int
    milestones: Mapping[str, str]
    adjustments: tuple[Mapping[str, Any], ...]
    exited_from: str | None
    due_at: datetime | None
    stage_entry_id: int | None
    last_event_at: datetime
    last_follow_up_at: datetime | None
    suspended_at: datetime | None
    version: int

    @classmethod
    def from_row(cls, row: Any) -> Snapshot:
        values = dict(row._mapping)
        values["adjustments"] = tuple(values["adjustments"] or ())
        values["milestones"] = dict(values["milestones"] or {})
        return cls(**values)

    @classmethod
    def from_values(cls, row: tuple[Any, ...]) -> Snapshot:
        """From a row of `SNAPSHOT_COLUMNS`, in their order."""
        (id_, name, category, state, owner_id, group, stars, milestones, adjustments,
         exited_from, due_at, stage_entry_id, last_event_at, last_follow_up_at, suspended_at,
         version) = row
        return cls(id_, name, category, state, owner_id, group, stars, dict(milestones or {}),
                   tuple(adjustments or ()), exited_from, due_at, stage_entry_id,
                   last_event_at, last_follow_up_at, suspended_at, version)


    def entered_by(self, history_id: int) -> Snapshot:
        """The same project, its current stage entered by the history entry `history_id`
        (replace() would do, at twice the cost: every event that changes stage does this)."""
        return Snapshot(self.id, self.name, self.category, self.state, self.owner_id,
                        self.group, self.stars, self.milestones, self.adjustments,
                        self.exited_from, self.due_at, history_id, self.last_event_at,
                        self.last_follow_up_at, self.suspended_at, self.version)


@dataclass(frozen=True)
class Transition:
    """What one event did; observers (reminders, approvals) react to it in the same transaction."""

    before: Snapshot | None
    after: Snapshot
    event: str
    history_id: int
    actor_id: int
    occurred_at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    # brought in from a ledger (台账): its dates are history, so observers plan only what is
    # still ahead (no reminder for a day that passed before parkflow knew the project)
    imported: bool = False

    @property
    def stage_changed(self) -> bool:
        return self.before is None or self.before.state != self.after.state


# ---------------------------------------------------------------- reading

# The hot path's statements, compiled once per dialect and run on the session's DBAPI
# connection (db.prepared; not the ORM unit of work: the event path is one SELECT, one
# INSERT, one UPDATE).
_SELECT_PROJECT = Prepared(select(*SNAPSHOT_COLUMNS).where(_P.id == bindparam("project_id")))
_SAVED = ("owner_id", "group", "state", "stars", "milestones", "adjustments", "exited_from",
          "due_at", "stage_entry_id", "last_event_at", "last_follow_up_at", "suspended_at")
_SAVE_PROJECT = Prepared(
    update(Project.__table__)  # type: ignore[attr-defined]
    .where(_P.id == bindparam("b_id"), _P.version == bindparam("b_version"))
    .values({name: bindparam(f"n_{name}", type_=_P[name].type) for name in _SAVED}
            | {"version": bindparam("b_version") + 1}))
_E = columns(ProjectEvent)
_HISTORY_COLUMNS = ("project_id", "event", "from_state", "to_state", "actor_id", "occurred_at",
                    "recorded_at", "fields")
_INSERT_HISTORY = Prepared(
    insert(ProjectEvent.__table__)  # type: ignore[attr-defined]
    .values({name: bindparam(name, type_=_E[name].type) for name in _HISTORY_COLUMNS})
    .returning(_E.id))


def load_snapshot(session: Session, project_id: int) -> Snapshot:
    row = _SELECT_PROJECT.first(session, {"project_id": project_id})
    if row is None:
        raise NotFound("project_not_found", field="id", value=project_id)
    return Snapshot.from_values(row)


def deadline_of(park: Park, session: Session, snapshot: Snapshot | Any,
                lang: str = "zh-CN") -> Deadline | None:
    """The current stage's deadline with its explanation, or None for a stage without one."""
    rule = park.lifecycle.states[snapshot.state].deadline
    if rule is None or rule.milestone not in snapshot.milestones:
        return None
    calendar = park.calendar(session)
    deadline = compute_deadline(
        start=date.fromisoformat(snapshot.milestones[rule.milestone]),
        period=Period(months=rule.period.months, days=rule.period.days),
        calendar=calendar, tz=park.tz, roll_forward=rule.roll_forward, lang=lang,
        anchor_label=pick(park.lifecycle.milestones[rule.milestone], lang))
    for adjustment in snapshot.adjustments:
        move = shift_deadline if adjustment.get("kind") == "suspension" else extend_deadline
        deadline = move(deadline, days=int(adjustment["days"]), calendar=calendar, tz=park.tz,
                        note=_adjustment_note(adjustment, lang),
                        roll_forward=rule.roll_forward, lang=lang)
    if snapshot.suspended_at is not None:
        since = snapshot.suspended_at.astimezone(park.tz).date().isoformat()
        paused = gettext(lang, N_("suspended since %(day)s: the clock is paused until it "
                                  "resumes"), day=since)
        deadline = replace(deadline, warnings=(*deadline.warnings, paused))
    return deadline


def stored_due_at(park: Park, session: Session, snapshot: Snapshot | Any) -> datetime | None:
    """What the row keeps for sweeps and the board: nothing while the clock is paused."""
    if snapshot.suspended_at is not None:
        return None
    due = deadline_of(park, session, snapshot)
    return due.due_at if due else None


def _adjustment_note(adjustment: Mapping[str, Any], lang: str) -> str:
    if adjustment.get(IMPORTED_MARK):  # from a ledger: who granted it is not known
        return gettext(lang, N_("imported from a ledger"))
    by, on = adjustment.get("approved_by", ""), adjustment.get("approved_on", "")
    if adjustment.get("kind") == "suspension":
        return gettext(lang, N_("suspension approved by %(by)s on %(day)s, resumed %(resumed)s"),
                       by=by, day=on, resumed=adjustment.get("resumed_on", ""))
    return gettext(lang, N_("approved by %(by)s on %(day)s"), by=by, day=on)


def deadline_status(due_at: datetime | None, now: datetime, soon: timedelta) -> str | None:
    """on_time, due_soon or overdue (None without a deadline)."""
    if due_at is None:
        return None
    if now >= due_at:
        return "overdue"
    return "due_soon" if due_at - now <= soon else "on_time"


# ---------------------------------------------------------------- writing

# what marks a history entry brought in from a ledger (shown by its label, never as an id)
IMPORTED_MARK = "imported"
OWNER_ROLES = ("member", "leader")
NAME_LIMIT = 200


def add_project(session: Session, park: Park, *, name: str, category: str, owner: str | User,
                actor: str | User, intake: str | date | datetime | None = None,
                record: Mapping[str, Any] | None = None,
                allow_duplicate: bool = False) -> Snapshot:
    """Enter a project (状态: intake), its record in its first history entry too."""
    actor_user = require_actor(session, actor)
    if actor_user.role not in OWNER_ROLES:
        raise NotPermitted("not_allowed", field="by", actor=actor_user.email, event="intake",
                           roles=OWNER_ROLES)
    category = choice_key(category, park.lifecycle.categories) or category  # or its label
    name = check_new_project(park, name=name, category=category)
    clean_record = validate_record(park.lifecycle.project_fields, record or {})
    owner_user = owner if isinstance(owner, User) else find_user(session, owner)
    if owner_user is None:
        raise ValidationError("unknown_user_field", field="owner", value=owner)
    check_owner(owner_user)
    now = park.now()
    occurred_at = resolve_moment(intake, field="intake_date", tz=park.tz, now=now)
    check_name(session, name, allow=allow_duplicate)  # once the input is valid
    draft = new_snapshot(park, session, name=name, category=category, owner=owner_user,
                         occurred_at=occurred_at)
    project_id = session.execute(insert(Project).values(
        name=name, category=category, state=draft.state, owner_id=owner_user.id,
        group=owner_user.group, stars=0, milestones=dict(draft.milestones), adjustments=[],
        due_at=None, last_event_at=occurred_at, version=1, created_at=now,
        record=clean_record, **search_keys(name).values(),
    ).returning(_P.id)).scalar_one()
    history_id = record_history(session, project_id=project_id, event="intake", from_state=None,
                         to_state=draft.state, actor_id=actor_user.id, occurred_at=occurred_at,
                         recorded_at=now, fields=clean_record)
    session.execute(update(Project).where(_P.id == project_id).values(
        stage_entry_id=history_id, due_at=draft.due_at))
    after = replace(draft, id=project_id, stage_entry_id=history_id)
    notify(session, park, Transition(None, after, "intake", history_id, user_id(actor_user),
                                      occurred_at))
    return after


def check_new_project(park: Park, *, name: str, category: str) -> str:
    """The rules of a new project's name and category; its name, trimmed."""
    name = name.strip()
    if not name:
        raise ValidationError("empty", field="name")
    if len(name) > NAME_LIMIT:
        raise ValidationError("too_long", field="name", limit=NAME_LIMIT, length=len(name))
    if any(ch in name for ch in "\r\n\t"):  # a name is one line: on the board, in an error
        raise ValidationError("control_character", field="name")
    if category not in park.lifecycle.categories:
        raise ValidationError("bad_choice", field="category", value=category,
                              choices=list(park.lifecycle.categories))
    return name


def check_owner(owner: User) -> None:
    """A project's owner is a member or a leader."""
    if owner.role not in OWNER_ROLES:
        raise ValidationError("wrong_role", field="owner", value=owner.email, roles=OWNER_ROLES)
    if owner.deactivated_at is not None:
        raise ValidationError("user_deactivated", field="owner", value=owner.email)


def new_snapshot(park: Park, session: Session, *, name: str, category: str, owner: User,
                 occurred_at: datetime, project_id: int = 0, deadline: bool = True) -> Snapshot:
    """A project just taken in at `occurred_at`, as its row reads before it is written (its
    deadline counted from the intake; `deadline` False: left to be computed later)."""
    entry = initial_milestone(park.lifecycle.milestones) or "intake"
    draft = Snapshot(
        id=project_id, name=name, category=category, state=park.lifecycle.initial,
        owner_id=user_id(owner), group=owner.group, stars=0,
        milestones={entry: local_date(occurred_at, park.tz).isoformat()}, adjustments=(),
        exited_from=None, due_at=None, stage_entry_id=None, last_event_at=occurred_at,
        last_follow_up_at=None, suspended_at=None, version=1)
    return replace(draft, due_at=stored_due_at(park, session, draft) if deadline else None)


def advance(session: Session, park: Park, *, project_id: int, event: str, actor: str | User,
            at: str | date | datetime | None = None, fields: Mapping[str, Any] | None = None,
            allow_duplicate: bool = False) -> Transition:
    """Fire `event` on a project: validate, move, write history; one transaction."""
    lifecycle = park.lifecycle
    spec = lifecycle.events.get(event)
    if spec is None:
        raise ValidationError("unknown_event", field="event", value=event,
                              choices=list(lifecycle.events))
    before = load_snapshot(session, project_id)
    actor_user = require_actor(session, actor)
    now = park.now()
    after, clean = fire_event(park, session, before, spec, actor=actor_user, at=at,
                              fields=fields, now=now)
    check_codes(session, codes_in(clean, spec.fields), project_id=before.id,
                allow=allow_duplicate)
    occurred_at = after.last_event_at
    history_id = record_history(session, project_id=before.id, event=event, from_state=before.state,
                         to_state=after.state, actor_id=actor_user.id, occurred_at=occurred_at,
                         recorded_at=now, fields=clean)
    if after.state != before.state:
        after = after.entered_by(history_id)
    save(session, before, after)
    update_search_keys(session, project_id=before.id, name=before.name, fields=clean)
    if after.state != before.state:
        # approvals build on projects (workflow.approvals imports this module)
        from workflow.approvals import lapse_with_stage
        lapse_with_stage(session, park, before, after, actor_user)
    transition = Transition(before, after, event, history_id, user_id(actor_user), occurred_at,
                            clean)
    notify(session, park, transition)
    return transition


def fire_event(park: Park, session: Session, before: Snapshot, spec: EventDef, *,
               actor: User | None, at: str | date | datetime | None,
               fields: Mapping[str, Any] | None, now: datetime,
               deadline: bool = True) -> tuple[Snapshot, dict[str, Any]]:
    """The rules of an event, applied to a project in memory: who may (not asked without an
    `actor`), the state, the fields, the date. The project after it (`deadline` False: its
    due_at left to be computed later), and the clean fields."""
    refused = refusal(park, spec, before, actor)
    if refused is not None:
        raise refused
    token = Token(before.state, before.exited_from)
    clean = validate_fields(spec, fields or {})
    occurred_at = resolve_moment(at, field="at", tz=park.tz, now=now,
                                 previous=before.last_event_at)
    if not park.machine.fire(token, spec.name):
        raise Conflict("invalid_transition", field="event", event=spec.name, state=before.state)
    return _next_snapshot(park, session, before, spec, token, clean, occurred_at,
                          deadline), clean


def follow_up(session: Session, park: Park, *, project_id: int, actor: str | User, note: str,
              at: str | date | datetime | None = None) -> Transition:
    """Log the weekly follow-up (周问询) of a project; restarts its 7-day follow-up clock."""
    before = load_snapshot(session, project_id)
    actor_user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, before, actor_user, "follow_up")
    if park.lifecycle.states[before.state].final:
        raise Conflict("invalid_transition", field="event", event="follow_up",
                       state=before.state)
    note = note.strip()
    if not note:
        raise ValidationError("required", field="note", event="follow_up")
    with inputs_of("follow_up"):
        note = check_length(note, "note")  # 2,000 characters, as every other text keeps
    now = park.now()
    occurred_at = resolve_moment(at, field="at", tz=park.tz, now=now,
                                 previous=before.last_event_at)
    history_id = record_history(session, project_id=before.id, event="follow_up",
                         from_state=before.state, to_state=before.state,
                         actor_id=user_id(actor_user), occurred_at=occurred_at, recorded_at=now,
                         fields={"note": note})
    after = replace(before, last_follow_up_at=occurred_at, last_event_at=occurred_at,
                    version=before.version + 1)
    save(session, before, after)
    transition = Transition(before, after, "follow_up", history_id, user_id(actor_user),
                            occurred_at, {"note": note})
    notify(session, park, transition)
    return transition


def recompute_deadlines(session: Session, park: Park, *, actor: User, now: datetime,
                        cause: Mapping[str, Any]) -> int:
    """After a calendar correction, bring every stored deadline in line, with history.

    A deadline that moves gets a `recalculated` history entry with its `cause` (facts, e.g.
    the calendar years loaded and their source — shown with labels when read), and its
    reminders are rescheduled by the observers like after any other change.
    """
    ids = session.execute(select(_P.id).where(_P.due_at.is_not(None))).scalars().all()
    moved = 0
    for project_id in ids:
        before = load_snapshot(session, project_id)
        due_at = stored_due_at(park, session, before)
        if due_at == before.due_at:
            continue
        history_id = record_history(
            session, project_id=before.id, event="recalculated", from_state=before.state,
            to_state=before.state, actor_id=user_id(actor),
            occurred_at=max(now, before.last_event_at), recorded_at=now,
            fields={**cause,
                    "from_due_at": before.due_at.isoformat() if before.due_at else None,
                    "to_due_at": due_at.isoformat() if due_at else None})
        after = replace(before, due_at=due_at, version=before.version + 1)
        save(session, before, after)
        notify(session, park, Transition(before, after, "recalculated", history_id,
                                         user_id(actor), now, dict(cause)))
        moved += 1
    return moved


def save(session: Session, before: Snapshot, after: Snapshot) -> None:
    """Compare-and-set: write `after` only if nobody changed the row since `before`."""
    values = {f"n_{name}": getattr(after, name) for name in _SAVED}
    values["n_milestones"] = dict(after.milestones)
    values["n_adjustments"] = list(after.adjustments)
    values["b_id"], values["b_version"] = before.id, before.version
    if _SAVE_PROJECT.rowcount(session, values) != 1:
        raise Conflict("concurrent_change", field="version", project=before.id)


def _next_snapshot(park: Park, session: Session, before: Snapshot, spec: EventDef,
                   token: Token, clean: Mapping[str, Any], occurred_at: datetime,
                   deadline: bool = True) -> Snapshot:
    lifecycle = park.lifecycle
    milestones = dict(before.milestones)
    if spec.stamps:
        milestones[spec.stamps] = local_date(occurred_at, park.tz).isoformat()
    stars = before.stars
    if lifecycle.stars.scores and all(name in clean for name in lifecycle.stars.scores):
        stars = lifecycle.stars.stars_for(clean)
    final = lifecycle.states[token.state].final
    stage = _Stage(
        state=token.state, milestones=milestones,
        adjustments=() if token.state != before.state else before.adjustments,
        # leaving the library ends a suspension; any other event waits for `resume`
        suspended_at=None if final else before.suspended_at)
    # one Snapshot built, its deadline computed first from what decides it
    return Snapshot(
        id=before.id, name=before.name, category=before.category, state=stage.state,
        owner_id=before.owner_id, group=before.group, stars=stars, milestones=milestones,
        adjustments=stage.adjustments,
        exited_from=before.state if final
        else (None if spec.dest == PREVIOUS else before.exited_from),
        due_at=stored_due_at(park, session, stage) if deadline else None,
        stage_entry_id=before.stage_entry_id, last_event_at=occurred_at,
        last_follow_up_at=before.last_follow_up_at, suspended_at=stage.suspended_at,
        version=before.version + 1)


class _Stage(NamedTuple):
    """What a stage's deadline depends on (see `deadline_of`)."""

    state: str
    milestones: Mapping[str, str]
    adjustments: tuple[Mapping[str, Any], ...]
    suspended_at: datetime | None


def record_history(session: Session, **values: Any) -> int:
    """Append one history row; returns its id."""
    row = _INSERT_HISTORY.first(session, {"from_state": None, "fields": {}, **values})
    assert row is not None  # RETURNING id
    return int(row[0])


def notify(session: Session, park: Park, change: object) -> None:
    """Tell the park's observers about a change, inside its transaction."""
    for observer in park.observers:
        observer(session, park, change)


def user_id(user: User) -> int:
    assert user.id is not None  # users are read from the database
    return user.id
