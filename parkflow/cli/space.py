"""`parkflow space …`: the space inventory, space requests and offering a listing."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import listing_app, space_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out
from workflow.errors import ValidationError


@command(listing_app, "add", help=N_("Add a listing to the space inventory (admins, leaders)."))
def listing_add(
    ctx: Context,
    carrier: Annotated[str, typer.Option("--carrier", help=cli_help("Carrier"))],
    building: Annotated[str, typer.Option("--building", help=cli_help("Building"))],
    unit: Annotated[str, typer.Option("--unit", help=cli_help("Unit"))],
    area: Annotated[str, typer.Option("--area", help=cli_help("Area (m²)"))],
    type_: Annotated[str, typer.Option("--type", help="office|lab|plant")],
    by: By = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.space import add_listing, listing_json
    park = ctx.app.park
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        listing = add_listing(session, park, carrier=carrier, building=building, unit=unit,
                              area=area, type=type_, actor=actor, now=park.now())
        shown = listing_json(listing, park.approvals, ctx.lang)
    if as_json:
        emit_json(shown)
    else:
        print(shown["id"])


@command(listing_app, "list", help=N_("List the space inventory."))
def listing_list(
    ctx: Context,
    available: Annotated[bool, typer.Option(
        "--available",
        help=cli_help("Available listings only"))] = False,
    type_: Annotated[str | None, typer.Option("--type", help="office|lab|plant")] = None,
    min_area: Annotated[str | None, typer.Option(
        "--min-area", help=cli_help("Minimum area (m²)"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import reading
    from i18n.formats import format_number
    from workflow.space import list_listings
    with reading(ctx.app.engine) as session:
        rows = list_listings(session, ctx.app.park, available=available, type=type_,
                             min_area=min_area, lang=ctx.lang)
    if as_json:
        emit_json(rows)
        return
    labels = ctx.labels
    for r in rows:
        out.print(f"{r['id']:>4} {r['carrier']} {r['building']} {r['unit']}  "
                  f"{r['type_label']} {format_number(r['area'], ctx.lang)} m²  "
                  f"{labels.listing_status(r['status'])}", markup=False)


@command(space_app, "request", help=N_("File or list."))
def space_request(
    ctx: Context,
    target: Annotated[str, typer.Argument(
        metavar="PROJECT_ID|list", help=cli_help("Project id, or list to list the requests"))],
    type_: Annotated[str | None, typer.Option("--type", help="office|lab|plant")] = None,
    area: Annotated[str | None, typer.Option("--area", help=cli_help("Area (m²)"))] = None,
    needed_by: Annotated[str | None, typer.Option(
        "--needed-by", help=cli_help("Needed by"))] = None,
    by: By = None,
    carrier: Annotated[str | None, typer.Option(
        "--carrier", help=cli_help("Preferred carrier"))] = None,
    note: Annotated[str | None, typer.Option("--note", help=cli_help("Note"))] = None,
    project: Annotated[int | None, typer.Option("--project",
                                                help=cli_help("(list) Filter by project"))] = None,
    as_json: Json = False,
) -> None:
    if target == "list":
        _list_requests(ctx, project, as_json)
        return
    from db.engine import writing
    from workflow.space import request_space
    if not target.isdigit():
        raise ValidationError("not_a_number", field="project", value=target)
    for name, value in (("type", type_), ("area", area), ("needed_by", needed_by)):
        if value is None:
            raise ValidationError("required", field=name)
    assert type_ is not None and area is not None and needed_by is not None
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        result = request_space(session, ctx.app.park, project_id=int(target), type=type_,
                               area=area, needed_by=needed_by, actor=actor or "",
                               carrier=carrier, note=note, lang=ctx.lang)
    if as_json:
        emit_json(result)
        return
    path = (ctx.say("approval %(id)s filed", id=result["approval_id"])
            if result["needs_approval"] else ctx.say("straight to matching"))
    out.print(ctx.say("Space request %(id)s: %(path)s — %(reason)s", id=result["id"],
                      path=path, reason=result["reason"]), markup=False)


def _list_requests(ctx: Context, project: int | None, as_json: bool) -> None:
    from db.engine import reading
    from i18n.formats import format_number
    from workflow.space import list_requests
    with reading(ctx.app.engine) as session:
        rows = list_requests(session, ctx.app.park, project_id=project, lang=ctx.lang)
    if as_json:
        emit_json(rows)
        return
    labels = ctx.labels
    for r in rows:
        out.print(f"{r['id']:>4} #{r['project_id']} {r['project_name']}  "
                  f"{labels.space_type(r['type'])} {format_number(r['area'], ctx.lang)} m²  "
                  f"{r['needed_by']}  {labels.request_status(r['status'])}"
                  f"{'  → ' + str(r['listing_id']) if r['listing_id'] else ''}", markup=False)


@command(space_app, "offer", help=N_("Reserve a listing for a request."))
def space_offer(
    ctx: Context,
    request_id: Annotated[int, typer.Argument(metavar="REQUEST_ID")],
    listing_id: Annotated[int, typer.Argument(metavar="LISTING_ID")],
    by: By = None,
    note: Annotated[str | None, typer.Option(
        "--note",
        help=cli_help("Note (required when the listing is smaller than the request)"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.space import offer
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        result = offer(session, ctx.app.park, request_id=request_id, listing_id=listing_id,
                       actor=actor or "", note=note)
    if as_json:
        emit_json(result)
    else:
        out.print(ctx.say("Listing %(listing)s reserved for space request %(request)s",
                          listing=listing_id, request=request_id))
