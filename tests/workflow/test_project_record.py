"""The project's own record: set at intake, checked by its types, edited with history, and
one project per name and per credit code unless a duplicate is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from tests.factories import ALICE, BOB, GOOD_USCC, LEADER, REGISTER, VALID
from tests.support.checks import refused
from workflow.errors import Conflict, NotPermitted, ValidationError
from workflow.fields import validate_record
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.record import edit_project, project_record
from workflow.views import history

pytestmark = pytest.mark.usefixtures("people")

RECORD = {"contact": "张伟", "phone": "138 0551 1234", "industry": "quantum",
          "source": "university", "description": "量子精密测量仪器", "investment": "1500.5",
          "team_size": "12"}


def _add(engine: Engine, park: Park, name: str = "量子精密测量仪器", **kwargs: Any) -> int:
    with writing(engine) as session:
        return add_project(session, park, name=name, category="tech_transfer", owner=ALICE,
                           actor=ALICE, intake="2026-11-16", **kwargs).id


def test_the_record_set_at_intake_is_kept_on_the_project_and_in_the_intake_entry(
        engine: Engine, park: Park) -> None:
    project_id = _add(engine, park, record=RECORD)
    expected = {"contact": "张伟", "phone": "13805511234", "industry": "quantum",
                "source": "university", "description": "量子精密测量仪器",
                "investment": 1500.5, "team_size": 12}
    with reading(engine) as session:
        assert project_record(session, project_id) == expected
        assert history(session, park, project_id)[0]["fields"] == expected


@pytest.mark.parametrize(("field", "value", "code"), [
    ("phone", "12345678901", "bad_phone"),
    ("phone", "0551-6532", "bad_phone"),
    ("industry", "tourism", "bad_choice"),
    ("investment", "-1", "negative"),
    ("investment", "many", "not_a_number"),
    ("team_size", "0", "not_a_positive_count"),
    ("team_size", "2.5", "not_a_positive_count"),
    ("colour", "red", "unknown_record_field"),
])
def test_a_bad_record_field_is_refused_by_name_with_nothing_written(
        engine: Engine, park: Park, field: str, value: str, code: str) -> None:
    error = refused(engine, ValidationError, field, add_project, park, name="甲",
                    category="alumni", owner=ALICE, actor=ALICE, record={field: value})
    assert error.code == code
    labels = Labels.of(park, "zh-CN")
    if field != "colour":
        assert error.message("zh-CN", labels).startswith(labels.record_field(field))


@pytest.mark.parametrize("phone", ["13805511234", "0551-65321234", "055165321234",
                                   "010-12345678", "+86 139 1234 5678"])
def test_mobile_and_landline_numbers_are_taken(park: Park, phone: str) -> None:
    assert validate_record(park.lifecycle.project_fields, {"phone": phone})["phone"]


def test_the_negative_investment_message_names_the_field_in_both_languages(
        park: Park) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_record(park.lifecycle.project_fields, {"investment": "-5"})
    assert caught.value.message("zh-CN", Labels.of(park, "zh-CN")) == \
        "计划投资（万元）不能为负数（填写的是 -5）"
    assert caught.value.message("en", Labels.of(park, "en")) == \
        "Planned investment (10k CNY) must not be negative (it was -5)"


def test_an_edit_changes_the_record_and_keeps_old_and_new_in_the_history(
        engine: Engine, park: Park) -> None:
    project_id = _add(engine, park, record={"industry": "quantum", "team_size": "12"})
    with writing(engine) as session:
        changes = edit_project(session, park, project_id=project_id, actor=ALICE,
                               fields={"industry": "new_energy", "team_size": "12",
                                       "contact": "王芳"})
    assert changes == {"industry": {"from": "quantum", "to": "new_energy"},
                       "contact": {"from": None, "to": "王芳"}}
    with reading(engine) as session:
        assert project_record(session, project_id) == {
            "industry": "new_energy", "team_size": 12, "contact": "王芳"}
        entry = history(session, park, project_id)[-1]
    assert (entry["event"], entry["from"], entry["to"], entry["actor"]) == (
        "edit", "intake", "intake", ALICE)
    assert Labels.of(park, "zh-CN").fields_line("edit", entry["fields"]) == \
        "联系人 — → 王芳 · 所属行业 量子科技 → 新能源"
    assert Labels.of(park, "en").fields_line("edit", entry["fields"]) == \
        "contact person — → 王芳 · industry quantum technology → new energy"


def test_an_edit_without_a_change_or_by_an_outsider_is_refused(
        engine: Engine, park: Park) -> None:
    project_id = _add(engine, park, record={"industry": "quantum"})
    error = refused(engine, ValidationError, "set", edit_project, park,
                    project_id=project_id, actor=ALICE, fields={"industry": "quantum"})
    assert error.code == "no_change"
    refused(engine, NotPermitted, "by", edit_project, park, project_id=project_id,
            actor=BOB, fields={"industry": "biomedicine"})
    refused(engine, ValidationError, "phone", edit_project, park, project_id=project_id,
            actor=LEADER, fields={"phone": "110"})


def test_a_second_project_of_the_same_name_is_refused_naming_the_first(
        engine: Engine, park: Park) -> None:
    first = _add(engine, park)
    error = refused(engine, Conflict, "name", add_project, park, name=" 量子精密测量仪器 ",
                    category="alumni", owner=ALICE, actor=ALICE)
    assert error.message("zh-CN", Labels.of(park, "zh-CN")) == \
        f"已存在同名项目 #{first} 量子精密测量仪器"
    second = _add(engine, park, allow_duplicate=True)
    assert second != first


def test_a_rename_to_a_name_another_project_holds_is_refused_unless_allowed(
        engine: Engine, park: Park) -> None:
    first = _add(engine, park)
    other = _add(engine, park, name="另一个项目")
    refused(engine, Conflict, "name", edit_project, park, project_id=other, actor=ALICE,
            fields={"name": "量子精密测量仪器"})
    with writing(engine) as session:
        edit_project(session, park, project_id=other, actor=ALICE,
                     fields={"name": "量子精密测量仪器"}, allow_duplicate=True)
    assert first != other


def test_a_credit_code_another_project_holds_is_refused_at_register_unless_allowed(
        engine: Engine, park: Park) -> None:
    ids = [_add(engine, park, name=name) for name in ("甲项目", "乙项目")]
    for project_id in ids:
        with writing(engine) as session:
            advance(session, park, project_id=project_id, event="visit", actor=ALICE,
                    at="2026-11-17", fields=VALID["visit"])
    with writing(engine) as session:
        advance(session, park, project_id=ids[0], event="register", actor=ALICE,
                at="2026-11-18", fields=REGISTER)
    error = refused(engine, Conflict, "uscc", advance, park, project_id=ids[1],
                    event="register", actor=ALICE, at="2026-11-18", fields=REGISTER)
    assert error.message("zh-CN", Labels.of(park, "zh-CN")) == \
        f"统一社会信用代码 {GOOD_USCC} 已被项目 #{ids[0]} 甲项目使用"
    with writing(engine) as session:
        advance(session, park, project_id=ids[1], event="register", actor=ALICE,
                at="2026-11-18", fields=REGISTER, allow_duplicate=True)
