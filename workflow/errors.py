"""The errors of the engine: a kind, a code, the field concerned and parameters — no text.

    WorkflowError
    ├── ValidationError   (exit 2)  bad or missing input; names the field
    │   └── InvalidFields           several of them at once (every bad field of an event)
    ├── NotPermitted      (exit 3)  role, unknown user, self-approval
    ├── NotFound          (exit 4)
    ├── Conflict          (exit 5)  not allowed in this state, concurrent change, already decided
    └── Unavailable       (exit 1)  the database cannot be reached (down, wrong address, no
                                    such database or role, authentication failed)

The sentence is rendered when a person reads it (`message(lang, labels)`), from the
catalogue, with the ids among the parameters shown by their labels (workflow.error_text).
Library exceptions never leave the engine; the CLI and the web map these in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from workflow.labels import Labels


class WorkflowError(Exception):
    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code)

    def message(self, lang: str = "zh-CN", labels: Labels | None = None) -> str:
        """The one-line message in `lang` (zh-CN by default), with the park's `labels`."""
        from i18n import normalise
        from workflow.error_text import render
        from workflow.labels import Labels

        lang = normalise(lang)
        if labels is None or labels.lang != lang:
            labels = Labels.default(lang) if labels is None else Labels(
                labels.lifecycle, labels.approvals, lang)
        return render(self.code, self.field, self.params, labels)

    def __str__(self) -> str:
        return self.message("en")

    def as_json(self, lang: str = "zh-CN", labels: Labels | None = None) -> dict[str, Any]:
        return {"error": {"kind": self.kind, "field": self.field,
                          "message": self.message(lang, labels)}}


class ValidationError(WorkflowError):
    kind = "invalid"
    exit_code = 2


class InvalidFields(ValidationError):
    """Every bad or missing field of one input at once, so a form can be put right in one go.

    It reads as its first problem (code, field, parameters) for whoever looks at one; its
    message says them all, on one line."""

    def __init__(self, problems: list[ValidationError]) -> None:
        first = problems[0]
        super().__init__(first.code, field=first.field, **first.params)
        self.problems = problems

    def message(self, lang: str = "zh-CN", labels: Labels | None = None) -> str:
        from i18n import N_, gettext

        texts = [problem.message(lang, labels) for problem in self.problems]
        joined = texts[0]
        for text in texts[1:]:
            joined = gettext(lang, N_("%(first)s; %(then)s"), first=joined, then=text)
        return joined


def several(problems: list[ValidationError]) -> ValidationError:
    """The one error that says all `problems`: the only one, or InvalidFields."""
    return problems[0] if len(problems) == 1 else InvalidFields(problems)


class NotPermitted(WorkflowError):
    kind = "not_permitted"
    exit_code = 3


class NotFound(WorkflowError):
    kind = "not_found"
    exit_code = 4


class Conflict(WorkflowError):
    kind = "conflict"
    exit_code = 5


class Unavailable(WorkflowError):
    kind = "unavailable"
    exit_code = 1


@contextmanager
def inputs_of(action: str) -> Iterator[None]:
    """The inputs checked inside belong to `action` (a follow-up, an extension…): an error
    about one names it by the label that action's form shows (workflow.labels.ACTION_FIELDS)."""
    try:
        yield
    except ValidationError as exc:
        exc.params.setdefault("event", action)
        raise
