"""Who may do what beyond the lifecycle's event roles: the admin's tasks, the space inventory.

These rules depend on a person's role alone; the web, the API and the command ask the same
functions.
"""

from __future__ import annotations

from sqlmodel import Session

from db.models import User
from workflow.errors import NotPermitted
from workflow.users import require_actor

# Who keeps the space inventory (adds listings).
LISTING_KEEPERS = ("admin", "leader")


def may_keep_listings(role: str) -> bool:
    """Whether a person of `role` may add listings to the space inventory."""
    return role in LISTING_KEEPERS


def require_listing_keeper(session: Session, actor: str | User | None) -> User:
    """The acting person if they keep the inventory; unknown or not permitted → NotPermitted."""
    user = require_actor(session, actor)
    if not may_keep_listings(user.role):
        raise NotPermitted("not_allowed_role", field="by", actor=user.email, project="-",
                           event="listing", roles=", ".join(LISTING_KEEPERS))
    return user


def require_admin(session: Session, actor: str | User | None) -> User:
    """The acting person if they are an admin; otherwise NotPermitted."""
    user = require_actor(session, actor)
    if user.role != "admin":
        raise NotPermitted("admin_only", field="by")
    return user

