"""The `parkflow` command and its groups, in the order `--help` lists them."""

from __future__ import annotations

import typer

from i18n import DEFAULT_LANG, product_name

app = typer.Typer(help=f"{product_name(DEFAULT_LANG)} — 流程与审批引擎 / workflow and approvals",
                  no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help="用户 / users", no_args_is_help=True)
project_app = typer.Typer(help="项目 / projects", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历 / business calendar", no_args_is_help=True)
reminders_app = typer.Typer(help="提醒与预警 / reminders", no_args_is_help=True)
outbox_app = typer.Typer(help="发件箱 / outbox", no_args_is_help=True)
space_app = typer.Typer(help="用房 / space", no_args_is_help=True)
listing_app = typer.Typer(help="房源 / listings", no_args_is_help=True)
extension_app = typer.Typer(help="延期 / extensions", no_args_is_help=True)
approvals_app = typer.Typer(help="审批 / approvals", no_args_is_help=True)
token_app = typer.Typer(help="REST API 令牌 / API tokens", no_args_is_help=True)
definition_app = typer.Typer(help="流程定义文件 / definition files", no_args_is_help=True)

app.add_typer(user_app, name="user")
app.add_typer(project_app, name="project")
app.add_typer(calendar_app, name="calendar")
app.add_typer(reminders_app, name="reminders")
app.add_typer(outbox_app, name="outbox")
space_app.add_typer(listing_app, name="listing")
app.add_typer(space_app, name="space")
app.add_typer(extension_app, name="extension")
app.add_typer(approvals_app, name="approvals")
app.add_typer(token_app, name="token")
app.add_typer(definition_app, name="definition")
