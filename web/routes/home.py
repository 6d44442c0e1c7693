"""The leader's first screen (首页) and a person's to-do list (我的待办); `/` sends each person
to theirs (web/routes/board.py). The figures come from reports.today; these pages only show
them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reports.today import AMBER_FROM, RED_FROM, leader_home, todo
from web.deps import AppDep, CurrentUser, SessionDep
from web.rendering import page

router = APIRouter()


@router.get("/home")
def home_page(request: Request, app: AppDep, session: SessionDep,
              viewer: CurrentUser) -> Response:
    # the park's figures are the leaders' screen; anyone else is sent to their own first
    # page (a member to 我的待办) rather than refused
    if not viewer.is_leader:
        return RedirectResponse("/", status_code=303)
    request.state.nav = "home"
    return page(request, "home.html", {"home": leader_home(session, app.park),
                                       "amber_from": AMBER_FROM, "red_from": RED_FROM})


@router.get("/todo")
def todo_page(request: Request, app: AppDep, session: SessionDep,
              viewer: CurrentUser) -> Response:
    lead_of = viewer.group if viewer.is_group_lead else None
    request.state.nav = "todo"
    return page(request, "todo.html", {
        "todo": todo(session, app.park, email=viewer.email, group_lead_of=lead_of)})
