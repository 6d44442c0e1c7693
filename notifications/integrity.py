"""`parkflow check`: the whole verification, the outbox's part added to the engine's.

A pending outbox row about a project must belong to what the project is now: a reminder or
an early warning to the series of its current stage and deadline (`stage_series`), a
follow-up inquiry to its current follow-up clock (`inquiry_series`), and nothing at all may
wait for a project in a final state. The series are the ones `notifications.reminders`
plans, computed by the same functions, so the check cannot drift from the planning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import OutboxMessage, Project, columns
from notifications.planning import STAGE_KINDS, due_date_of, inquiry_series, stage_series
from notifications.reminders import follow_up_anchor
from workflow.integrity import SNAPSHOT, Problem, check_projects, final_states
from workflow.park import Park
from workflow.projects import Snapshot

_O, _P = columns(OutboxMessage), columns(Project)


def check(session: Session, park: Park) -> list[Problem]:
    """Every inconsistency of the database, by project."""
    found = [*check_projects(session, park), *check_outbox(session, park)]
    return sorted(found, key=lambda p: (p.project_id, p.kind))


def check_outbox(session: Session, park: Park) -> Iterator[Problem]:
    """Pending messages for a stage left, a follow-up clock restarted or a finished project."""
    waiting = select(_O.project_id).where(_O.status == "pending", _O.project_id.is_not(None))
    projects = {row.id: Snapshot.from_row(row) for row in session.connection().execute(
        SNAPSHOT.where(_P.id.in_(waiting)))}
    live = {pid: _live_series(project, park) for pid, project in projects.items()}
    final = set(final_states(park.lifecycle))
    rows = session.connection().execute(
        select(_O.id, _O.kind, _O.series, _O.recipient, _O.project_id)
        .where(_O.status == "pending", _O.project_id.is_not(None)).order_by(_O.id))
    for row in rows:
        project = projects[row.project_id]
        params = {"message": row.id, "outbox_kind": row.kind, "recipient": row.recipient,
                  "series": row.series}
        if project.state in final:
            yield Problem("outbox_on_finished", project.id, project.name,
                          {**params, "state": project.state})
        elif row.kind in live[project.id] and row.series != live[project.id][row.kind]:
            yield Problem("stale_outbox", project.id, project.name, params)


def _live_series(project: Snapshot, park: Park) -> Mapping[str, Any]:
    """Kind → the one series its pending rows may have now (None: none may be pending)."""
    stage = None
    if project.due_at is not None and project.stage_entry_id is not None:
        stage = stage_series(project.id, project.stage_entry_id,
                             due_date_of(project.due_at, park.tz))
    anchor = follow_up_anchor(project, park)
    return {**dict.fromkeys(STAGE_KINDS, stage),
            "inquiry": inquiry_series(project.id, anchor) if anchor else None}
