"""Refusals of the command line itself, said as the contract says every failure: one line on
stderr in the reader's language, naming the field, exit 2, and under `--json` the error
object on stdout.

Typer refuses an unknown option or command, a missing argument or a value of the wrong type
while it parses, before any command body (and its Context) exists, and in English. `main`
catches those refusals around the whole command line and `refuse` turns each into the
engine's ValidationError, so its sentence comes from the one catalogue like every other error.

Typer raises click's exception classes from its own copy of click (`typer._click`, pinned
with typer in pyproject.toml); the group and command classes are Typer's documented `cls=`.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any, NoReturn

import typer
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from i18n import gettext
from parkflow.cli.help import LocalHelp
from parkflow.cli.output import fail
from workflow.errors import ValidationError

UsageError = click_errors.UsageError


class UnknownCommand(UsageError):
    """A name that is not a command of its group, with the commands it resembles."""

    def __init__(self, name: str, close: list[str], ctx: Any) -> None:
        super().__init__(f"No such command {name!r}.", ctx)
        self.name, self.close = name, close


class Group(LocalHelp, TyperGroup):
    """A command group that keeps the unknown name when it refuses one (Typer keeps only an
    English sentence), so that `refuse` can say it in the reader's language."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if (name and not name.startswith("-") and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            raise UnknownCommand(name, get_close_matches(name, self.list_commands(ctx)), ctx)
        return super().resolve_command(ctx, args)


def refuse(exc: UsageError, args: Sequence[str], lang: str) -> NoReturn:
    """Print the refusal of the command line `args` and exit 2 (help alone when the
    command line named no command, as Typer has printed it already)."""
    if isinstance(exc, click_errors.NoArgsIsHelpError):
        raise typer.Exit(exc.exit_code)
    fail_invalid(as_validation_error(exc, args), args, lang,
                 command=getattr(exc.ctx, "command_path", None))


def fail_invalid(error: ValidationError, args: Sequence[str], lang: str, *,
                 command: str | None = None) -> NoReturn:
    """A refused command line `args`: one line (with where to read the usage of `command`),
    the error object under --json, exit 2."""
    message = error.message(lang)
    line = gettext(lang, "%(error)s (see %(command)s --help)", error=message,
                   command=command) if command else message
    fail(line, error.exit_code, error.as_json(lang) if "--json" in args else None, lang)


def as_validation_error(exc: UsageError, args: Sequence[str]) -> ValidationError:
    """The engine's error for one refusal of the command line."""
    if isinstance(exc, UnknownCommand):
        return _with_close("unknown_command", exc.name, exc.close)
    if isinstance(exc, click_errors.NoSuchOption):
        return _with_close("unknown_option", exc.option_name, exc.possibilities)
    if isinstance(exc, click_errors.BadOptionUsage):
        # the parser says one of two things: `--flag=value`, or an option without its value
        given_a_value = any(arg.startswith(f"{exc.option_name}=") for arg in args)
        return ValidationError("option_takes_no_value" if given_a_value
                               else "option_needs_value", value=exc.option_name)
    if isinstance(exc, click_errors.MissingParameter) and exc.param is not None:
        return ValidationError("required", field=field_of(exc.param))
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        return _bad_value(exc, field_of(exc.param))
    if exc.message.startswith("Got unexpected extra argument"):
        extra = exc.message.rpartition(" (")[2].rstrip(")")
        return ValidationError("extra_arguments", value=extra)
    if exc.message.startswith("Missing command"):
        return ValidationError("missing_command")
    return ValidationError("bad_command_line", error=exc.message)


def field_of(param: Any) -> str:
    """The field a parameter stands for, as the catalogue of field labels names it: `--at` →
    at, `--intake-date` → intake_date, the argument `ID` → id."""
    if param.param_type_name == "argument":
        name = param.metavar or param.name or ""
    else:
        name = max(param.opts, key=len)
    return str(name).lstrip("-").replace("-", "_").lower()


def _with_close(code: str, value: str, close: Sequence[str] | None) -> ValidationError:
    if close:
        return ValidationError(f"{code}_close", value=value, names=list(close))
    return ValidationError(code, value=value)


def _bad_value(exc: click_errors.BadParameter, field: str) -> ValidationError:
    """A value Typer could not convert: pydantic, under Typer, says what it was given."""
    from pydantic import ValidationError as Invalid
    problems = exc.__cause__.errors() if isinstance(exc.__cause__, Invalid) else []
    if not problems:
        return ValidationError("bad_command_line", error=exc.message)
    problem = problems[0]
    value = str(problem.get("input", ""))
    if problem.get("type") in ("int_parsing", "int_from_float", "float_parsing"):
        return ValidationError("not_a_number", field=field, value=value)
    return ValidationError("bad_value", field=field, value=value)
