"""`parkflow inbox` — a person's messages, the same outbox rows as the bell on the web —
and `parkflow project reassign`, handing a person's projects to someone else."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app, project_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out


@command(app, "inbox", help=N_("Your messages: what went to you by mail, read or not."))
def inbox(
    ctx: Context,
    by: By = None,
    unread: Annotated[bool, typer.Option("--unread", help=cli_help("Unread only"))] = False,
    as_json: Json = False,
) -> None:
    from db.engine import reading
    from notifications.inbox import messages_for
    from workflow.users import require_actor
    actor = ctx.actor(by)
    park = ctx.app.park
    with reading(ctx.app.engine) as session:
        user = require_actor(session, actor)
        rows = messages_for(session, user.email, now=park.now(), labels=ctx.labels,
                            tz=park.tz, unread=unread)
    if as_json:
        emit_json([{key: row[key] for key in ("id", "kind", "subject", "project_id",
                                              "created_at", "read")} for row in rows])
        return
    if not rows:
        out.print(ctx.say("No messages."), markup=False)
        return
    for row in rows:
        mark = " " if row["read"] else "●"
        project = f"  #{row['project_id']} {row['project_name']}" if row["project_id"] else ""
        out.print(f"{mark} {row['id']:>5}  {row['created_at'][:16].replace('T', ' ')}  "
                  f"{row['subject']}{project}", markup=False)


@command(project_app, "reassign", help=N_(
    "Hand every active project of one person to another (admins and leaders)."))
def project_reassign(
    ctx: Context,
    from_email: Annotated[str, typer.Option("--from", help=cli_help("Current owner"))],
    to_email: Annotated[str, typer.Option("--to", help=cli_help("New owner"))],
    by: By = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.reassign import reassign_projects
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        moved = reassign_projects(session, ctx.app.park, from_email=from_email,
                                  to_email=to_email, actor=actor or "")
    if as_json:
        emit_json(moved)
        return
    out.print(ctx.say_n("%(num)d project reassigned from %(old)s to %(new)s",
                        "%(num)d projects reassigned from %(old)s to %(new)s", len(moved),
                        old=from_email, new=to_email), markup=False)
