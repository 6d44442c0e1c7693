"""What is wrong with a definition file: every problem, each with its path in the file.

A `Problem` carries a code and parameters, no sentence: `Problem("states.visited.deadline.
period", "bad_period", {"value": "7 weeks"})`. The sentence is rendered when a person reads it,
in their language, from the catalogue (`message(lang)`, see `states.problem_text`);
`str(problem)` and a `DefinitionError` are English, for logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from states.problem_text import render

_SCALARS = (str, int, float, bool, type(None))
# where the value given says nothing more: a missing one, a blank one
_NO_VALUE = {"missing", "blank"}


@dataclass(frozen=True)
class Problem:
    """One problem: where (a dotted path, `events.visit.fields.team.type`) and what."""

    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, path: str, code: str, **params: Any) -> Problem:
        """The problem `code` at `path`, with its parameters."""
        return cls(path, code, params)

    def message(self, lang: str) -> str:
        """The sentence of the problem in `lang` (without its path)."""
        return render(self.code, self.params, lang)

    def __str__(self) -> str:
        return f"{self.path}: {self.message('en')}" if self.path else self.message("en")

    def as_json(self, lang: str) -> dict[str, Any]:
        """The problem for scripts: path, code and parameters, the message in `lang`."""
        return {"path": self.path, "code": self.code, "message": self.message(lang),
                "params": dict(self.params)}


class DefinitionError(ValueError):
    """The definition file is broken; `problems` says every what and where."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


def path_of(loc: Iterable[str | int]) -> str:
    """`("stars", "rules", 0, "min_total")` → `stars.rules[0].min_total`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # pydantic marks a bad mapping key so; the key names it enough
            path += f".{part}" if path else part
    return path


def problems_from(error: ValidationError) -> list[Problem]:
    """pydantic's errors as problems, the bad value among the parameters when it is a plain one."""
    problems = []
    for detail in error.errors(include_url=False):
        params = {k: v if isinstance(v, _SCALARS) else str(v)
                  for k, v in (detail.get("ctx") or {}).items()}
        if detail["type"] == "literal_error":
            params["expected"] = _literals(params["expected"])
        given = detail.get("input")
        if isinstance(given, _SCALARS) and detail["type"] not in _NO_VALUE:
            params.setdefault("value", given)
        problems.append(Problem(path_of(detail["loc"]), detail["type"], params))
    return problems


def _literals(expected: Any) -> Any:
    """pydantic's "'owner', 'group' or 'leader'" as the list of the values it allows."""
    values = re.findall(r"'([^']*)'", str(expected))
    return values or expected
