"""`parkflow demo`: a demo park in a fresh SQLite file, then its board."""

from __future__ import annotations

from typing import Annotated

import typer

from parkflow.cli.app import app
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.output import out


@command(app, "demo")
def demo(
    ctx: Context,
    database: Annotated[str | None, typer.Option(
        "--database", help="SQLite 文件（默认 demo/parkflow-demo.db）")] = None,
) -> None:
    """创建演示园区并显示看板 / build a demo park and print its board."""
    from parkflow.demo import run_demo
    run_demo(out, database=database, lang=ctx.lang)
