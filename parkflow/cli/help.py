"""The command's help texts, from the catalogue.

Typer reads help when the command tree is built, before the command's settings are loaded, so
the help language is `PARKFLOW_LANG` (default zh-CN), which `main` sets from `--lang` or from
the config file's `lang` first.
"""

from __future__ import annotations

import os
from typing import Any

from typer.core import TyperCommand

from i18n import gettext, normalise


def help_lang() -> str:
    return normalise(os.environ.get("PARKFLOW_LANG"))


def cli_help(msgid: str) -> str:
    """`msgid` (English, marked for extraction) in the help language."""
    return gettext(help_lang(), msgid)


class LocalHelp:
    """The frame of a help page (usage line, panel titles, the `--help` line) in the help
    language too: Typer writes it in English, around help texts that are already ours.

    Mixed into Typer's command and group classes, given to Typer as its documented `cls=`.
    """

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces),
                              prefix=cli_help("Usage:") + " ")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = cli_help("Show this message and exit.")
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from typer import rich_utils  # the panels' titles are its module constants
        rich_utils.ARGUMENTS_PANEL_TITLE = cli_help("Arguments")
        rich_utils.OPTIONS_PANEL_TITLE = cli_help("Options")
        rich_utils.COMMANDS_PANEL_TITLE = cli_help("Commands")
        rich_utils.REQUIRED_LONG_STRING = cli_help("[required]")
        rich_utils.DEFAULT_STRING = cli_help("[default: %(value)s]") % {"value": "{}"}
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""  # a switch takes no value: no "<bool>" beside it
        super().format_help(ctx, formatter)  # type: ignore[misc]


class LocalCommand(LocalHelp, TyperCommand):
    """A command whose help page is in the help language, frame included."""
