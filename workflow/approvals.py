"""Leader approvals: extensions, suspensions and large space, run by the same engine.

An approval is a small state machine of its own (states/approval.yaml): submitted → approved |
rejected | returned → resubmitted → …, or withdrawn by the requester; an extension or a
suspension lapses when its stage ends undecided (`lapse_with_stage`). Deciding is a
compare-and-set on the approval's version, so two leaders deciding at once: one wins, the
other gets a conflict and nothing of theirs is written. The decision's effect on the project
(a moved deadline, a paused clock, an approved space request) commits in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from db.models import Approval, ApprovalEvent, Project, SpaceRequest, User, columns
from db.prepared import Prepared
from states.definition import pick
from workflow.access import check_may_act
from workflow.deadlines import local_date, working_days_after
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, inputs_of
from workflow.fields import check_length, validate_fields
from workflow.machine import Token
from workflow.park import Park
from workflow.projects import (
    Snapshot,
    Transition,
    load_snapshot,
    notify,
    record_history,
    save,
    stored_due_at,
    user_id,
)
from workflow.users import require_actor

_A, _U, _P, _R = columns(Approval), columns(User), columns(Project), columns(SpaceRequest)
DECISIONS = ("approve", "reject", "return")
STAGE_BOUND = ("extension", "suspension")  # asked about one stage of a project
# run on every move of a project (most have no approval): one statement, compiled once
_APPROVALS_OF_PROJECT = Prepared(
    select(_A.id, _A.kind, _A.state, _A.stage_entry_id)
    .where(_A.project_id == bindparam("project_id")))


@dataclass(frozen=True)
class ApprovalChange:
    """What happened to an approval; observers notify the people concerned."""

    approval: Approval
    event: str  # submit | approve | reject | return | resubmit | withdraw | lapse
    actor_id: int
    history_id: int


# ---------------------------------------------------------------- filing

def file_extension(session: Session, park: Park, *, project_id: int, days: int | str,
                   reason: str, actor: str | User) -> Approval:
    """Ask for more time on the current stage (延期). One pending extension per stage."""
    project = load_snapshot(session, project_id)
    user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, project, user, "extension")
    policy = park.approvals
    with inputs_of("extension"):
        days = _int_in_range(days, "days", 1, policy.max_extension_days)
        reason = _required_text(reason, "reason")
    if park.lifecycle.states[project.state].deadline is None:
        raise Conflict("no_deadline", field="project", project=project.id,
                       state=project.state)
    pending = session.execute(select(_A.id).where(
        _A.kind == "extension", _A.project_id == project.id,
        _A.stage_entry_id == project.stage_entry_id,
        _A.state.in_((*policy.pending_states, "returned")))).first()
    if pending is not None:
        raise Conflict("extension_pending", field="project", project=project.id,
                       approval=pending.id, name=project.name)
    return _file(session, park, kind="extension", project=project, user=user, reason=reason,
                 subject_id=project.id, details={"days": days, "state": project.state},
                 stage_entry_id=project.stage_entry_id)


def file_suspension(session: Session, park: Park, *, project_id: int, reason: str,
                    actor: str | User) -> Approval:
    """Ask to pause a project's clock (e.g. waiting on a government decision)."""
    project = load_snapshot(session, project_id)
    user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, project, user, "suspend")
    with inputs_of("suspend"):
        reason = _required_text(reason, "reason")
    if park.lifecycle.states[project.state].final or project.suspended_at is not None:
        raise Conflict("cannot_suspend", field="project", project=project.id)
    pending = session.execute(select(_A.id).where(
        _A.kind == "suspension", _A.project_id == project.id,
        _A.state.in_((*park.approvals.pending_states, "returned")))).first()
    if pending is not None:
        raise Conflict("suspension_pending", field="project", project=project.id,
                       approval=pending.id, name=project.name)
    return _file(session, park, kind="suspension", project=project, user=user, reason=reason,
                 subject_id=project.id, details={"state": project.state},
                 stage_entry_id=project.stage_entry_id)


def file_space_approval(session: Session, park: Park, *, project: Snapshot, user: User,
                        request_id: int, reason: str, details: dict[str, Any]) -> Approval:
    return _file(session, park, kind="space", project=project, user=user, reason=reason,
                 subject_id=request_id, details=details)


def _file(session: Session, park: Park, *, kind: str, project: Snapshot, user: User,
          reason: str, subject_id: int, details: dict[str, Any],
          stage_entry_id: int | None = None) -> Approval:
    now = park.now()
    lifecycle = park.approvals.lifecycle
    approval = Approval(kind=kind, project_id=project.id, subject_id=subject_id,
                        state=lifecycle.initial, requested_by=user_id(user), reason=reason,
                        details=details, stage_entry_id=stage_entry_id,
                        due_at=decision_due(session, park, now), created_at=now)
    session.add(approval)
    session.flush()
    history_id = _history(session, approval, "submit", None, approval.state, user, now, {})
    notify(session, park, ApprovalChange(approval, "submit", user_id(user), history_id))
    return approval


def decision_due(session: Session, park: Park, now: datetime) -> datetime:
    """The end (24:00) of the Nth working day after filing."""
    day = working_days_after(local_date(now, park.tz),
                             park.approvals.decision_within_working_days, park.calendar(session))
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=park.tz)


# ---------------------------------------------------------------- deciding

def decide(session: Session, park: Park, *, approval_id: int, decision: str,
           actor: str | User, comment: str | None = None) -> Approval:
    """A leader approves, rejects (comment required) or returns (comment required)."""
    if decision not in DECISIONS:
        raise ValidationError("bad_choice", field="decision", value=decision,
                              choices=list(DECISIONS))
    approval = load_approval(session, approval_id)
    user = require_actor(session, actor)
    if user.role != "leader":
        raise NotPermitted("leaders_only", field="by", actor=user.email)
    if user.id == approval.requested_by:
        raise NotPermitted("self_approval", field="by", actor=user.email)
    spec = park.approvals.lifecycle.events[decision]
    if approval.state not in spec.sources:
        raise Conflict("not_pending", field="id", value=approval.id,
                       approval_state=approval.state, **_named(session, approval))
    fields = validate_fields(spec, {"comment": comment} if comment else {})
    now = park.now()
    decided = _move(session, park, approval, decision, user, now, fields,
                    decided_by=user_id(user), decided_at=now, comment=fields.get("comment"))
    if decision == "approve":
        _apply(session, park, decided, user, now)
    elif decision == "reject" and decided.kind == "space":
        _set_request_status(session, decided.subject_id, "rejected")
    return decided


def resubmit(session: Session, park: Park, *, approval_id: int, actor: str | User,
             note: str | None = None) -> Approval:
    """The requester answers a return and files again; the decision clock restarts."""
    approval = load_approval(session, approval_id)
    user = require_actor(session, actor)
    _requester_only(approval, user)
    spec = park.approvals.lifecycle.events["resubmit"]
    if approval.state not in spec.sources:
        raise Conflict("not_returned", field="id", value=approval.id,
                       approval_state=approval.state, **_named(session, approval))
    fields = validate_fields(spec, {"note": note} if note else {})
    now = park.now()
    return _move(session, park, approval, "resubmit", user, now, fields,
                 due_at=decision_due(session, park, now))


def withdraw(session: Session, park: Park, *, approval_id: int, actor: str | User) -> Approval:
    approval = load_approval(session, approval_id)
    user = require_actor(session, actor)
    _requester_only(approval, user)
    if approval.state not in park.approvals.lifecycle.events["withdraw"].sources:
        raise Conflict("not_pending", field="id", value=approval.id,
                       approval_state=approval.state, **_named(session, approval))
    withdrawn = _move(session, park, approval, "withdraw", user, park.now(), {})
    if withdrawn.kind == "space":
        _set_request_status(session, withdrawn.subject_id, "withdrawn")
    return withdrawn


def lapse_with_stage(session: Session, park: Park, before: Snapshot, after: Snapshot,
                     actor: User) -> None:
    """The extensions and suspensions asked about the stage a project just left lapse: no
    leader can grant them any more, and they must not wait in the leaders' inboxes. The
    person who moved the project is recorded as the one whose step ended them."""
    if after.stage_entry_id == before.stage_entry_id:
        return
    open_states = park.approvals.lifecycle.events["lapse"].sources
    for approval_id, kind, state, stage_entry_id in _APPROVALS_OF_PROJECT.all(
            session, {"project_id": before.id}):
        if kind in STAGE_BOUND and state in open_states \
                and stage_entry_id == before.stage_entry_id:
            _move(session, park, load_approval(session, approval_id), "lapse", actor, park.now(),
                  {})


def _named(session: Session, approval: Approval) -> dict[str, Any]:
    """What a refusal about `approval` calls it by: its kind and its project's name."""
    project = session.get(Project, approval.project_id)
    return {"kind": approval.kind, "name": project.name if project else ""}


def _requester_only(approval: Approval, user: User) -> None:
    if user.id != approval.requested_by:
        raise NotPermitted("requester_only", field="by", actor=user.email)


def _move(session: Session, park: Park, approval: Approval, event: str, user: User,
          now: datetime, fields: dict[str, Any], **changes: Any) -> Approval:
    """Fire `event` on the approval's machine and write it with a version check."""
    from_state, token = approval.state, Token(approval.state)
    if not park.approval_machine.fire(token, event):
        raise Conflict("not_pending", field="id", value=approval.id,
                       approval_state=from_state, **_named(session, approval))
    result = session.execute(
        update(Approval).where(_A.id == approval.id, _A.version == approval.version)
        .values(state=token.state, version=approval.version + 1, **changes)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("not_pending", field="id", value=approval.id,
                       approval_state=from_state, **_named(session, approval))
    history_id = _history(session, approval, event, from_state, token.state, user, now,
                          fields)
    session.expire(approval)
    moved = load_approval(session, approval_id_of(approval))
    notify(session, park, ApprovalChange(moved, event, user_id(user), history_id))
    return moved


def _apply(session: Session, park: Park, approval: Approval, leader: User,
           now: datetime) -> None:
    """An approval's effect: the extension granted, the clock paused, the space cleared."""
    if approval.kind == "space":
        _set_request_status(session, approval.subject_id, "approved")
        return
    project = load_snapshot(session, approval.project_id)
    on = local_date(now, park.tz).isoformat()
    if approval.kind == "extension":
        if project.stage_entry_id != approval.stage_entry_id:
            raise Conflict("stage_left", field="id", value=approval.id, project=project.id)
        adjustment = {"kind": "extension", "days": approval.details["days"],
                      "approved_by": leader.name, "approved_on": on, "approval_id": approval.id}
        after = replace(project, adjustments=(*project.adjustments, adjustment))
        event, fields = "extension", {"days": approval.details["days"],
                                      "reason": approval.reason, "approval_id": approval.id}
    else:
        if park.lifecycle.states[project.state].final or project.suspended_at is not None:
            raise Conflict("cannot_suspend", field="project", project=project.id)
        after = replace(project, suspended_at=now)
        event, fields = "suspend", {"reason": approval.reason, "approval_id": approval.id}
    _save_project_change(session, park, project, after, event, leader, now, fields)


def resume(session: Session, park: Park, *, project_id: int, actor: str | User) -> Transition:
    """End a suspension: the paused days are added to the stage's deadline."""
    project = load_snapshot(session, project_id)
    user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, project, user, "resume")
    if project.suspended_at is None:
        raise Conflict("not_suspended", field="project", project=project.id)
    now = park.now()
    since, today = local_date(project.suspended_at, park.tz), local_date(now, park.tz)
    paused = (today - since).days
    approval = session.execute(select(Approval).where(
        _A.kind == "suspension", _A.project_id == project.id, _A.state == "approved")
        .order_by(_A.id.desc())).scalars().first()
    granted_by = session.get(User, approval.decided_by) if approval and approval.decided_by \
        else None
    adjustments = project.adjustments
    if paused > 0:
        adjustments = (*adjustments, {
            "kind": "suspension", "days": paused, "approved_by": granted_by.name
            if granted_by else "", "approved_on": since.isoformat(),
            "resumed_on": today.isoformat()})
    after = replace(project, suspended_at=None, adjustments=adjustments)
    return _save_project_change(session, park, project, after, "resume", user, now,
                                {"paused_days": paused})


def _save_project_change(session: Session, park: Park, before: Snapshot, after: Snapshot,
                         event: str, user: User, now: datetime,
                         fields: dict[str, Any]) -> Transition:
    """A change that is not a lifecycle event but belongs in the project's history."""
    after = replace(after, due_at=stored_due_at(park, session, after),
                    version=before.version + 1)
    history_id = record_history(session, project_id=before.id, event=event, from_state=before.state,
                         to_state=before.state, actor_id=user_id(user),
                         occurred_at=max(now, before.last_event_at), recorded_at=now,
                         fields=fields)
    save(session, before, after)
    transition = Transition(before, after, event, history_id, user_id(user), now, fields)
    notify(session, park, transition)
    return transition


def _set_request_status(session: Session, request_id: int, status: str) -> None:
    session.execute(update(SpaceRequest).where(_R.id == request_id).values(status=status))


def _history(session: Session, approval: Approval, event: str, from_state: str | None,
             to_state: str, user: User, now: datetime, fields: dict[str, Any]) -> int:
    return int(session.execute(insert(ApprovalEvent).values(
        approval_id=approval.id, event=event, from_state=from_state, to_state=to_state,
        actor_id=user_id(user), occurred_at=now, recorded_at=now, fields=fields,
    ).returning(columns(ApprovalEvent).id)).scalar_one())


# ---------------------------------------------------------------- reading

def load_approval(session: Session, approval_id: int) -> Approval:
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise NotFound("approval_not_found", field="id", value=approval_id)
    return approval


def list_approvals(session: Session, park: Park, *, viewer: str | User, pending: bool = False,
                   mine: bool = False, lang: str = "zh-CN") -> list[dict[str, Any]]:
    """A leader sees every approval; others see what they filed or concerns their projects."""
    user = require_actor(session, viewer)
    query = select(Approval).order_by(_A.id)
    if pending:
        query = query.where(_A.state.in_(park.approvals.pending_states))
    if mine:
        query = query.where(_A.requested_by == user.id)
    elif user.role != "leader":
        owned = select(_P.id).where(_P.owner_id == user.id)
        query = query.where((_A.requested_by == user.id) | _A.project_id.in_(owned))
    approvals = list(session.execute(query).scalars())
    return [approval_json(session, park, a, lang) for a in approvals]


def approval_json(session: Session, park: Park, approval: Approval,
                  lang: str = "zh-CN") -> dict[str, Any]:
    """The row of CLI.md plus what a leader needs to decide."""
    people = _people(session, approval)
    project = session.execute(select(_P.name).where(_P.id == approval.project_id)).scalar()
    policy = park.approvals
    return {
        "id": approval.id, "kind": approval.kind, "subject_id": approval.subject_id,
        "state": approval.state,
        "requested_by": people[approval.requested_by].email,
        "decided_by": people[approval.decided_by].email if approval.decided_by else None,
        "comment": approval.comment,
        "project_id": approval.project_id, "project_name": project,
        "kind_label": pick(policy.kinds[approval.kind], lang),
        "state_label": policy.lifecycle.label(approval.state, lang),
        "requested_by_name": people[approval.requested_by].name,
        "reason": approval.reason, "details": dict(approval.details),
        "due_at": approval.due_at.astimezone(park.tz).isoformat(),
        "created_at": approval.created_at.astimezone(park.tz).isoformat(),
        "decided_at": approval.decided_at.astimezone(park.tz).isoformat()
        if approval.decided_at else None,
        "overdue": approval.state in policy.pending_states and park.now() >= approval.due_at,
    }


def approval_history(session: Session, park: Park, approval_id: int) -> list[dict[str, Any]]:
    load_approval(session, approval_id)
    e = columns(ApprovalEvent)
    rows = session.execute(select(e.event, e.from_state, e.to_state, _U.email, e.occurred_at,
                                  e.fields).join(User, _U.id == e.actor_id)
                           .where(e.approval_id == approval_id).order_by(e.id)).all()
    return [{"event": r.event, "from": r.from_state, "to": r.to_state, "actor": r.email,
             "occurred_at": r.occurred_at.astimezone(park.tz).isoformat(),
             "fields": r.fields or {}} for r in rows]


def approval_view(session: Session, park: Park, approval_id: int,
                  lang: str = "zh-CN") -> dict[str, Any]:
    approval = load_approval(session, approval_id)
    return {**approval_json(session, park, approval, lang),
            "history": approval_history(session, park, approval_id)}


def _people(session: Session, approval: Approval) -> dict[int, User]:
    ids = {i for i in (approval.requested_by, approval.decided_by) if i is not None}
    return {u.id: u for u in session.execute(select(User).where(_U.id.in_(ids))).scalars()
            if u.id is not None}


# ---------------------------------------------------------------- input

def _int_in_range(value: int | str, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValidationError("out_of_range", field=field, value=value, low=low,
                              high=high) from exc
    if not low <= number <= high:
        raise ValidationError("out_of_range", field=field, value=value, low=low, high=high)
    return number


def _required_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError("required", field=field)
    return check_length(text, field)


def approval_id_of(approval: Approval) -> int:
    assert approval.id is not None  # flushed
    return approval.id
