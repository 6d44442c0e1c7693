"""The errors of the engine, each with a kind, the field it concerns and a message per language.

    WorkflowError
    ├── ValidationError   (exit 2)  bad or missing input; names the field
    ├── NotPermitted      (exit 3)  role, unknown user, self-approval
    ├── NotFound          (exit 4)
    └── Conflict          (exit 5)  not allowed in this state, concurrent change, already decided

Library exceptions never leave the engine; the CLI and the web map these in one place.
"""

from __future__ import annotations

from typing import Any, ClassVar

from workflow.messages import render_message


class WorkflowError(Exception):
    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        """The one-line message in `lang` (zh-CN by default)."""
        return render_message(self.code, lang, field=self.field, **self.params)

    def as_json(self, lang: str = "zh-CN") -> dict[str, Any]:
        return {"error": {"kind": self.kind, "field": self.field, "message": self.message(lang)}}


class ValidationError(WorkflowError):
    kind = "invalid"
    exit_code = 2


class NotPermitted(WorkflowError):
    kind = "not_permitted"
    exit_code = 3


class NotFound(WorkflowError):
    kind = "not_found"
    exit_code = 4


class Conflict(WorkflowError):
    kind = "conflict"
    exit_code = 5
