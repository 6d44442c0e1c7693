"""`parkflow serve`: the web workspace and the REST API (optionally with the scheduler)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from i18n import N_, product_name
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.help import cli_help
from parkflow.cli.output import err


@command(app, "serve", help=N_("Start the web workspace and the REST API."))
def serve(
    ctx: Context,
    host: Annotated[str, typer.Option(
        "--host", help=cli_help("Address to listen on"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=cli_help("Port"), min=1, max=65535)] = 8000,
    with_scheduler: Annotated[bool, typer.Option("--with-scheduler", help=cli_help(
        "Also run the reminder scheduler (each job runs once however many processes run "
        "it)"))] = False,
    workers: Annotated[int, typer.Option("--workers", help=cli_help(
        "Web worker processes"), min=1, max=64)] = 1,
) -> None:
    import uvicorn
    from sqlalchemy import inspect

    from parkflow.wiring import web_app, web_settings

    inspector = inspect(ctx.app.engine)  # app_secrets: a schema older than this version
    if not all(inspector.has_table(table) for table in ("projects", "app_secrets")):
        from workflow.errors import ValidationError
        raise ValidationError("not_initialised", field="database",
                              value=ctx.settings.database_url)
    # the cookie key: PARKFLOW_SECRET_KEY, or the one kept in the database (drawn here once,
    # before any worker starts, so every worker and every restart reads the same)
    settings = web_settings(ctx.settings, ctx.app)
    scheduler = start_scheduler(ctx) if with_scheduler else None
    if scheduler is not None:
        err.print(ctx.say("Scheduler running in this process (sweep and delivery every "
                          "minute)"))
    err.print(ctx.say("%(product)s is serving %(url)s (Ctrl+C to stop)",
                      product=product_name(ctx.lang), url=f"http://{host}:{port}/"),
              markup=False)
    # several workers: each process builds the same app from the same PARKFLOW_* settings
    target: Any = "parkflow.wiring:app_from_env" if workers > 1 else web_app(ctx.app, settings)
    # http and loop left to uvicorn's "auto": httptools and uvloop, dependencies of parkflow
    try:
        uvicorn.run(target, factory=workers > 1, workers=workers if workers > 1 else None,
                    host=host, port=port, log_level="info", server_header=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def start_scheduler(ctx: Any) -> Any:
    """The reminder scheduler on a background thread of the server process."""
    from notifications.scheduler import start_background
    park = ctx.app.park
    return start_background(ctx.app.sweep(), park.lifecycle.reminders, park.tz)
