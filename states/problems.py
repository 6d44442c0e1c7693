"""What is wrong with a definition file: every problem, each with its path in the file.

A `Problem` carries a code and parameters as well as an English sentence, so that a reader in
another language can be shown it in theirs: `Problem("states.visited.deadline.period",
"bad_period", "bad period '7 weeks' (…)", {"value": "7 weeks"})`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

# pydantic's own sentences, where a shorter one reads better in a list of problems
_MESSAGES = {"missing": "missing", "extra_forbidden": "unknown key (not part of the format)",
             "model_type": "expected a mapping", "dict_type": "expected a mapping"}
_SCALARS = (str, int, float, bool, type(None))
# the codes of the errors our validators raise: their messages already quote the value
_OWN_CODES = {"bad_period", "not_identifier", "not_clock_time", "blank"}


@dataclass(frozen=True)
class Problem:
    """One problem: where (a dotted path, `events.visit.fields.team.type`) and what."""

    path: str
    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, path: str, code: str, template: str, **params: Any) -> Problem:
        """A problem whose message is `template` filled with `params`."""
        return cls(path, code, template.format(**params), params)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "code": self.code, "message": self.message,
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
    """pydantic's errors as problems, the bad value quoted when it is a plain one."""
    problems = []
    for detail in error.errors(include_url=False):
        params = {k: v if isinstance(v, _SCALARS) else str(v)
                  for k, v in (detail.get("ctx") or {}).items()}
        message = _MESSAGES.get(detail["type"], detail["msg"])
        given = detail.get("input")
        if isinstance(given, _SCALARS) and detail["type"] not in _OWN_CODES | {"missing"}:
            params.setdefault("value", given)
            message += f" (got {given!r})"
        problems.append(Problem(path_of(detail["loc"]), detail["type"], message, params))
    return problems

