"""Commands of the web workspace: serve, API tokens, passwords (registered on the main app)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

SCHEDULER_HINT_ZH = "调度器已在本进程内启动（每分钟扫描并投递提醒）"
SCHEDULER_HINT_EN = "scheduler running in this process (sweep and delivery every minute)"


def register(app: typer.Typer, user_app: typer.Typer) -> None:
    """Add the web commands to the `parkflow` command."""
    token_app = typer.Typer(help="REST API 令牌 / API tokens", no_args_is_help=True)
    app.add_typer(token_app, name="token")
    app.command("serve")(serve)
    user_app.command("set-password")(set_password)
    token_app.command("create")(token_create)
    token_app.command("revoke")(token_revoke)
    token_app.command("list")(token_list)


By = Annotated[str | None, typer.Option("--by", help="操作人邮箱 (默认 PARKFLOW_USER)")]
Json = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口", min=1, max=65535)] = 8000,
    with_scheduler: Annotated[bool, typer.Option(
        "--with-scheduler", help="在本进程内运行提醒调度器（只运行一个这样的进程）")] = False,
) -> None:
    """启动 Web 工作台与 REST API / start the web workspace and the REST API."""
    from parkflow.cli import Context, err, run, t

    def body(ctx: Context) -> None:
        import uvicorn
        from sqlalchemy import inspect

        from web.app import create_app

        if not inspect(ctx.app.engine).has_table("projects"):
            from workflow.errors import ValidationError
            raise ValidationError("bad_value", field="PARKFLOW_DATABASE_URL",
                                  value=ctx.settings.database_url,
                                  reason=t("数据库尚未初始化，请先运行 parkflow init",
                                           "the database is not initialised: run parkflow init",
                                           ctx))
        from parkflow.wiring import web_settings_of
        web_settings = web_settings_of(ctx.settings)
        if not web_settings.secret_from_env:
            err.print(t("[yellow]提示[/yellow] 未设置 PARKFLOW_SECRET_KEY：已生成临时密钥，"
                        "重启后需重新登录",
                        "[yellow]note[/yellow] PARKFLOW_SECRET_KEY is not set: a temporary key "
                        "was drawn, so sign-ins end when the server restarts", ctx))
        scheduler = _start_scheduler(ctx) if with_scheduler else None
        if scheduler is not None:
            err.print(t(SCHEDULER_HINT_ZH, SCHEDULER_HINT_EN, ctx))
        err.print(t(f"parkflow 已启动：http://{host}:{port}/ （Ctrl+C 退出）",
                    f"parkflow is serving http://{host}:{port}/ (Ctrl+C to stop)", ctx))
        try:
            uvicorn.run(create_app(ctx.app, web_settings), host=host, port=port,
                        log_level="info", server_header=False)
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
    run(body)


def _start_scheduler(ctx: Any) -> Any:
    """The reminder scheduler on a background thread of the server process."""
    from notifications.scheduler import start_background
    park = ctx.app.park
    return start_background(ctx.app.sweep(), park.lifecycle.reminders, park.tz)


def set_password(
    email: str,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="从标准输入读取密码（必需）")] = False,
) -> None:
    """设置或修改用户密码（用于网页登录）/ set or change a password (for the web)."""
    from parkflow.cli import Context, out, run, t

    def body(ctx: Context) -> None:
        import sys

        from db.engine import writing
        from web.accounts import set_password as store
        from workflow.errors import ValidationError
        if not password_stdin:
            raise ValidationError("required", field="--password-stdin")
        password = sys.stdin.readline().rstrip("\r\n")
        ctx.actor(email)  # messages in that person's language
        with writing(ctx.app.engine) as session:
            user = store(session, email=email, password=password)
        out.print(t(f"已设置 {user.name} <{user.email}> 的密码",
                    f"password of {user.name} <{user.email}> set", ctx))
    run(body)


def token_create(
    by: By = None,
    name: Annotated[str, typer.Option("--name", help="令牌名称（如调用方系统）")] = "",
    as_json: Json = False,
) -> None:
    """创建个人 API 令牌（只显示一次）/ create a personal API token (shown once)."""
    from parkflow.cli import Context, emit_json, err, run, t

    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.tokens import create_token
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            issued = create_token(session, actor=actor or "", name=name,
                                  now=ctx.app.park.now())
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
    run(body, as_json=as_json)


def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID")],
    by: By = None,
) -> None:
    """吊销 API 令牌 / revoke an API token."""
    from parkflow.cli import Context, out, run, t

    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.tokens import revoke_token
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            revoke_token(session, token_id=token_id, actor=actor or "",
                         now=ctx.app.park.now(), tz=ctx.app.park.tz)
        out.print(t(f"令牌 {token_id} 已吊销", f"token {token_id} revoked", ctx))
    run(body)


def token_list(by: By = None, as_json: Json = False) -> None:
    """列出本人的 API 令牌 / list your API tokens."""
    from parkflow.cli import Context, emit_json, out, run, t

    def body(ctx: Context) -> None:
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
    run(body, as_json=as_json)
