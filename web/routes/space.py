"""The space inventory (全区一张图): listings with filters, requests, offering a listing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from db.engine import writing
from i18n import gettext
from web.deps import AppDep, CurrentUser, SessionDep
from web.queries import space_requests
from web.rendering import after_post, page
from workflow.access import may_keep_listings
from workflow.errors import ValidationError
from workflow.space import add_listing, list_listings, load_request, offer, withdraw_request

router = APIRouter()


@router.get("/space")
def space_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
               type: str | None = None, available: str | None = None,
               min_area: str | None = None) -> Response:
    policy = app.park.approvals
    space_type = type if type in policy.space_types else None
    try:
        minimum = float(min_area) if min_area else None
        if minimum is not None and not 0 < minimum <= policy.max_area_m2:
            minimum = None
    except ValueError:
        minimum = None
    only_available = available in ("1", "true", "on")
    listings = list_listings(session, app.park, available=only_available, type=space_type,
                             min_area=minimum, lang=viewer.lang)
    requests = space_requests(session, app.park, lang=viewer.lang)
    free = list_listings(session, app.park, available=True, lang=viewer.lang)
    request.state.nav = "space"
    return page(request, "space.html", {
        "listings": listings, "requests": requests[::-1], "free": free,
        "filters": {"type": space_type, "available": only_available, "min_area": minimum},
        "filtered": bool(space_type or only_available or minimum),
        "reserved_for": {r["id"]: r["project_name"] for r in requests},
        "total_area": sum(row["area"] for row in listings),
        "can_add": may_keep_listings(viewer.role)})


@router.post("/space/listings")
def new_listing(request: Request, app: AppDep, viewer: CurrentUser,
                carrier: Annotated[str, Form(max_length=100)],
                building: Annotated[str, Form(max_length=50)],
                unit: Annotated[str, Form(max_length=50)],
                area: Annotated[str, Form(max_length=20)],
                type: Annotated[str, Form(max_length=20)]) -> Response:
    with writing(app.engine) as session:
        listing = add_listing(session, app.park, carrier=carrier, building=building,
                              unit=unit, area=area, type=type, actor=viewer.email,
                              now=app.park.now())
    return after_post(request, "/space", gettext(viewer.lang, "Listing %(id)s added.",
                                            id=listing.id))


@router.post("/space/requests/{request_id}/withdraw")
def withdraw_space_request(request: Request, app: AppDep, viewer: CurrentUser,
                           request_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    with writing(app.engine) as session:
        project_id = load_request(session, request_id).project_id
        withdraw_request(session, app.park, request_id=request_id, actor=viewer.email)
    return after_post(request, f"/projects/{project_id}",
                      gettext(viewer.lang, "Space request no. %(id)s withdrawn.", id=request_id))


@router.post("/space/requests/{request_id}/offer")
def offer_listing(request: Request, app: AppDep, viewer: CurrentUser,
                  request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                  listing_id: Annotated[str, Form(max_length=12)],
                  note: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    if not listing_id.strip().isdigit() or int(listing_id) > 2**31 - 1:
        raise ValidationError("required", field="listing_id")
    with writing(app.engine) as session:
        offer(session, app.park, request_id=request_id, listing_id=int(listing_id),
              actor=viewer.email, note=note or None)
    return after_post(request, "/space", gettext(viewer.lang, "Listing offered for request %(id)s.",
                                            id=request_id))
