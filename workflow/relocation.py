"""迁出预警: a registered address outside the park's zone, and a leader's acknowledgement.

The zone is data in the definition (`zone:` in states/lifecycle.yaml). The warning itself is
written to the outbox by `notifications.after_opening`; it stays on 首页 until a leader
acknowledges it, which is a history entry `relocation_ack` on the project (the state stays).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from workflow.errors import Conflict, NotFound, NotPermitted
from workflow.park import Park
from workflow.projects import load_snapshot, record_history, save, user_id
from workflow.users import require_actor

ACK = "relocation_ack"
_P, _E, _U = columns(Project), columns(ProjectEvent), columns(User)


def moved_out(park: Park, event: str, fields: Mapping[str, Any]) -> str | None:
    """The new address when `event` records one outside the zone, else None."""
    zone = park.lifecycle.zone
    address = fields.get("address")
    if zone is None or event not in zone.address_events or not isinstance(address, str):
        return None
    return None if zone.contains(address) else address


@dataclass(frozen=True)
class RelocationWarning:
    """A move out of the zone no leader has acknowledged yet."""

    history_id: int
    project_id: int
    project_name: str
    address: str
    occurred_at: datetime
    actor: str


def open_warnings(session: Session, park: Park) -> list[RelocationWarning]:
    """Every move out of the zone without a leader's acknowledgement, newest first."""
    zone = park.lifecycle.zone
    if zone is None:
        return []
    rows = session.execute(
        select(_E.id, _E.project_id, _E.event, _E.fields, _E.occurred_at, _P.name,
               _U.name.label("actor"))
        .join(Project, _P.id == _E.project_id).join(User, _U.id == _E.actor_id)
        .where(_E.event.in_([*zone.address_events, ACK])).order_by(_E.id)).all()
    acknowledged = {(row.fields or {}).get("warning") for row in rows if row.event == ACK}
    found = []
    for row in rows:
        address = moved_out(park, row.event, row.fields or {}) if row.event != ACK else None
        if address is not None and row.id not in acknowledged:
            found.append(RelocationWarning(row.id, row.project_id, row.name, address,
                                           row.occurred_at, row.actor))
    return found[::-1]


def acknowledge(session: Session, park: Park, *, warning_id: int,
                actor: str | User) -> int:
    """A leader acknowledges a move out of the zone: a history entry on the project."""
    actor_user = require_actor(session, actor)
    if actor_user.role != "leader":
        raise NotPermitted("not_allowed", field="by", actor=actor_user.email, event=ACK,
                           roles=("leader",))
    warning = next((w for w in open_warnings(session, park) if w.history_id == warning_id),
                   None)
    if warning is None:
        entry = session.get(ProjectEvent, warning_id)
        if entry is None or moved_out(park, entry.event, entry.fields or {}) is None:
            raise NotFound("relocation_not_found", field="id", value=warning_id)
        raise Conflict("relocation_acknowledged", field="id", value=warning_id)
    before = load_snapshot(session, warning.project_id)
    now = park.now()
    history_id = record_history(
        session, project_id=before.id, event=ACK, from_state=before.state,
        to_state=before.state, actor_id=user_id(actor_user),
        occurred_at=max(now, before.last_event_at), recorded_at=now,
        fields={"warning": warning_id, "address": warning.address})
    save(session, before, replace(before, version=before.version + 1))
    return history_id
