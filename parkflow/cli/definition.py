"""`parkflow definition …`: check a definition file, print the definition format's JSON Schema.

The bodies are in `states.check`; here they are parsed and printed. Problems are listed one a
line as `FILE: PATH: MESSAGE`; the message is English until the definition's messages join
the translation catalogue (each problem also has a code and parameters: see --json).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from i18n import DEFAULT_LANG, gettext, ngettext, normalise

definition_app = typer.Typer(help="流程定义文件 / definition files", no_args_is_help=True)


def _lang() -> str:
    return normalise(os.environ.get("PARKFLOW_LANG") or DEFAULT_LANG)


@definition_app.command("check")
def check(
    file: Path,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """检查定义文件，列出全部问题 / check a definition file, list every problem."""
    from states.check import check_report  # the models are built only for this command
    code, report = check_report(file)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        raise typer.Exit(code)
    lang = _lang()
    problems = report["problems"]
    if not problems:
        print(f"{file.name}: " + gettext(lang, "the definition is valid"))
        raise typer.Exit(code)
    for problem in problems:
        where = f"{problem['path']}: " if problem["path"] else ""
        print(f"{file.name}: {where}{problem['message']}", file=sys.stderr)
    count = len(problems)
    print(f"{file.name}: " + ngettext(lang, "%(num)d problem", "%(num)d problems", count),
          file=sys.stderr)
    raise typer.Exit(code)


@definition_app.command("schema")
def schema(
    approval: Annotated[bool, typer.Option("--approval",
                                           help="审批定义的格式 / the approval format")] = False,
) -> None:
    """输出定义文件格式的 JSON Schema / print the definition format's JSON Schema."""
    from states.check import schema_text
    print(schema_text("approval" if approval else "lifecycle"), end="")
