"""`parkflow calendar …`: the business calendar (holidays and adjusted working days)."""

from __future__ import annotations

from pathlib import Path

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import calendar_app
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out, warn
from workflow.file_errors import unreadable


@command(calendar_app, "import", help=N_("Import a holiday arrangement (admin)."))
def calendar_import(ctx: Context, file: Path, by: By = None) -> None:
    from db.engine import writing
    from workflow.calendar_store import import_calendar
    from workflow.users import require_actor
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise unreadable(exc, value=str(file)) from exc
    with writing(ctx.app.engine) as session:
        actor = require_actor(session, ctx.actor(by))
        years = import_calendar(session, ctx.app.park, text=text, source=file.name,
                                actor=actor, now=ctx.app.park.now())
    out.print(ctx.say("Calendar imported: %(years)s.", years=ctx.labels.list(years)))


@command(calendar_app, "show", help=N_("Show a year's holidays and adjusted working days."))
def calendar_show(ctx: Context, year: int, as_json: Json = False) -> None:
    from db.engine import reading
    from workflow.calendar_store import show_calendar
    with reading(ctx.app.engine) as session:
        shown = show_calendar(session, year)
    if as_json:
        emit_json(shown)
        return
    if not shown["covered"]:
        warn(ctx.say("The arrangement of %(year)s is not loaded.", year=year), ctx)
    labels = ctx.labels
    for day in shown["days"]:
        kind = ctx.say("day off") if day["kind"] == "holiday" else ctx.say("working day")
        out.print(f"{day['date']}  {kind}  {labels.holiday(day['name'])}", markup=False)
