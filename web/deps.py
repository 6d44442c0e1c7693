"""Dependencies, as `Annotated` aliases: the app, a read session, who is asking, the form.

    AppDep       what the composition root hands the workspace (WebDeps: engine, park)
    SessionDep   a read-only session for this request (writes open `writing()` themselves,
                 one transaction per use case, committed before the response is built)
    CurrentUser  the signed-in person of a page (else → /login)
    ApiUser      the owner of the Bearer token of an API call (else 401)
    FormDep      the posted form (also kept on request.state for the error handler)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, bindparam, select
from sqlmodel import Session
from starlette.datastructures import FormData

from db.engine import reading, writing
from db.models import User, columns
from db.prepared import Prepared
from web.config import WebSettings
from web.errors import Unauthenticated
from web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SignInRequired,
    check_csrf,
    session_matches,
    sign_out,
    signed_in_user_id,
)
from workflow.errors import ValidationError
from workflow.park import Park
from workflow.tokens import touch_token, verify_token

_U = columns(User)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# the session's "seen" stamp is refreshed this often, re-signing the cookie (idle timeout)
_REFRESH_SECONDS = 300


@dataclass(frozen=True)
class WebDeps:
    """What the workspace is given by the composition root (it imports nothing of it):
    the database engine and the park, with its clock and the observers that keep the outbox
    in step with every change made here."""

    engine: Engine
    park: Park


@dataclass(frozen=True)
class Viewer:
    """The person behind a request, detached from any session."""

    id: int
    email: str
    name: str
    role: str
    group: str | None
    is_group_lead: bool
    lang: str

    @classmethod
    def of(cls, user: User) -> Viewer:
        assert user.id is not None
        return cls(id=user.id, email=user.email, name=user.name, role=user.role,
                   group=user.group, is_group_lead=user.is_group_lead, lang=user.lang)

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# `async def`: a plain attribute read runs on the event loop; a `def` dependency would cost
# a hop to a worker thread and back on every request
async def get_app(request: Request) -> WebDeps:
    deps: WebDeps = request.app.state.deps
    return deps


AppDep = Annotated[WebDeps, Depends(get_app)]


async def get_web_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


WebSettingsDep = Annotated[WebSettings, Depends(get_web_settings)]


def get_session(request: Request, app: AppDep) -> Iterator[Session]:
    with reading(app.engine) as session:
        # the page frame's badges read through it too (web.rendering.page): a request
        # holding one pooled connection never waits for a second, so a burst of requests
        # cannot exhaust the pool while each holds one
        request.state.db_session = session
        try:
            yield session
        finally:
            request.state.db_session = None


SessionDep = Annotated[Session, Depends(get_session)]


def current_user(request: Request, app: AppDep, session: SessionDep,
                 settings: WebSettingsDep) -> Viewer:
    now = app.park.now()
    uid = signed_in_user_id(request, now=now, max_seconds=settings.session_max_seconds)
    row = _PERSON.first(session, {"user_id": uid}) if uid is not None else None
    if row is None:
        if uid is not None:
            sign_out(request)
        raise SignInRequired()
    user_id, email, name, role, group, is_group_lead, lang, password_hash, deactivated = row
    if deactivated is not None or not session_matches(request, password_hash):
        sign_out(request)
        raise SignInRequired()
    seen = request.session.get("seen", 0)
    if not isinstance(seen, int | float) or now.timestamp() - seen > _REFRESH_SECONDS:
        request.session["seen"] = now.timestamp()  # re-signs the cookie: idle clock restarts
    viewer = Viewer(id=user_id, email=email, name=name, role=role, group=group,
                    is_group_lead=is_group_lead, lang=lang)
    request.state.viewer = viewer
    return viewer


# who a page's session belongs to: every page asks, so one prepared statement for what the
# page needs (loading the ORM object cost several times the query)
_PERSON = Prepared(select(_U.id, _U.email, _U.name, _U.role, _U.group, _U.is_group_lead,
                          _U.lang, _U.password_hash, _U.deactivated_at)
                   .where(_U.id == bindparam("user_id")))


CurrentUser = Annotated[Viewer, Depends(current_user)]

bearer = HTTPBearer(auto_error=False, description="A personal API token (`pf_…`), created "
                    "on the account page or with `parkflow token create`.")


def api_user(request: Request, app: AppDep,
             credentials: Annotated[HTTPAuthorizationCredentials | None,
                                    Depends(bearer)]) -> Viewer:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    now = app.park.now()
    with reading(app.engine) as session:
        verified = verify_token(session, credentials.credentials, now=now)
    if verified is None:
        raise Unauthenticated()
    if verified.stale:
        with writing(app.engine) as session:
            touch_token(session, verified.token_id, now=now)
    viewer = Viewer.of(verified.user)
    request.state.viewer = viewer
    return viewer


ApiUser = Annotated[Viewer, Depends(api_user)]


async def posted_form(request: Request) -> FormData:
    form = await request.form()
    request.state.form = form
    return form


FormDep = Annotated[FormData, Depends(posted_form)]


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request to a page unless it carries the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    form = await posted_form(request)
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted:
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    check_csrf(request, submitted)
    for name, value in form.multi_items():
        # NUL and other C0 controls have no business in a form; PostgreSQL refuses NUL
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError("control_character", field=name)


def optional_user(request: Request, app: AppDep, session: SessionDep,
                  settings: WebSettingsDep) -> Viewer | None:
    try:
        return current_user(request, app, session, settings)
    except SignInRequired:
        return None


MaybeUser = Annotated[Viewer | None, Depends(optional_user)]
