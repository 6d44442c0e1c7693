"""The `parkflow` command: parse, call one use case, print, exit with the contract's code.

    commands.py  every command (`app`), registered by importing its module
    groups.py    the command and its groups, and the root option `--lang`
    context.py   per invocation: settings, the wired app, the reader's language
    exits.py     `@command`: failures → one line on stderr and the contract's exit code
    usage.py     the command line's own refusals (unknown option, missing argument, …), alike
    output.py    consoles, JSON for scripts, warnings
    options.py   shared options (`--by`, `--json`, `--set`)

and one module per resource, each registering its commands on import.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["COMMANDS", "app", "main"]


def main() -> None:
    """Entry point of the `parkflow` command."""
    import typer
    try:
        code = _run(sys.argv[1:])
    except typer.Exit as exc:  # a failure, already printed
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def _run(args: list[str]) -> int:
    lang = apply_lang_option(args)  # before the commands (and their help) are built
    from parkflow.cli.commands import app
    from parkflow.cli.exits import fail_unexpected
    from parkflow.cli.usage import UsageError, refuse
    try:
        code = app(args, prog_name="parkflow", standalone_mode=False)
    except UsageError as exc:
        refuse(exc, args, lang)
    except Exception as exc:  # outside any command body: never a traceback either
        fail_unexpected(exc, lang, as_json="--json" in args)
    return code if isinstance(code, int) else 0


def apply_lang_option(args: Sequence[str]) -> str:
    """The reader's language for this invocation: `parkflow --lang L …` is PARKFLOW_LANG=L,
    and so is `lang` of the config file when neither is given. A language that is not one of
    LANGS is refused here, naming the option."""
    from i18n import LANGS
    from parkflow.cli.help import help_lang
    value = None
    if len(args) >= 2 and args[0] == "--lang":
        value = args[1]
    elif args and args[0].startswith("--lang="):
        value = args[0].partition("=")[2]
    if value is not None:
        if value not in LANGS:
            from parkflow.cli.usage import fail_invalid
            from workflow.errors import ValidationError
            fail_invalid(ValidationError("unknown_lang", field="lang", value=value,
                                         names=list(LANGS)), args, help_lang())
        os.environ["PARKFLOW_LANG"] = value
    elif not os.environ.get("PARKFLOW_LANG"):
        _lang_from_config_file()
    return help_lang()


def _lang_from_config_file() -> None:
    """`lang` of the config file, for the help and the command line's refusals too: they are
    written before the settings are loaded, from PARKFLOW_LANG. A broken file is reported by
    the command itself."""
    from parkflow.settings import Settings, SettingsError
    try:
        lang = Settings.from_env().lang
    except SettingsError:
        return
    if lang:
        os.environ["PARKFLOW_LANG"] = lang


def __getattr__(name: str) -> Any:
    # `app` and COMMANDS import every command module, which builds the help texts: only on
    # demand, so that `main` can set the language first
    if name in ("app", "COMMANDS"):
        from parkflow.cli import commands
        return getattr(commands, name)
    raise AttributeError(name)
