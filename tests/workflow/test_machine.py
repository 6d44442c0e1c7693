"""The lifecycle machine: its answers, remembered per (state, event, exited_from), stay the
machine's own (pure: no database)."""

from __future__ import annotations

import pytest

from states.definition import LIFECYCLE_FILE, PREVIOUS, load_lifecycle
from workflow.machine import LifecycleMachine, Token

LIFECYCLE = load_lifecycle(LIFECYCLE_FILE)


def test_an_event_moves_a_token_to_its_destination_every_time() -> None:
    machine = LifecycleMachine(LIFECYCLE)
    for _ in range(3):  # the first answer is the machine's, the next ones remembered
        token = Token("intake")
        assert machine.fire(token, "visit")
        assert token.state == "visited"


def test_an_impossible_or_unknown_event_leaves_the_token_alone() -> None:
    machine = LifecycleMachine(LIFECYCLE)
    for _ in range(2):
        token = Token("intake")
        assert not machine.fire(token, "open")
        assert not machine.fire(token, "no_such_event")
        assert token.state == "intake"


@pytest.mark.parametrize("event", [name for name, spec in LIFECYCLE.events.items()
                                   if spec.dest == PREVIOUS])
def test_a_return_goes_back_to_where_each_token_exited_from(event: str) -> None:
    machine = LifecycleMachine(LIFECYCLE)
    source = LIFECYCLE.events[event].sources[0]
    for _ in range(2):
        for exited_from in LIFECYCLE.active_states:
            token = Token(source, exited_from)
            assert machine.fire(token, event)
            assert token.state == exited_from
        assert not machine.fire(Token(source, None), event)  # nowhere to return to
