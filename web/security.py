"""Sign-in sessions, CSRF tokens and the sign-in throttle.

The session is Starlette's signed cookie (itsdangerous, HMAC-SHA1 over the JSON payload,
`max_age` = the idle timeout, refreshed by every response, HttpOnly, SameSite=Lax). It holds
only: the user id, a fingerprint of the password hash (changing a password ends every other
session), when the sign-in happened (absolute lifetime), the CSRF token, the visitor's
language before sign-in and at most one flash message.

CSRF: one random token per session, embedded in every form (`csrf_token`) and sent by htmx
as `X-CSRF-Token`; every unsafe request to a page is refused (403) unless it carries it. Signing
in starts a fresh session (new token), so a token learnt before sign-in is worthless after.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request

from db.models import User

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """An unsafe request without the session's CSRF token."""


class SignInRequired(Exception):
    """A page that needs a signed-in person was asked for by a visitor."""


def fingerprint(password_hash: str | None) -> str:
    """A short digest of the password hash: a new password invalidates older sessions."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not (isinstance(expected, str) and expected and isinstance(submitted, str)
            and secrets.compare_digest(expected.encode(), submitted.encode())):
        raise CsrfRefused()


def sign_in(request: Request, user: User, *, now: datetime) -> None:
    """Start a fresh session for `user` (a new CSRF token; nothing carried over)."""
    request.session.clear()
    request.session.update({"uid": user.id, "fp": fingerprint(user.password_hash),
                            "since": now.timestamp(), "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    request.session.clear()


def signed_in_user_id(request: Request, *, now: datetime, max_seconds: int) -> int | None:
    """The user id of a live session (the cookie's signature and idle age are checked by the
    middleware; the absolute lifetime here)."""
    uid, since = request.session.get("uid"), request.session.get("since")
    if not isinstance(uid, int) or not isinstance(since, int | float):
        return None
    age = now.timestamp() - since
    if age < 0 or age > max_seconds:
        return None
    return uid


def session_matches(request: Request, password_hash: str | None) -> bool:
    """Whether the session was started with the person's current password."""
    return secrets.compare_digest(str(request.session.get("fp", "")),
                                  fingerprint(password_hash))


# ---------------------------------------------------------------- flash

def set_flash(request: Request, *, kind: str, message: str, form: str | None = None,
              field: str | None = None, values: Mapping[str, Any] | None = None,
              duplicate_of: str | None = None,
              problems: Sequence[tuple[str | None, str]] = ()) -> None:
    """One message for the next page (kept small: the cookie holds it); a form's several
    `problems` (field, message) each on its own."""
    flash: dict[str, Any] = {"kind": kind, "message": message[:500]}
    if duplicate_of:
        flash["duplicate_of"] = duplicate_of[:40]
    if form:
        if len(problems) > 1:
            flash["problems"] = [[(name or "")[:40], text[:200]] for name, text in problems[:12]]
        flash.update(form=form[:40], field=(field or "")[:40],
                     values={k: str(v)[:300] for k, v in (values or {}).items()
                             if k not in (CSRF_FIELD, "password", "_form")})
    request.session["flash"] = flash


def pop_flash(request: Request) -> dict[str, Any] | None:
    flash = request.session.pop("flash", None)
    return flash if isinstance(flash, dict) else None


# ---------------------------------------------------------------- sign-in throttle

@dataclass
class _Attempts:
    failures: int
    locked_until: datetime | None


class SignInThrottle:
    """After `limit` failed sign-ins an address waits `lock` before the next try (per process)."""

    def __init__(self, limit: int = 5, lock: timedelta = timedelta(minutes=1)) -> None:
        self.limit, self.lock = limit, lock
        self._attempts: dict[str, _Attempts] = {}
        self._mutex = threading.Lock()

    def locked(self, email: str, now: datetime) -> bool:
        with self._mutex:
            attempts = self._attempts.get(email)
            return bool(attempts and attempts.locked_until and now < attempts.locked_until)

    def failed(self, email: str, now: datetime) -> None:
        with self._mutex:
            attempts = self._attempts.setdefault(email, _Attempts(0, None))
            attempts.failures += 1
            if attempts.failures >= self.limit:
                attempts.failures, attempts.locked_until = 0, now + self.lock
            if len(self._attempts) > 10_000:  # bounded memory under a spray of addresses
                self._attempts.clear()

    def succeeded(self, email: str) -> None:
        with self._mutex:
            self._attempts.pop(email, None)
