"""The approval definition: its state machine (a Lifecycle) and the policy of what needs one.

`states/approval.yaml` is a lifecycle definition with the policy's keys added; its format is
`ApprovalFormat`, published as `states/approval.schema.json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt
from pydantic import ValidationError as PydanticError

from states.definition import HERE, Labels, Lifecycle, build_lifecycle, file_version
from states.problems import DefinitionError, Problem, problems_from
from states.references import Outline, lifecycle_problems
from states.schema import Format, Identifier, LabelMap, LifecycleFormat, json_schema
from states.yaml_core import read_definition

APPROVAL_FILE = HERE / "approval.yaml"
KINDS = ("space", "extension", "suspension")
# the keys that make a definition file an approval definition
POLICY_KEYS = frozenset({"kinds", "space_types", "needs_approval",
                         "decision_within_working_days", "max_extension_days", "max_area_m2"})


class NeedsApproval(Format):
    """What needs a leader's approval."""

    space: dict[Identifier, NonNegativeFloat] = Field(
        {}, description="space type → area (m²) from which a request needs approval")
    extension: bool = True
    suspension: bool = True


class ApprovalFormat(LifecycleFormat):
    """A parkflow approval definition: a lifecycle, and the policy of what needs approval."""

    model_config = ConfigDict(title="parkflow approval definition")

    kinds: Annotated[LabelMap, Field(description="space, extension and suspension")]
    space_types: LabelMap
    needs_approval: NeedsApproval
    decision_within_working_days: NonNegativeInt = Field(
        3, description="pending approvals are due after this many working days")
    max_extension_days: PositiveInt = 365
    max_area_m2: PositiveFloat = 1_000_000


@dataclass(frozen=True, eq=False)
class ApprovalPolicy:
    lifecycle: Lifecycle
    kinds: Mapping[str, Labels]
    space_types: Mapping[str, Labels]
    space_thresholds: Mapping[str, float]  # type → area (m²) from which approval is needed
    extension_needs_approval: bool
    suspension_needs_approval: bool
    decision_within_working_days: int
    max_extension_days: int
    max_area_m2: float

    @property
    def pending_states(self) -> tuple[str, ...]:
        """States waiting for a leader: those a leader's decision can leave."""
        return tuple(s for s in self.lifecycle.states
                     if any(s in e.sources and "leader" in e.roles
                            for e in self.lifecycle.events.values()))


def approval_schema() -> dict[str, Any]:
    """The JSON Schema of the approval definition format."""
    return json_schema(ApprovalFormat)


def load_approval_policy(path: Path = APPROVAL_FILE) -> ApprovalPolicy:
    """Read and validate an approval definition file (read again only once it changes)."""
    return _load_approval_policy(*file_version(path))


@lru_cache(maxsize=16)
def _load_approval_policy(path: Path, _mtime_ns: int, _size: int) -> ApprovalPolicy:
    return parse_approval_policy(read_definition(path), source=path.name)


def parse_approval_policy(raw: Any, *, source: str = "approval") -> ApprovalPolicy:
    """Validate a parsed approval definition; raise DefinitionError naming every bad place."""
    doc, problems = check_approval(raw)
    if doc is None or problems:
        raise DefinitionError(source, problems)
    return ApprovalPolicy(
        lifecycle=build_lifecycle(doc),
        kinds={name: labels.as_dict() for name, labels in doc.kinds.items()},
        space_types={name: labels.as_dict() for name, labels in doc.space_types.items()},
        space_thresholds=dict(doc.needs_approval.space),
        extension_needs_approval=doc.needs_approval.extension,
        suspension_needs_approval=doc.needs_approval.suspension,
        decision_within_working_days=doc.decision_within_working_days,
        max_extension_days=doc.max_extension_days,
        max_area_m2=doc.max_area_m2)


def check_approval(raw: Any) -> tuple[ApprovalFormat | None, list[Problem]]:
    """The validated file (None when its shape is wrong) and every problem found in it."""
    try:
        doc = ApprovalFormat.model_validate(raw)
    except PydanticError as exc:
        return None, [*problems_from(exc), *lifecycle_problems(Outline.salvage(raw)),
                      *_policy_problems(raw)]
    return doc, [*lifecycle_problems(Outline.of(doc)), *_policy_problems(raw)]


def _policy_problems(raw: Any) -> list[Problem]:
    """Every kind is named, and the thresholds are for known space types."""
    root = raw if isinstance(raw, Mapping) else {}
    problems = []
    kinds, space_types = root.get("kinds"), root.get("space_types")
    if isinstance(kinds, Mapping):
        problems += [Problem.of(f"kinds.{kind}", "missing_kind", kind=kind, kinds=list(KINDS))
                     for kind in KINDS if kind not in kinds]
    rules = root.get("needs_approval")
    space = rules.get("space") if isinstance(rules, Mapping) else None
    if isinstance(space, Mapping) and isinstance(space_types, Mapping):
        problems += [Problem.of(f"needs_approval.space.{name}", "unknown_space_type",
                                space_type=name)
                     for name in space if name not in space_types]
    return problems
