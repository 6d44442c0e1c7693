"""Personal API tokens for the REST API: created once, stored as a hash, revocable.

A token is `pf_` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored, with a
short prefix people recognise it by (`pf_AbCd1234`). A hash lookup is enough — no slow KDF —
because the token is random, not a password a person chose. The clear token is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from db.models import ApiToken, User, columns, loaded
from db.prepared import Prepared
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError
from workflow.users import require_actor

SCHEME = "pf_"
PREFIX_LENGTH = len(SCHEME) + 8
MAX_NAME = 100
# last_used_at is written at most this often per token: a read-only API call stays read-only
TOUCH_EVERY = timedelta(minutes=1)

_T = columns(ApiToken)


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token: `secret` is the only copy of the clear token."""

    id: int
    name: str
    prefix: str
    secret: str
    created_at: datetime


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, *, actor: str | User, name: str = "",
                 now: datetime) -> IssuedToken:
    """Issue a token for the acting person; the clear token is returned once, never stored."""
    user = require_actor(session, actor)
    name = name.strip()
    if len(name) > MAX_NAME:
        raise ValidationError("too_long", field="name", limit=MAX_NAME, length=len(name))
    secret = SCHEME + secrets.token_urlsafe(32)
    row = ApiToken(user_id=_id(user), name=name, token_hash=token_hash(secret),
                   prefix=secret[:PREFIX_LENGTH], created_at=now)
    session.add(row)
    session.flush()
    assert row.id is not None
    return IssuedToken(id=row.id, name=name, prefix=row.prefix, secret=secret, created_at=now)


@dataclass(frozen=True)
class Verified:
    """Who a live token belongs to; `stale` when its last use should be written down."""

    user: User
    token_id: int
    stale: bool


def verify_token(session: Session, secret: str, *, now: datetime) -> Verified | None:
    """The owner of a live token, or None for an unknown, malformed or revoked one (read-only)."""
    if not secret.startswith(SCHEME) or len(secret) > 200:
        return None
    row = _BY_HASH.first(session, {"token_hash": token_hash(secret)})
    if row is None:  # unknown (or its owner gone)
        return None
    token_id, last_used_at, revoked_at, *person = row
    if revoked_at is not None:
        return None
    # the owner as read with the token: a copy of the row, in no session
    user = loaded(User, dict(zip(_PERSON, person, strict=True)))
    if not user.active:  # a deactivated person's tokens stop working
        return None
    stale = last_used_at is None or now - last_used_at >= TOUCH_EVERY
    return Verified(user=user, token_id=token_id, stale=stale)


# every API call looks its token and its owner up: one statement, compiled once
# (db.prepared), not built per request nor loaded through the ORM
_PERSON = tuple(User.__table__.c.keys())  # type: ignore[attr-defined]
_BY_HASH = Prepared(select(_T.id, _T.last_used_at, _T.revoked_at,
                           *(User.__table__.c[name] for name in _PERSON))  # type: ignore[attr-defined]
                    .join(User, User.__table__.c.id == _T.user_id)  # type: ignore[attr-defined]
                    .where(_T.token_hash == bindparam("token_hash")))


def touch_token(session: Session, token_id: int, *, now: datetime) -> None:
    """Record a token's use; written at most once a minute, so API reads stay reads."""
    session.execute(update(ApiToken).where(_T.id == token_id).values(last_used_at=now))


def revoke_token(session: Session, *, token_id: int, actor: str | User, now: datetime,
                 tz: ZoneInfo | None = None) -> None:
    """Revoke a token; its owner or an admin may; revoking twice is a conflict."""
    user = require_actor(session, actor)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token_not_found", field="id", value=token_id)
    if row.user_id != user.id and user.role != "admin":
        raise NotPermitted("token_not_yours", field="by", value=token_id, actor=user.email)
    if row.revoked_at is not None:
        raise Conflict("token_revoked", field="id", value=token_id,
                       when=row.revoked_at.astimezone(tz).date() if tz else row.revoked_at)
    row.revoked_at = now
    session.add(row)
    session.flush()


def list_tokens(session: Session, *, actor: str | User, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The acting person's tokens, newest first (never the secret)."""
    user = require_actor(session, actor)
    rows = session.execute(select(ApiToken).where(_T.user_id == user.id)
                           .order_by(_T.id.desc())).scalars()
    return [token_json(row, tz) for row in rows]


def token_json(row: ApiToken, tz: ZoneInfo) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat() if moment else None
    return {"id": row.id, "name": row.name, "prefix": row.prefix,
            "created_at": when(row.created_at), "last_used_at": when(row.last_used_at),
            "revoked_at": when(row.revoked_at), "active": row.revoked_at is None}


def _id(user: User) -> int:
    assert user.id is not None  # users are read from the database
    return user.id
