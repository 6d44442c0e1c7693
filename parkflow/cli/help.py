"""The command's help texts, from the catalogue.

Typer reads help when the command tree is built, before any settings are loaded, so the help
language is `PARKFLOW_LANG` alone (default zh-CN).
"""

from __future__ import annotations

import os

from i18n import gettext, normalise


def help_lang() -> str:
    return normalise(os.environ.get("PARKFLOW_LANG"))


def cli_help(msgid: str) -> str:
    """`msgid` (English, marked for extraction) in the help language."""
    return gettext(help_lang(), msgid)
