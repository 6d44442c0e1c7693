"""The fields of each event, through the use cases, on both databases: every required field,
scores, choices and credit codes are checked and named when wrong (and nothing changes), and
the history keeps them normalised; the star rating follows the four scores.

Every test works on a project of its own, so one database per backend serves the whole module.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from states.definition import load_lifecycle
from tests.factories import (
    EVENTS,
    GOOD_USCC,
    SOURCE_OF,
    VALID,
    bring_to,
    fire,
    history_rows,
    new_project,
    refused_event,
    snapshot,
)
from workflow.errors import InvalidFields, ValidationError
from workflow.fields import validate_fields
from workflow.park import Park

# ---------------------------------------------------------------- one database per backend

@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    """One database per backend serves the module: every test has a project of its own."""
    return module_engine


@pytest.fixture
def people(module_people: dict[str, str]) -> dict[str, str]:
    return module_people


# ---------------------------------------------------------------- fields

REQUIRED = [(event, name) for event, fields in VALID.items() for name in fields]


@pytest.mark.parametrize(("event", "missing"), REQUIRED)
def test_every_required_field_is_named_when_missing_and_nothing_is_written(
        engine: Engine, park: Park, people: dict[str, str], event: str, missing: str) -> None:
    project_id = bring_to(engine, park, people, SOURCE_OF[event])
    actor = people["leader"]
    fields = {k: v for k, v in VALID[event].items() if k != missing}
    error = refused_event(engine, park, project_id, event, actor, ValidationError, fields=fields)
    assert error.exit_code == 2
    assert error.field == missing
    labels = park.lifecycle.events[event].fields[missing].label
    assert error.message("zh-CN") == f"缺少字段：{labels['zh-CN']}"
    assert error.message("en") == f"Missing field: {labels['en']}"
    blank = {**VALID[event], missing: "   "}
    assert refused_event(engine, park, project_id, event, actor, ValidationError,
                         fields=blank).field == missing


SCORES = ["team", "technology", "capital", "market"]


@pytest.mark.parametrize("value", [0, 6, "0", "6", "4.5", "x", True, False, 4.5, -1, "-1"])
def test_a_score_outside_1_to_5_or_not_an_integer_is_refused_for_each_dimension(
        engine: Engine, park: Park, people: dict[str, str], value: Any) -> None:
    project_id = new_project(engine, park, people["alice"])
    for score in SCORES:
        error = refused_event(engine, park, project_id, "visit", people["alice"], ValidationError,
                              fields={**VALID["visit"], score: value})
        assert error.field == score
        assert error.exit_code == 2
        label = park.lifecycle.events["visit"].fields[score].label
        assert error.message("en").lower().startswith(label["en"])
        assert error.message("zh-CN").startswith(label["zh-CN"])


@pytest.mark.parametrize("value", [1, 5, "1", " 5 "])
def test_scores_of_1_and_5_are_accepted(
        engine: Engine, park: Park, people: dict[str, str], value: Any) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"],
         fields={**VALID["visit"], "team": value})
    assert history_rows(engine, project_id)[-1]["fields"]["team"] == int(value)


@pytest.mark.parametrize(("event", "name", "value"), [
    ("visit", "needs", "funding,money"),
    ("visit", "needs", "fundings"),
    ("visit", "needs", ","),
    ("exit", "reason", "bankrupt"),
    ("exit", "reason", "failed,merged"),  # one reason, not a set
    ("visit", "visitors", " , ，"),
])
def test_a_choice_outside_the_definition_is_refused(
        engine: Engine, park: Park, people: dict[str, str], event: str, name: str,
        value: str) -> None:
    project_id = new_project(engine, park, people["alice"])
    error = refused_event(engine, park, project_id, event, people["alice"], ValidationError,
                          fields={**VALID[event], name: value})
    assert error.field == name


def test_needs_are_stored_once_each_in_the_definition_order(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"],
         fields={**VALID["visit"], "needs": "policy，funding、policy"})
    assert history_rows(engine, project_id)[-1]["fields"]["needs"] == ["funding", "policy"]


def test_a_choice_may_be_given_by_its_label_in_either_language(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    # an error offers the labels (可选：资金、空间…): what it offers must be accepted
    project_id = new_project(engine, park, people["alice"])
    fire(engine, park, project_id, "visit", people["alice"],
         fields={**VALID["visit"], "needs": "政策、Project Applications，资金"})
    assert history_rows(engine, project_id)[-1]["fields"]["needs"] == [
        "funding", "policy", "applications"]


def test_a_credit_code_typed_in_full_width_is_the_code(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    # a Chinese input method in full-width mode types ９１３５…
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GOOD_USCC)
    project_id = bring_to(engine, park, people, "visited")
    fire(engine, park, project_id, "register", people["alice"],
         fields={**VALID["register"], "uscc": full_width})
    assert history_rows(engine, project_id)[-1]["fields"]["uscc"] == GOOD_USCC


@pytest.mark.parametrize(("uscc", "code"), [
    ("91350100M000100Y4", "uscc_length"),
    ("91350100M000100Y433", "uscc_length"),
    ("", "required"),
    *[(GOOD_USCC[:8] + char + GOOD_USCC[9:], "uscc_charset") for char in "IOSVZ"],
    ("91350100M000100Y4-", "uscc_charset"),
    ("91350100M000100Y44", "uscc_check"),
    ("91350100M000100Y4A", "uscc_check"),
    ("91350100M000100X43", "uscc_check"),
])
def test_a_credit_code_with_a_wrong_length_character_or_check_digit_is_refused(
        engine: Engine, park: Park, people: dict[str, str], uscc: str, code: str) -> None:
    project_id = bring_to(engine, park, people, "visited")
    error = refused_event(engine, park, project_id, "register", people["alice"], ValidationError,
                          fields={**VALID["register"], "uscc": uscc})
    assert error.field == "uscc"
    assert error.code == code


@pytest.mark.parametrize("uscc", ["914403001922038216", "91440300708461136T"])
def test_real_credit_codes_are_accepted(
        engine: Engine, park: Park, people: dict[str, str], uscc: str) -> None:
    project_id = bring_to(engine, park, people, "visited")
    fire(engine, park, project_id, "register", people["alice"],
         fields={**VALID["register"], "uscc": uscc})
    assert history_rows(engine, project_id)[-1]["fields"]["uscc"] == uscc


def test_a_lower_case_credit_code_with_a_right_check_digit_is_stored_upper_case(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = bring_to(engine, park, people, "visited")
    fire(engine, park, project_id, "register", people["alice"],
         fields={**VALID["register"], "uscc": " 91350100m000100y43 "})
    assert history_rows(engine, project_id)[-1]["fields"]["uscc"] == GOOD_USCC


@pytest.mark.parametrize("event", EVENTS)
def test_a_field_the_event_does_not_take_is_refused_by_name(
        engine: Engine, park: Park, people: dict[str, str], event: str) -> None:
    project_id = bring_to(engine, park, people, SOURCE_OF[event])
    error = refused_event(engine, park, project_id, event, people["leader"], ValidationError,
                          fields={**VALID[event], "colour": "red"})
    assert error.field == "colour"


# ---------------------------------------------------------------- stars

@pytest.mark.parametrize(("scores", "stars"), [
    ((5, 5, 5, 5), 3),
    ((4, 4, 4, 4), 3),  # 16
    ((4, 4, 4, 3), 2),  # 15
    ((4, 3, 3, 3), 2),  # 13
    ((3, 3, 3, 3), 1),  # 12
    ((4, 4, 1, 1), 1),  # 10
    ((3, 3, 2, 1), 0),  # 9
    ((1, 1, 1, 1), 0),
])
def test_the_star_rating_follows_the_total_of_the_four_scores(
        engine: Engine, park: Park, people: dict[str, str], scores: tuple[int, ...],
        stars: int) -> None:
    project_id = new_project(engine, park, people["alice"])
    fields = {**VALID["visit"], **dict(zip(("team", "technology", "capital", "market"),
                                           map(str, scores), strict=True))}
    fire(engine, park, project_id, "visit", people["alice"], fields=fields)
    assert snapshot(engine, project_id).stars == stars


def test_the_star_rating_survives_the_later_events(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = bring_to(engine, park, people, "opened")
    assert snapshot(engine, project_id).stars == 3  # 4+5+3+4 = 16


def test_every_missing_or_bad_field_of_an_event_is_reported_at_once() -> None:
    visit = load_lifecycle().events["visit"]
    with pytest.raises(InvalidFields) as refused:
        validate_fields(visit, {"visitors": "王建国", "team": "7", "capital": "4",
                                "market": "4"})
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("required", "needs"), ("not_a_score", "team"), ("required", "technology")]
    assert (refused.value.code, refused.value.field) == ("required", "needs")  # the first
    message = refused.value.message("zh-CN")
    assert "\n" not in message  # one line, for the command line
    assert message.startswith("缺少字段：项目需求；") and "缺少字段：技术先进性" in message


def test_a_single_bad_field_is_a_plain_validation_error() -> None:
    visit = load_lifecycle().events["visit"]
    with pytest.raises(ValidationError) as refused:
        validate_fields(visit, {"visitors": "王建国", "needs": "funding", "team": "4",
                                "technology": "5", "capital": "4"})
    assert not isinstance(refused.value, InvalidFields)
    assert refused.value.message("zh-CN") == "缺少字段：市场前景"
