"""What a command prints: the rich consoles, JSON for scripts, one-line failures, warnings."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from parkflow.cli.context import Context

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def t(zh: str, en: str, ctx: Context) -> str:
    return zh if ctx.lang == "zh-CN" else en


def fail(message: str, code: int, payload: dict[str, Any] | None = None,
         lang: str = "zh-CN") -> NoReturn:
    if payload is not None:
        print(json.dumps(payload, ensure_ascii=False))
    label = "错误" if lang == "zh-CN" else "error"
    err.print(Text.assemble((label, "red"), " ", message), soft_wrap=True)
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    # indented for a person at a terminal; compact (and fast) for scripts
    indent = 2 if sys.stdout.isatty() else None
    print(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def print_deadline(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline")
    if deadline:
        out.print(t("截止：", "due: ", ctx) + deadline["explanation"])
    warn_calendar(view, ctx)


def warn_calendar(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline") or {}
    for warning in deadline.get("warnings", []):
        err.print(f"[yellow]{t('警告', 'warning', ctx)}[/yellow] {warning}")
