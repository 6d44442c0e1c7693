"""Signing in and out, and the language switch."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from db.engine import reading, writing
from i18n import DEFAULT_LANG, LANGS, gettext
from web.deps import AppDep, MaybeUser
from web.rendering import page, request_lang
from web.security import sign_in, sign_out
from workflow.accounts import set_language
from workflow.passwords import hash_password, verify_password
from workflow.users import find_user

router = APIRouter()



@cache
def _dummy_hash() -> str:
    """Verified against when the address is unknown, so both answers take as long."""
    return hash_password(secrets.token_urlsafe(16))


def safe_next(target: str | None) -> str:
    """Only a path of ours: never another site (open redirect); by default `/`, each
    person's first page."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, viewer: MaybeUser, next: str | None = None) -> Response:
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(request: Request, app: AppDep, email: Annotated[str, Form(max_length=254)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    throttle = request.app.state.throttle
    now = app.park.now()
    address = email.strip().lower()
    lang = request_lang(request)
    if throttle.locked(address, now):
        return _refused(request, address, next, gettext(
            lang, "Too many failed attempts. Wait a minute and try again."), 429)
    with reading(app.engine) as session:
        user = find_user(session, address) if address else None
    if user is None:
        verify_password(_dummy_hash(), password)
    if user is None or not verify_password(user.password_hash, password):
        throttle.failed(address, now)
        return _refused(request, address, next, gettext(lang, "Wrong email address or password."),
                        400)
    throttle.succeeded(address)
    if not user.active:
        return _refused(request, address, next, gettext(
            lang, "This account has been deactivated. Ask an admin."), 403)
    sign_in(request, user, now=now)
    return RedirectResponse(safe_next(next), status_code=303)


def _refused(request: Request, email: str, next: str | None, message: str,
             status: int) -> Response:
    return page(request, "login.html", {"next": safe_next(next), "email": email,
                                        "error": message}, status=status)


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/lang")
def switch_language(request: Request, app: AppDep, viewer: MaybeUser,
                    lang: Annotated[str, Form(max_length=8)],
                    next: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    """Switch the interface language; remembered on the person (or the visitor's session)."""
    chosen = lang if lang in LANGS else DEFAULT_LANG
    if viewer is not None:
        with writing(app.engine) as session:
            set_language(session, actor=viewer.email, lang=chosen)
    else:
        request.session["lang"] = chosen
    target = safe_next(next) if next else "/board"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
