"""The lifecycle as a pytransitions machine, built once from the definition.

One machine serves every project: events fire on a plain `Token` seeded with the row's state
(never on an ORM row, never one machine per project), so the engine stays small and pure.
Only this module imports `transitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from transitions import EventData, Machine, MachineError

from states.definition import PREVIOUS, Lifecycle


@dataclass
class Token:
    """The only thing the machine touches: a project's state, and where it exited from."""

    state: str
    exited_from: str | None = None


class LifecycleMachine:
    """Answers which events are possible and fires them on tokens."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        self._machine = Machine(
            model=None,
            states=list(lifecycle.states),
            initial=lifecycle.initial,
            transitions=list(_transitions(lifecycle)),
            auto_transitions=False,
            send_event=True,
        )
        self._decided: dict[tuple[str, str, str | None], str | None] = {}

    def can_fire(self, state: str, event: str, *, exited_from: str | None = None) -> bool:
        spec = self.lifecycle.events.get(event)
        if spec is None or state not in spec.sources:
            return False
        return spec.dest != PREVIOUS or exited_from in self.lifecycle.active_states

    def fire(self, token: Token, event: str) -> bool:
        """Move the token by `event`; False when the event is not possible from its state."""
        key = (token.state, event, token.exited_from)
        try:
            dest = self._decided[key]
        except KeyError:
            dest = self._decided[key] = self._decide(*key)
        if dest is None:
            return False
        token.state = dest
        return True

    def _decide(self, state: str, event: str, exited_from: str | None) -> str | None:
        """Where the machine takes a token in `state` by `event` (None: it refuses). The
        definition is immutable and the machine has no callbacks, only conditions on these
        three values, so its answer is remembered per (state, event, exited_from)."""
        probe = Token(state, exited_from)
        try:
            fired = self._machine.events[event].trigger(probe, exited_from=exited_from)
        except (KeyError, MachineError):
            return None
        return probe.state if fired else None

    def draw_mermaid(self, lang: str = "zh-CN") -> str:
        """The lifecycle as a Mermaid state diagram, labelled in `lang`."""
        lines = ["stateDiagram-v2"]
        for name, state in self.lifecycle.states.items():
            lines.append(f"    {name}: {name} {_label(state.label, lang)}")
        lines.append(f"    [*] --> {self.lifecycle.initial}")
        for name, event in self.lifecycle.events.items():
            label = f"{name} {_label(event.label, lang)}"
            for source in event.sources:
                dests = self.lifecycle.active_states if event.dest == PREVIOUS else [event.dest]
                for dest in dests:
                    lines.append(f"    {source} --> {dest}: {label}")
        for name, state in self.lifecycle.states.items():
            if state.final:
                lines.append(f"    {name} --> [*]")
        return "\n".join(lines) + "\n"


@cache
def machine_for(lifecycle: Lifecycle) -> LifecycleMachine:
    """The one machine of a lifecycle (built on first use, shared afterwards)."""
    return LifecycleMachine(lifecycle)


def _transitions(lifecycle: Lifecycle) -> Any:
    for name, event in lifecycle.events.items():
        if event.dest == PREVIOUS:
            # one guarded transition per possible return state
            for target in lifecycle.active_states:
                yield {"trigger": name, "source": list(event.sources), "dest": target,
                       "conditions": [_exited_from(target)]}
        else:
            yield {"trigger": name, "source": list(event.sources), "dest": event.dest}


def _exited_from(target: str) -> Any:
    def condition(event_data: EventData) -> bool:
        return bool(event_data.kwargs.get("exited_from") == target)
    return condition


def _label(labels: Any, lang: str) -> str:
    return str(labels.get(lang) or labels["zh-CN"])
