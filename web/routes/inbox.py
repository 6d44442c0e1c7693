"""The inbox: approvals to decide (leaders) or to answer (requesters), early warnings (预警)
and the supervision list (督办)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from db.engine import writing
from web.deps import AppDep, CurrentUser, SessionDep
from web.queries import WARNING_DAYS, approval_now, overdue_projects, with_routes
from web.rendering import after_post, page
from workflow.approvals import decide, list_approvals, load_approval, resubmit, withdraw
from workflow.views import project_view

router = APIRouter()

ApprovalId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/inbox")
def inbox(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser) -> Response:
    park = app.park
    approvals = list_approvals(session, park, viewer=viewer.email, lang=viewer.lang)
    pending_states = park.approvals.pending_states
    to_decide = [a for a in approvals if viewer.is_leader and a["state"] in pending_states
                 and a["requested_by"] != viewer.email]
    mine = [a for a in approvals if a["requested_by"] == viewer.email
            and a["state"] in (*pending_states, "returned")]
    # a request returned for more information is decided for now: its leader finds it here
    # while it waits on the requester (who finds it under their open requests)
    decided = [a for a in approvals if a["state"] not in pending_states and a not in mine][-20:]
    with_routes(session, park, [*to_decide, *mine, *decided])
    # the facts a leader decides on: the project's stage, stars and deadline
    projects = {a["project_id"]: project_view(session, park, a["project_id"], viewer.lang)
                for a in to_decide}
    scope = "all" if viewer.is_leader else ("group" if viewer.is_group_lead else "own")
    overdue = overdue_projects(session, park, scope=scope, viewer_email=viewer.email,
                               viewer_group=viewer.group)
    request.state.nav = "inbox"
    return page(request, "inbox.html", {
        "to_decide": to_decide, "mine": mine, "decided": decided[::-1],
        "projects": projects, "scope": scope,
        "warnings": [p for p in overdue if p["days_overdue"] <= WARNING_DAYS],
        "supervision": overdue, "warning_days": WARNING_DAYS})


@router.get("/approvals/{approval_id}")
def approval_link(app: AppDep, session: SessionDep, viewer: CurrentUser,
                  approval_id: ApprovalId) -> Response:
    """Where a mail's or a report's link to a request leads: a leader to the request in the
    inbox while it waits for a decision, everyone else to the project's approvals."""
    approval = load_approval(session, approval_id)
    waiting = approval.state in app.park.approvals.pending_states
    target = f"/inbox#approval-{approval_id}" if viewer.is_leader and waiting \
        else f"/projects/{approval.project_id}#h-approvals"
    return RedirectResponse(target, status_code=303)


@router.post("/approvals/{approval_id}/decision")
def decide_approval(request: Request, app: AppDep, viewer: CurrentUser,
                    approval_id: ApprovalId, decision: Annotated[str, Form(max_length=20)],
                    comment: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    with writing(app.engine) as session:
        decided = decide(session, app.park, approval_id=approval_id, decision=decision,
                         actor=viewer.email, comment=comment or None)
        said = approval_now(session, app.park, decided, viewer.lang)
    return after_post(request, "/inbox", said)


@router.post("/approvals/{approval_id}/resubmit")
def resubmit_approval(request: Request, app: AppDep, viewer: CurrentUser,
                      approval_id: ApprovalId,
                      note: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    with writing(app.engine) as session:
        answered = resubmit(session, app.park, approval_id=approval_id, actor=viewer.email,
                            note=note or None)
        said = approval_now(session, app.park, answered, viewer.lang)
    return after_post(request, "/inbox", said)


@router.post("/approvals/{approval_id}/withdraw")
def withdraw_approval(request: Request, app: AppDep, viewer: CurrentUser,
                      approval_id: ApprovalId) -> Response:
    with writing(app.engine) as session:
        withdrawn = withdraw(session, app.park, approval_id=approval_id, actor=viewer.email)
        said = approval_now(session, app.park, withdrawn, viewer.lang)
    return after_post(request, "/inbox", said)
