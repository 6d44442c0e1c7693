"""Checking a definition file, and the published formats: the bodies of the commands
`parkflow definition check FILE [--json]` and `parkflow definition schema [--approval]`.

A file is an approval definition when it has one of the policy's keys (`kinds`,
`needs_approval`, …), a lifecycle definition otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from states.approval import POLICY_KEYS, approval_schema, check_approval
from states.definition import HERE, check_lifecycle
from states.problems import DefinitionError, Problem
from states.schema import definition_schema
from states.yaml_core import read_definition

Kind = Literal["lifecycle", "approval"]
SCHEMA_FILES: dict[Kind, Path] = {"lifecycle": HERE / "lifecycle.schema.json",
                                  "approval": HERE / "approval.schema.json"}


def definition_kind(raw: Any) -> Kind:
    """Which definition a parsed file is."""
    return "approval" if isinstance(raw, Mapping) and POLICY_KEYS & raw.keys() else "lifecycle"


def check_definition_file(path: Path) -> list[Problem]:
    """Every problem of a definition file, each with its path; empty when the file is valid."""
    return check_file(path)[1]


def check_file(path: Path) -> tuple[Kind, list[Problem]]:
    """The kind of a definition file and every problem in it."""
    try:
        raw = read_definition(path)
    except DefinitionError as exc:
        return "lifecycle", list(exc.problems)
    kind = definition_kind(raw)
    return kind, (check_approval(raw) if kind == "approval" else check_lifecycle(raw))[1]


def check_report(path: Path, kind: Kind, problems: list[Problem], lang: str) -> dict[str, Any]:
    """`definition check --json`: the file, its kind and every problem, messages in `lang`."""
    return {"file": str(path), "kind": kind, "valid": not problems,
            "problems": [problem.as_json(lang) for problem in problems]}


def schema(kind: Kind = "lifecycle") -> dict[str, Any]:
    """The JSON Schema of a definition format."""
    return approval_schema() if kind == "approval" else definition_schema()


def schema_text(kind: Kind = "lifecycle") -> str:
    """`definition schema`: the JSON Schema as printed, and as committed in states/."""
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"
