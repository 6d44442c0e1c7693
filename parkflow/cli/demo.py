"""`parkflow demo`: a demo park in a fresh SQLite file, then its board."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.help import cli_help
from parkflow.cli.output import out


@command(app, "demo", help=N_("Build a demo park and print its board."))
def demo(
    ctx: Context,
    database: Annotated[str | None, typer.Option(
        "--database", help=cli_help("SQLite file (default demo/parkflow-demo.db)"))] = None,
) -> None:
    from parkflow.demo import run_demo
    run_demo(out, database=database, lang=ctx.lang)
