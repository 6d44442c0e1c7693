"""The approval definition: its state machine (a Lifecycle) and the policy of what needs one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from states.definition import (
    HERE,
    DefinitionError,
    Labels,
    Lifecycle,
    _label_map,
    parse_lifecycle,
)

APPROVAL_FILE = HERE / "approval.yaml"
KINDS = ("space", "extension", "suspension")


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


def load_approval_policy(path: Path = APPROVAL_FILE) -> ApprovalPolicy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path.name}: cannot read: {exc}") from exc
    return parse_approval_policy(raw, source=path.name)


def parse_approval_policy(raw: Any, *, source: str = "approval") -> ApprovalPolicy:
    lifecycle = parse_lifecycle(raw, source=source)
    kinds = _label_map(raw.get("kinds"), f"{source}: kinds")
    for kind in KINDS:
        if kind not in kinds:
            raise DefinitionError(f"{source}: kinds: missing {kind!r}")
    space_types = _label_map(raw.get("space_types"), f"{source}: space_types")
    rules = raw.get("needs_approval")
    if not isinstance(rules, Mapping):
        raise DefinitionError(f"{source}: needs_approval: expected a mapping")
    space = rules.get("space") or {}
    thresholds: dict[str, float] = {}
    for space_type, area in space.items():
        if space_type not in space_types:
            raise DefinitionError(f"{source}: needs_approval.space: unknown type {space_type!r}")
        if not isinstance(area, int | float) or area < 0:
            raise DefinitionError(f"{source}: needs_approval.space.{space_type}: "
                                  f"expected an area ≥ 0, got {area!r}")
        thresholds[space_type] = float(area)
    try:
        return ApprovalPolicy(
            lifecycle=lifecycle, kinds=kinds, space_types=space_types,
            space_thresholds=thresholds,
            extension_needs_approval=bool(rules.get("extension", True)),
            suspension_needs_approval=bool(rules.get("suspension", True)),
            decision_within_working_days=int(raw.get("decision_within_working_days", 3)),
            max_extension_days=int(raw.get("max_extension_days", 365)),
            max_area_m2=float(raw.get("max_area_m2", 1_000_000)))
    except (TypeError, ValueError) as exc:
        raise DefinitionError(f"{source}: limits must be numbers: {exc}") from exc
