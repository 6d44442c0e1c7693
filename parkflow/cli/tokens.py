"""`parkflow token …`: personal API tokens for the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from parkflow.cli.app import token_app
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, err, out, t


@command(token_app, "create")
def token_create(
    ctx: Context,
    by: By = None,
    name: Annotated[str, typer.Option("--name", help="令牌名称（如调用方系统）")] = "",
    as_json: Json = False,
) -> None:
    """创建个人 API 令牌（只显示一次）/ create a personal API token (shown once)."""
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
    err.print(t(f"令牌 {issued.id} 已创建；请立即保存，之后不再显示。"
                f"用法：Authorization: Bearer <令牌>",
                f"token {issued.id} created; store it now, it is not shown again. "
                f"Use: Authorization: Bearer <token>", ctx))


@command(token_app, "revoke")
def token_revoke(ctx: Context, token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID")],
                 by: By = None) -> None:
    """吊销 API 令牌 / revoke an API token."""
    from db.engine import writing
    from workflow.tokens import revoke_token
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        revoke_token(session, token_id=token_id, actor=actor or "",
                     now=ctx.app.park.now(), tz=ctx.app.park.tz)
    out.print(t(f"令牌 {token_id} 已吊销", f"token {token_id} revoked", ctx))


@command(token_app, "list")
def token_list(ctx: Context, by: By = None, as_json: Json = False) -> None:
    """列出本人的 API 令牌 / list your API tokens."""
    from db.engine import reading
    from workflow.tokens import list_tokens
    actor = ctx.actor(by)
    with reading(ctx.app.engine) as session:
        rows = list_tokens(session, actor=actor or "", tz=ctx.app.park.tz)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = t("有效", "active", ctx) if row["active"] else t("已吊销", "revoked", ctx)
        out.print(f"{row['id']:>4} {row['prefix']}…  {row['name'] or '-':20} {state:8} "
                  f"{(row['last_used_at'] or '-')[:16]}")
    out.print(t(f"共 {len(rows)} 个", f"{len(rows)} tokens", ctx))
