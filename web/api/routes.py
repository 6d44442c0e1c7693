"""REST API v1: the CLI's commands over HTTP, with its names, JSON shapes and error codes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AfterValidator

from db.engine import reading, writing
from web.api.schemas import (
    ERRORS,
    MAX_ID,
    Approval,
    AvailableEvent,
    Decision,
    EventFire,
    FollowUp,
    HistoryEntry,
    Listing,
    ListingCreate,
    Me,
    Project,
    ProjectCreate,
    ProjectSummary,
    SpaceRequest,
    SpaceRequestCreate,
    SpaceRequestFiled,
    no_controls,
)
from web.deps import ApiUser, AppDep, Viewer, WebDeps, run_reads, write_then_read
from web.inputs import moment_text
from workflow.approvals import approval_view, decide, list_approvals
from workflow.availability import available_events
from workflow.errors import ValidationError
from workflow.projects import add_project, advance, follow_up
from workflow.space import add_listing, list_listings, list_requests, listing_json, request_space
from workflow.views import history, list_projects, project_view

router = APIRouter(responses=ERRORS)
T = TypeVar("T")

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryText = Annotated[str | None, Query(max_length=254), AfterValidator(
    lambda v: no_controls(v) if v is not None else v)]


# The reads are `async def` with their database work in `run_reads` (on the event loop on
# SQLite, one worker-thread trip elsewhere): a `def` endpoint with a response model costs
# two trips, the endpoint's and the answer's check.

def _read(app: WebDeps, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`view(session, park, *args, **kwargs)` in a read session of its own."""
    with reading(app.engine) as session:
        return view(session, app.park, *args, **kwargs)


@router.get("/me", response_model=Me, summary="Who the token belongs to")
async def me(viewer: ApiUser) -> dict[str, Any]:
    return {"email": viewer.email, "name": viewer.name, "role": viewer.role,
            "group": viewer.group, "lang": viewer.lang}


# ---------------------------------------------------------------- projects

@router.get("/projects", response_model=list[ProjectSummary],
            summary="List projects (`project list`)")
async def get_projects(app: AppDep, viewer: ApiUser, state: QueryText = None,
                       overdue: bool = False, owner: QueryText = None,
                       group: QueryText = None,
                       search: QueryText = None) -> list[dict[str, Any]]:
    lifecycle = app.park.lifecycle
    if state and state not in lifecycle.states:
        raise ValidationError("bad_choice", field="state", value=state,
                              choices=list(lifecycle.states))
    if group and group not in lifecycle.groups:
        raise ValidationError("bad_choice", field="group", value=group,
                              choices=list(lifecycle.groups))
    return await run_reads(app, partial(
        _read, app, list_projects, state=state or None, overdue=overdue, owner=owner or None,
        group=group or None, search=search))


@router.post("/projects", response_model=Project, status_code=201,
             summary="Enter a project into the library (`project add`)")
def post_project(app: AppDep, viewer: ApiUser, body: ProjectCreate, request: Request,
                 response: Response) -> dict[str, Any]:
    intake = moment_text(body.intake_date, "intake_date")
    with writing(app.engine) as session:
        project = add_project(session, app.park, name=body.name, category=body.category,
                              owner=body.owner, actor=viewer.email, intake=intake)
    # where the new project is (RFC 9110 §10.2.2)
    response.headers["Location"] = str(request.url_for("get_project", project_id=project.id))
    with reading(app.engine) as session:
        return project_view(session, app.park, project.id, viewer.lang)


@router.get("/projects/{project_id}", response_model=Project,
            summary="A project: facts, deadline with its explanation, history (`project show`)")
async def get_project(app: AppDep, viewer: ApiUser, project_id: PathId) -> dict[str, Any]:
    return await run_reads(app, partial(_read, app, project_view, project_id, viewer.lang))


@router.post("/projects/{project_id}/events", response_model=Project,
             summary="Fire an event (`project advance`)")
async def post_event(app: AppDep, viewer: ApiUser, project_id: PathId,
                     body: EventFire) -> dict[str, Any]:
    # `async def`, the busiest call of the API: the write goes to a worker thread, the answer
    # is read where reads cost least (on a database server in the same trip), and FastAPI
    # checks the answer against the response model right here (for a `def` endpoint it
    # sends that to a worker thread too)
    at = moment_text(body.at, "at")
    return await write_then_read(
        app, partial(_advance, app, viewer, project_id, body.event, at, body.fields),
        partial(_read, app, project_view, project_id, viewer.lang))


def _advance(app: WebDeps, viewer: Viewer, project_id: int, event: str, at: str | None,
             fields: dict[str, Any]) -> None:
    with writing(app.engine) as session:
        advance(session, app.park, project_id=project_id, event=event, actor=viewer.actor,
                at=at, fields=fields)


@router.get("/projects/{project_id}/events", response_model=list[AvailableEvent],
            summary="The events the caller may fire now, and why not the others")
async def get_events(app: AppDep, viewer: ApiUser,
                     project_id: PathId) -> list[dict[str, Any]]:
    """Every event of the lifecycle for the token's owner: `available`, or the `reason`
    (the error code and parameters that firing it would be refused with)."""
    choices = await run_reads(app, partial(_read, app, available_events, project_id,
                                           viewer.email))
    return [choice.as_json() for choice in choices]


@router.get("/projects/{project_id}/history", response_model=list[HistoryEntry],
            summary="A project's history (`project history`)")
async def get_history(app: AppDep, viewer: ApiUser,
                      project_id: PathId) -> list[dict[str, Any]]:
    return await run_reads(app, partial(_read, app, history, project_id))


@router.post("/projects/{project_id}/follow-ups", response_model=Project, status_code=201,
             summary="Log a follow-up (`project follow-up`)")
def post_follow_up(app: AppDep, viewer: ApiUser, project_id: PathId,
                   body: FollowUp) -> dict[str, Any]:
    at = moment_text(body.at, "at")
    with writing(app.engine) as session:
        follow_up(session, app.park, project_id=project_id, actor=viewer.actor,
                  note=body.note, at=at)
    with reading(app.engine) as session:
        return project_view(session, app.park, project_id, viewer.lang)


# ---------------------------------------------------------------- approvals

@router.get("/approvals", response_model=list[Approval],
            summary="Approvals the caller may see (`approvals list`)")
async def get_approvals(app: AppDep, viewer: ApiUser, pending: bool = False,
                        mine: bool = False) -> list[dict[str, Any]]:
    return await run_reads(app, partial(_read, app, list_approvals, viewer=viewer.email,
                                        pending=pending, mine=mine, lang=viewer.lang))


@router.get("/approvals/{approval_id}", response_model=Approval,
            summary="One approval with its history")
async def get_approval(app: AppDep, viewer: ApiUser, approval_id: PathId) -> dict[str, Any]:
    return await run_reads(app, partial(_read, app, approval_view, approval_id, viewer.lang))


@router.post("/approvals/{approval_id}/decision", response_model=Approval,
             summary="Approve, reject or return (`approvals decide`); leaders only")
def post_decision(app: AppDep, viewer: ApiUser, approval_id: PathId,
                  body: Decision) -> dict[str, Any]:
    with writing(app.engine) as session:
        decide(session, app.park, approval_id=approval_id, decision=body.decision,
               actor=viewer.email, comment=body.comment or None)
    with reading(app.engine) as session:
        return approval_view(session, app.park, approval_id, viewer.lang)


# ---------------------------------------------------------------- space

@router.get("/space/listings", response_model=list[Listing],
            summary="The space inventory (`space listing list`)")
async def get_listings(app: AppDep, viewer: ApiUser, available: bool = False,
                       type: QueryText = None,
                       min_area: Annotated[float | None, Query(gt=0, le=1_000_000,
                                                               allow_inf_nan=False)] = None,
                       ) -> list[dict[str, Any]]:
    return await run_reads(app, partial(_read, app, list_listings, available=available,
                                        type=type, min_area=min_area, lang=viewer.lang))


@router.post("/space/listings", response_model=Listing, status_code=201,
             summary="Add a listing (`space listing add`); admins and leaders")
def post_listing(app: AppDep, viewer: ApiUser, body: ListingCreate) -> dict[str, Any]:
    with writing(app.engine) as session:
        listing = add_listing(session, app.park, carrier=body.carrier, building=body.building,
                              unit=body.unit, area=body.area, type=body.type,
                              actor=viewer.email, now=app.park.now())
        return listing_json(listing, app.park.approvals, viewer.lang)


@router.get("/space/requests", response_model=list[SpaceRequest],
            summary="Space requests (`space request list`)")
async def get_space_requests(app: AppDep, viewer: ApiUser,
                             project: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                             ) -> list[dict[str, Any]]:
    return await run_reads(app, partial(_read, app, list_requests, project_id=project,
                                        lang=viewer.lang))


@router.post("/space/requests", response_model=SpaceRequestFiled, status_code=201,
             summary="File a space request (`space request`)")
def post_space_request(app: AppDep, viewer: ApiUser,
                       body: SpaceRequestCreate) -> dict[str, Any]:
    needed_by = moment_text(body.needed_by, "needed_by") or ""
    with writing(app.engine) as session:
        return request_space(session, app.park, project_id=body.project_id, type=body.type,
                             area=body.area, needed_by=needed_by, actor=viewer.email,
                             carrier=body.carrier, note=body.note, lang=viewer.lang)
