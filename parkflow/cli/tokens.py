"""`parkflow token …`: personal API tokens for the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import token_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, err, out


@command(token_app, "create", help=N_("Create a personal API token (shown once)."))
def token_create(
    ctx: Context,
    by: By = None,
    name: Annotated[str, typer.Option(
        "--name",
        help=cli_help("Token name (e.g. the calling system)"))] = "",
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.tokens import create_token
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        issued = create_token(session, actor=actor or "", name=name, now=ctx.app.park.now())
    if as_json:
        emit_json({"id": issued.id, "name": issued.name, "prefix": issued.prefix,
                   "token": issued.secret,
                   "created_at": issued.created_at.astimezone(ctx.app.park.tz).isoformat()})
        return
    print(issued.secret)
    err.print(ctx.say("Token %(id)s created; store it now, it is not shown again. Use: "
                      "Authorization: Bearer <token>", id=issued.id), markup=False)


@command(token_app, "revoke", help=N_("Revoke an API token."))
def token_revoke(ctx: Context, token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID")],
                 by: By = None) -> None:
    from db.engine import writing
    from workflow.tokens import revoke_token
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        revoke_token(session, token_id=token_id, actor=actor or "",
                     now=ctx.app.park.now(), tz=ctx.app.park.tz)
    out.print(ctx.say("Token %(id)s revoked.", id=token_id))


@command(token_app, "list", help=N_("List your API tokens."))
def token_list(ctx: Context, by: By = None, as_json: Json = False) -> None:
    from db.engine import reading
    from workflow.tokens import list_tokens
    actor = ctx.actor(by)
    with reading(ctx.app.engine) as session:
        rows = list_tokens(session, actor=actor or "", tz=ctx.app.park.tz)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = ctx.say("active") if row["active"] else ctx.say("revoked")
        out.print(f"{row['id']:>4} {row['prefix']}…  {row['name'] or '-':20} {state:8} "
                  f"{(row['last_used_at'] or '-')[:16]}")
    out.print(ctx.say_n("%(num)d token", "%(num)d tokens", len(rows)))
