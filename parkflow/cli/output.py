"""What a command prints: the rich consoles, JSON for scripts, one-line failures, warnings."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn, cast

import typer

from i18n import DEFAULT_LANG, gettext
from parkflow.cli.context import Context

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A rich Console made on first use: a command printing JSON never imports rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console
            self._console = Console(**self._options)
        return getattr(self._console, name)


# typed as what they stand for: callers pass them on where a Console is expected
out = cast("Console", _LazyConsole(highlight=False))
err = cast("Console", _LazyConsole(stderr=True, highlight=False))


def _styled(label: str, style: str, message: str) -> Any:
    from rich.text import Text
    return Text.assemble((label, style), " ", message)


def fail(message: str, code: int, payload: dict[str, Any] | None = None,
         lang: str = DEFAULT_LANG) -> NoReturn:
    if payload is not None:
        print(json.dumps(payload, ensure_ascii=False))
    err.print(_styled(gettext(lang, "error"), "red", message), soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str, ctx: Context) -> None:
    """A warning on stderr, in the reader's language."""
    err.print(_styled(ctx.say("warning"), "yellow", message), soft_wrap=True)


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
