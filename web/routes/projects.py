"""A project's page and every form on it: lifecycle events, follow-ups, extensions,
suspensions and space requests. Each post is one use case in one transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlmodel import Session

from db.engine import writing
from db.models import SpaceRequest, User, columns
from i18n import gettext
from states.definition import EventDef, pick
from web.deps import AppDep, CurrentUser, FormDep, SessionDep
from web.inputs import allowed_duplicate, moment_text, record_fields
from web.progress import stage_progress
from web.queries import (
    days_left,
    latest_evaluation,
    names_by_email,
    project_approvals,
    request_sent,
    space_requests,
)
from web.rendering import after_post, page
from workflow.access import check_may_act
from workflow.approvals import file_extension, file_suspension, resume
from workflow.availability import available_events
from workflow.error_text import render
from workflow.errors import NotPermitted, WorkflowError
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import IMPORTED_MARK, Snapshot, advance, follow_up, load_snapshot
from workflow.record import edit_project
from workflow.space import request_space
from workflow.views import days_overdue, project_view

router = APIRouter()

ProjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=2000)]
OptionalText = Annotated[str | None, Form(max_length=2000)]


def may(check: Any, *args: Any) -> bool:
    """Whether a role check passes (the use case checks again when the form is posted)."""
    try:
        check(*args)
    except NotPermitted:
        return False
    return True


def event_forms(session: Session, park: Park, project: Snapshot, user: User,
                lang: str) -> tuple[list[EventDef], list[tuple[str, str]]]:
    """A form for each event this person may fire on this project now (the engine decides),
    and why each other event the stage allows is closed to them (a role, a suspension)."""
    choices = available_events(session, park, project, user)
    forms = [park.lifecycle.events[choice.event] for choice in choices if choice.available]
    labels = Labels.of(park, lang)
    # the roles are checked before the state (as `advance` does): an event of another stage
    # refused for its role is not this stage's business
    closed = [(choice.event, _why_closed(choice.reason, labels)) for choice in choices
              if choice.reason is not None and park.machine.can_fire(
                  project.state, choice.event, exited_from=project.exited_from)]
    return forms, closed


def _why_closed(reason: WorkflowError, labels: Labels) -> str:
    """A refusal as the person it concerns reads it on their page: for a role, who may."""
    if reason.code == "not_allowed_role":
        return render("only_roles", None, {"roles": reason.params["roles"]}, labels)
    return reason.message(labels.lang, labels)


@router.get("/projects/{project_id}")
def project_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                 project_id: ProjectId) -> Response:
    park = app.park
    view = project_view(session, park, project_id, viewer.lang)
    project = load_snapshot(session, project_id)
    user = session.get(User, viewer.id)
    assert user is not None  # the viewer was just read
    acts = may(check_may_act, park.lifecycle.default_roles, project, user, "-")
    state = park.lifecycle.states[project.state]
    forms, closed = event_forms(session, park, project, user, viewer.lang)
    evaluation = latest_evaluation(view["history"], park.lifecycle.stars.scores)
    if evaluation is not None:
        evaluation = {**evaluation, "total": sum(int(evaluation["fields"][name])
                                                 for name in park.lifecycle.stars.scores)}
    request.state.nav = "board"
    now = park.now()
    today = now.astimezone(park.tz).date()
    deadline = view["deadline"]
    due_at = datetime.fromisoformat(deadline["due_at"]) if deadline else None
    requests = space_requests(session, park, project_id=project_id, lang=viewer.lang)
    return page(request, "project.html", {
        "p": view, "project": project, "forms": forms, "closed": closed if acts else [],
        "can_act": acts and not state.final, "can_edit": acts,
        "can_extend": acts and state.deadline is not None and not state.final,
        "names": names_by_email(session),
        "evaluation": evaluation, "facts": recorded_facts(park, view["history"]),
        "star_rules": json.dumps(park.lifecycle.stars.rules),
        "follow_ups": [h for h in view["history"] if h["event"] == "follow_up"][::-1],
        "timeline": view["history"][::-1],
        "space_requests": requests,
        "figures": figures_trend(park, view["history"], viewer.lang),
        "space_need": space_need(view["history"], last_space_request(session, project_id)),
        "approvals": project_approvals(session, park, project_id, viewer.lang),
        "today": today.isoformat(),
        "stages": stage_progress(session, park, project, today=today, current_due=(
            date.fromisoformat(deadline["due_date"]) if deadline else None)),
        # while suspended the clock stands still: the days as they were when it paused
        "paused": project.suspended_at is not None,
        "days": {"days_left": days_left(due_at, project.suspended_at or now, park.tz),
                 "days_overdue": days_overdue(due_at, project.suspended_at or now, park.tz)},
    })


def recorded_facts(park: Park, history: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The fields each milestone event recorded last (company, agreement, premises…);
    the evaluation is shown on its own."""
    scores = set(park.lifecycle.stars.scores)
    facts: dict[str, dict[str, Any]] = {}
    for entry in history:
        spec = park.lifecycle.events.get(entry["event"])
        # the mark of an imported entry is the history's, not a fact of the project
        fields = {k: v for k, v in entry["fields"].items() if k != IMPORTED_MARK}
        if spec is not None and fields and not scores & set(fields):
            facts[entry["event"]] = fields
    return facts


FIGURES_EVENT = "indicators"


def figures_trend(park: Park, history: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """The quarterly figures (经营指标), the latest entry of each quarter in order, and their
    chart as the reports' loader draws it (web/static/parkflow-charts.js: data-chart)."""
    spec = park.lifecycle.events.get(FIGURES_EVENT)
    if spec is None:
        return None
    by_quarter = {h["fields"]["quarter"]: h["fields"] for h in history
                  if h["event"] == FIGURES_EVENT and "quarter" in h["fields"]}
    if not by_quarter:
        return None
    quarters = sorted(by_quarter)
    names = [name for name, f in spec.fields.items() if f.type in ("number", "count")]
    labels = Labels.of(park, lang)
    amounts = [name for name in names if spec.fields[name].type == "number"]
    chart = {"kind": "line", "lang": lang, "percent": False, "categories": quarters,
             "series": [{"name": labels.field(name, FIGURES_EVENT), "kind": "line",
                         "values": [by_quarter[q].get(name) for q in quarters]}
                        for name in amounts]}
    return {"names": names, "rows": [(q, by_quarter[q]) for q in quarters],
            "chart": json.dumps(chart, ensure_ascii=False)}


def last_space_request(session: Session, project_id: int) -> datetime | None:
    """When the project's latest space request was filed (None: never)."""
    r = columns(SpaceRequest)
    query = select(func.max(r.created_at)).where(r.project_id == project_id)
    return session.execute(query).scalar()


def space_need(history: list[dict[str, Any]], last_request: datetime | None,
               ) -> dict[str, str] | None:
    """The latest need for expansion space while no space request was filed after it: the
    space request form opens prefilled with its note."""
    needs = [h for h in history if h["event"] == "need"]
    if not needs or needs[-1]["fields"].get("kind") != "space":
        return None
    recorded = datetime.fromisoformat(str(needs[-1]["recorded_at"]))
    if last_request is not None and last_request.replace(tzinfo=last_request.tzinfo or UTC) \
            >= recorded:
        return None
    return {"note": str(needs[-1]["fields"].get("note", ""))}


def event_fields(spec: EventDef, form: Any) -> dict[str, Any]:
    """The event's fields from the form: checkbox groups become lists, blanks are absent."""
    fields: dict[str, Any] = {}
    for name, field in spec.fields.items():
        if field.type == "choices" and not field.single:
            values = [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]
            if values:
                fields[name] = values
            continue
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value
    return fields


@router.post("/projects/{project_id}/events/{event}")
def fire_event(request: Request, app: AppDep, viewer: CurrentUser, form: FormDep,
               project_id: ProjectId,
               event: Annotated[str, Path(max_length=40)]) -> Response:
    park = app.park
    spec = park.lifecycle.events.get(event)
    at = form.get("at")
    moment = moment_text(at if isinstance(at, str) else None, "at")
    with writing(app.engine) as session:
        transition = advance(session, park, project_id=project_id, event=event,
                             actor=viewer.email, at=moment,
                             fields=event_fields(spec, form) if spec else {},
                             allow_duplicate=allowed_duplicate(form))
    state = park.lifecycle.label(transition.after.state, viewer.lang)
    label = pick(spec.label, viewer.lang) if spec else event
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "%(event)s recorded. The project is now: %(state)s.",
                         event=label, state=state))


@router.post("/projects/{project_id}/record")
def edit_record(request: Request, app: AppDep, viewer: CurrentUser, form: FormDep,
                project_id: ProjectId) -> Response:
    fields = record_fields(app.park.lifecycle.project_fields, form, edit=True)
    name = form.get("name")
    if isinstance(name, str):
        fields["name"] = name
    with writing(app.engine) as session:
        edit_project(session, app.park, project_id=project_id, actor=viewer.email,
                     fields=fields, allow_duplicate=allowed_duplicate(form))
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "The project's record is saved."))


@router.post("/projects/{project_id}/follow-ups")
def log_follow_up(request: Request, app: AppDep, viewer: CurrentUser, project_id: ProjectId,
                  note: Text, at: OptionalText = None) -> Response:
    moment = moment_text(at, "at")
    with writing(app.engine) as session:
        follow_up(session, app.park, project_id=project_id, actor=viewer.email, note=note,
                  at=moment)
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "Follow-up logged."))


@router.post("/projects/{project_id}/extensions")
def ask_extension(request: Request, app: AppDep, viewer: CurrentUser, project_id: ProjectId,
                  days: Annotated[str, Form(max_length=10)], reason: Text) -> Response:
    with writing(app.engine) as session:
        approval = file_extension(session, app.park, project_id=project_id, days=days,
                                  reason=reason, actor=viewer.email)
        sent = request_sent(session, app.park, approval, viewer.lang)
    return after_post(request, f"/projects/{project_id}", sent)


@router.post("/projects/{project_id}/suspensions")
def ask_suspension(request: Request, app: AppDep, viewer: CurrentUser,
                   project_id: ProjectId, reason: Text) -> Response:
    with writing(app.engine) as session:
        approval = file_suspension(session, app.park, project_id=project_id, reason=reason,
                                   actor=viewer.email)
        sent = request_sent(session, app.park, approval, viewer.lang)
    return after_post(request, f"/projects/{project_id}", sent)


@router.post("/projects/{project_id}/resume")
def resume_project(request: Request, app: AppDep, viewer: CurrentUser,
                   project_id: ProjectId) -> Response:
    with writing(app.engine) as session:
        resume(session, app.park, project_id=project_id, actor=viewer.email)
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "The project's clock runs again."))


@router.post("/projects/{project_id}/space-requests")
def ask_space(request: Request, app: AppDep, viewer: CurrentUser, project_id: ProjectId,
              type: Annotated[str, Form(max_length=20)],
              area: Annotated[str, Form(max_length=20)],
              needed_by: Annotated[str, Form(max_length=40)],
              carrier: Annotated[str | None, Form(max_length=100)] = None,
              note: OptionalText = None) -> Response:
    needed = moment_text(needed_by, "needed_by") or ""
    with writing(app.engine) as session:
        filed = request_space(session, app.park, project_id=project_id, type=type, area=area,
                              needed_by=needed, actor=viewer.email, carrier=carrier,
                              note=note, lang=viewer.lang)
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "Space request %(id)s filed: %(reason)s.",
                         id=filed["id"], reason=filed["reason"]))
