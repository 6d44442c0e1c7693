"""The ledger (台账) export: one row per project as the history tells it, worked out by hand.

The projects are LEDGER_ROAD's (tests/factories.py); NOW is 2026-11-20. Deadlines:
  #1 intake 11-02 + 7 days → 11-09 (a Monday): 11 days overdue on 11-20;
  #2 registered 10-30 + 1 month → 11-30 (a Monday);
  #4 as of 11-03: registered that day, + 1 month → 12-03 (a Thursday).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from db.engine import reading
from reports.ledger import build_ledger, export_ledger
from tests.factories import ALICE, BOB, CAROL, GOOD_USCC, LEADER, D, fire, ledger_projects
from tests.support.after_opening import FIGURES
from workflow.errors import ValidationError
from workflow.labels import Labels
from workflow.park import Park

# after opening (落地后跟踪), at the end: the latest of each event, its date and fields
AFTER_ZH = ["股权变更日期", "变更内容", "注册地变更日期", "新注册地址", "经营指标日期", "季度",
            "营业收入（万元）", "纳税额（万元）", "研发投入（万元）", "从业人数", "新增知识产权",
            "发展需求日期", "需求类型", "需求说明"]
AFTER_EN = ["Equity change date", "What changed", "Address change date",
            "New registered address", "Quarterly indicators date", "Quarter", "Revenue (10k yuan)",
            "Tax paid (10k yuan)", "R&D spending (10k yuan)", "Employees", "New IP",
            "Need date", "Kind of need", "What is needed"]
NO_TRACKING = [None] * len(AFTER_ZH)
# what the due date depends on beyond the dates: a suspension's first day, each stage's changes
CHANGES_ZH = ["暂停起始日期", "期限调整（已入库·待走访）", "期限调整（已走访·待注册）",
              "期限调整（已注册·待签约）", "期限调整（已签约·待开业）"]
CHANGES_EN = ["Suspended since", "Deadline changes (In library · visit due)",
              "Deadline changes (Visited · registration due)",
              "Deadline changes (Registered · signing due)",
              "Deadline changes (Signed · opening due)"]
NO_CHANGES = [None] * len(CHANGES_ZH)
HEADERS_ZH = ["编号", "项目名称", "类别", "负责人", "负责人姓名", "小组", "入库日期", "走访日期",
              "走访人员", "项目需求", "团队人才层次", "技术先进性", "资本市场认可度", "市场前景",
              "注册日期",
              "公司名称", "统一社会信用代码", "注册地址", "签约日期", "协议编号", "开业日期",
              "经营场所", "退库日期", "退库原因", "说明", "星级", "当前状态", "截止日期",
              "逾期天数", *CHANGES_ZH, *AFTER_ZH, "联系人", "联系电话", "所属行业", "来源渠道",
              "项目简介", "计划投资（万元）", "团队人数"]
HEADERS_EN = ["ID", "Project name", "Category", "Owner", "Owner's name", "Group", "Intake date",
              "Visit date", "Visitors", "Needs", "Team & talent", "Technology advancement",
              "Capital-market recognition", "Market prospects", "Register date",
              "Company name", "Unified social credit code", "Registered address", "Sign date",
              "Agreement number", "Open date", "Premises", "Exit date", "Reason", "Note",
              "Stars", "Current state", "Due date", "Days overdue", *CHANGES_EN, *AFTER_EN,
              "Contact person", "Contact phone", "Industry", "Source channel", "Description",
              "Planned investment (10k CNY)", "Team size"]
ADDRESS = "合肥市高新区望江西路 800 号"
NOTHING_YET = [None] * 18  # the five events' dates and fields
NO_RECORD = [None] * 7  # the project's own fields, none given
NOTHING_AFTER = [*NO_CHANGES, *NO_TRACKING, *NO_RECORD]  # after the derived columns
ROWS_ON_11_20: list[list[Any]] = [
    [1, "量子精密测量", "科技成果转化类", ALICE, "李爱丽", "项目组", D("2026-11-02"), *NOTHING_YET,
     None, "已入库·待走访", D("2026-11-09"), 11, *NOTHING_AFTER],
    [2, "合肥量测芯片", "校友产业化类", BOB, "赵博", "投融资组", D("2026-10-12"),
     D("2026-10-15"), "张三、李四", "资金、空间", 4, 5, 3, 4, D("2026-10-30"),
     "合肥量测科技有限公司", GOOD_USCC,
     ADDRESS, *[None] * 7, 3, "已注册·待签约", D("2026-11-30"), None, *NOTHING_AFTER],
    [3, "迁出项目", "创新平台类", ALICE, "李爱丽", "项目组", D("2026-11-02"),
     D("2026-11-05"), "张三、李四", "资金、空间", 4, 4, 4, 3, *[None] * 8, D("2026-11-19"),
     "迁往他处",
     "迁往苏州", 2, "已退库", None, None, *NOTHING_AFTER],
    [4, "已开业项目", "科技成果转化类", CAROL, "陈卡罗", "项目组", D("2026-11-01"),
     D("2026-11-02"), "张三、李四", "资金、空间", 4, 4, 4, 3, D("2026-11-03"),
     "合肥已开业科技有限公司",
     "91340100MA2N00001Q", ADDRESS, D("2026-11-04"), "HT-1", D("2026-11-05"), "A3 栋",
     None, None, None, 2, "已开业", None, None, *NOTHING_AFTER],
]


@pytest.fixture
def ledger_ids(engine: Engine, live: Park, people: dict[str, str]) -> list[int]:
    return ledger_projects(engine, live)


def rows(engine: Engine, park: Park, lang: str = "zh-CN", **options: Any) -> list[list[Any]]:
    with reading(engine) as session:
        return build_ledger(session, park, Labels.of(park, lang), **options).rows


def xlsx(engine: Engine, park: Park, lang: str = "zh-CN", **options: Any) -> bytes:
    labels = Labels.of(park, lang)
    with reading(engine) as session:
        ledger = build_ledger(session, park, labels, **options)
    buffer = io.BytesIO()
    export_ledger(buffer, "xlsx", ledger, labels)
    return buffer.getvalue()


def as_days(values: list[Any]) -> list[Any]:
    return [v.date() if isinstance(v, datetime) else v for v in values]


def test_the_ledger_has_a_row_per_project_with_every_field_its_events_recorded(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    assert ledger_ids == [1, 2, 3, 4]
    assert rows(engine, live) == ROWS_ON_11_20


def test_an_opened_project_shows_its_latest_figures_and_the_other_events_after_opening(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    q2 = {"quarter": "2026-Q2", "revenue": "900", "tax": "60", "rnd": "200", "employees": "40",
          "ip": "1"}
    fire(engine, live, 4, "indicators", CAROL, at="2026-11-10", fields=q2)
    fire(engine, live, 4, "indicators", CAROL, at="2026-11-12", fields=FIGURES)
    fire(engine, live, 4, "need", CAROL, at="2026-11-13",
         fields={"kind": "funding", "note": "B 轮融资"})
    after = len(ROWS_ON_11_20[0]) - len(NOTHING_AFTER) + len(NO_CHANGES)  # the tracking columns
    assert rows(engine, live)[3][after:after + len(AFTER_ZH)] == [
        None, None, None, None, D("2026-11-12"), "2026-Q3", 1250.5, 80, 300, 46, 3,
        D("2026-11-13"), "再融资", "B 轮融资"]


def test_the_workbook_reads_back_with_headers_frozen_fitted_and_real_dates(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    book = load_workbook(io.BytesIO(xlsx(engine, live)))
    sheet = book.active
    assert sheet.title == "台账"
    assert sheet.freeze_panes == "A2"  # the header row
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS_ZH
    assert [as_days(list(v)) for v in values[1:]] == ROWS_ON_11_20
    intake = sheet["G2"]
    assert intake.is_date and intake.value == datetime(2026, 11, 2)
    assert intake.number_format == "yyyy-mm-dd"
    assert sheet["K3"].data_type == "n" and sheet["Q3"].data_type == "s"  # score, credit code
    widths = {c: sheet.column_dimensions[c].width for c in ("A", "B", "R", "AB")}
    assert widths["A"] < widths["B"] < widths["R"]  # 编号 < 项目名称 < 注册地址
    assert widths["AB"] >= 10  # a date fits


def test_an_english_reader_gets_english_headers_and_labels(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    values = list(load_workbook(io.BytesIO(xlsx(engine, live, "en"))).active.iter_rows(
        values_only=True))
    assert list(values[0]) == HEADERS_EN
    assert as_days(list(values[2]))[:10] == [2, "合肥量测芯片", "Alumni industrialisation", BOB,
                                            "赵博", "Investment & financing group",
                                            D("2026-10-12"), D("2026-10-15"), "张三, 李四",
                                            "funding, space"]
    assert values[3][22:27] == (datetime(2026, 11, 19), "relocated elsewhere", "迁往苏州", 2,
                                "Exited")


def test_the_csv_is_utf8_with_a_bom_and_iso_dates(engine: Engine, live: Park,
                                                   ledger_ids: list[int]) -> None:
    labels = Labels.of(live, "zh-CN")
    with reading(engine) as session:
        ledger = build_ledger(session, live, labels)
    buffer = io.BytesIO()
    export_ledger(buffer, "csv", ledger, labels)
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADERS_ZH)
    assert lines[1] == "1,量子精密测量,科技成果转化类,alice@park.test,李爱丽,项目组,2026-11-02," \
                       + "," * 19 + "已入库·待走访,2026-11-09,11" + "," * len(NOTHING_AFTER)


def test_the_state_filter_keeps_the_projects_in_that_state(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    assert rows(engine, live, state="registered") == [ROWS_ON_11_20[1]]
    assert rows(engine, live, state="signed") == []
    with pytest.raises(ValidationError) as refused:
        rows(engine, live, state="visted")
    assert refused.value.field == "state"


@pytest.mark.parametrize("named", ["已注册·待签约", "Registered · signing due", "已注册 · 待签约"])
def test_the_state_filter_takes_the_label_its_error_offers_in_either_language(
        engine: Engine, live: Park, ledger_ids: list[int], named: str) -> None:
    assert rows(engine, live, state=named) == [ROWS_ON_11_20[1]]


def test_as_of_a_day_the_ledger_stands_as_the_history_had_it_at_its_end(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    on_11_03 = rows(engine, live, as_of=date(2026, 11, 3))
    first, registered, exited, opened = ROWS_ON_11_20
    assert on_11_03 == [
        [*first[:28], None, *NOTHING_AFTER],  # due 11-09: not yet overdue
        registered,
        [*exited[:7], *NOTHING_YET, None, "已入库·待走访", D("2026-11-09"), None, *NOTHING_AFTER],
        [*opened[:18], *[None] * 7, 2, "已注册·待签约", D("2026-12-03"), None, *NOTHING_AFTER],
    ]
    assert [row[0] for row in rows(engine, live, as_of=date(2026, 10, 20))] == [2]
    assert rows(engine, live, as_of=date(2026, 10, 11)) == []


def test_a_ledger_of_tomorrow_is_refused(engine: Engine, live: Park,
                                         ledger_ids: list[int]) -> None:
    with pytest.raises(ValidationError) as refused:
        rows(engine, live, as_of=date(2026, 11, 21))
    assert (refused.value.code, refused.value.field) == ("in_future", "as_of")


def test_an_exit_undone_by_reactivation_leaves_the_ledger(
        engine: Engine, live: Park, ledger_ids: list[int]) -> None:
    fire(engine, live, 3, "reactivate", LEADER, at="2026-11-20")
    row = rows(engine, live)[2]
    assert row[22:29] == [None, None, None, 2, "已走访·待注册", D("2026-12-02"), None]
