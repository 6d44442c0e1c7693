"""People: adding them and finding who acts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from db.models import User
from i18n import LANGS
from states.definition import Lifecycle
from workflow.errors import Conflict, NotPermitted, ValidationError

ROLES = ("member", "leader", "admin")
__all__ = ["LANGS", "ROLES", "add_user", "find_user", "require_actor"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def require_actor(session: Session, actor: str | User | None) -> User:
    """The acting person; unknown or missing → NotPermitted (exit 3)."""
    if isinstance(actor, User):
        return actor
    if not actor:
        raise NotPermitted("no_actor", field="by")
    user = find_user(session, actor)
    if user is None:
        raise NotPermitted("unknown_actor", field="by", value=actor)
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
    if role not in ROLES:
        raise ValidationError("bad_choice", field="role", value=role, choices=list(ROLES))
    if group is not None and group not in lifecycle.groups:
        raise ValidationError("bad_choice", field="group", value=group,
                              choices=list(lifecycle.groups))
    if role == "member" and group is None:
        raise ValidationError("required", field="group")
    if group_lead and group is None:
        raise ValidationError("required", field="group")
    if lang not in LANGS:
        raise ValidationError("bad_choice", field="lang", value=lang, choices=list(LANGS))
    if find_user(session, email) is not None:
        raise Conflict("user_exists", field="email", value=email)
    user = User(email=email, name=name.strip(), role=role, group=group,
                is_group_lead=group_lead, lang=lang, password_hash=password_hash,
                created_at=now)
    session.add(user)
    session.flush()
    return user


def user_json(user: User) -> dict[str, Any]:
    """A person as `user add --json` and `user list --json` show them."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "group": user.group, "group_lead": user.is_group_lead, "lang": user.lang}


def list_users(session: Session) -> list[dict[str, Any]]:
    """Everyone, in the order they were added."""
    return [user_json(user)
            for user in session.exec(select(User).order_by(User.id)).all()]  # type: ignore[arg-type]
