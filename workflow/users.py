"""People: adding them and finding who acts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import Project, User
from i18n import LANGS
from states.definition import Lifecycle
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError

ROLES = ("member", "leader", "admin")
OWNER_ROLES = ("member", "leader")  # who may own a project
__all__ = ["LANGS", "ROLES", "add_user", "deactivate_user", "find_user", "require_actor",
           "update_user"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def require_actor(session: Session, actor: str | User | None) -> User:
    """The acting person; missing → ValidationError (exit 2, a missing field), unknown or
    deactivated → NotPermitted (exit 3), as CLI.md's conventions have it."""
    if isinstance(actor, User):
        return actor
    if not actor:
        raise ValidationError("no_actor", field="by")
    user = find_user(session, actor)
    if user is None:
        raise NotPermitted("unknown_actor", field="by", value=actor)
    if not user.active:
        raise NotPermitted("user_deactivated", field="by", value=user.email)
    return user


def add_user(session: Session, lifecycle: Lifecycle, *, email: str, name: str, role: str,
             group: str | None = None, group_lead: bool = False, lang: str = "zh-CN",
             password_hash: str | None = None, now: datetime) -> User:
    """Create a user; every field is checked and named when wrong."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError("not_an_email", field="email", value=email)
    if not name.strip():
        raise ValidationError("empty", field="name")
    check_place(lifecycle, role=role, group=group, group_lead=group_lead)
    if lang not in LANGS:  # typed (`user add --lang`): the tags to type, not their names
        raise ValidationError("unknown_lang", field="lang", value=lang, names=list(LANGS))
    if find_user(session, email) is not None:
        raise Conflict("user_exists", field="email", value=email)
    user = User(email=email, name=name.strip(), role=role, group=group,
                is_group_lead=group_lead, lang=lang, password_hash=password_hash,
                created_at=now)
    session.add(user)
    session.flush()
    return user


def check_place(lifecycle: Lifecycle, *, role: str, group: str | None,
                group_lead: bool) -> None:
    """A person's role, group and group lead fit together (a member has a group, a group
    lead leads one)."""
    if role not in ROLES:
        raise ValidationError("bad_choice", field="role", value=role, choices=list(ROLES))
    if group is not None and group not in lifecycle.groups:
        raise ValidationError("bad_choice", field="group", value=group,
                              choices=list(lifecycle.groups))
    if role == "member" and group is None:
        raise ValidationError("required", field="group")
    if group_lead and group is None:
        raise ValidationError("required", field="group")


def _admin(session: Session, actor: str | User | None) -> User:
    user = require_actor(session, actor)
    if user.role != "admin":
        raise NotPermitted("admin_only", field="by")
    return user


def _subject(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound("user_not_found", field="email", value=email)
    return user


def active_project_count(session: Session, lifecycle: Lifecycle, user: User) -> int:
    """How many projects still in the library (not in a final state) `user` owns."""
    open_states = [name for name, state in lifecycle.states.items() if not state.final]
    return int(session.exec(select(func.count()).select_from(Project).where(
        Project.owner_id == user.id, Project.state.in_(open_states))).one())  # type: ignore[attr-defined]


def update_user(session: Session, lifecycle: Lifecycle, *, actor: str | User, email: str,
                role: str | None = None, group: str | None = None,
                group_lead: bool | None = None, clear_group: bool = False) -> User:
    """An admin changes a person's role, group or group lead (what is not given stays;
    `clear_group`: the person leaves their group)."""
    _admin(session, actor)
    user = _subject(session, email)
    new_role = role if role is not None else user.role
    new_group = None if clear_group else (group if group is not None else user.group)
    new_lead = group_lead if group_lead is not None else user.is_group_lead
    check_place(lifecycle, role=new_role, group=new_group, group_lead=new_lead)
    if new_role not in OWNER_ROLES and active_project_count(session, lifecycle, user):
        # an admin owns no project: the projects go to someone else first
        raise Conflict("owns_active_projects", field="role", value=user.email,
                       count=active_project_count(session, lifecycle, user))
    user.role, user.group, user.is_group_lead = new_role, new_group, new_lead
    session.add(user)
    session.flush()
    return user


def deactivate_user(session: Session, lifecycle: Lifecycle, *, actor: str | User, email: str,
                    now: datetime) -> User:
    """An admin deactivates a person: no sign-in, no token, no new mail; their history
    stays. Their active projects must have been reassigned before."""
    _admin(session, actor)
    user = _subject(session, email)
    if not user.active:
        raise Conflict("user_deactivated", field="email", value=user.email)
    count = active_project_count(session, lifecycle, user)
    if count:
        raise Conflict("owns_active_projects", field="email", value=user.email, count=count)
    user.deactivated_at = now
    session.add(user)
    session.flush()
    return user


def user_json(user: User) -> dict[str, Any]:
    """A person as `user add --json` and `user list --json` show them."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "group": user.group, "group_lead": user.is_group_lead, "lang": user.lang,
            "active": user.active}


def list_users(session: Session) -> list[dict[str, Any]]:
    """Everyone, in the order they were added."""
    return [user_json(user)
            for user in session.exec(select(User).order_by(User.id)).all()]  # type: ignore[arg-type]
