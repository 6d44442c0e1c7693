"""The lifecycle definition: the shipped file loads, and a broken one fails naming the place.

Broken definitions are the shipped `states/lifecycle.yaml`, read with yaml, deep-copied and
changed in one place, then validated with `parse_lifecycle`.
"""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from states.definition import (
    PREVIOUS,
    DefinitionError,
    Lifecycle,
    MonthlySlot,
    WeeklySlot,
    load_lifecycle,
    parse_lifecycle,
)
from tests.factories import PARKFLOW, SOURCE
from workflow.machine import LifecycleMachine, Token


@pytest.fixture(scope="module")
def shipped() -> Lifecycle:
    return load_lifecycle()


def broken(raw: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    """The message of the DefinitionError raised by the shipped definition after `change`."""
    mutated = copy.deepcopy(raw)
    change(mutated)
    with pytest.raises(DefinitionError) as caught:
        parse_lifecycle(mutated, source=SOURCE)
    return str(caught.value)


# ---------------------------------------------------------------- the shipped definition

def test_the_shipped_lifecycle_has_the_six_states_and_the_events_of_the_spec(
        shipped: Lifecycle) -> None:
    assert list(shipped.states) == ["intake", "visited", "registered", "signed", "opened",
                                    "exited"]
    assert list(shipped.events) == ["visit", "register", "sign", "open", "exit",
                                    "equity_change", "address_change", "indicators", "need",
                                    "reactivate"]
    after = [e for e in shipped.events.values() if e.sources == ("opened",)]
    assert [(e.name, e.dest) for e in after] == [
        ("equity_change", "opened"), ("address_change", "opened"), ("indicators", "opened"),
        ("need", "opened")]
    assert shipped.initial == "intake"
    assert shipped.active_states == ("intake", "visited", "registered", "signed", "opened")
    assert set(shipped.categories) == {"tech_transfer", "alumni", "platform"}
    assert set(shipped.groups) == {"platform", "project", "finance", "general"}


def test_every_state_and_event_of_the_shipped_lifecycle_has_both_labels(
        shipped: Lifecycle) -> None:
    labelled = [(s.name, s.label) for s in shipped.states.values()] + [
        (e.name, e.label) for e in shipped.events.values()]
    for name, label in labelled:
        assert label["zh-CN"].strip() and label["en"].strip(), name
    assert shipped.label("intake", "zh-CN") == "已入库·待走访"
    assert shipped.label("exited", "zh-CN") == "已退库"


@pytest.mark.parametrize(("state", "milestone", "months", "days"), [
    ("intake", "intake", 0, 7),
    ("visited", "intake", 1, 0),
    ("registered", "register", 1, 0),
    ("signed", "sign", 1, 0),
])
def test_the_shipped_deadlines_are_those_of_the_spec(
        shipped: Lifecycle, state: str, milestone: str, months: int, days: int) -> None:
    rule = shipped.states[state].deadline
    assert rule is not None
    assert rule.milestone == milestone
    assert (rule.period.months, rule.period.days) == (months, days)
    assert rule.roll_forward


def test_opened_and_exited_have_no_deadline_and_only_exited_is_final(
        shipped: Lifecycle) -> None:
    assert shipped.states["opened"].deadline is None
    assert shipped.states["exited"].deadline is None
    assert [name for name, s in shipped.states.items() if s.final] == ["exited"]


def test_the_shipped_events_have_the_fields_roles_and_sources_of_the_contract(
        shipped: Lifecycle) -> None:
    fields = {name: list(event.fields) for name, event in shipped.events.items()}
    assert fields == {
        "visit": ["visitors", "needs", "team", "technology", "capital", "market"],
        "register": ["company_name", "uscc", "address"],
        "sign": ["agreement_no"],
        "open": ["premises"],
        "exit": ["reason", "note"],
        "equity_change": ["note"],
        "address_change": ["address"],
        "indicators": ["quarter", "revenue", "tax", "rnd", "employees", "ip"],
        "need": ["kind", "note"],
        "reactivate": ["note"],
    }
    assert set(shipped.events["exit"].sources) == set(shipped.active_states)
    assert shipped.events["reactivate"].dest == PREVIOUS
    assert shipped.events["reactivate"].roles == ("leader",)
    for name in ("visit", "register", "sign", "open", "exit"):
        assert set(shipped.events[name].roles) == {"owner", "group", "leader"}, name
    assert list(shipped.events["exit"].fields["reason"].choices) == [
        "relocated", "failed", "not_qualified", "merged", "other"]
    assert list(shipped.events["visit"].fields["needs"].choices) == [
        "funding", "space", "policy", "applications"]


@pytest.mark.parametrize(("total", "stars"), [
    (20, 3), (16, 3), (15, 2), (13, 2), (12, 1), (10, 1), (9, 0), (4, 0)])
def test_the_shipped_star_rule_picks_the_first_threshold_the_total_reaches(
        shipped: Lifecycle, total: int, stars: int) -> None:
    names = shipped.stars.scores
    assert set(names) == {"team", "technology", "capital", "market"}
    scores = dict.fromkeys(names, 1)
    scores[names[0]] = total - (len(names) - 1)
    assert shipped.stars.stars_for(scores) == stars


def test_the_shipped_reminders_go_out_at_nine_three_days_before_and_on_the_due_day(
        shipped: Lifecycle) -> None:
    reminders = shipped.reminders
    assert (reminders.send_hour, reminders.send_minute) == (9, 0)
    assert reminders.before_due_days == (3, 0)
    assert reminders.warning_after_days == 1
    assert reminders.follow_up_every_days == 7


def test_the_shipped_agenda_and_reports_move_to_working_days_and_the_digest_keeps_monday(
        shipped: Lifecycle) -> None:
    reminders = shipped.reminders
    assert reminders.agenda == WeeklySlot(0, 8, 30, working_day=True)
    assert reminders.digest == WeeklySlot(0, 9, 0, working_day=False)
    assert reminders.monthly_report == MonthlySlot(1, 9, 0, working_day=True)
    assert reminders.quarterly_report == MonthlySlot(3, 9, 0, working_day=True)


def test_a_park_can_keep_its_reports_on_the_first_and_its_agenda_on_monday(
        shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["reminders"]["reports_on"] = "first_day"
    raw["reminders"]["agenda"]["day_off"] = "keep"

    reminders = parse_lifecycle(raw, source=SOURCE).reminders

    assert not reminders.agenda.working_day
    assert not reminders.monthly_report.working_day
    assert not reminders.quarterly_report.working_day


def test_an_unchanged_copy_of_the_shipped_file_parses(shipped_raw: dict[str, Any]) -> None:
    lifecycle = parse_lifecycle(copy.deepcopy(shipped_raw), source=SOURCE)
    assert list(lifecycle.states) == list(load_lifecycle().states)


def test_a_file_that_is_not_yaml_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("states: [intake\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.yaml"):
        load_lifecycle(path)


def test_a_missing_file_fails_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"nowhere\.yaml"):
        load_lifecycle(tmp_path / "nowhere.yaml")


# ---------------------------------------------------------------- broken definitions

def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets the value at a dotted path (`events.visit.dest`)."""
    *parents, last = path.split(".")

    def change(raw: dict[str, Any]) -> None:
        node = raw
        for key in parents:
            node = node[key]
        node[last] = value
    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def change(raw: dict[str, Any]) -> None:
        node = raw
        for key in parents:
            node = node[key]
        del node[last]
    return change


def _add_state(name: str) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        raw["states"][name] = {"label": {"zh-CN": "搁置", "en": "Shelved"}}
    return change


def _orphan(state: str) -> Callable[[dict[str, Any]], None]:
    """Remove every event that leads into `state`."""
    def change(raw: dict[str, Any]) -> None:
        raw["events"] = {name: body for name, body in raw["events"].items()
                         if body["dest"] != state}
    return change


BROKEN = [
    # (what is broken, the change, what the message must name)
    ("unknown source state", _set("events.visit.source", "intke"),
     ["events.visit.source", "intke"]),
    ("unknown state in a source list", _set("events.exit.source", ["intake", "gone"]),
     ["events.exit.source", "gone"]),
    ("empty source", _set("events.visit.source", []), ["events.visit.source"]),
    ("unknown dest state", _set("events.visit.dest", "vistied"),
     ["events.visit.dest", "vistied"]),
    ("unknown initial state", _set("initial", "start"), ["initial", "start"]),
    ("unreachable state", _add_state("shelved"), ["shelved", "reached"]),
    ("state left without a way in", _orphan("signed"), ["signed", "reached"]),
    ("missing en state label", _delete("states.visited.label.en"),
     ["states.visited.label", "en"]),
    ("missing zh-CN state label", _delete("states.visited.label.zh-CN"),
     ["states.visited.label", "zh-CN"]),
    ("blank en state label", _set("states.signed.label.en", "  "),
     ["states.signed.label", "en"]),
    ("missing state label", _delete("states.opened.label"), ["states.opened.label"]),
    ("missing en waiting_for", _delete("states.intake.waiting_for.en"),
     ["states.intake.waiting_for", "en"]),
    ("missing en event label", _delete("events.sign.label.en"), ["events.sign.label", "en"]),
    ("missing zh-CN event label", _delete("events.sign.label.zh-CN"),
     ["events.sign.label", "zh-CN"]),
    ("missing en field label", _delete("events.register.fields.uscc.label.en"),
     ["events.register.fields.uscc.label", "en"]),
    ("missing zh-CN choice label", _delete("events.exit.fields.reason.choices.merged.zh-CN"),
     ["events.exit.fields.reason.choices.merged", "zh-CN"]),
    ("missing en category label", _delete("categories.alumni.en"),
     ["categories.alumni", "en"]),
    ("missing zh-CN group label", _delete("groups.finance.zh-CN"),
     ["groups.finance", "zh-CN"]),
    ("missing en milestone label", _delete("milestones.sign.en"), ["milestones.sign", "en"]),
    ("period in weeks", _set("states.intake.deadline.period", "7 weeks"),
     ["states.intake.deadline.period", "7 weeks"]),
    ("period of zero days", _set("states.intake.deadline.period", "0 days"),
     ["states.intake.deadline.period", "0 days"]),
    ("period without a unit", _set("states.visited.deadline.period", 30),
     ["states.visited.deadline.period", "30"]),
    ("negative period", _set("states.visited.deadline.period", "-1 month"),
     ["states.visited.deadline.period"]),
    ("period missing", _delete("states.signed.deadline.period"),
     ["states.signed.deadline.period"]),
    ("unknown milestone in a deadline", _set("states.visited.deadline.from", "vist"),
     ["states.visited.deadline.from", "vist"]),
    ("unknown milestone stamped", _set("events.visit.stamps", "visited"),
     ["events.visit.stamps", "visited"]),
    ("unknown field type", _set("events.visit.fields.team.type", "stars"),
     ["events.visit.fields.team.type", "stars"]),
    ("choices without choices", _delete("events.exit.fields.reason.choices"),
     ["events.exit.fields.reason.choices"]),
    ("star scores naming a text field", _set("stars.scores", ["team", "visitors"]),
     ["stars.scores", "visitors"]),
    ("star scores naming no field", _set("stars.scores", ["team", "charisma"]),
     ["stars.scores", "charisma"]),
    ("star scores empty", _set("stars.scores", []), ["stars.scores"]),
    ("star rule without integers", _set("stars.rules", [{"min_total": "many", "stars": 3}]),
     ["stars.rules[0]"]),
    ("unknown role", _set("events.reactivate.roles", ["boss"]),
     ["events.reactivate.roles"]),
    ("roles not a list", _set("events.reactivate.roles", "leader"),
     ["events.reactivate.roles"]),
    ("no roles", _set("events.reactivate.roles", []), ["events.reactivate.roles"]),
    ("unknown default role", _set("default_roles", ["owner", "everyone"]),
     ["default_roles"]),
    ("send time without a colon", _set("reminders.send_time", "9am"),
     ["reminders.send_time", "9am"]),
    ("send time at 24:00", _set("reminders.send_time", "24:00"),
     ["reminders.send_time", "24:00"]),
    ("send time at minute 60", _set("reminders.send_time", "09:60"),
     ["reminders.send_time", "09:60"]),
    ("unquoted send time (YAML reads 9:00 as 540)", _set("reminders.send_time", 540),
     ["reminders.send_time", "540"]),
    ("unknown follow-up state", _set("reminders.follow_up_states", ["visted"]),
     ["reminders.follow_up_states", "visted"]),
    ("unknown digest weekday", _set("reminders.digest", {"weekday": "moonday", "time": "09:00"}),
     ["reminders.digest.weekday", "moonday"]),
    ("bad agenda time", _set("reminders.agenda", {"weekday": "monday", "time": "8h30"}),
     ["reminders.agenda.time", "8h30"]),
    ("unknown agenda day-off rule", _set("reminders.agenda", {"weekday": "monday",
                                                              "time": "08:30", "day_off": "later"}),
     ["reminders.agenda.day_off", "later"]),
    ("unknown reports day", _set("reminders.reports_on", "last_day"),
     ["reminders.reports_on", "last_day"]),
    ("reminder offsets not integers", _set("reminders.before_due_days", ["three"]),
     ["reminders"]),
    ("state name not an identifier", _add_state("Shelved"), ["states.Shelved"]),
    ("no states", _set("states", {}), ["states"]),
]


@pytest.mark.parametrize(("change", "names"), [pytest.param(change, names, id=what)
                                               for what, change, names in BROKEN])
def test_a_broken_definition_fails_with_a_message_naming_the_place(
        shipped_raw: dict[str, Any], change: Callable[[dict[str, Any]], None],
        names: list[str]) -> None:
    message = broken(shipped_raw, change)
    assert message.startswith(f"{SOURCE}: ")
    for name in names:
        assert name in message


def test_a_broken_file_on_disk_fails_when_loaded(
        shipped_raw: dict[str, Any], tmp_path: Path) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["events"]["visit"]["dest"] = "vistied"
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^park\.yaml: events\.visit\.dest"):
        load_lifecycle(path)


def test_a_park_with_other_rules_edits_the_file_not_the_code(
        shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["states"]["intake"]["deadline"]["period"] = "14 days"
    raw["stars"]["rules"] = [{"min_total": 18, "stars": 1}]
    lifecycle = parse_lifecycle(raw, source=SOURCE)
    rule = lifecycle.states["intake"].deadline
    assert rule is not None and rule.period.days == 14
    assert lifecycle.stars.stars_for(dict.fromkeys(lifecycle.stars.scores, 4)) == 0
    assert lifecycle.stars.stars_for(dict.fromkeys(lifecycle.stars.scores, 5)) == 1


# ---------------------------------------------------------------- the machine and the graph

def test_the_machine_built_from_the_definition_fires_exactly_the_defined_moves(
        shipped: Lifecycle) -> None:
    machine = LifecycleMachine(shipped)
    for state in shipped.states:
        for event, spec in shipped.events.items():
            token = Token(state, exited_from="signed" if state == "exited" else None)
            fired = machine.fire(token, event)
            assert fired == (state in spec.sources), (state, event)
            if fired:
                expected = "signed" if spec.dest == PREVIOUS else spec.dest
                assert token.state == expected
            else:
                assert token.state == state
    assert not machine.fire(Token("intake"), "teleport")


def test_reactivation_is_impossible_without_knowing_the_state_left(
        shipped: Lifecycle) -> None:
    machine = LifecycleMachine(shipped)
    assert not machine.can_fire("exited", "reactivate", exited_from=None)
    assert not machine.fire(Token("exited", exited_from=None), "reactivate")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_mermaid_graph_names_every_state_and_event_with_its_label(
        shipped: Lifecycle, lang: str) -> None:
    graph = LifecycleMachine(shipped).draw_mermaid(lang)
    assert graph.startswith("stateDiagram-v2")
    for name, state in shipped.states.items():
        assert f"{name}: {name} {state.label[lang]}" in graph
    for name, event in shipped.events.items():
        assert f"{name} {event.label[lang]}" in graph
    assert "intake --> visited: visit" in graph
    assert "exited --> signed: reactivate" in graph


def test_parkflow_graph_prints_every_state_and_event() -> None:
    result = subprocess.run([str(PARKFLOW), "graph"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    lifecycle = load_lifecycle()
    for name in [*lifecycle.states, *lifecycle.events]:
        assert name in result.stdout
    assert "已入库·待走访" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_deadline_counted_from_a_date_no_event_sets_is_refused(
        shipped_raw: dict[str, Any]) -> None:
    def never_stamped(raw: dict[str, Any]) -> None:
        raw["states"]["registered"]["deadline"]["from"] = "open"
        del raw["events"]["open"]["stamps"]

    message = broken(shipped_raw, never_stamped)

    assert "states.registered.deadline.from" in message and "“open”" in message
