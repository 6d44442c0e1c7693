"""`parkflow init`: the schema and the holiday calendar."""

from __future__ import annotations

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.output import out
from parkflow.settings import shown_url


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
    # which database: without PARKFLOW_DATABASE_URL it is ./parkflow.db, made here silently
    out.print(ctx.say("Database %(database)s ready; calendar years loaded: %(years)s",
                      database=shown_url(ctx.settings.database_url), years=seeded),
              markup=False, soft_wrap=True)
