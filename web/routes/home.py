"""The leader's first screen (首页) and a person's to-do list (我的待办); `/` sends each person
to theirs (web/routes/board.py). The figures come from reports.today; these pages only show
them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from db.engine import writing
from i18n import gettext
from reports.today import AMBER_FROM, RED_FROM, leader_home, todo
from web.deps import AppDep, CurrentUser, FormDep, SessionDep
from web.rendering import after_post, page
from web.today import TodayCache, stamp
from workflow.relocation import acknowledge

router = APIRouter()

# 首页 is read at a glance: the first rows of each list, the rest one click away
LIST_ROWS = 10
LISTS = ("approvals", "follow_ups")


@router.get("/home")
def home_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
              show: str | None = None) -> Response:
    # the park's figures are the leaders' screen; anyone else is sent to their own first
    # page (a member to 我的待办) rather than refused
    if not viewer.is_leader:
        return RedirectResponse("/", status_code=303)
    cache: TodayCache = request.app.state.today_cache
    home = cache.get("home", stamp(session, app.park), lambda: leader_home(session, app.park))
    request.state.nav = "home"
    rows = {name: None if show == name else LIST_ROWS for name in LISTS}
    return page(request, "home.html", {"home": home, "rows": rows, "amber_from": AMBER_FROM,
                                       "red_from": RED_FROM})


@router.post("/relocations/{warning_id}/ack")
def acknowledge_relocation(request: Request, app: AppDep, viewer: CurrentUser, form: FormDep,
                           warning_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    """A leader has seen a move out of the zone: it leaves 首页 (a history entry)."""
    with writing(app.engine) as session:
        acknowledge(session, app.park, warning_id=warning_id, actor=viewer.email)
    return after_post(request, "/home", gettext(viewer.lang, "Relocation warning acknowledged"))


@router.get("/todo")
def todo_page(request: Request, app: AppDep, session: SessionDep,
              viewer: CurrentUser) -> Response:
    lead_of = viewer.group if viewer.is_group_lead else None
    cache: TodayCache = request.app.state.today_cache
    mine = cache.get(("todo", viewer.email, lead_of), stamp(session, app.park),
                     lambda: todo(session, app.park, email=viewer.email, group_lead_of=lead_of))
    request.state.nav = "todo"
    return page(request, "todo.html", {"todo": mine})
