"""`parkflow project add --set`, `project edit` and `--allow-duplicate`: the record from the
command line, refusals naming the field with nothing written, duplicates exit 5."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.factories import ALICE, BOB, LEADER, REGISTER, VALID
from tests.support.checks import fingerprint
from tests.support.command import Cli, assert_error, sets

pytestmark = pytest.mark.usefixtures("people")

ADD = ["project", "add", "量子精密测量仪器", "--category", "tech_transfer", "--owner", ALICE,
       "--by", ALICE]


def test_a_project_is_added_with_its_record_and_shows_it(cli: Cli) -> None:
    # a choice by its label (新能源, as the errors offer it) or its key; the key is kept
    added = cli(*ADD, *sets({"contact": "张伟", "phone": "0551-65321234",
                             "industry": "新能源", "source": "university",
                             "investment": "300", "team_size": "8"}), "--json")
    assert added.code == 0, added
    assert added.json()["record"] == {"contact": "张伟", "phone": "0551-65321234",
                                      "industry": "new_energy", "source": "university",
                                      "investment": 300, "team_size": 8}
    shown = cli("project", "show", str(added.json()["id"])).out
    assert "所属行业：新能源" in shown and "来源渠道：高校院所" in shown


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "1234567", "联系电话：“1234567”不是有效的手机号"),
    ("industry", "tourism", "所属行业的取值“tourism”无效"),
    ("investment", "-10", "计划投资（万元）不能为负数（填写的是 -10）"),
])
def test_a_bad_record_field_is_refused_naming_it_with_nothing_written(
        cli: Cli, engine: Engine, field: str, value: str, message: str) -> None:
    before = fingerprint(engine)
    refused = cli(*ADD, "--set", f"{field}={value}", "--json")
    assert_error(refused, 2, "invalid", field)
    assert message in refused.err
    assert fingerprint(engine) == before


def test_an_edit_is_a_history_entry_with_old_and_new_values(cli: Cli) -> None:
    pid = cli(*ADD, "--set", "industry=quantum").out.strip()
    edited = cli("project", "edit", pid, "--by", ALICE, "--set", "industry=biomedicine",
                 "--set", "team_size=5")
    assert edited.code == 0, edited
    assert "所属行业 量子科技 → 生物医药" in edited.out
    history = cli("project", "history", pid, "--json").json()
    assert history[-1]["event"] == "edit"
    assert history[-1]["fields"] == {"industry": {"from": "quantum", "to": "biomedicine"},
                                     "team_size": {"from": None, "to": 5}}
    table = cli("project", "history", pid).out  # a table: its cells may wrap
    assert "修改" in table and "团队人数 — → 5" in table and "生物医药" in table
    other_group = cli("project", "edit", pid, "--by", BOB, "--set", "contact=赵六", "--json")
    assert_error(other_group, 3, "not_permitted", "by")


def test_a_second_project_of_a_name_exits_5_naming_the_first_unless_allowed(cli: Cli) -> None:
    first = cli(*ADD).out.strip()
    again = cli(*ADD, "--json")
    assert_error(again, 5, "conflict", "name")
    assert f"已存在同名项目 #{first} 量子精密测量仪器" in again.err
    allowed = cli(*ADD, "--allow-duplicate")
    assert allowed.code == 0 and allowed.out.strip() != first


def test_a_credit_code_another_project_holds_exits_5_at_register_unless_allowed(
        cli: Cli) -> None:
    ids = [cli("project", "add", name, "--category", "alumni", "--owner", ALICE, "--by",
               ALICE, "--intake-date", "2026-11-10").out.strip() for name in ("甲", "乙")]
    for pid in ids:
        assert cli("project", "advance", pid, "visit", "--by", ALICE, "--at", "2026-11-11",
                   *sets(VALID["visit"])).code == 0
    assert cli("project", "advance", ids[0], "register", "--by", ALICE, "--at",
               "2026-11-12", *sets(REGISTER)).code == 0
    refused = cli("project", "advance", ids[1], "register", "--by", ALICE, "--at",
                  "2026-11-12", *sets(REGISTER), "--json")
    assert_error(refused, 5, "conflict", "uscc")
    assert f"已被项目 #{ids[0]} 甲使用" in refused.err
    assert cli("project", "advance", ids[1], "register", "--by", ALICE, "--at", "2026-11-12",
               *sets(REGISTER), "--allow-duplicate").code == 0


def test_an_import_of_a_project_the_library_has_exits_5_unless_duplicates_are_allowed(
        cli: Cli, engine: Engine, tmp_path: Path) -> None:
    first = cli(*ADD).out.strip()
    ledger = tmp_path / "台账.csv"
    ledger.write_text("项目名称,类别,负责人,入库日期,所属行业\n"
                      f"量子精密测量仪器,alumni,{ALICE},2026-11-02,量子科技\n",
                      encoding="utf-8-sig")
    before = fingerprint(engine)
    refused = cli("import", str(ledger), "--by", LEADER, "--json")
    assert refused.code == 5, refused
    assert refused.json()["problems"][0]["reason"] == \
        f"项目名称：“量子精密测量仪器”已在项目库中：项目 #{first} 量子精密测量仪器"
    assert fingerprint(engine) == before
    allowed = cli("import", str(ledger), "--by", LEADER, "--allow-duplicate", "--json")
    assert (allowed.code, allowed.json()["imported"]) == (0, 1), allowed
