"""Options and arguments several commands share, and reading `--set FIELD=VALUE`."""

from __future__ import annotations

from typing import Annotated

import typer

from workflow.errors import ValidationError

By = Annotated[str | None, typer.Option("--by", help="操作人邮箱 (默认 PARKFLOW_USER)")]
Json = Annotated[bool, typer.Option("--json", help="输出 JSON")]
ProjectId = Annotated[int, typer.Argument(metavar="ID")]


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError("bad_set", field="set", value=pair)
        fields[name.strip()] = value
    return fields
