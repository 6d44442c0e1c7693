"""What may I do now? The lifecycle events a person may fire on a project, and why not the rest.

One answer for the web's event forms, the REST API and `parkflow project show`: each event of
the definition, available or refused with the error `advance` would raise (`access.refusal`),
as a code and its parameters, rendered in the reader's language only when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from db.models import User
from workflow.access import refusal
from workflow.errors import WorkflowError
from workflow.park import Park
from workflow.projects import Snapshot, load_snapshot
from workflow.users import require_actor


@dataclass(frozen=True)
class EventChoice:
    """One event of the lifecycle for one person and project: available, or why not."""

    event: str
    reason: WorkflowError | None = None

    @property
    def available(self) -> bool:
        return self.reason is None

    def as_json(self) -> dict[str, Any]:
        """`{"event", "available", "reason": {"code", "params"} | null}` (ids, no prose)."""
        reason = None if self.reason is None else {
            "code": self.reason.code, "params": _plain(self.reason.params)}
        return {"event": self.event, "available": self.available, "reason": reason}


def available_events(session: Session, park: Park, project: int | Snapshot,
                     user: str | User | None) -> list[EventChoice]:
    """Every event of the definition, in its order, for `user` on `project` now.

    Without a user only the rules of the project itself apply (state, suspension): what
    someone with the right role could fire. An unknown user is refused (NotPermitted).
    """
    snapshot = project if isinstance(project, Snapshot) else load_snapshot(session, project)
    person = None if user is None else require_actor(session, user)
    return [EventChoice(name, refusal(park, spec, snapshot, person))
            for name, spec in park.lifecycle.events.items()]


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready parameters: ids and values, lists as lists, moments as ISO text."""
    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, tuple | list):
            return list(value)
        return value.isoformat() if isinstance(value, date) else value
    return {name: plain(value) for name, value in params.items() if value is not None}
