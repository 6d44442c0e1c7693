"""The admin page: people (add, set a password) and the business calendar (show, import a
CSV file, or paste the State Council's notice, preview it beside the calendar and import it)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import Response

from db.engine import reading, writing
from i18n import gettext
from i18n.formats import format_list
from web.deps import AppDep, CurrentUser, SessionDep
from web.queries import people
from web.rendering import after_post, fragment, page
from workflow.access import require_admin
from workflow.accounts import admin_add_user, set_password
from workflow.calendar import SpecialDay, holiday_name
from workflow.calendar_store import covered_years, import_calendar, show_calendar
from workflow.errors import ValidationError, inputs_of
from workflow.notice_import import MAX_NOTICE_CHARS, NoticeImport, import_notice
from workflow.reassign import reassign_projects
from workflow.users import LANGS, ROLES, deactivate_user, update_user

router = APIRouter()

MAX_CALENDAR_BYTES = 200_000


@router.get("/admin")
def admin_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
               year: int | None = None) -> Response:
    require_admin(session, viewer.email)
    return _admin_page(request, app, session, year)


def _admin_page(request: Request, app: AppDep, session: SessionDep, year: int | None,
                notice: dict[str, Any] | None = None) -> Response:
    today = app.park.now().astimezone(app.park.tz).date()
    shown_year = year if year is not None and 1900 <= year <= 2200 else today.year
    request.state.nav = "admin"
    calendar = show_calendar(session, shown_year)
    years = covered_years(session)
    return page(request, "admin.html", {
        "people": people(session), "roles": ROLES, "langs": LANGS,
        "calendar": calendar, "holidays": holiday_groups(calendar["days"]),
        "years": spans(years), "next_year_missing": today.year + 1 not in years,
        "notice": notice or {"text": "", "year": today.year + 1, "preview": None}})


def spans(numbers: list[int]) -> str:
    """2004, 2005, …, 2026 → "2004–2026"; gaps stay visible."""
    parts: list[str] = []
    for number in sorted(numbers):
        if parts and parts[-1].split("–")[-1] == str(number - 1):
            parts[-1] = f"{parts[-1].split('–')[0]}–{number}"
        else:
            parts.append(str(number))
    return ", ".join(parts)


def holiday_groups(days: list[dict[str, str]]) -> list[dict[str, Any]]:
    """A year's special days by holiday: its days off (as ranges) and its make-up workdays."""
    groups: dict[str, dict[str, list[date]]] = {}
    for day in days:
        group = groups.setdefault(day["name"], {"off": [], "work": []})
        group["off" if day["kind"] == "holiday" else "work"].append(
            date.fromisoformat(day["date"]))
    ordered = sorted(groups.items(), key=lambda item: min(item[1]["off"] + item[1]["work"]))
    return [{"name": name, "off": _ranges(g["off"]), "work": [d.isoformat() for d in g["work"]],
             "days": len(g["off"])} for name, g in ordered]


def _ranges(days: list[date]) -> list[str]:
    result: list[list[date]] = []
    for day in sorted(days):
        if result and (day - result[-1][-1]).days == 1:
            result[-1].append(day)
        else:
            result.append([day])
    return [f"{r[0].isoformat()} – {r[-1].strftime('%m-%d')}" if len(r) > 1 else r[0].isoformat()
            for r in result]


@router.post("/admin/users")
def add_person(request: Request, app: AppDep, viewer: CurrentUser,
               email: Annotated[str, Form(max_length=254)],
               name: Annotated[str, Form(max_length=100)],
               role: Annotated[str, Form(max_length=16)],
               group: Annotated[str | None, Form(max_length=32)] = None,
               group_lead: Annotated[str | None, Form(max_length=5)] = None,
               lang: Annotated[str, Form(max_length=8)] = "zh-CN",
               password: Annotated[str | None, Form(max_length=1024)] = None) -> Response:
    with inputs_of("user"), writing(app.engine) as session:
        user = admin_add_user(session, app.park.lifecycle, actor=viewer.email, email=email,
                              name=name, role=role, group=group or None,
                              group_lead=bool(group_lead), lang=lang,
                              password=password or None, now=app.park.now())
    return after_post(request, "/admin", gettext(viewer.lang, "%(name)s added.", name=user.name))


UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _user(session: Any, user_id: int) -> Any:
    from db.models import User
    from workflow.errors import NotFound
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", field="id", value=user_id)
    return user


@router.post("/admin/users/{user_id}/update")
def update_person(request: Request, app: AppDep, viewer: CurrentUser, user_id: UserId,
                  role: Annotated[str, Form(max_length=16)],
                  group: Annotated[str | None, Form(max_length=32)] = None,
                  group_lead: Annotated[str | None, Form(max_length=5)] = None) -> Response:
    with writing(app.engine) as session:
        require_admin(session, viewer.email)
        user = update_user(session, app.park.lifecycle, actor=viewer.email,
                           email=_user(session, user_id).email, role=role,
                           group=group or None, group_lead=bool(group_lead),
                           clear_group=not group)
    return after_post(request, "/admin", gettext(viewer.lang, "%(name)s updated.",
                                            name=user.name))


@router.post("/admin/users/{user_id}/deactivate")
def deactivate_person(request: Request, app: AppDep, viewer: CurrentUser,
                      user_id: UserId) -> Response:
    with writing(app.engine) as session:
        require_admin(session, viewer.email)
        user = deactivate_user(session, app.park.lifecycle, actor=viewer.email,
                               email=_user(session, user_id).email, now=app.park.now())
    return after_post(request, "/admin", gettext(viewer.lang, "%(name)s deactivated.",
                                            name=user.name))


@router.post("/admin/reassign")
def reassign(request: Request, app: AppDep, viewer: CurrentUser,
             from_email: Annotated[str, Form(alias="from", max_length=254)],
             to_email: Annotated[str, Form(alias="to", max_length=254)]) -> Response:
    with writing(app.engine) as session:
        moved = reassign_projects(session, app.park, from_email=from_email,
                                  to_email=to_email, actor=viewer.email)
    return after_post(request, "/admin", gettext(
        viewer.lang, "%(count)s projects reassigned from %(old)s to %(new)s.",
        count=len(moved), old=from_email, new=to_email))


@router.post("/admin/users/{user_id}/password")
def reset_password(request: Request, app: AppDep, viewer: CurrentUser,
                   user_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                   password: Annotated[str, Form(max_length=1024)]) -> Response:
    from db.models import User
    from workflow.errors import NotFound
    with writing(app.engine) as session:
        require_admin(session, viewer.email)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("user_not_found", field="id", value=user_id)
        set_password(session, email=user.email, password=password, actor=viewer.email)
    return after_post(request, "/admin", gettext(viewer.lang, "Password of %(name)s set.",
                                            name=user.name))


@router.post("/admin/calendar")
async def import_holidays(request: Request, app: AppDep, viewer: CurrentUser,
                          file: UploadFile) -> Response:
    raw = await file.read(MAX_CALENDAR_BYTES + 1)
    if len(raw) > MAX_CALENDAR_BYTES or not raw:
        raise ValidationError("file_size", field="file", value=file.filename or "",
                              limit=MAX_CALENDAR_BYTES // 1000)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("not_utf8", field="file", value=file.filename or "") from exc
    from starlette.concurrency import run_in_threadpool

    def store() -> list[int]:
        with writing(app.engine) as session:
            actor = require_admin(session, viewer.email)
            return import_calendar(session, app.park, text=text,
                                   source=(file.filename or "upload")[:200], actor=actor,
                                   now=app.park.now())
    years = await run_in_threadpool(store)
    return after_post(request, f"/admin?year={years[0]}",
                      gettext(viewer.lang, "Calendar imported: %(years)s.",
                              years=format_list(years, viewer.lang)))


NoticeText = Annotated[str, Form(max_length=MAX_NOTICE_CHARS)]
NoticeYear = Annotated[int, Form(ge=1900, le=2200)]


@router.post("/admin/calendar/notice/preview")
def preview_notice(request: Request, app: AppDep, viewer: CurrentUser, text: NoticeText,
                   year: NoticeYear) -> Response:
    """What the pasted notice says, day by day beside the calendar; nothing is stored."""
    with reading(app.engine) as session:
        result = import_notice(session, app.park, text=text, year=year, actor=viewer.email,
                               now=app.park.now(), dry_run=True)
        notice = {"text": text, "year": year, "preview": result,
                  "rows": notice_rows(result, viewer.lang)}
        if request.headers.get("HX-Request") != "true":  # without JavaScript: the whole page
            return _admin_page(request, app, session, year, notice)
    from web.security import csrf_token
    return fragment(request, "_notice_preview.html",
                    {"notice": notice, "csrf_token": csrf_token(request), "flash": None},
                    headers={"HX-Retarget": "#notice-preview", "HX-Reswap": "innerHTML"})


@router.post("/admin/calendar/notice")
def import_notice_days(request: Request, app: AppDep, viewer: CurrentUser, text: NoticeText,
                       year: NoticeYear) -> Response:
    """Import the previewed notice: the year's arrangement replaced, deadlines recomputed."""
    with writing(app.engine) as session:
        result = import_notice(session, app.park, text=text, year=year, actor=viewer.email,
                               now=app.park.now(), dry_run=False)
    return after_post(request, f"/admin?year={year}", gettext(
        viewer.lang, "The %(year)s arrangement is imported from the notice: %(off)s days off, "
        "%(work)s make-up working days.", year=year, off=len(result.notice.holidays),
        work=len(result.notice.workdays)))


def notice_rows(result: NoticeImport, lang: str) -> list[dict[str, Any]]:
    """The preview's rows: each date with the notice's day and the calendar's, names in `lang`."""
    def shown(day: SpecialDay | None) -> dict[str, Any] | None:
        if day is None:
            return None
        return {"workday": day.is_workday,
                "name": holiday_name(day.name, lang)}
    return [{"date": row.day.isoformat(), "notice": shown(row.notice),
             "calendar": shown(row.calendar), "change": row.change} for row in result.days]
