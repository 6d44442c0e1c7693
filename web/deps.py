"""Dependencies, as `Annotated` aliases: the app, a read session, who is asking, the form.

    AppDep       what the composition root hands the workspace (WebDeps: engine, park)
    SessionDep   a read-only session for this request (writes open `writing()` themselves,
                 one transaction per use case, committed before the response is built)
    CurrentUser  the signed-in person of a page (else → /login)
    ApiUser      the owner of the Bearer token of an API call (else 401)
    FormDep      the posted form (also kept on request.state for the error handler)

Where the database work of a request runs: `run_reads` (on the event loop on SQLite, on a
worker thread on PostgreSQL) and `run_writes` (always on a worker thread). The session and
the signed-in person are `async def` for that reason: a `def` dependency would cost a hop
to a worker thread and back on every page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, bindparam, select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from db.engine import read_session, reading, writing
from db.models import User, columns
from db.prepared import Prepared
from i18n import asked_lang
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
from workflow.tokens import Verified, touch_token, verify_token

_U = columns(User)
T = TypeVar("T")
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

    @property
    def reads_inline(self) -> bool:
        """Whether a request's reads run on the event loop (SQLite: see `run_reads`)."""
        return self.engine.dialect.name == "sqlite"


async def run_reads(app: WebDeps, work: Callable[..., T], *args: Any) -> T:
    """Run `work`, database reads of a request, where they cost least.

    On SQLite right here, on the event loop: a read of a local WAL database never waits for
    a writer, and costs less than the hop to a worker thread and back (FastAPI hops for
    every `def` dependency and endpoint: four on a page, a fifth of the board's CPU). On a
    database server on a worker thread, so that its round trips never hold up the other
    requests of the process. Writes always run on a worker thread: a commit waits for
    fsync or for the server.
    """
    if app.reads_inline:
        return work(*args)
    return await run_in_threadpool(work, *args)


async def run_writes(work: Callable[..., T], *args: Any) -> T:
    """Run `work`, a request's write, on a worker thread: its commit waits for fsync or for
    the server (on SQLite, concurrent writes share one commit: db.engine.GroupCommitter)."""
    return await run_in_threadpool(work, *args)


async def write_then_read(app: WebDeps, write: Callable[[], object],
                          read: Callable[[], T]) -> T:
    """A write, then the reads of its answer once it is durable: `run_writes` then
    `run_reads`, in one trip to a worker thread where both would take one (a database
    server: each trip is a hand-over between threads under the GIL)."""
    if app.reads_inline:
        await run_writes(write)
        return read()
    return await run_in_threadpool(_write_then_read, write, read)


def _write_then_read(write: Callable[[], object], read: Callable[[], T]) -> T:
    write()
    return read()


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
    # the person's row as read with the API token (a copy in no session), else None
    user: User | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, user: User) -> Viewer:
        assert user.id is not None
        return cls(id=user.id, email=user.email, name=user.name, role=user.role,
                   group=user.group, is_group_lead=user.is_group_lead, lang=user.lang,
                   user=user)

    @property
    def actor(self) -> User | str:
        """Who acts, for the engine's use cases: the row already read and checked active
        with the token (the engine then need not look the person up again), else the
        email."""
        return self.user if self.user is not None else self.email

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


async def get_session(request: Request, app: AppDep) -> AsyncIterator[Session]:
    # `async def`: opening the session touches no database (its connection is drawn by the
    # first statement); closing it gives the connection back, in `run_reads`
    session = read_session(app.engine)
    # the page frame's badges read through it too (web.rendering.page): a request holding
    # one pooled connection never waits for a second, so a burst of requests cannot
    # exhaust the pool while each holds one
    request.state.db_session = session
    try:
        yield session
    finally:
        request.state.db_session = None
        await run_reads(app, session.close)


SessionDep = Annotated[Session, Depends(get_session)]


async def current_user(request: Request, app: AppDep, session: SessionDep,
                       settings: WebSettingsDep) -> Viewer:
    return await run_reads(app, signed_in_viewer, request, app, session, settings)


def signed_in_viewer(request: Request, app: WebDeps, session: Session,
                     settings: WebSettings) -> Viewer:
    """The person whose session cookie this is, checked against the database (else
    SignInRequired, the session ended)."""
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


async def cookie_viewer(request: Request) -> Viewer | None:
    """The signed-in person of a page request that no route dependency has read (an unknown
    address, a method the address does not take): the session cookie checked as a page
    checks it, so the error page speaks their language and shows their menu; else None."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is not None or "session" not in request.scope:
        return viewer
    app: WebDeps = request.app.state.deps
    settings: WebSettings = request.app.state.web_settings

    def read() -> Viewer | None:
        with reading(app.engine) as session:
            try:
                return signed_in_viewer(request, app, session, settings)
            except SignInRequired:
                return None

    return await run_reads(app, read)


# who a page's session belongs to: every page asks, so one prepared statement for what the
# page needs (loading the ORM object cost several times the query)
_PERSON = Prepared(select(_U.id, _U.email, _U.name, _U.role, _U.group, _U.is_group_lead,
                          _U.lang, _U.password_hash, _U.deactivated_at)
                   .where(_U.id == bindparam("user_id")))


CurrentUser = Annotated[Viewer, Depends(current_user)]

bearer = HTTPBearer(auto_error=False, description="A personal API token (`pf_…`), created "
                    "on the account page or with `parkflow token create`.")


async def api_user(request: Request, app: AppDep,
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(bearer)]) -> Viewer:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    now = app.park.now()
    verified = await run_reads(app, _verify, app.engine, credentials.credentials, now)
    if verified is None:
        raise Unauthenticated()
    if verified.stale:
        await run_writes(_touch, app.engine, verified.token_id, now)
    viewer = Viewer.of(verified.user)
    asked = asked_lang(request.headers.get("accept-language"))
    if asked is not None:  # a client that names a language gets it: answers and errors alike
        viewer = replace(viewer, lang=asked)
    request.state.viewer = viewer
    return viewer


def _verify(engine: Engine, secret: str, now: datetime) -> Verified | None:
    with reading(engine) as session:
        return verify_token(session, secret, now=now)


def _touch(engine: Engine, token_id: int, now: datetime) -> None:
    with writing(engine) as session:
        touch_token(session, token_id, now=now)


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


async def optional_user(request: Request, app: AppDep, session: SessionDep,
                        settings: WebSettingsDep) -> Viewer | None:
    try:
        return await current_user(request, app, session, settings)
    except SignInRequired:
        return None


MaybeUser = Annotated[Viewer | None, Depends(optional_user)]
