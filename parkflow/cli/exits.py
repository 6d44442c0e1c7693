"""Failures to exit codes, in one place (CLI.md): 0 ok · 2 invalid input · 3 not permitted ·
4 not found · 5 conflict · 1 anything unexpected, never with a traceback.

A command is a plain function `fn(ctx, **options)`; `@command(group, name)` registers it with
typer (which sees the options only), builds its Context and maps whatever it raises.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from i18n import gettext
from parkflow.cli.context import Context
from parkflow.cli.help import LocalCommand, cli_help, help_lang
from parkflow.cli.output import fail
from parkflow.settings import SettingsError
from workflow.errors import WorkflowError

if TYPE_CHECKING:
    from workflow.labels import Labels

Command = TypeVar("Command", bound=Callable[..., None])


def command(group: typer.Typer, name: str | None = None, *,
            help: str | None = None) -> Callable[[Command], Command]:
    """Register `fn(ctx, **options)` as the command `name` of `group`, with `help` (an
    English msgid, marked with N_) shown in the help language.

    With an `as_json` option set, a failure also prints the error object on stdout.
    """
    def register(fn: Command) -> Command:
        @functools.wraps(fn)
        def invoke(**options: Any) -> None:
            run(lambda ctx: fn(ctx, **options), as_json=bool(options.get("as_json")))

        signature = inspect.signature(fn, eval_str=True)
        options = list(signature.parameters.values())[1:]  # the context is ours, not typer's
        invoke.__signature__ = signature.replace(parameters=options)  # type: ignore[attr-defined]
        # resolved once, here: Typer reads every command's annotations again (get_type_hints)
        # whenever it builds the command line, and would evaluate the strings anew each time
        invoke.__annotations__ = {option.name: option.annotation for option in options}
        group.command(name, help=cli_help(help) if help else None, cls=LocalCommand)(invoke)
        return fn
    return register


def run(action: Callable[[Context], Any], *, as_json: bool = False) -> None:
    """Run one command body; map every failure to one line and the contract's exit code."""
    ctx: Context | None = None
    try:
        ctx = Context()
        action(ctx)
    except WorkflowError as exc:
        lang, labels = _lang(ctx), _labels(ctx)
        fail(exc.message(lang, labels), exc.exit_code,
             exc.as_json(lang, labels) if as_json else None, lang)
    except SettingsError as exc:  # before the Context exists: bad input of another kind
        fail_settings(exc, _lang(ctx), as_json=as_json)
    except typer.Exit:
        raise
    except Exception as exc:  # never a traceback in front of a person
        failure = _database_failure(exc, ctx)
        if failure is not None:  # unreachable, or not initialised: said in the catalogue's words
            lang, labels = _lang(ctx), _labels(ctx)
            fail(failure.message(lang, labels), failure.exit_code,
                 failure.as_json(lang, labels) if as_json else None, lang)
        fail_unexpected(exc, _lang(ctx), as_json=as_json)


def fail_settings(exc: SettingsError, lang: str, *, as_json: bool) -> NoReturn:
    """Settings that cannot be used: one line naming each variable, exit 2."""
    message = "; ".join(gettext(lang, "The setting %(name)s cannot be used: %(why)s",
                                name=name, why=why) for name, why in exc.texts(lang))
    fail(message, 2, {"error": {"kind": "invalid", "field": exc.problems[0][0],
                                "message": message}} if as_json else None, lang)


def fail_unexpected(exc: Exception, lang: str, *, as_json: bool) -> NoReturn:
    """One line for a failure nobody foresaw, exit 1."""
    message = _describe_unexpected(exc, lang)
    fail(message, 1, {"error": {"kind": "internal", "field": None, "message": message}}
         if as_json else None, lang)


def _database_failure(exc: Exception, ctx: Context | None) -> WorkflowError | None:
    """The database could not be reached or was never initialised (`parkflow init` itself
    is never told to run parkflow init)."""
    if ctx is None:
        return None
    from workflow.database_failures import database_failure
    return database_failure(exc, ctx.settings.database_url, initialising=ctx.initialising)


def _lang(ctx: Context | None) -> str:
    return ctx.lang if ctx else help_lang()


def _labels(ctx: Context | None) -> Labels | None:
    """The park's labels for an error message, when the park could be wired."""
    try:
        return ctx.labels if ctx is not None else None
    except Exception:  # the park itself failed to load: the packaged labels will do
        return None


def _describe_unexpected(exc: Exception, lang: str) -> str:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from db.failures import database_busy, disk_full
    if database_busy(exc):
        return gettext(lang, "The database is busy with another write; the change was not "
                             "saved. Run the command again in a moment (%(error)s)",
                       error=str(getattr(exc, "orig", None) or exc).splitlines()[0])
    if disk_full(exc):
        cause = getattr(exc, "orig", None) or exc
        return gettext(lang, "The disk holding the database is full; the change was not "
                             "saved. Free some space and run the command again (%(error)s)",
                       error=str(cause).splitlines()[0])
    if isinstance(exc, OperationalError | ProgrammingError):  # reached, but it refused
        return gettext(lang, "The database refused the command: %(error)s",
                       error=str(exc.orig).splitlines()[0] if exc.orig else exc)
    return f"{type(exc).__name__}: {exc}"
