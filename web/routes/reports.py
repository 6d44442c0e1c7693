"""The reports: 周例会, 月调度 and 季总结, the projects behind each figure, the workbook.

    /reports                                 the last full period of the reader's report
    /reports/{kind}[?period=KEY]             the picker's answer: to the period's address
    /reports/{kind}/{key}[?as_recorded=1]    the report (2026-W47, 2026-11, 2026-Q4)
    /reports/{kind}/{key}/projects?figure=F  the projects behind one figure
    /reports/{kind}/{key}.xlsx               the workbook (reports.workbook)

Who sees what: leaders and admins every report; members the weekly one, since the weekly
meeting is for the whole task force (the monthly and quarterly reports are the leaders'
dispatch and summary). Members land on the weekly report, leaders and admins on the monthly.
Every page draws the View of reports.present; nothing is counted here.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.exceptions import HTTPException

from reports.compute import compute, projects_behind
from reports.periods import Kind, Period, last_full, period_containing
from reports.present import View, present
from reports.workbook import write_workbook
from web.deps import AppDep, CurrentUser, SessionDep, Viewer
from web.queries import projects_by_ids
from web.rendering import page, request_lang
from web.report_view import KINDS, Cells, figure_title, period_of, report_name
from workflow.errors import NotFound
from workflow.park import Park

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PICKER_TYPES = {"weekly": "week", "monthly": "month", "quarterly": "text"}


def may_see(viewer: Viewer, kind: str) -> bool:
    return viewer.is_leader or viewer.is_admin or kind == "weekly"


def visible_kind(viewer: Viewer, kind: str) -> Kind:
    """The kind of report asked for, if there is one and the viewer may see it."""
    if kind not in KINDS:
        raise HTTPException(404)
    if not may_see(viewer, kind):
        raise HTTPException(403)
    return kind  # type: ignore[return-value]


def is_on(flag: str | None) -> bool:
    return flag in ("1", "true", "on")


def report_href(kind: str, key: str, recorded: bool, suffix: str = "") -> str:
    return f"/reports/{kind}/{key}{suffix}" + ("?as_recorded=1" if recorded else "")


def today(park: Park) -> Any:
    return park.now().astimezone(park.tz).date()


def chosen_period(app: AppDep, kind: Kind, key: str) -> Period:
    return period_of(kind, key, today=today(app.park), tz=app.park.tz)


def build_view(session: Session, park: Park, period: Period, recorded: bool,
               lang: str) -> tuple[View, dict[str, Any]]:
    """The report's View and the report itself (the projects behind its figures)."""
    report = compute(session, park, period, as_recorded=recorded)
    return present(park, report, period, lang), report


@router.get("/reports")
def reports_home(app: AppDep, viewer: CurrentUser) -> Response:
    kind: Kind = "monthly" if viewer.is_leader or viewer.is_admin else "weekly"
    period = last_full(kind, today(app.park))
    return RedirectResponse(report_href(kind, period.key, False), status_code=303)


@router.get("/reports/{kind}")
def report_picked(app: AppDep, viewer: CurrentUser, kind: str, period: str | None = None,
                  as_recorded: str | None = None) -> Response:
    """The picker's form (and the tabs): the period's own address."""
    checked = visible_kind(viewer, kind)
    chosen = chosen_period(app, checked, period) if period and period.strip() \
        else last_full(checked, today(app.park))
    return RedirectResponse(report_href(kind, chosen.key, is_on(as_recorded)), status_code=303)


@router.get("/reports/{kind}/{key}.xlsx")
def report_workbook(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                    kind: str, key: str, as_recorded: str | None = None) -> Response:
    period = chosen_period(app, visible_kind(viewer, kind), key)
    lang = request_lang(request)
    view, _ = build_view(session, app.park, period, is_on(as_recorded), lang)
    buffer = BytesIO()
    write_workbook(view, buffer, base_url=str(request.base_url).rstrip("/"), lang=lang)
    name = f"{report_name(kind, lang)}-{period.key}.xlsx"
    fallback = f"parkflow-{kind}-{period.key}.xlsx"
    return Response(buffer.getvalue(), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; "
                               f"filename*=UTF-8''{quote(name, safe='')}"})


@router.get("/reports/{kind}/{key}/projects")
def report_projects(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                    kind: str, key: str, figure: str = "",
                    as_recorded: str | None = None) -> Response:
    period = chosen_period(app, visible_kind(viewer, kind), key)
    recorded = is_on(as_recorded)
    view, report = build_view(session, app.park, period, recorded, request_lang(request))
    behind = projects_behind(session, app.park, period, report, figure)
    if behind is None:
        raise NotFound("report_figure_not_found")
    request.state.nav = "reports"
    rows = projects_by_ids(session, app.park, behind)
    return page(request, "report_projects.html", {
        "view": view, "figure_title": figure_title(view, figure) or view.title, "rows": rows,
        # a figure of stages counts a project once per stage: more stages than projects
        "stages": len(behind) if len(behind) != len(rows) else None,
        "back_href": report_href(kind, period.key, recorded)})


@router.get("/reports/{kind}/{key}")
def report_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                kind: str, key: str, as_recorded: str | None = None) -> Response:
    checked = visible_kind(viewer, kind)
    period = chosen_period(app, checked, key)
    recorded = is_on(as_recorded)
    if key != period.key:  # 2026-11-18 for its week, 2026-q4: the period's own address
        return RedirectResponse(report_href(kind, period.key, recorded), status_code=303)
    lang = request_lang(request)
    view, _ = build_view(session, app.park, period, recorded, lang)
    request.state.nav = "reports"
    return page(request, "reports.html", {
        "view": view, "R": Cells(lang), "base_url": "", "recorded": recorded,
        **_controls(app.park, viewer, period, recorded, lang)})


def _controls(park: Park, viewer: Viewer, period: Period, recorded: bool,
              lang: str) -> dict[str, Any]:
    """The tabs, the period picker, the as-recorded toggle and the workbook's link."""
    kind, now = period.kind, today(park)
    later = period.next()
    current = period_containing(kind, now)
    return {
        "tabs": [{"label": report_name(k, lang), "current": k == kind,
                  "href": report_href(k, last_full(k, now).key, recorded)}
                 for k in KINDS if may_see(viewer, k)],
        "picker_type": PICKER_TYPES[kind], "picker_label": report_name(kind, lang),
        "prev_href": report_href(kind, period.previous().key, recorded),
        "prev_label": period.previous().label(lang),
        "next_href": report_href(kind, later.key, recorded)
        if later.start <= current.start else None,
        "next_label": later.label(lang),
        "occurred_href": report_href(kind, period.key, False),
        "recorded_href": report_href(kind, period.key, True),
        "xlsx_href": report_href(kind, period.key, recorded, ".xlsx"),
    }
