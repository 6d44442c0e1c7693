"""`parkflow init`: the schema and the holiday calendar."""

from __future__ import annotations

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.output import out


@command(app, "init", help=N_("Create or migrate the schema, seed the calendar."))
def init(ctx: Context) -> None:
    from db.engine import writing
    from db.migrate import upgrade
    from workflow.calendar_store import seed_calendar
    ctx.initialising = True  # a database without tables is no failure here
    upgrade(ctx.app.engine)
    with writing(ctx.app.engine) as session:
        years = seed_calendar(session, ctx.app.park, now=ctx.app.park.now())
    seeded = f"{years[0]}–{years[-1]}" if years else ctx.say("none new")
    out.print(ctx.say("Database ready; calendar years loaded: %(years)s", years=seeded))
