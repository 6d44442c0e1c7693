"""The definition format: every problem at once with its path, YAML 1.2, the JSON Schema.

Broken definitions are the shipped files, read with yaml, deep-copied and changed, then
validated with `parse_lifecycle` / `parse_approval_policy`; YAML-level behaviour is tested on
files written to a temporary folder and read with `load_lifecycle`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from states.approval import APPROVAL_FILE, approval_schema, parse_approval_policy
from states.check import SCHEMA_FILES, Kind, check_definition_file, schema
from states.definition import (
    LIFECYCLE_FILE,
    DefinitionError,
    load_lifecycle,
    parse_lifecycle,
)
from states.problems import Problem
from states.schema import definition_schema
from states.yaml_core import parse_yaml
from tests.factories import SOURCE

FILES: dict[Kind, Path] = {"lifecycle": LIFECYCLE_FILE, "approval": APPROVAL_FILE}


@pytest.fixture(scope="module")
def approval_raw() -> dict[str, Any]:
    raw = yaml.safe_load(APPROVAL_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def problems_of(raw: dict[str, Any]) -> dict[str, Problem]:
    """The problems parse_lifecycle reports, by path."""
    with pytest.raises(DefinitionError) as caught:
        parse_lifecycle(raw, source=SOURCE)
    return {problem.path: problem for problem in caught.value.problems}


# ---------------------------------------------------------------- every problem, with its path

def test_every_problem_of_a_definition_is_reported_at_once_each_with_its_path(
        shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["states"]["visited"]["deadline"]["period"] = "7 weeks"
    del raw["states"]["signed"]["label"]["en"]
    raw["states"]["intake"]["deadline"]["from"] = "vist"
    raw["events"]["visit"]["dest"] = "vistied"
    raw["events"]["reactivate"]["roles"] = ["boss"]
    raw["reminders"]["send_time"] = "9am"

    with pytest.raises(DefinitionError) as caught:
        parse_lifecycle(raw, source=SOURCE)

    paths = [problem.path for problem in caught.value.problems]
    assert set(paths) >= {"states.visited.deadline.period", "states.signed.label.en",
                          "states.intake.deadline.from", "events.visit.dest",
                          "events.reactivate.roles[0]", "reminders.send_time"}
    lines = str(caught.value).splitlines()
    assert len(lines) == len(paths)
    assert all(line.startswith(f"{SOURCE}: ") for line in lines)


def test_a_problem_carries_a_code_and_the_parameters_of_its_message(
        shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["events"]["visit"]["dest"] = "vistied"
    raw["states"]["intake"]["deadline"]["period"] = "0 days"

    problems = problems_of(raw)

    dest = problems["events.visit.dest"]
    assert (dest.code, dict(dest.params)) == ("unknown_state", {"state": "vistied"})
    assert dest.message("en") == "unknown state “vistied”"
    assert dest.message("zh-CN") == "未知状态“vistied”"
    period = problems["states.intake.deadline.period"]
    assert (period.code, period.params["value"]) == ("bad_period", "0 days")
    assert period.as_json("zh-CN") == {
        "path": "states.intake.deadline.period", "code": "bad_period",
        "message": "周期格式错误：“0 days”（应写作“7 days”“1 month”这样的形式）",
        "params": {"value": "0 days"}}


def test_a_key_that_is_not_part_of_the_format_is_refused(shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["states"]["intake"]["deadline"]["roll_foward"] = False

    problem = problems_of(raw)["states.intake.deadline.roll_foward"]

    assert problem.code == "extra_forbidden"


def test_a_state_that_only_a_typo_cuts_off_is_reported_as_unreachable_too(
        shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    raw["events"]["sign"]["dest"] = "sined"
    raw["states"]["exited"]["label"] = {"zh-CN": "已退库"}  # a broken state does not hide it

    problems = problems_of(raw)

    assert problems["events.sign.dest"].code == "unknown_state"
    assert problems["states.signed"].code == "unreachable"
    assert problems["states.exited.label.en"].code == "missing"


def test_a_choices_field_without_choices_is_refused(shipped_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped_raw)
    del raw["events"]["exit"]["fields"]["reason"]["choices"]

    assert problems_of(raw)["events.exit.fields.reason.choices"].code == "missing_choices"


def test_a_definition_that_is_not_a_mapping_is_one_problem() -> None:
    problems = problems_of(["intake", "visited"])  # type: ignore[arg-type]

    assert list(problems) == [""]
    assert problems[""].message("en") == "expected a mapping"
    assert problems[""].message("zh-CN") == "应为键值映射"


# ---------------------------------------------------------------- YAML 1.2

def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "park.yaml"
    path.write_text(text, encoding="utf-8")
    return path


YAML_11_WORDS = """
name: yes
initial: on
milestones:
  off: {zh-CN: 关, en: off}
states:
  on:
    label: {zh-CN: 开, en: on}
    deadline: {from: off, period: 7 days}
  off:
    label: {zh-CN: 关, en: no}
    final: true
events:
  no:
    label: {zh-CN: 否, en: yes}
    source: on
    dest: off
    stamps: off
"""


def test_on_off_yes_and_no_stay_text_as_ids_and_labels(tmp_path: Path) -> None:
    lifecycle = load_lifecycle(_write(tmp_path, YAML_11_WORDS))

    assert (lifecycle.name, lifecycle.initial) == ("yes", "on")
    assert list(lifecycle.states) == ["on", "off"]
    assert list(lifecycle.milestones) == ["off"]
    assert lifecycle.states["on"].label["en"] == "on"
    assert lifecycle.states["off"].label["en"] == "no"
    assert lifecycle.states["off"].final is True
    event = lifecycle.events["no"]
    assert (event.sources, event.dest, event.stamps, event.label["en"]) == (
        ("on",), "off", "off", "yes")
    rule = lifecycle.states["on"].deadline
    assert rule is not None and rule.milestone == "off"


def test_only_true_and_false_are_booleans(tmp_path: Path) -> None:
    text = YAML_11_WORDS.replace("final: true", "final: yes")

    with pytest.raises(DefinitionError) as caught:
        load_lifecycle(_write(tmp_path, text))

    [problem] = caught.value.problems
    assert (problem.path, problem.code, problem.params["value"]) == (
        "states.off.final", "bool_type", "yes")


def test_a_time_written_without_quotes_is_read_as_a_time(tmp_path: Path) -> None:
    text = YAML_11_WORDS + "reminders: {send_time: 09:30, digest: {weekday: friday, time: 17:00}}\n"

    reminders = load_lifecycle(_write(tmp_path, text)).reminders

    assert (reminders.send_hour, reminders.send_minute) == (9, 30)
    assert (reminders.digest.weekday, reminders.digest.hour) == (4, 17)


@pytest.mark.parametrize(("text", "value"), [
    ("010", 10), ("0o10", 8), ("0x1f", 31), ("-3", -3), ("1.5", 1.5), ("1e3", 1000.0),
    ("null", None), ("~", None), ("", None), ("true", True), ("False", False),
    ("on", "on"), ("off", "off"), ("yes", "yes"), ("no", "no"), ("y", "y"),
    ("9:00", "9:00"), ("2025-01-01", "2025-01-01"), ("1_000", "1_000")])
def test_scalars_are_read_with_the_yaml_1_2_core_schema(text: str, value: Any) -> None:
    assert parse_yaml(f"v: {text}\n") == {"v": value}


def test_a_key_given_twice_is_refused_naming_its_line(tmp_path: Path) -> None:
    text = YAML_11_WORDS.replace("events:\n", "  on: {label: {zh-CN: 又, en: again}}\nevents:\n")

    with pytest.raises(DefinitionError, match=r"^park\.yaml: line 13, .*“on” is given twice"):
        load_lifecycle(_write(tmp_path, text))


def test_a_file_is_read_again_once_it_changed(tmp_path: Path) -> None:
    path = _write(tmp_path, YAML_11_WORDS)
    first = load_lifecycle(path)
    assert load_lifecycle(path) is first  # one object, so one machine, per unchanged file

    path.write_text(YAML_11_WORDS.replace("7 days", "14 days"), encoding="utf-8")
    changed = load_lifecycle(path)

    rule = changed.states["on"].deadline
    assert changed is not first and rule is not None and rule.period.days == 14


# ---------------------------------------------------------------- the approval definition

def test_the_shipped_approval_policy_keeps_its_thresholds_and_pending_states(
        approval_raw: dict[str, Any]) -> None:
    policy = parse_approval_policy(copy.deepcopy(approval_raw))

    assert policy.space_thresholds == {"plant": 0.0, "office": 1000.0, "lab": 1000.0}
    assert policy.pending_states == ("submitted", "resubmitted")
    assert set(policy.kinds) == {"space", "extension", "suspension"}
    assert policy.lifecycle.events["approve"].roles == ("leader",)


def test_every_problem_of_an_approval_definition_is_reported(
        approval_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(approval_raw)
    del raw["kinds"]["suspension"]
    raw["needs_approval"]["space"]["garage"] = 10
    raw["needs_approval"]["space"]["lab"] = -1
    raw["events"]["approve"]["dest"] = "aproved"
    raw["max_extension_days"] = "a year"

    with pytest.raises(DefinitionError) as caught:
        parse_approval_policy(raw, source="approval.yaml")

    codes = {problem.path: problem.code for problem in caught.value.problems}
    assert codes == {"kinds.suspension": "missing_kind",
                     "needs_approval.space.garage": "unknown_space_type",
                     "needs_approval.space.lab": "greater_than_equal",
                     "events.approve.dest": "unknown_state",
                     "states.approved": "unreachable",
                     "max_extension_days": "int_type"}


# ---------------------------------------------------------------- the JSON Schema

@pytest.mark.parametrize("kind", ["lifecycle", "approval"])
def test_the_committed_json_schema_is_the_one_the_models_generate(kind: Kind) -> None:
    committed = json.loads(SCHEMA_FILES[kind].read_text(encoding="utf-8"))
    option = " --approval" if kind == "approval" else ""
    assert committed == schema(kind), (
        f"regenerate it: parkflow definition schema{option} > states/{SCHEMA_FILES[kind].name}")


def test_the_schemas_are_those_of_the_two_formats() -> None:
    assert definition_schema()["title"] == "parkflow lifecycle definition"
    assert approval_schema()["title"] == "parkflow approval definition"
    assert set(approval_schema()["properties"]) > set(definition_schema()["properties"])


@pytest.mark.parametrize("kind", ["lifecycle", "approval"])
def test_the_shipped_definitions_are_valid_for_the_loader_and_for_their_schema(
        kind: Kind) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    assert check_definition_file(FILES[kind]) == []
    raw = parse_yaml(FILES[kind].read_text(encoding="utf-8"))
    assert jsonschema_rs.validator_for(schema(kind)).is_valid(raw)


@pytest.mark.parametrize(("path", "value"), [
    ("states.intake.deadline.period", "7 weeks"),
    ("states.intake.deadline.roll_foward", True),
    ("states.intake.final", "yes"),
    ("events.visit.roles", ["boss"]),
    ("events.visit.source", []),
    ("events.visit.fields.team.type", "stars"),
    ("reminders.send_time", "24:00"),
    ("reminders.digest.weekday", "moonday"),
    ("states.Shelved", {"label": {"zh-CN": "搁置", "en": "Shelved"}}),
    ("milestones.sign", {"zh-CN": "签约", "en": " "}),
])
def test_what_the_loader_refuses_for_its_form_the_schema_refuses_too(
        shipped_raw: dict[str, Any], path: str, value: Any) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    raw = copy.deepcopy(shipped_raw)
    *parents, last = path.split(".")
    node = raw
    for key in parents:
        node = node[key]
    node[last] = value

    assert any(problem.startswith(path) for problem in problems_of(raw))
    assert not jsonschema_rs.validator_for(definition_schema()).is_valid(raw)
