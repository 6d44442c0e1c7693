"""Who hears about approvals and offered listings, written to the outbox with the change.

Filing (and resubmitting) tells every leader at once and reminds them on the day the
decision is due; a decision tells the requester and the project's owner and cancels the
reminders; an offered listing tells the requester and the owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Approval, Project, User, columns
from notifications import outbox
from notifications.planning import Planned, at_send_time, due_date_of, unique
from workflow.approvals import ApprovalChange
from workflow.park import Park
from workflow.space import ListingOffered

_U, _P = columns(User), columns(Project)
DECIDED_KIND = {"approve": "approval_decided", "reject": "approval_decided",
                "return": "approval_returned"}


def on_change(session: Session, park: Park, change: object) -> None:
    """Park observer for approvals and offers."""
    if isinstance(change, ApprovalChange):
        _approval_changed(session, park, change)
    elif isinstance(change, ListingOffered):
        _listing_offered(session, park, change)


def approval_series(approval_id: int) -> str:
    return f"approval:{approval_id}"


def _approval_changed(session: Session, park: Park, change: ApprovalChange) -> None:
    approval, now = change.approval, park.now()
    assert approval.id is not None
    series = approval_series(approval.id)
    base = f"{series}:{change.history_id}"
    if change.event in ("submit", "resubmit"):
        readers = [e for e in _leaders(session) if e != _email(session, approval.requested_by)]
        planned = [_planned("approval_requested", f"{base}:requested:{r}", r, now,
                            ("approval_requested", {}), approval, series, change.history_id)
                   for r in readers]
        due_day = due_date_of(approval.due_at, park.tz)
        reminder_at = at_send_time(due_day, park.lifecycle.reminders, park.tz)
        if reminder_at > now:
            planned += [_planned("approval_requested", f"{base}:due:{r}", r, reminder_at,
                                 ("approval_due", {"due": due_day.isoformat()}), approval, series,
                                 change.history_id, due_reminder=True)
                        for r in readers]
        outbox.enqueue(session, planned, now=now)
        return
    outbox.cancel_series(session, series, reason="approval_closed")
    kind = DECIDED_KIND.get(change.event)
    if kind is None:
        return
    readers = unique([_email(session, approval.requested_by), _owner(session, approval)])
    reason = ("approval_decided", {"decision": change.event})
    outbox.enqueue(session, [_planned(kind, f"{base}:{change.event}:{r}", r, now,
                                      reason, approval, f"{series}:decided",
                                      change.history_id)
                             for r in readers], now=now)


def _listing_offered(session: Session, park: Park, change: ListingOffered) -> None:
    from db.models import SpaceRequest
    request = session.get(SpaceRequest, change.request_id)
    assert request is not None
    owner = session.execute(select(_U.email).join(Project, _P.owner_id == _U.id)
                            .where(_P.id == change.project_id)).scalar_one()
    readers = unique([_email(session, request.requested_by), owner])
    payload = {"request_id": change.request_id, "listing_id": change.listing_id,
               "actor_id": change.actor_id, "note": change.note}
    now = park.now()
    outbox.enqueue(session, [Planned(
        dedupe_key=f"offer:{change.request_id}:{change.listing_id}:{r}", kind="listing_offered",
        recipient=r, send_at=now, reason="listing_reserved", project_id=change.project_id,
        series=f"offer:{change.request_id}", payload=payload) for r in readers], now=now)


def _planned(kind: str, key: str, recipient: str, send_at: datetime,
             reason: tuple[str, dict[str, Any]],
             approval: Approval, series: str, event_id: int, *,
             due_reminder: bool = False) -> Planned:
    payload = {"approval_id": approval.id, "event_id": event_id}
    if due_reminder:
        payload["due_reminder"] = True
    return Planned(dedupe_key=key, kind=kind, recipient=recipient, send_at=send_at,
                   reason=reason[0], reason_params=reason[1],
                   project_id=approval.project_id, series=series,
                   payload=payload)


def _leaders(session: Session) -> list[str]:
    return list(session.execute(select(_U.email).where(_U.role == "leader",
                                                       _U.deactivated_at.is_(None))
                                .order_by(_U.id)).scalars())


def _email(session: Session, user_id: int) -> str:
    return str(session.execute(select(_U.email).where(_U.id == user_id)).scalar_one())


def _owner(session: Session, approval: Approval) -> str:
    return str(session.execute(select(_U.email).join(Project, _P.owner_id == _U.id)
                               .where(_P.id == approval.project_id)).scalar_one())
