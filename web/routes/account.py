"""A person's own settings: language, password and personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from db.engine import reading, writing
from i18n import gettext
from web.deps import AppDep, CurrentUser
from web.rendering import after_post, fragment, page
from web.security import sign_in
from workflow.accounts import change_own_password
from workflow.tokens import create_token, list_tokens, revoke_token
from workflow.users import find_user

router = APIRouter()


@router.get("/account")
def account_page(request: Request, app: AppDep, viewer: CurrentUser) -> Response:
    with reading(app.engine) as session:
        tokens = list_tokens(session, actor=viewer.email, tz=app.park.tz)
    request.state.nav = "account"
    return page(request, "account.html", {"tokens": tokens, "issued": None})


@router.post("/account/tokens")
def new_token(request: Request, app: AppDep, viewer: CurrentUser,
              name: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Create a token and show it this once (it is never stored in clear, not even in the
    session cookie, so the page is rendered here rather than after a redirect)."""
    with writing(app.engine) as session:
        issued = create_token(session, actor=viewer.email, name=name, now=app.park.now())
    with reading(app.engine) as session:
        tokens = list_tokens(session, actor=viewer.email, tz=app.park.tz)
    context = {"tokens": tokens, "issued": issued}
    if request.headers.get("HX-Request") == "true":
        from web.security import csrf_token
        return fragment(request, "_tokens.html",
                        {**context, "csrf_token": csrf_token(request), "flash": None},
                        headers={"HX-Retarget": "#tokens", "HX-Reswap": "outerHTML"})
    request.state.nav = "account"
    return page(request, "account.html", context)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, app: AppDep, viewer: CurrentUser,
           token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    with writing(app.engine) as session:
        revoke_token(session, token_id=token_id, actor=viewer.email, now=app.park.now(),
                     tz=app.park.tz)
    return after_post(request, "/account",
                      gettext(viewer.lang, "Token %(id)s revoked.", id=token_id))


@router.post("/account/password")
def change_password(request: Request, app: AppDep, viewer: CurrentUser,
                    current_password: Annotated[str, Form(max_length=1024)],
                    new_password: Annotated[str, Form(max_length=1024)]) -> Response:
    with writing(app.engine) as session:
        change_own_password(session, actor=viewer.email, current=current_password,
                            new=new_password)
        user = find_user(session, viewer.email)
    assert user is not None
    sign_in(request, user, now=app.park.now())  # this session lives on; the others end
    return after_post(request, "/account", gettext(viewer.lang, "Password changed."))
