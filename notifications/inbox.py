"""A person's messages in the app: the outbox rows addressed to them, read or not.

Not a second bookkeeping: the list (the bell, /messages, `parkflow inbox`) is the outbox,
read by recipient. A row shows once it is due and not withdrawn — pending (on its way),
sent or failed — and `read_at` marks it read. The bell's count is one COUNT served by
`ix_outbox_recipient_read` (recipient, read_at).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlmodel import Session

from db.models import OutboxMessage, Project, columns
from db.prepared import Prepared
from notifications.reasons import ENDED, reason_text
from workflow.errors import NotFound
from workflow.labels import Labels

_O, _P = columns(OutboxMessage), columns(Project)
_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
# rows that reached (or are reaching) the person; cancelled and skipped ones never did
SHOWN_STATUSES = ("pending", "sent", "failed")
# where a message of a kind without a project or a request leads
_KIND_LINKS = {"calendar_missing": "/admin", "monthly_report": "/reports",
               "quarterly_report": "/reports", "digest": "/reports", "agenda": "/board"}


def _addressed(recipient: Any, now: Any) -> ColumnElement[bool]:
    """The one rule of the in-app list: mail to `recipient`, due by `now`, not withdrawn
    (values, or bind parameters of a prepared statement)."""
    return and_(_O.recipient == recipient, _O.channel == "email",
                or_(*(_O.status == status for status in SHOWN_STATUSES)), _O.send_at <= now)


def _addressed_to(email: str, now: datetime) -> ColumnElement[bool]:
    return _addressed(email.strip().lower(), now)


# every page's bell asks this: compiled once (db.prepared), not built per request
_UNREAD = Prepared(select(func.count()).select_from(_TABLE).where(
    _addressed(bindparam("recipient"), bindparam("now")), _O.read_at.is_(None)))


def unread_count(session: Session, email: str, *, now: datetime) -> int:
    """The bell: messages to `email` not read yet (one COUNT)."""
    row = _UNREAD.first(session, {"recipient": email.strip().lower(), "now": now})
    return int(row[0]) if row else 0


def messages_for(session: Session, email: str, *, now: datetime, labels: Labels,
                 tz: ZoneInfo, unread: bool = False, limit: int | None = None
                 ) -> list[dict[str, Any]]:
    """A person's messages, newest first, each with its subject in the reader's language,
    the project's name and where the message leads."""
    query = (select(_O.id, _O.kind, _O.project_id, _O.reason_code, _O.reason_params,
                    _O.send_at, _O.read_at, _O.payload, _P.name.label("project_name"))
             .select_from(_TABLE.outerjoin(Project.__table__,  # type: ignore[attr-defined]
                                           _P.id == _O.project_id))
             .where(_addressed_to(email, now))
             .order_by(_O.send_at.desc(), _O.id.desc()))
    if unread:
        query = query.where(_O.read_at.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return [message_json(row, labels, tz) for row in session.connection().execute(query)]


def subject(kind: str, reason_code: str, reason_params: dict[str, Any] | None,
            labels: Labels) -> str:
    """What a message is about: its reason's sentence, or the kind's label once a delivery
    problem has replaced the reason."""
    if reason_code and reason_code not in ENDED:
        text = reason_text(reason_code, reason_params, labels)
        if text:
            return text
    label = labels.outbox_kind(kind)
    return label[:1].upper() + label[1:]


def link(kind: str, project_id: int | None, payload: dict[str, Any] | None) -> str | None:
    """Where a message leads: the request it is about, else its project, else its page."""
    approval_id = (payload or {}).get("approval_id")
    if isinstance(approval_id, int):
        return f"/approvals/{approval_id}"
    if project_id is not None:
        return f"/projects/{project_id}"
    return _KIND_LINKS.get(kind)


def message_json(row: Any, labels: Labels, tz: ZoneInfo) -> dict[str, Any]:
    """The row shape of CLI.md (`inbox --json`), plus the project's name and the link."""
    return {"id": row.id, "kind": row.kind,
            "subject": subject(row.kind, row.reason_code, row.reason_params, labels),
            "project_id": row.project_id,
            "created_at": row.send_at.astimezone(tz).isoformat(),
            "read": row.read_at is not None,
            "project_name": row.project_name,
            "link": link(row.kind, row.project_id, row.payload)}


def mark_read(session: Session, email: str, *, message_id: int, now: datetime) -> None:
    """Mark one of a person's messages read (again: nothing changes); another person's
    message, or one not shown to them, is not found."""
    found = session.connection().execute(
        select(_O.read_at).where(_O.id == message_id, _addressed_to(email, now))).first()
    if found is None:
        raise NotFound("message_not_found", field="id", value=message_id)
    if found.read_at is None:
        session.connection().execute(
            update(_TABLE).where(_O.id == message_id).values(read_at=now))


def mark_all_read(session: Session, email: str, *, now: datetime) -> int:
    """Mark every unread message of a person read; returns how many."""
    result = session.connection().execute(
        update(_TABLE).where(_addressed_to(email, now), _O.read_at.is_(None))
        .values(read_at=now))
    return int(result.rowcount or 0)
