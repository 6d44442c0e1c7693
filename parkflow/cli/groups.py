"""The `parkflow` command and its groups, in the order `--help` lists them."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import product_name
from parkflow.cli.help import cli_help, help_lang
from parkflow.cli.usage import Group

app = typer.Typer(
    help=cli_help("%(product)s — workflow and approvals") % {"product": product_name(help_lang())},
    cls=Group, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help=cli_help("Users"), cls=Group, no_args_is_help=True)
project_app = typer.Typer(help=cli_help("Projects: add, move forward, look up"), cls=Group,
                          no_args_is_help=True)
calendar_app = typer.Typer(help=cli_help("Business calendar"), cls=Group, no_args_is_help=True)
reminders_app = typer.Typer(help=cli_help("Reminders"), cls=Group, no_args_is_help=True)
outbox_app = typer.Typer(help=cli_help("Outbox"), cls=Group, no_args_is_help=True)
space_app = typer.Typer(help=cli_help("Space"), cls=Group, no_args_is_help=True)
listing_app = typer.Typer(help=cli_help("Listings"), cls=Group, no_args_is_help=True)
extension_app = typer.Typer(help=cli_help("Extensions"), cls=Group, no_args_is_help=True)
approvals_app = typer.Typer(help=cli_help("Approvals"), cls=Group, no_args_is_help=True)
token_app = typer.Typer(help=cli_help("API tokens"), cls=Group, no_args_is_help=True)
definition_app = typer.Typer(help=cli_help("Definition files"), cls=Group, no_args_is_help=True)
report_app = typer.Typer(help=cli_help("Reports: the weekly meeting, the monthly dispatch, the "
                                       "quarterly summary"), cls=Group, no_args_is_help=True)


@app.callback()
def language(lang: Annotated[str | None, typer.Option(
        "--lang", metavar="zh-CN|en",
        help=cli_help("Language of the output, messages and help (default PARKFLOW_LANG, then "
                      "the acting person's own)"))] = None) -> None:
    # declared for parsing and help only: `main` applies it before the commands are built,
    # so that their help is in that language too (parkflow.cli.apply_lang_option)
    return


space_app.add_typer(listing_app, name="listing")
for name, group in (("user", user_app), ("project", project_app), ("calendar", calendar_app),
                    ("reminders", reminders_app), ("outbox", outbox_app), ("space", space_app),
                    ("extension", extension_app), ("approvals", approvals_app),
                    ("token", token_app), ("definition", definition_app),
                    ("report", report_app)):
    app.add_typer(group, name=name)
