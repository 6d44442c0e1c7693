"""Options and arguments several commands share, and reading `--set FIELD=VALUE`."""

from __future__ import annotations

from typing import Annotated

import typer

from parkflow.cli.help import cli_help
from workflow.errors import ValidationError

By = Annotated[str | None, typer.Option(
    "--by",
    help=cli_help("Email of the person acting (default PARKFLOW_USER)"))]
Json = Annotated[bool, typer.Option("--json", help=cli_help("Print JSON"))]
ProjectId = Annotated[int, typer.Argument(metavar="ID")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help=cli_help("FIELD=VALUE (repeatable)"))]
AllowDuplicate = Annotated[bool, typer.Option(
    "--allow-duplicate",
    help=cli_help("Enter it even though another project has the same name or credit code"))]


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError("bad_set", field="set", value=pair)
        fields[name.strip()] = value
    return fields
