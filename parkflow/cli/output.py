"""What a command prints: the rich consoles, JSON for scripts, one-line failures, warnings."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from i18n import DEFAULT_LANG, gettext
from parkflow.cli.context import Context

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(message: str, code: int, payload: dict[str, Any] | None = None,
         lang: str = DEFAULT_LANG) -> NoReturn:
    if payload is not None:
        print(json.dumps(payload, ensure_ascii=False))
    err.print(Text.assemble((gettext(lang, "error"), "red"), " ", message), soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str, ctx: Context) -> None:
    """A warning on stderr, in the reader's language."""
    err.print(Text.assemble((ctx.say("warning"), "yellow"), " ", message), soft_wrap=True)


def emit_json(value: Any) -> None:
    # indented for a person at a terminal; compact (and fast) for scripts
    indent = 2 if sys.stdout.isatty() else None
    print(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def print_deadline(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline")
    if deadline:
        out.print(ctx.say("due: %(explanation)s", explanation=deadline["explanation"]),
                  markup=False)
    warn_calendar(view, ctx)


def warn_calendar(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline") or {}
    for warning in deadline.get("warnings", []):
        warn(warning, ctx)
