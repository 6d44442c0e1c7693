"""The pipeline board, the project list and entering a project into the library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from db.engine import writing
from i18n import gettext
from web.config import WebSettings
from web.deps import (
    AppDep,
    CurrentUser,
    FormDep,
    SessionDep,
    Viewer,
    WebDeps,
    WebSettingsDep,
    run_reads,
)
from web.inputs import allowed_duplicate, moment_text, record_fields
from web.project_list import RESULTS, ListQuery, project_page
from web.queries import (
    BoardCache,
    BoardFilters,
    RenderedBoard,
    board,
    board_stamp,
    owners,
    people,
)
from web.rendering import after_post, fragment, page, pages_of, request_lang
from workflow.errors import inputs_of
from workflow.projects import add_project
from workflow.search import is_exact_hit

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
async def board_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                     settings: WebSettingsDep, group: str | None = None,
                     owner: str | None = None, category: str | None = None,
                     stars: str | None = None, mine: str | None = None) -> Response:
    # the board is read by everyone, all day: its reads run where they cost least
    filters = read_filters(app, group, owner, category, stars, mine)
    return await run_reads(app, show_board, request, app, session, viewer, settings, filters)


def show_board(request: Request, app: WebDeps, session: Session, viewer: Viewer,
               settings: WebSettings, filters: BoardFilters) -> Response:
    """The board page: its columns from the cache (rendered on a miss), the frame around."""
    lang = request_lang(request)
    cache: BoardCache = request.app.state.board_cache
    key = (filters, viewer.email if filters.mine else None, lang,
           settings.board_cards_per_column, *board_stamp(session, app.park))

    def render() -> RenderedBoard:
        columns = board(session, app.park, filters, viewer.email,
                        cards_per_column=settings.board_cards_per_column)
        html = pages_of(request).render(lang, "_board_columns.html",
                                        {"columns": columns, "filters": filters})
        return RenderedBoard(total=sum(c.count for c in columns),
                             overdue=sum(c.overdue for c in columns), html=html)

    rendered = cache.get_or_render(key, render)
    request.state.nav = "mine" if filters.mine else "board"
    return page(request, "board.html", {
        "board_html": Markup(rendered.html), "filters": filters, "owners": owners(session),
        "total": rendered.total, "overdue": rendered.overdue})


@router.get("/projects")
def project_list(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                 state: str | None = None, overdue: str | None = None,
                 group: str | None = None, owner: str | None = None,
                 category: str | None = None, stars: str | None = None,
                 mine: str | None = None, q: str | None = None, sort: str | None = None,
                 direction: Annotated[str | None, Query(alias="dir")] = None,
                 order: str | None = None,
                 page_number: Annotated[str | None, Query(alias="page")] = None) -> Response:
    """The list: filtered, searched (the header's box), sorted (a column header, or the order
    menu on a phone) and paged in SQL. htmx asks for the results alone when a filter, a
    column header, the order menu or a page link is chosen."""
    query = ListQuery.read(read_filters(app, group, owner, category, stars, mine), app.park,
                           state=state, overdue=overdue, q=q, sort=sort, direction=direction,
                           page=page_number, order=order)
    result = project_page(session, app.park, query, viewer.email)
    partial = (request.headers.get("HX-Request") == "true"
               and request.headers.get("HX-Target") == RESULTS
               and request.headers.get("HX-History-Restore-Request") != "true")
    if (query.search and not partial and result.total == 1 and query.page == 1
            and is_exact_hit(session, project_id=result.rows[0]["id"], text=query.search)):
        return RedirectResponse(f"/projects/{result.rows[0]['id']}", status_code=303)
    context = {"result": result, "filters": query.filters, "search_query": query.search}
    headers = {"Vary": "HX-Request, HX-Target"}  # the same URL answers a page or a part
    if partial:
        return fragment(request, "_project_results.html", {**context, "oob": True},
                        headers=headers)
    request.state.nav = "board"
    return page(request, "projects.html", {**context, "owners": owners(session),
                                           "oob": False}, headers=headers)


@router.get("/projects/new")
def new_project_form(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    request.state.nav = "board"
    choices = [p for p in people(session) if p["role"] in ("member", "leader")]
    return page(request, "project_new.html", {"owners": choices})


@router.post("/projects")
def create_project(request: Request, app: AppDep, viewer: CurrentUser, form: FormDep,
                   name: Annotated[str, Form(max_length=400)],
                   category: Annotated[str, Form(max_length=40)],
                   owner: Annotated[str, Form(max_length=254)],
                   intake_date: Annotated[str | None, Form(max_length=40)] = None) -> Response:
    record = record_fields(app.park.lifecycle.project_fields, form)
    with inputs_of("intake"), writing(app.engine) as session:
        project = add_project(session, app.park, name=name, category=category, owner=owner,
                              actor=viewer.email, intake=moment_text(intake_date, "intake_date"),
                              record=record, allow_duplicate=allowed_duplicate(form))
    return after_post(request, f"/projects/{project.id}",
                      gettext(viewer.lang, "Project entered into the library."))
