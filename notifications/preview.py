"""`reminders preview`: every message that would go out up to a date, if nothing changed.

It reads the outbox and the projects and runs the same planning functions as the sweep,
writing nothing: pending rows (with what catch-up would skip), the chain of weekly
inquiries, and the agendas, digests and reports of every slot until then, on their moved days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import OutboxMessage, User, columns
from i18n import DEFAULT_LANG
from notifications import outbox
from notifications.planning import (
    PERIODIC_KINDS,
    Planned,
    next_inquiry_k,
    occurrence_at_or_before,
    occurrences_between,
    overtaken,
    periodic_series,
    periodic_slots,
    plan_inquiry,
    plan_periodic,
)
from notifications.reasons import reason_text
from notifications.reminders import (
    calendar_warnings,
    figures_requests,
    readers_of,
    worth_sending,
)
from workflow.labels import Labels
from workflow.park import Park

_O, _U = columns(OutboxMessage), columns(User)


def preview(session: Session, park: Park, *, now: datetime, until: datetime,
            lang: str = DEFAULT_LANG) -> list[dict[str, Any]]:
    """Rows like `outbox list`, with the status each would get; sorted by time; reasons in
    `lang`."""
    labels = Labels.of(park, lang)
    rows = [row for row in outbox.list_rows(session, status="pending")
            if row.next_attempt_at <= until]
    skipped = overtaken(rows, now)
    late = now - timedelta(hours=park.lifecycle.reminders.late_after_hours)
    shown = [_row(row.id, row.kind, row.project_id, row.recipient, max(row.next_attempt_at, now)
                  if row.next_attempt_at <= now else row.next_attempt_at,
                  "skipped" if row.id in skipped or (row.kind in PERIODIC_KINDS
                                                     and row.send_at < late) else "pending",
                  reason_text(row.reason_code, row.reason_params, labels), park)
             for row in rows]
    for planned in (_inquiry_chains(rows, park, now, until) + _periodic(session, park, now, until)
                    + calendar_warnings(session, park, now)
                    + figures_requests(session, park, now, until)):
        status = "skipped" if planned.send_at < late else "pending"
        shown.append(_row(None, planned.kind, planned.project_id, planned.recipient,
                          max(planned.send_at, now), status,
                          reason_text(planned.reason, planned.reason_params, labels), park))
    return sorted(shown, key=lambda r: (r["send_at"], r["kind"], r["recipients"]))


def _inquiry_chains(rows: list[Any], park: Park, now: datetime,
                    until: datetime) -> list[Planned]:
    """After each pending inquiry, the weekly ones that follow while nobody follows up."""
    rule, planned = park.lifecycle.reminders, []
    for row in rows:
        if row.kind != "inquiry" or row.project_id is None:
            continue
        anchor = datetime.fromisoformat(row.payload["anchor"]).date()
        sent_at = max(row.next_attempt_at, now)
        while True:
            k = next_inquiry_k(anchor, sent_at, rule, park.tz, include_past=False)
            follower = plan_inquiry(row.project_id, row.recipient, anchor, k, rule, park.tz)
            if follower.send_at > until:
                break
            planned.append(follower)
            sent_at = follower.send_at
    return planned


def _periodic(session: Session, park: Park, now: datetime, until: datetime) -> list[Planned]:
    """The sweep's periodic mails until then: the latest occurrence if not planned yet, then
    every one to come, on the days the calendar moves them to."""
    rule, planned = park.lifecycle.reminders, []
    opened_at = session.execute(select(func.min(_U.created_at))).scalar()
    if opened_at is None:
        return []
    calendar = park.calendar(session)
    for kind, schedule in periodic_slots(rule).items():
        latest = occurrence_at_or_before(schedule, now, park.tz, calendar)
        occurrences = occurrences_between(schedule, now, until, park.tz, calendar)
        if latest is not None and latest.at >= opened_at \
                and not outbox.series_exists(session, periodic_series(kind, latest)):
            occurrences.insert(0, latest)
        readers = readers_of(session, kind)
        for occurrence in occurrences:
            if worth_sending(session, kind, occurrence.at):
                planned += plan_periodic(kind, occurrence, readers, park.tz)
    return planned


def _row(row_id: int | None, kind: str, project_id: int | None, recipient: str,
         send_at: datetime, status: str, reason: str, park: Park) -> dict[str, Any]:
    return {"id": row_id, "kind": kind, "project_id": project_id, "recipients": [recipient],
            "send_at": send_at.astimezone(park.tz).isoformat(), "status": status,
            "reason": reason}
