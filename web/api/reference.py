"""The API's vocabulary, written from the park's definition into its OpenAPI description.

States, categories and events (with the fields each takes) are data (states/), not schema:
an integrator reads them here, with their Chinese and English labels, as the definition the
server runs says them, so the document never falls behind a changed definition.
"""

from __future__ import annotations

from collections.abc import Mapping

from states.definition import PREVIOUS, FieldDef, Labels, Lifecycle

# what each field type takes, as JSON (the engine's checks: workflow/fields.py)
_TYPES = {
    "text": "text", "list": "a list of texts (or one text, comma-separated)",
    "score": "an integer 1–5", "uscc": "a unified social credit code (18 characters)",
    "number": "a number ≥ 0", "count": "a whole number ≥ 0", "integer": "a whole number ≥ 1",
    "quarter": "a quarter, e.g. `2026-Q3`", "phone": "a phone number",
}


def lifecycle_reference(lifecycle: Lifecycle) -> str:
    """Markdown: the states, the categories and the events with their fields."""
    lines = ["", "## The lifecycle (from the park's definition)", "",
             f"**States** (`state`): "
             f"{_listed({name: state.label for name, state in lifecycle.states.items()})}.", "",
             f"**Categories** (`category`): {_listed(lifecycle.categories)}.", "",
             "**Events** (`POST /api/v1/projects/{project_id}/events` with `event` and "
             "`fields`; * marks a required field):", "",
             "| event | from | to | fields |", "|---|---|---|---|"]
    for event in lifecycle.events.values():
        sources = ", ".join(f"`{name}`" for name in event.sources)
        dest = "the state it exited from" if event.dest == PREVIOUS else f"`{event.dest}`"
        fields = "; ".join(_field(spec) for spec in event.fields.values()) or "—"
        lines.append(f"| `{event.name}` {_labels(event.label)} | {sources} | {dest} "
                     f"| {fields} |")
    return "\n".join(lines) + "\n"


def _listed(labelled: Mapping[str, Labels]) -> str:
    return ", ".join(f"`{name}` {_labels(labels)}" for name, labels in labelled.items())


def _labels(labels: Labels) -> str:
    english = labels.get("en")
    return f"{labels['zh-CN']} ({english})" if english else labels["zh-CN"]


def _field(spec: FieldDef) -> str:
    if spec.type == "choices":
        keys = ", ".join(f"`{key}`" for key in spec.choices)
        takes = f"one of {keys}" if spec.single else f"any of {keys} (a list)"
    else:
        takes = _TYPES.get(spec.type, spec.type)
    return f"`{spec.name}`{'*' if spec.required else ''} {_labels(spec.label)}: {takes}"
