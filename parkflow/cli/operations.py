"""Operations: `parkflow backup FILE`, `parkflow restore FILE`, `parkflow check [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.help import cli_help
from parkflow.cli.options import Json
from parkflow.cli.output import emit_json, out

File = Annotated[Path, typer.Argument(metavar="FILE", help=cli_help("The backup file"))]


@command(app, "backup", help=N_("Copy the whole database to a new file (SQLite: online "
                                "backup; PostgreSQL: pg_dump)."))
def backup(ctx: Context, file: File) -> None:
    from workflow.backups import back_up
    written = back_up(ctx.app.engine, file)
    out.print(ctx.say("Backup written to %(path)s", path=written), markup=False, soft_wrap=True)


@command(app, "restore", help=N_("Load a backup into an empty database."))
def restore(ctx: Context, file: File) -> None:
    from workflow.backups import restore as load
    load(ctx.app.engine, file)
    out.print(ctx.say("Backup %(path)s restored; parkflow check verifies it",
                      path=file.expanduser().resolve()), markup=False, soft_wrap=True)


@command(app, "check", help=N_("Verify the database: exit 1 listing every inconsistency."))
def check(ctx: Context, as_json: Json = False) -> None:
    from sqlalchemy import func, select

    from db.engine import reading
    from db.models import Project
    from notifications.integrity import check as verify
    from workflow.integrity import problem_text
    engine = ctx.app.engine
    if engine.dialect.name == "postgresql":  # every query of the check sees one snapshot
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with reading(engine) as session:  # (SQLite: one read transaction is one snapshot)
        problems = verify(session, ctx.app.park)
        projects = session.execute(select(func.count()).select_from(Project)).scalar_one()
    labels = ctx.labels
    if as_json:
        emit_json({"ok": not problems, "projects": projects,
                   "problems": [p.as_json(labels) for p in problems]})
    else:
        for p in problems:
            out.print(ctx.say("#%(id)s %(name)s: %(problem)s", id=p.project_id,
                              name=p.project_name, problem=problem_text(p, labels)),
                      markup=False, soft_wrap=True)
        out.print(ctx.say_n("%(num)d inconsistency found in %(projects)s projects",
                            "%(num)d inconsistencies found in %(projects)s projects",
                            len(problems), projects=projects) if problems else
                  ctx.say("The database is consistent (%(projects)s projects checked)",
                          projects=projects), markup=False)
    if problems:
        raise typer.Exit(1)
