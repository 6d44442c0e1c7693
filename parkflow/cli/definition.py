"""`parkflow definition …`: check a definition file, print the definition format's JSON Schema.

The bodies are in `states.check`. A valid file is one line on stdout (exit 0); a broken one
lists every problem on stderr, one a line as `FILE: PATH: MESSAGE` (the path is a location in
the file, shown as it is), then their number (exit 2). Messages are in the reader's language;
`--json` gives each problem's path, code and parameters as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import definition_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import Json
from parkflow.cli.output import emit_json, err, out
from workflow.errors import ValidationError


@command(definition_app, "check", help=N_("Check a definition file, list every problem."))
def definition_check(
    ctx: Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help=cli_help("A definition file"))],
    as_json: Json = False,
) -> None:
    from rich.text import Text  # only here: a read command never loads rich

    from states.check import check_file, check_report  # the models are built only for this
    kind, problems = check_file(file)
    if as_json:
        emit_json(check_report(file, kind, problems, ctx.lang))
    elif not problems:
        valid = ctx.say("the definition is valid")  # not in the f-string: pybabel finds it
        out.print(Text(f"{file.name}: {valid}"), soft_wrap=True)
    else:  # Text: what the file says is printed as it is (no markup, no :emoji: codes)
        for problem in problems:
            where = f"{problem.path}: " if problem.path else ""
            err.print(Text(f"{file.name}: {where}{problem.message(ctx.lang)}"), soft_wrap=True)
        count = ctx.say_n("%(num)d problem", "%(num)d problems", len(problems))
        err.print(Text(f"{file.name}: {count}"), soft_wrap=True)
    if problems:
        raise typer.Exit(ValidationError.exit_code)


@command(definition_app, "schema", help=N_("Print the definition format's JSON Schema."))
def definition_schema(
    ctx: Context,
    approval: Annotated[bool, typer.Option("--approval",
                                           help=cli_help("The approval format"))] = False,
) -> None:
    from states.check import schema_text
    print(schema_text("approval" if approval else "lifecycle"), end="")
