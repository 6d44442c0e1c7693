"""The space inventory (全区一张图) and space requests.

A production plant of any size, or an office or lab at or above the threshold, is reported to
a leader before it is offered (“先向分管领导及时报告，再向项目方推介”); smaller requests go
straight to matching. Reserving a listing is a guarded UPDATE, so it cannot happen twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from db.models import Project, SpaceListing, SpaceRequest, User, columns
from i18n import N_, gettext
from i18n.formats import format_number
from states.approval import ApprovalPolicy
from states.definition import pick
from workflow.access import check_may_act, require_listing_keeper
from workflow.approvals import file_space_approval, withdraw
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, inputs_of
from workflow.fields import check_choice, check_length
from workflow.moments import park_date
from workflow.park import Park
from workflow.projects import load_snapshot, notify, user_id
from workflow.users import require_actor

_L, _R, _P, _U = columns(SpaceListing), columns(SpaceRequest), columns(Project), columns(User)
LISTING_STATUSES = ("available", "reserved", "leased")


@dataclass(frozen=True)
class ListingOffered:
    """A listing reserved for a request; the requester and the owner are told."""

    request_id: int
    listing_id: int
    project_id: int
    actor_id: int
    note: str | None


# ---------------------------------------------------------------- listings

def add_listing(session: Session, park: Park, *, carrier: str, building: str, unit: str,
                area: float | str, type: str, actor: str | User | None,
                now: datetime) -> SpaceListing:
    """Add a unit to the inventory; only those who keep it (admins, leaders) may."""
    require_listing_keeper(session, actor)
    policy = park.approvals
    listing = SpaceListing(
        carrier=_text(carrier, "carrier", 100), building=_text(building, "building", 50),
        unit=_text(unit, "unit", 50), area_m2=_area(area, policy), type=_type(type, policy),
        status="available", created_at=now)
    same = session.execute(select(_L.id).where(
        _L.carrier == listing.carrier, _L.building == listing.building,
        _L.unit == listing.unit)).scalar()
    if same is not None:  # one unit listed twice would be offered to two projects
        raise Conflict("duplicate_listing", field="unit", value=same,
                       name=f"{listing.carrier} {listing.building} {listing.unit}")
    session.add(listing)
    session.flush()
    return listing


def list_listings(session: Session, park: Park, *, available: bool = False,
                  type: str | None = None, min_area: float | str | None = None,
                  lang: str = "zh-CN") -> list[dict[str, Any]]:
    query = select(SpaceListing).order_by(_L.id)
    if available:
        query = query.where(_L.status == "available")
    if type is not None:
        query = query.where(_L.type == _type(type, park.approvals))
    if min_area is not None:
        query = query.where(_L.area_m2 >= _area(min_area, park.approvals, field="min_area"))
    return [listing_json(row, park.approvals, lang)
            for row in session.execute(query).scalars()]


def listing_json(listing: SpaceListing, policy: ApprovalPolicy,
                 lang: str = "zh-CN") -> dict[str, Any]:
    return {"id": listing.id, "carrier": listing.carrier, "building": listing.building,
            "unit": listing.unit, "area": listing.area_m2, "type": listing.type,
            "type_label": pick(policy.space_types[listing.type], lang),
            "status": listing.status, "reserved_for": listing.reserved_for}


# ---------------------------------------------------------------- requests

def request_space(session: Session, park: Park, *, project_id: int, type: str,
                  area: float | str, needed_by: str | date, actor: str | User,
                  carrier: str | None = None, note: str | None = None,
                  lang: str = "zh-CN") -> dict[str, Any]:
    """File a space request; large ones go to a leader first. Says which path and why."""
    project = load_snapshot(session, project_id)
    user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, project, user, "space")
    if park.lifecycle.states[project.state].final:
        raise Conflict("invalid_transition", field="project", event="space",
                       state=project.state)
    policy = park.approvals
    with inputs_of("space"):
        space_type, area_m2 = _type(type, policy), _area(area, policy)
        needed = park_date(needed_by, field="needed_by", tz=park.tz)
        carrier = _optional_text(carrier, "carrier", 100)
        note = _optional_text(note, "note", 2000)
    today = park.now().astimezone(park.tz).date()
    if needed < today:
        raise ValidationError("not_before", field="needed_by", value=needed, earliest=today,
                              event="space")
    same = session.execute(select(_R.id).where(
        _R.project_id == project.id, _R.type == space_type, _R.area_m2 == area_m2,
        _R.status.in_(("open", "pending")))).scalar()
    if same is not None:  # a second tap on "submit", or the same need filed twice
        raise Conflict("duplicate_request", field="area", value=same, event="space")
    threshold = policy.space_thresholds.get(space_type)
    needs_approval = threshold is not None and area_m2 >= threshold
    request = SpaceRequest(
        project_id=project.id, type=space_type, area_m2=area_m2, needed_by=needed,
        carrier=carrier, note=note,
        requested_by=user_id(user), needs_approval=needs_approval,
        status="pending" if needs_approval else "open", created_at=park.now())
    session.add(request)
    session.flush()
    assert request.id is not None
    approval_id = None
    if needs_approval:
        approval = file_space_approval(
            session, park, project=project, user=user, request_id=request.id,
            reason=request.note or "", details={"type": space_type, "area": area_m2,
                                                "needed_by": needed.isoformat(),
                                                "carrier": request.carrier})
        approval_id = approval.id
    return {"id": request.id, "needs_approval": needs_approval, "approval_id": approval_id,
            "reason": path_reason(policy, space_type, area_m2, lang)}


def path_reason(policy: ApprovalPolicy, space_type: str, area: float, lang: str) -> str:
    """Why a request does or does not need a leader's approval (derived, never stored)."""
    label = pick(policy.space_types[space_type], lang)
    threshold = policy.space_thresholds.get(space_type)
    if threshold is None:
        return gettext(lang, N_("%(type)s needs no approval: straight to matching"), type=label)
    if threshold == 0:
        return gettext(lang, N_("a %(type)s of any size needs a leader's approval first"),
                       type=label)
    shown, limit = format_number(area, lang), format_number(threshold, lang)
    if area >= threshold:
        return gettext(lang, N_("%(type)s of %(area)s m² ≥ %(limit)s m²: needs a leader's "
                                "approval first"), type=label, area=shown, limit=limit)
    return gettext(lang, N_("%(type)s of %(area)s m² < %(limit)s m²: straight to matching"),
                   type=label, area=shown, limit=limit)


def list_requests(session: Session, park: Park, *, project_id: int | None = None,
                  lang: str = "zh-CN") -> list[dict[str, Any]]:
    query = (select(SpaceRequest, _U.email, _P.name.label("project_name"))
             .join(User, _U.id == _R.requested_by).join(Project, _P.id == _R.project_id)
             .order_by(_R.id))
    if project_id is not None:
        query = query.where(_R.project_id == project_id)
    offered = {row.reserved_for: row.id for row in session.execute(
        select(_L.id, _L.reserved_for).where(_L.reserved_for.is_not(None)))}
    approvals = _approval_ids(session)
    result = []
    for request, email, project_name in session.execute(query):
        result.append({
            "id": request.id, "project_id": request.project_id, "project_name": project_name,
            "type": request.type, "area": request.area_m2,
            "needed_by": request.needed_by.isoformat(), "carrier": request.carrier,
            "note": request.note, "requested_by": email,
            "needs_approval": request.needs_approval,
            "approval_id": approvals.get(request.id), "status": request.status,
            "listing_id": offered.get(request.id),
            "reason": path_reason(park.approvals, request.type, request.area_m2, lang)})
    return result


def _approval_of(session: Session, request_id: int) -> int:
    """The approval of one space request (not every request's, as the list needs)."""
    from db.models import Approval
    a = columns(Approval)
    return int(session.execute(select(a.id).where(a.kind == "space", a.subject_id == request_id)
                               .order_by(a.id.desc()).limit(1)).scalar_one())


def _approval_ids(session: Session) -> dict[int, int]:
    from db.models import Approval
    a = columns(Approval)
    rows = session.execute(select(a.subject_id, a.id).where(a.kind == "space").order_by(a.id))
    return {subject: approval for subject, approval in rows}


def load_request(session: Session, request_id: int) -> SpaceRequest:
    request = session.get(SpaceRequest, request_id)
    if request is None:
        raise NotFound("request_not_found", field="request", value=request_id)
    return request


def withdraw_request(session: Session, park: Park, *, request_id: int,
                     actor: str | User) -> None:
    """The requester takes a request back: one that waits for a listing, or for a leader (its
    approval is withdrawn with it, as from the inbox)."""
    request = load_request(session, request_id)
    user = require_actor(session, actor)
    if request.status == "pending":
        withdraw(session, park, approval_id=_approval_of(session, request_id), actor=user)
        return
    if user.id != request.requested_by:
        raise NotPermitted("requester_only", field="by", actor=user.email)
    if request.status != "open":  # offered, approved and on, or closed
        raise Conflict("request_closed", field="request", value=request_id,
                       request_status=request.status)
    session.execute(update(SpaceRequest).where(_R.id == request_id, _R.status == "open")
                    .values(status="withdrawn"))


def offer(session: Session, park: Park, *, request_id: int, listing_id: int,
          actor: str | User, note: str | None = None) -> dict[str, Any]:
    """Reserve a listing for a request that is cleared (approved, or needing no approval)."""
    request = session.get(SpaceRequest, request_id)
    if request is None:
        raise NotFound("request_not_found", field="request", value=request_id)
    project = load_snapshot(session, request.project_id)
    user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, project, user, "offer")
    if request.status not in ("open", "approved"):
        raise Conflict("request_not_cleared", field="request", value=request_id,
                       request_status=request.status)
    listing = session.get(SpaceListing, listing_id)
    if listing is None:
        raise NotFound("listing_not_found", field="listing", value=listing_id)
    if listing.type != request.type:
        raise ValidationError("wrong_listing_type", field="listing", listing=listing_id,
                              listing_type=listing.type, request_type=request.type)
    note = _optional_text(note, "note", 2000)
    if listing.area_m2 < request.area_m2 and note is None:
        raise ValidationError("listing_too_small", field="note", listing=listing_id,
                              area=listing.area_m2, wanted=request.area_m2)
    reserved = session.execute(
        update(SpaceListing).where(_L.id == listing_id, _L.status == "available")
        .values(status="reserved", reserved_for=request_id, version=listing.version + 1))
    if reserved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("listing_taken", field="listing", value=listing_id)
    session.execute(update(SpaceRequest).where(_R.id == request_id).values(
        status="offered", offered_by=user_id(user), offered_at=park.now(), offer_note=note))
    notify(session, park, ListingOffered(request_id, listing_id, project.id, user_id(user),
                                         note))
    return {"request_id": request_id, "listing_id": listing_id, "status": "offered",
            "note": note}


# ---------------------------------------------------------------- input

def _text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError("required", field=field)
    return check_length(text, field, limit)


def _optional_text(value: str | None, field: str, limit: int) -> str | None:
    text = (value or "").strip()
    return check_length(text, field, limit) if text else None


def _type(value: str, policy: ApprovalPolicy) -> str:
    return check_choice(value, policy.space_types, "type")  # its id or its label


def _area(value: float | str, policy: ApprovalPolicy, *, field: str = "area") -> float:
    try:
        area = float(str(value).strip())
    except ValueError as exc:
        raise ValidationError("not_an_area", field=field, value=value) from exc
    if not 0 < area <= policy.max_area_m2:  # also refuses NaN
        raise ValidationError("area_range", field=field, value=value,
                              max_area=policy.max_area_m2)
    return area
