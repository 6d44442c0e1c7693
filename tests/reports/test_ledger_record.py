"""The project's record in the ledger (台账): its columns read in (labels or keys, each cell
checked by its type), written out as it stands after edits, and read back the same."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from reports.ledger import build_ledger, export_ledger
from reports.ledger_import import import_ledger
from tests.factories import ALICE, LEADER
from workflow.labels import Labels
from workflow.park import Park
from workflow.record import edit_project, project_record
from workflow.views import history

pytestmark = pytest.mark.usefixtures("people")

HEADER = ["项目名称", "类别", "负责人", "入库日期", "联系人", "联系电话", "所属行业", "来源渠道",
          "计划投资（万元）", "团队人数"]


def csv_file(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode("utf-8-sig")


def run(engine: Engine, park: Park, data: bytes) -> Any:
    with writing(engine) as session:
        return import_ledger(session, park, data=data, filename="台账.csv", actor=LEADER,
                             lang="zh-CN")


def test_the_record_columns_are_read_in_by_label_and_kept_on_the_project(
        engine: Engine, live: Park) -> None:
    result = run(engine, live, csv_file([
        ["量子精密测量", "科技成果转化类", ALICE, "2026-11-02", "张伟", "13805511234", "量子科技",
         "校友会", "1,200", "15"]]))
    assert (result.imported, result.problems) == (1, [])
    with reading(engine) as session:
        pid = result.project_ids[0]
        expected = {"contact": "张伟", "phone": "13805511234", "industry": "quantum",
                    "source": "alumni", "investment": 1200, "team_size": 15}
        assert project_record(session, pid) == expected
        intake = history(session, live, pid)[0]
    assert intake["fields"] == {**expected, "imported": True}


def test_bad_record_cells_are_each_reported_by_their_column_and_nothing_is_written(
        engine: Engine, live: Park) -> None:
    result = run(engine, live, csv_file([
        ["甲", "科技成果转化类", ALICE, "2026-11-02", None, "8888", "旅游", None, "-3", "0"]]))
    assert result.imported == 0
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "联系电话"), (2, "所属行业"), (2, "计划投资（万元）"), (2, "团队人数")]
    assert result.problems[2].reason == "计划投资（万元）不能为负数（填写的是 -3）"
    with reading(engine) as session:
        assert build_ledger(session, live, Labels.of(live, "zh-CN")).rows == []


def test_the_export_shows_the_record_as_edited_and_imports_back_the_same(
        engine: Engine, live: Park) -> None:
    result = run(engine, live, csv_file([
        ["量子精密测量", "科技成果转化类", ALICE, "2026-11-02", "张伟", "0551-65321234",
         "quantum", "university", "300.5", "8"]]))
    with writing(engine) as session:
        edit_project(session, live, project_id=result.project_ids[0], actor=ALICE,
                     fields={"contact": "", "industry": "new_energy"})
    labels = Labels.of(live, "zh-CN")
    with reading(engine) as session:
        ledger = build_ledger(session, live, labels)
    record_at = len(ledger.columns) - len(live.lifecycle.project_fields)
    assert ledger.rows[0][record_at:] == [None, "0551-65321234", "新能源", "高校院所", None,
                                          300.5, 8]
    assert [c.header(labels) for c in ledger.columns][record_at:] == [
        "联系人", "联系电话", "所属行业", "来源渠道", "项目简介", "计划投资（万元）", "团队人数"]
    buffer = io.BytesIO()
    export_ledger(buffer, "csv", ledger, labels)
    assert buffer.getvalue().decode("utf-8-sig").splitlines()[1].endswith(
        ",0551-65321234,新能源,高校院所,,300.5,8")
