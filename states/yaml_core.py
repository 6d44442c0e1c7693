"""Definition files are read as YAML 1.2 (core schema), not PyYAML's default YAML 1.1.

Under YAML 1.1 `on`, `off`, `yes` and `no` are booleans, `09:00` is the number 540 and
`2025-01-01` a date: a milestone named `off` became `False`. Here only `true`/`false` are
booleans, numbers are decimal (or `0o`/`0x`), dates stay text, and a key given twice in one
mapping is an error instead of the last one silently winning.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

from states.problems import DefinitionError, Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it

_CORE = [  # (tag, pattern, first characters) of the YAML 1.2 core schema
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", list("-+0123456789.")),
    ("merge", r"<<", ["<"]),  # anchors and merges stay usable
]


class DuplicateKey(ConstructorError):
    """A key given twice in one mapping: which key, and where the second one is."""

    def __init__(self, node: MappingNode, key: Any, key_node: Any) -> None:
        super().__init__("while reading a mapping", node.start_mark,
                         f"found the key {key!r} twice", key_node.start_mark)
        self.key = key


class CoreLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader with the YAML 1.2 core schema's scalars and unique keys."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | None):
                continue
            if (type(key), key) in seen:
                raise DuplicateKey(node, key, key_node)
            seen.add((type(key), key))
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _core_int(loader: CoreLoader, node: ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # "010" is ten, not YAML 1.1's octal eight


for _tag, _pattern, _first in _CORE:
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"),
                                     _first)
CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)


def parse_yaml(text: str) -> Any:
    """The data of a YAML document, read with the core schema."""
    return yaml.load(text, Loader=CoreLoader)  # a safe loader


def read_definition(path: Path) -> Any:
    """The data of a definition file; DefinitionError naming the file when it cannot be read."""
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(path.name, [_unreadable(exc)]) from exc


def _unreadable(exc: Exception) -> Problem:
    """The problem of a file that cannot be read: its cause, or where its YAML breaks.

    A cause parkflow names is a key of `states.problem_text.REASONS`, shown in the reader's
    language; the YAML parser's own explanation is shown in its words.
    """
    mark = getattr(exc, "problem_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return Problem.of("", "unreadable", reason=_cause(exc))
    where = {"line": mark.line + 1, "column": mark.column + 1}
    if isinstance(exc, DuplicateKey):
        return Problem.of("", "duplicate_key", key=exc.key, **where)
    reason = exc.problem or "not YAML"
    if exc.context and exc.context_mark and exc.context_mark.line != mark.line:
        reason += f" ({exc.context} from line {exc.context_mark.line + 1})"
    elif exc.context:
        reason = f"{exc.context}: {reason}"
    return Problem.of("", "not_yaml", reason=reason, **where)


def _cause(exc: Exception) -> str:
    for kind, cause in _CAUSES:
        if isinstance(exc, kind):
            return cause
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


_CAUSES: tuple[tuple[type[Exception], str], ...] = (
    (FileNotFoundError, "no_such_file"), (IsADirectoryError, "is_a_folder"),
    (PermissionError, "permission"), (UnicodeDecodeError, "not_utf8"))
