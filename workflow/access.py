"""Who may do what, and why not: event roles on a project, the admin's tasks, the inventory.

`refusal` is the one answer to "may this person fire this event on this project now?" —
`advance` raises it, `workflow.availability` lists it for every event. The web, the API and
the command ask these functions; none re-implements a rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from db.models import User
from states.definition import PREVIOUS, EventDef, Lifecycle
from workflow.errors import Conflict, NotPermitted, WorkflowError
from workflow.park import Park
from workflow.users import require_actor

if TYPE_CHECKING:
    from workflow.projects import Snapshot

# Who keeps the space inventory (adds listings).
LISTING_KEEPERS = ("admin", "leader")


def may_keep_listings(role: str) -> bool:
    """Whether a person of `role` may add listings to the space inventory."""
    return role in LISTING_KEEPERS


def require_listing_keeper(session: Session, actor: str | User | None) -> User:
    """The acting person if they keep the inventory; unknown or not permitted → NotPermitted."""
    user = require_actor(session, actor)
    if not may_keep_listings(user.role):
        raise NotPermitted("not_allowed", field="by", actor=user.email, event="listing",
                           roles=LISTING_KEEPERS)
    return user


def require_admin(session: Session, actor: str | User | None) -> User:
    """The acting person if they are an admin; otherwise NotPermitted."""
    user = require_actor(session, actor)
    if user.role != "admin":
        raise NotPermitted("admin_only", field="by")
    return user


# ---------------------------------------------------------------- events on a project

def refusal(park: Park, spec: EventDef, project: Snapshot,
            user: User | None) -> WorkflowError | None:
    """Why `user` may not fire `spec` on `project` now; None when they may.

    The rules of `advance`, in its order: the event's roles (not asked without a user), the
    state, then a suspension, which only leaving the library gets past.
    """
    if user is not None:
        try:
            check_may_fire(park.lifecycle, spec, project, user)
        except NotPermitted as exc:
            return exc
    if not park.machine.can_fire(project.state, spec.name, exited_from=project.exited_from):
        return Conflict("invalid_transition", field="event", event=spec.name,
                        state=project.state)
    leaves_library = spec.dest != PREVIOUS and park.lifecycle.states[spec.dest].final
    if project.suspended_at is not None and not leaves_library:
        return Conflict("suspended", field="event", project=project.id)
    return None


def check_may_fire(lifecycle: Lifecycle, spec: EventDef, project: Snapshot, user: User) -> None:
    """Raise NotPermitted unless `user` holds one of the event's roles for this project."""
    check_may_act(spec.roles, project, user, spec.name)


def check_may_act(roles: tuple[str, ...], project: Snapshot, user: User, what: str) -> None:
    """Raise NotPermitted unless `user` holds one of `roles` for this project."""
    holds = {
        "owner": user.id == project.owner_id,
        "group": user.role == "member" and user.group is not None
        and user.group == project.group,
        "leader": user.role == "leader",
        "admin": user.role == "admin",
        "system": False,  # parkflow's own events: no person fires them
    }
    if not any(holds[role] for role in roles):
        raise NotPermitted("not_allowed_role", field="by", actor=user.email, project=project.id,
                           event=what, roles=roles)
