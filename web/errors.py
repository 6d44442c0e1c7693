"""The one error handler: every failure becomes a Problem, then JSON for the API or a page.

    WorkflowError  exit 2 → 422 · 3 → 403 · 4 → 404 · 5 → 409   (the CLI's codes)
    Unauthenticated (API, no or bad token)                 → 401
    TooLarge (a body or file above the upload limit)       → 413
    SignInRequired (pages)                                 → to /login
    CsrfRefused                                            → 403
    RequestValidationError (a body, form or parameter the schema refuses)  → 422, as the
        engine's ValidationError (web.inputs.refused_input); on a page, an id in the
        address that does not parse                                        → 404
    HTTPException (unknown route, wrong method, …)         → its status
    the disk under the database full                       → 507
    the database unreachable (a PostgreSQL restart)        → 503 with Retry-After
    anything else                                          → 500, logged, never a traceback

The API answers with the CLI's JSON error body `{"error": {"kind", "field", "message"}}`.
Pages: an htmx form gets the message as a fragment swapped into the form's error slot (the
field named is highlighted); a plain form post is sent back to its page with the message in
place; anything else gets an error page.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

from db.failures import disk_full
from i18n import DEFAULT_LANG, N_, gettext
from web.inputs import form_action, refused_input
from web.security import CsrfRefused, SignInRequired, set_flash
from web.uploads import TooLarge, limit_text
from workflow.errors import InvalidFields, WorkflowError
from workflow.labels import Labels

log = logging.getLogger("parkflow.web")

HTTP_STATUS = {2: 422, 3: 403, 4: 404, 5: 409}
DUPLICATE_CODES = ("duplicate_name", "duplicate_uscc")
API_PREFIX = "/api/"

_HTTP_KINDS = {400: "invalid", 401: "unauthenticated", 403: "not_permitted", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid"}
_HTTP_MESSAGES = {
    400: N_("The request could not be read."),
    401: N_("Sign in first: this needs a valid API token (Authorization: Bearer …)."),
    403: N_("You may not do this."),
    404: N_("There is no such page."),
    405: N_("This address does not accept that method."),
    413: N_("The request is too large."),
}


class Unauthenticated(Exception):
    """The API was called without a valid token."""


@dataclass(frozen=True)
class Problem:
    status: int
    kind: str
    message: str
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    # a second project of a name or credit code: the first one's page; the form then offers
    # to enter it all the same (a confirmation checkbox, `allow_duplicate`)
    duplicate_of: str | None = None
    # every bad field of a form at once (InvalidFields): (field, message) each
    problems: tuple[tuple[str | None, str], ...] = ()

    def body(self) -> dict[str, Any]:
        return {"error": {"kind": self.kind, "field": self.field, "message": self.message}}


def http_status(error: WorkflowError) -> int:
    return HTTP_STATUS.get(error.exit_code, 400)


def problem_for(exc: Exception, lang: str, labels: Labels | None = None) -> Problem:
    """What went wrong, in the person's language (ids shown by the park's `labels`)."""
    if isinstance(exc, WorkflowError):
        duplicate = (f"/projects/{int(exc.params['project'])}"
                     if exc.code in DUPLICATE_CODES else None)
        problems = tuple((p.field, p.message(lang, labels)) for p in exc.problems) \
            if isinstance(exc, InvalidFields) else ()
        return Problem(http_status(exc), exc.kind, exc.message(lang, labels), exc.field,
                       duplicate_of=duplicate, problems=problems)
    if isinstance(exc, Unauthenticated):
        return Problem(401, "unauthenticated", gettext(lang, _HTTP_MESSAGES[401]),
                       headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, CsrfRefused):
        return Problem(403, "csrf", gettext(lang, "The form has expired or did not come from "
                                             "parkflow. Reload the page and try again."))
    if isinstance(exc, RequestValidationError):
        return problem_for(refused_input(exc), lang, labels)
    if isinstance(exc, TooLarge):
        limit = N_("The upload is larger than the limit of %(limit)s MB.") \
            if exc.field == "file" else N_("The request is larger than the limit of "
                                           "%(limit)s MB.")  # a JSON body: no file in it
        return Problem(413, "too_large", gettext(lang, limit, limit=limit_text(exc.limit)),
                       exc.field)
    if isinstance(exc, HTTPException):
        kind = _HTTP_KINDS.get(exc.status_code, "error")
        text = _HTTP_MESSAGES.get(exc.status_code)
        message = gettext(lang, text) if text else str(exc.detail)
        return Problem(exc.status_code, kind, message, headers=dict(exc.headers or {}))
    if disk_full(exc):  # an OperationalError too, but waiting will not help: say so
        return Problem(507, "disk_full", gettext(
            lang, "The disk holding the database is full; the change was not saved. Ask the "
                  "administrator to free some space, then try again."))
    if _database_away(exc):
        return Problem(503, "unavailable", gettext(
            lang, "The database is unavailable for a moment; try again shortly."),
            headers={"Retry-After": "5"})
    return Problem(500, "internal", gettext(lang, "Something went wrong on the server; the error "
                                             "has been logged."))


async def _unauthenticated(request: Request) -> Unauthenticated | None:
    """A caller without a valid token learns nothing but 401. FastAPI parses a JSON body
    before the route's dependencies run, so a malformed body is refused before the token
    is checked: check it here, once, when no dependency has."""
    if getattr(request.state, "viewer", None) is not None:
        return None
    from web.deps import api_user, bearer, get_app
    try:
        await api_user(request, await get_app(request), await bearer(request))
    except Unauthenticated as refused:
        return refused
    return None


async def _page_viewer(request: Request, exc: Exception) -> None:
    """Who is signed in, for an error that came before any route dependency read the session
    (an unknown address, a wrong method): the page is then in their language, with their
    menu. Not when the database is what failed; a failure here leaves the page anonymous."""
    if getattr(request.state, "viewer", None) is not None or _database_away(exc) \
            or disk_full(exc):
        return
    from web.deps import cookie_viewer
    try:
        await cookie_viewer(request)
    except Exception:  # the error page must still be shown
        log.warning("the signed-in person of an error page could not be read", exc_info=True)


def _database_away(exc: Exception) -> bool:
    """The database server could not be reached or dropped the connection (a restart)."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def install(app: FastAPI) -> None:
    """Register the handler for every kind of failure."""
    for kind in (WorkflowError, Unauthenticated, CsrfRefused, SignInRequired,
                 RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle)


async def handle(request: Request, exc: Exception) -> Response:
    from web.rendering import error_fragment, error_page, request_lang

    if isinstance(exc, SignInRequired) and not _is_api(request):
        return _to_sign_in(request)
    if isinstance(exc, RequestValidationError) and _is_api(request):
        exc = await _unauthenticated(request) or exc
    if not _is_api(request):
        await _page_viewer(request, exc)
    lang = request_lang(request)
    if isinstance(exc, RequestValidationError):
        _keep_form(request, exc)
        route = request.scope.get("route")
        exc = refused_input(exc, action=form_action(getattr(route, "path", None)),
                            page=not _is_api(request))
    park = getattr(getattr(request.app.state, "deps", None), "park", None)  # WebDeps
    problem = problem_for(exc, lang, Labels.of(park, lang) if park is not None else None)
    if problem.status == 405:
        problem = dataclasses.replace(problem, headers={**problem.headers,
                                                        "Allow": _allowed(request)})
    if problem.status == 404 and isinstance(exc, HTTPException) and _is_api(request):
        # no route at all: an address, not a page (a project or approval not found says so)
        problem = dataclasses.replace(problem, message=gettext(
            lang, "The API has no such address; its paths are in /api/v1/openapi.json."))
    if problem.status >= 500:
        _log(request, exc)
    if _is_api(request) or isinstance(exc, SignInRequired):
        return JSONResponse(problem.body(), problem.status, headers=problem.headers)
    if request.headers.get("HX-Request") == "true":
        return error_fragment(request, problem)
    if request.method == "POST" and problem.status < 500 and not isinstance(exc, CsrfRefused):
        back = _same_site_referer(request)
        if back is not None:
            form = getattr(request.state, "form", None)
            set_flash(request, kind="error", message=problem.message,
                      form=form.get("_form") if form else None, field=problem.field,
                      values=dict(form) if form else None, duplicate_of=problem.duplicate_of,
                      problems=problem.problems)
            return RedirectResponse(back, status_code=303)
    return error_page(request, problem)


def _log(request: Request, exc: Exception) -> None:
    """A database that is away (stopped, restarting, unreachable) is no unhandled error: one
    warning line naming it (in the default language); anything else with its traceback."""
    from workflow.database_failures import database_failure
    engine = getattr(getattr(request.app.state, "deps", None), "engine", None)
    failure = database_failure(exc, engine.url) if engine is not None else None
    if failure is not None:
        log.warning("%s %s: %s", request.method, request.url.path,
                    failure.message(DEFAULT_LANG))
        return
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)


def _keep_form(request: Request, exc: RequestValidationError) -> None:
    """The form the schema refused, kept like a route's own (web.deps.posted_form): the error
    goes back to its slot with what was typed."""
    if getattr(request.state, "form", None) is None and isinstance(exc.body, FormData):
        request.state.form = exc.body


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> str:
    """Every method the address answers (RFC 9110 §15.5.6): asked of the routes method by
    method, as routing itself asks (an included router, as FastAPI keeps the API's, lists
    no methods of its own; Starlette names only those of the first route matched)."""
    routes = request.app.router.routes
    return ", ".join(method for method in _METHODS if any(
        route.matches({**request.scope, "method": method})[0] == Match.FULL
        for route in routes))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _to_sign_in(request: Request) -> Response:
    target = "/login"
    if request.method == "GET" and request.url.path not in ("/", "/login"):
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?next=" + quote(path, safe="")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _same_site_referer(request: Request) -> str | None:
    """The page the form was posted from, when it is one of ours."""
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.headers.get("host"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
