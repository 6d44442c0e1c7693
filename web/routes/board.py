"""The pipeline board, the project list and entering a project into the library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from db.engine import writing
from i18n import gettext
from web.deps import AppDep, CurrentUser, SessionDep, WebSettingsDep
from web.inputs import moment_text
from web.queries import (
    BoardCache,
    BoardFilters,
    RenderedBoard,
    board,
    board_stamp,
    filtered_projects,
    owners,
    people,
    urgency,
)
from web.rendering import after_post, page, pages_of, request_lang
from workflow.projects import add_project

router = APIRouter()


def read_filters(app: AppDep, group: str | None, owner: str | None, category: str | None,
                 stars: str | None, mine: str | None) -> BoardFilters:
    """Filters from the query string; a value that means nothing is ignored."""
    lifecycle = app.park.lifecycle
    return BoardFilters(
        group=group if group in lifecycle.groups else None,
        owner=owner.strip().lower() if owner and "@" in owner else None,
        category=category if category in lifecycle.categories else None,
        stars=int(stars) if stars in ("1", "2", "3") else None,
        mine=mine in ("1", "true", "on"))


# Each person's first page: 首页 for leaders, 我的待办 for members; admins keep the board.
LANDING = {"leader": "/home", "member": "/todo"}


@router.get("/")
def home(viewer: CurrentUser) -> Response:
    return RedirectResponse(LANDING.get(viewer.role, "/board"), status_code=303)


@router.get("/board")
def board_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
               settings: WebSettingsDep, group: str | None = None, owner: str | None = None,
               category: str | None = None, stars: str | None = None,
               mine: str | None = None) -> Response:
    filters = read_filters(app, group, owner, category, stars, mine)
    lang = request_lang(request)
    cache: BoardCache = request.app.state.board_cache
    key = (filters, viewer.email if filters.mine else None, lang,
           settings.board_cards_per_column, *board_stamp(session, app.park))
    rendered = cache.get(key)
    if rendered is None:
        columns = board(session, app.park, filters, viewer.email,
                        cards_per_column=settings.board_cards_per_column)
        html = pages_of(request).render(lang, "_board_columns.html",
                                        {"columns": columns, "filters": filters})
        rendered = RenderedBoard(total=sum(c.count for c in columns),
                                 overdue=sum(c.overdue for c in columns), html=html)
        cache.put(key, rendered)
    request.state.nav = "mine" if filters.mine else "board"
    return page(request, "board.html", {
        "board_html": Markup(rendered.html), "filters": filters, "owners": owners(session),
        "total": rendered.total, "overdue": rendered.overdue})


@router.get("/projects")
def project_list(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                 state: str | None = None, overdue: str | None = None,
                 group: str | None = None, owner: str | None = None,
                 category: str | None = None, stars: str | None = None,
                 mine: str | None = None) -> Response:
    filters = read_filters(app, group, owner, category, stars, mine)
    state = state if state in app.park.lifecycle.states else None
    rows = filtered_projects(session, app.park, filters, viewer.email, state=state,
                             overdue=overdue in ("1", "true", "on"))
    rows.sort(key=urgency)
    request.state.nav = "board"
    return page(request, "projects.html", {
        "rows": rows, "filters": filters, "owners": owners(session), "state": state,
        "overdue": overdue in ("1", "true", "on")})


@router.get("/projects/new")
def new_project_form(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    request.state.nav = "board"
    choices = [p for p in people(session) if p["role"] in ("member", "leader")]
    return page(request, "project_new.html", {"owners": choices})


@router.post("/projects")
def create_project(request: Request, app: AppDep, viewer: CurrentUser,
                   name: Annotated[str, Form(max_length=400)],
                   category: Annotated[str, Form(max_length=40)],
                   owner: Annotated[str, Form(max_length=254)],
                   intake_date: Annotated[str | None, Form(max_length=40)] = None) -> Response:
    with writing(app.engine) as session:
        project = add_project(session, app.park, name=name, category=category, owner=owner,
                              actor=viewer.email, intake=moment_text(intake_date, "intake_date"))
    return after_post(request, f"/projects/{project.id}",
                      gettext(viewer.lang, "Project entered into the library."))
