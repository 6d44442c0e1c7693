"""Account use cases: language, passwords, users added by an admin (the web and the command).

Each runs inside the caller's transaction and raises WorkflowError subclasses like the engine.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from db.models import User
from states.definition import Lifecycle
from workflow.access import require_admin
from workflow.errors import NotFound, NotPermitted, ValidationError
from workflow.passwords import hash_password, verify_password
from workflow.users import LANGS, add_user, find_user, require_actor


def set_language(session: Session, *, actor: str | User, lang: str) -> None:
    """Remember a person's language (pages, messages and mail)."""
    user = require_actor(session, actor)
    if lang not in LANGS:
        raise ValidationError("bad_choice", field="lang", value=lang, choices=list(LANGS))
    user.lang = lang
    session.add(user)
    session.flush()


def set_password(session: Session, *, email: str, password: str,
                 actor: str | User | None = None) -> User:
    """Set a password (the CLI as operator, an admin, or the person themself)."""
    user = find_user(session, email)
    if user is None:
        raise NotFound("user_not_found", field="email", value=email)
    if actor is not None:
        acting = require_actor(session, actor)
        if acting.id != user.id and acting.role != "admin":
            raise NotPermitted("admin_only", field="by")
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def change_own_password(session: Session, *, actor: str | User, current: str,
                        new: str) -> None:
    user = require_actor(session, actor)
    if not verify_password(user.password_hash, current):
        raise ValidationError("wrong_password", field="current_password")
    user.password_hash = hash_password(new)
    session.add(user)
    session.flush()


def admin_add_user(session: Session, lifecycle: Lifecycle, *, actor: str | User, email: str,
                   name: str, role: str, group: str | None, group_lead: bool, lang: str,
                   password: str | None, now: datetime) -> User:
    """An admin adds a person (optionally with a first password)."""
    require_admin(session, actor)
    password_hash = hash_password(password) if password else None
    return add_user(session, lifecycle, email=email, name=name, role=role, group=group or None,
                    group_lead=group_lead, lang=lang, password_hash=password_hash, now=now)

