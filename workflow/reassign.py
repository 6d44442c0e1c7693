"""Handing a person's projects to someone else (离职、调岗): one history entry per project.

Each project goes through the engine's compare-and-set `save` like any event: a `reassign`
entry (the state unchanged, fields `from` and `to`: the old and the new owner), the
project's group following the new owner, and the observers told, so the reminders that were
the old owner's become the new owner's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, User, columns
from workflow.errors import NotFound, NotPermitted, ValidationError
from workflow.park import Park
from workflow.projects import Transition, load_snapshot, notify, record_history, save, user_id
from workflow.users import OWNER_ROLES, find_user, require_actor

REASSIGNERS = ("admin", "leader")
_P = columns(Project)


def reassign_projects(session: Session, park: Park, *, from_email: str, to_email: str,
                      actor: str | User) -> list[dict[str, Any]]:
    """Give every active project of one person to another; returns what moved, by id."""
    acting = require_actor(session, actor)
    if acting.role not in REASSIGNERS:
        raise NotPermitted("not_allowed", field="by", actor=acting.email, event="reassign",
                           roles=REASSIGNERS)
    old = find_user(session, from_email)
    if old is None:
        raise NotFound("user_not_found", field="from", value=from_email)
    new = find_user(session, to_email)
    if new is None:
        raise NotFound("user_not_found", field="to", value=to_email)
    if new.id == old.id:
        raise ValidationError("same_owner", field="to", value=new.email)
    if new.role not in OWNER_ROLES:
        raise ValidationError("wrong_role", field="to", value=new.email, roles=OWNER_ROLES)
    if not new.active:
        raise ValidationError("user_deactivated", field="to", value=new.email)
    open_states = [name for name, state in park.lifecycle.states.items() if not state.final]
    ids = session.connection().execute(
        select(_P.id).where(_P.owner_id == old.id, _P.state.in_(open_states))
        .order_by(_P.id)).scalars().all()
    now = park.now()
    moved = []
    for project_id in ids:
        before = load_snapshot(session, project_id)
        fields = {"from": old.email, "to": new.email}
        history_id = record_history(
            session, project_id=before.id, event="reassign", from_state=before.state,
            to_state=before.state, actor_id=user_id(acting),
            occurred_at=max(now, before.last_event_at), recorded_at=now, fields=fields)
        after = replace(before, owner_id=user_id(new), group=new.group,
                        version=before.version + 1)
        save(session, before, after)
        notify(session, park, Transition(before, after, "reassign", history_id,
                                         user_id(acting), now, fields))
        moved.append({"id": before.id, "name": before.name, "from": old.email,
                      "to": new.email, "group": new.group})
    return moved
