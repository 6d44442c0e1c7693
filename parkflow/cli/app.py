"""The `parkflow` command and its groups, in the order `--help` lists them."""

from __future__ import annotations

import typer

from i18n import product_name
from parkflow.cli.help import cli_help, help_lang

app = typer.Typer(
    help=cli_help("%(product)s — workflow and approvals") % {"product": product_name(help_lang())},
                  no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help=cli_help("Users"), no_args_is_help=True)
project_app = typer.Typer(help=cli_help("Projects"), no_args_is_help=True)
calendar_app = typer.Typer(help=cli_help("Business calendar"), no_args_is_help=True)
reminders_app = typer.Typer(help=cli_help("Reminders"), no_args_is_help=True)
outbox_app = typer.Typer(help=cli_help("Outbox"), no_args_is_help=True)
space_app = typer.Typer(help=cli_help("Space"), no_args_is_help=True)
listing_app = typer.Typer(help=cli_help("Listings"), no_args_is_help=True)
extension_app = typer.Typer(help=cli_help("Extensions"), no_args_is_help=True)
approvals_app = typer.Typer(help=cli_help("Approvals"), no_args_is_help=True)
token_app = typer.Typer(help=cli_help("API tokens"), no_args_is_help=True)
definition_app = typer.Typer(help=cli_help("Definition files"), no_args_is_help=True)
report_app = typer.Typer(help=cli_help("Reports: the weekly meeting, the monthly dispatch, the "
                                       "quarterly summary"), no_args_is_help=True)

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
app.add_typer(report_app, name="report")
