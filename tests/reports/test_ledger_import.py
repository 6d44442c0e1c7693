"""Bringing a ledger (台账) in: every problem of every row, all or nothing, a true history.

NOW is 2026-11-20 10:00 (a Friday). A row's dates become events at the start of their day
in park time, recorded now by the person importing and marked imported; deadlines count
from them; reminders are planned only for what is still ahead.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import Engine, func, select

from db.engine import reading, writing
from db.models import OutboxMessage, Project, ProjectEvent
from reports.ledger_import import ImportResult, import_ledger
from states.definition import LIFECYCLE_FILE, load_lifecycle
from tests.factories import (
    ALICE,
    BOB,
    CAROL,
    GOOD_USCC,
    LEADER,
    NOW,
    PARK_TZ,
    history_rows,
    moments,
    seed_project,
    snapshot,
)
from workflow.clock import FixedClock
from workflow.errors import NotPermitted
from workflow.park import Park

HEADER = ["项目名称", "类别", "负责人", "入库日期", "走访日期", "走访人员", "项目需求",
          "团队人才层次", "技术先进性", "资本市场认可度", "市场前景", "注册日期", "公司名称",
          "统一社会信用代码", "注册地址", "退库日期", "退库原因", "说明"]
VISITED = {"走访日期": "2026-11-05", "走访人员": "张三、李四", "项目需求": "资金、空间",
           "团队人才层次": 4, "技术先进性": 4, "资本市场认可度": 4, "市场前景": 3}
REGISTERED = {"注册日期": "2026-11-10", "公司名称": "合肥量测科技有限公司",
              "统一社会信用代码": GOOD_USCC, "注册地址": "合肥市高新区望江西路 800 号"}


def line(name: str | None, **cells: Any) -> list[Any]:
    """A row of HEADER: a project of alice's taken in on 11-02, with `cells` (by header)."""
    values = {"项目名称": name, "类别": "科技成果转化类", "负责人": ALICE,
              "入库日期": "2026-11-02", **cells}
    return [values.get(header) for header in HEADER]


def csv_file(rows: list[list[Any]], encoding: str = "utf-8-sig",
             header: list[str] = HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode(encoding)


def xlsx_file(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    """A workbook as people keep it: dates as date cells, scores as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet, day = book.add_worksheet("项目库"), book.add_format({"num_format": "yyyy/m/d"})
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def run(engine: Engine, park: Park, data: bytes, filename: str = "台账.csv", *,
        actor: str = LEADER, dry_run: bool = False, lang: str = "zh-CN") -> ImportResult:
    with writing(engine) as session:
        return import_ledger(session, park, data=data, filename=filename, actor=actor,
                             lang=lang, dry_run=dry_run)


def counts(engine: Engine) -> tuple[int, int, int]:
    """Projects, history entries and outbox rows: what an import must not touch when refused."""
    with reading(engine) as session:
        return tuple(session.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (Project, ProjectEvent, OutboxMessage))  # type: ignore[return-value]


def problems(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in result.problems]


# ---------------------------------------------------------------- refused, every problem

def test_ten_broken_rows_are_each_reported_and_nothing_is_written(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    seed_project(engine, live, ALICE, intake="2026-11-02")  # 量子精密测量
    before = counts(engine)
    rows = [
        line("坏日期项目", 入库日期="2026-13-01"),
        line("未知类别项目", 类别="生物医药类"),
        line("坏信用代码项目", **VISITED,
             **{**REGISTERED, "统一社会信用代码": GOOD_USCC[:-1] + "4"}),
        line("七分项目", **{**VISITED, "团队人才层次": 7}),
        line(None),
        line("无人负责项目", 负责人="nobody@park.test"),
        line("颠倒项目", **{**VISITED, "走访日期": "2026-10-30"}),
        line("未来项目", 入库日期="2026-11-21"),
        line("量子精密测量"),
        line("倒闭项目", 退库日期="2026-11-19", 退库原因="倒闭", 说明="经营不善"),
        line("好项目", **VISITED),
    ]
    result = run(engine, live, csv_file(rows))
    assert (result.rows, result.imported) == (11, 0)
    assert problems(result) == [
        (2, "入库日期", "入库日期“2026-13-01”无效，应为 YYYY-MM-DD 或 ISO 日期时间"),
        (3, "类别", "类别的取值“生物医药类”无效，可选：科技成果转化类、校友产业化类、创新平台类"),
        (4, "统一社会信用代码", "统一社会信用代码校验位错误（应为 3）"),
        (5, "团队人才层次", "团队人才层次须为 1–5 的整数，收到“7”"),
        (6, "项目名称", "缺少字段：项目名称"),
        (7, "负责人", "负责人：用户 nobody@park.test 不存在"),
        (8, "走访日期", "走访日期 2026年10月30日 早于上一事件（2026年11月2日）"),
        (9, "入库日期", "入库日期 2026年11月21日 晚于当前时间"),
        (10, "项目名称", "项目名称：“量子精密测量”已在项目库中：项目 #1 量子精密测量"),
        (11, "退库原因", "退库原因的取值“倒闭”无效，可选：迁往他处、经营失败、不符合条件、"
                      "被兼并、其他"),
    ]
    assert counts(engine) == before


def test_rows_that_repeat_each_other_or_skip_a_step_are_refused(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    rows = [line("甲项目", **VISITED, **REGISTERED),
            line("甲项目"),
            line("乙项目", **VISITED, **{**REGISTERED, "注册日期": "2026-11-11"}),
            line("丙项目", **{**REGISTERED, "统一社会信用代码": "91340100MA2N00001Q"}),
            line("丁项目", 公司名称="合肥丁科技有限公司"),
            line("戊项目", 负责人="赵博", 类别="alumni")]
    assert problems(run(engine, live, csv_file(rows))) == [
        (3, "项目名称", "项目名称：“甲项目”与第 2 行重复"),
        (4, "统一社会信用代码", f"统一社会信用代码：“{GOOD_USCC}”与第 2 行重复"),
        (5, "注册日期", "项目处于“已入库·待走访”，不能“注册”"),
        (6, "注册日期", "缺少字段：注册日期"),
    ]  # 戊项目: an owner by name, a category by key: fine


def test_the_header_must_name_the_ledgers_columns(engine: Engine, live: Park,
                                                  people: dict[str, str]) -> None:
    header = ["name", "类别", "备注", "intake_date", "项目名称", "公司名称"]
    result = run(engine, live, csv_file([["甲", "alumni", "x", "2026-11-02", "甲", ""]],
                                        header=header))
    assert problems(result) == [
        (1, "备注", "未知的列“备注”"),
        (1, "项目名称", "列“项目名称”与列“name”重复"),
        (1, "负责人", "缺少列：负责人"),
        (1, "注册日期", "缺少列：注册日期"),
    ]
    assert result.imported == 0
    visits = run(engine, live, csv_file([["甲", "alumni", ALICE, "2026-11-02", "2026-11-05",
                                          "5"]], header=[*HEADER[:5], "市场前景"]))
    assert [(p.row, p.column) for p in visits.problems] == [
        (1, header) for header in ("走访人员", "项目需求", "团队人才层次", "技术先进性",
                                   "资本市场认可度")]


def test_a_member_may_not_import(engine: Engine, live: Park, people: dict[str, str]) -> None:
    with pytest.raises(NotPermitted):
        run(engine, live, csv_file([line("甲项目")]), actor=ALICE)


# ---------------------------------------------------------------- imported

def test_a_dry_run_checks_everything_and_writes_nothing(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    before = counts(engine)
    result = run(engine, live, csv_file([line("甲项目", **VISITED, **REGISTERED)]),
                 dry_run=True)
    assert (result.rows, result.imported, result.problems) == (1, 0, [])
    assert counts(engine) == before


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_files_in_utf8_with_or_without_bom_and_in_gb18030_import(
        engine: Engine, live: Park, people: dict[str, str], encoding: str) -> None:
    data = csv_file([line("量子精密测量仪器", **VISITED), line("合肥·芯片设计", 负责人="陈卡罗")],
                    encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    result = run(engine, live, data)
    assert (result.imported, result.project_ids) == (2, [1, 2])
    first, second = snapshot(engine, 1), snapshot(engine, 2)
    assert (first.name, first.state, first.stars) == ("量子精密测量仪器", "visited", 2)
    assert (second.name, second.state, second.owner_id) == ("合肥·芯片设计", "intake", 3)


def test_an_xlsx_ledger_becomes_projects_with_a_history_marked_imported(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    rows = [line("量子精密测量", **VISITED, **REGISTERED, 入库日期=date(2026, 11, 2)),
            line("迁出项目", 类别="创新平台类", 负责人=BOB, 退库日期=date(2026, 11, 19),
                 退库原因="relocated", 说明="迁往苏州")]
    result = run(engine, live, xlsx_file(rows), "项目库.xlsx")
    assert (result.rows, result.imported, result.problems) == (2, 2, [])
    registered = snapshot(engine, 1)
    assert (registered.state, registered.stars, dict(registered.milestones)) == (
        "registered", 2, {"intake": "2026-11-02", "visit": "2026-11-05",
                          "register": "2026-11-10"})
    assert registered.due_at == datetime(2026, 12, 11, tzinfo=PARK_TZ)  # 11-10 + 1 month
    assert registered.version == 3  # as if entered and advanced twice
    history = history_rows(engine, 1)
    assert [(h["event"], h["from_state"], h["to_state"]) for h in history] == [
        ("intake", None, "intake"), ("visit", "intake", "visited"),
        ("register", "visited", "registered")]
    assert [h["occurred_at"] for h in history] == [
        datetime(2026, 11, day, tzinfo=PARK_TZ) for day in (2, 5, 10)]
    assert {h["recorded_at"] for h in history} == {NOW}
    assert {h["actor"] for h in history} == {LEADER}
    assert history[1]["fields"] == {"visitors": ["张三", "李四"], "needs": ["funding", "space"],
                                    "team": 4, "technology": 4, "capital": 4, "market": 3,
                                    "imported": True}
    assert history[2]["fields"]["uscc"] == GOOD_USCC and history[0]["fields"] == {
        "imported": True}
    exited = snapshot(engine, 2)
    assert (exited.state, exited.exited_from, exited.due_at, exited.group) == (
        "exited", "intake", None, "finance")
    with reading(engine) as session:
        entry = session.get(ProjectEvent, registered.stage_entry_id)
    assert entry is not None and entry.event == "register"


def test_imported_projects_get_only_the_reminders_still_ahead(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    rows = [line("新入库项目", 入库日期="2026-11-19"),  # visit due 11-26: every rung ahead
            line("逾期项目"),  # visit was due 11-09: every rung behind
            line("星级项目", **VISITED)]  # 2★ visited 11-05: inquiries 11-13, 11-20 9:00, 11-27
    assert run(engine, live, csv_file(rows)).imported == 3
    with reading(engine) as session:
        planned = list(session.exec(select(OutboxMessage)).scalars())  # type: ignore[call-overload]
    assert {row.status for row in planned} == {"pending"}
    assert moments([r for r in planned if r.project_id == 1]) == [
        ("reminder", ALICE, "2026-11-23T09:00"), ("reminder", ALICE, "2026-11-26T09:00"),
        ("warning", ALICE, "2026-11-27T09:00"), ("warning", CAROL, "2026-11-27T09:00"),
        ("warning", LEADER, "2026-11-27T09:00")]
    assert moments([r for r in planned if r.project_id == 2]) == []
    # the visit stage is due 12-02: its reminders, and the inquiry after now (not 11-20's)
    assert moments([r for r in planned if r.project_id == 3]) == [
        ("inquiry", ALICE, "2026-11-27T09:00"), ("reminder", ALICE, "2026-11-29T09:00"),
        ("reminder", ALICE, "2026-12-02T09:00"), ("warning", ALICE, "2026-12-03T09:00"),
        ("warning", CAROL, "2026-12-03T09:00"), ("warning", LEADER, "2026-12-03T09:00")]


# ---------------------------------------------------------------- what the deadline depends on

STAGES = ("已入库·待走访", "已走访·待注册", "已注册·待签约", "已签约·待开业")
COMPUTED = ["星级", "当前状态", "截止日期", "逾期天数", "暂停起始日期",
            *(f"期限调整（{stage}）" for stage in STAGES)]
FULL = [*HEADER, *COMPUTED]  # the columns of an export, bar the tracking and the record


def full(name: str, **cells: Any) -> list[Any]:
    """A row of FULL: a project of alice's taken in on 11-02, with `cells` (by header)."""
    values = {"项目名称": name, "类别": "科技成果转化类", "负责人": ALICE,
              "入库日期": "2026-11-02", **cells}
    return [values.get(header) for header in FULL]


def test_the_computed_columns_must_agree_with_what_the_rows_dates_give(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    rows = [full("洽谈项目", 当前状态="已洽谈"),
            full("开业项目", 当前状态="已开业"),
            full("星级项目", **VISITED, 星级=3),  # 4 + 4 + 4 + 3 = 15: two stars
            full("期限项目", 截止日期="2026-11-10"),  # intake 11-02 + 7 days: 11-09
            full("暂停项目", 截止日期="2026-11-09", 暂停起始日期="2026-11-03"),
            # as an export writes it; the days overdue depend on the day, the ID is not read
            full("好项目", **VISITED, 星级=2, 当前状态="Visited · registration due",
                 截止日期="2026-12-02", 逾期天数=99)]
    before = counts(engine)
    assert problems(run(engine, live, csv_file(rows, header=FULL))) == [
        (2, "当前状态", "当前状态：“已洽谈”与本行的日期不符，按日期应为“已入库·待走访”"),
        (3, "当前状态", "当前状态：“已开业”与本行的日期不符，按日期应为“已入库·待走访”"),
        (4, "星级", "星级：“3”与本行的日期和字段不符，按它们应为 2"),
        (5, "截止日期", "截止日期：“2026-11-10”与本行的日期和字段不符，按它们应为 2026年11月9日"),
        (6, "截止日期", "截止日期：应为空，本行的日期和字段得不出“2026-11-09”"),
    ]
    assert counts(engine) == before
    assert problems(run(engine, live, csv_file(rows[-1:], header=FULL))) == []


def test_a_stages_deadline_changes_and_a_suspension_become_its_history(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    # intake 11-02 + 7 days = 11-09; + 5 = 11-14, a Saturday → 11-16; + 2 = 11-18;
    # + 3 = 11-21, a Saturday → 11-23; the visit (11-05) starts a stage of its own
    changed = {"期限调整（已入库·待走访）": "延期 5 天、paused 2 days、3", "截止日期": "2026-11-23"}
    suspended = {**VISITED, "期限调整（已走访·待注册）": "extended 1 day",
                 "暂停起始日期": "2026-11-18"}
    result = run(engine, live, csv_file([full("延期项目", **changed),
                                         full("暂停项目", **suspended)], header=FULL))
    assert (result.imported, result.problems) == (2, [])
    first, second = result.project_ids
    assert snapshot(engine, first).due_at == datetime(2026, 11, 24, tzinfo=PARK_TZ)
    assert [(h["event"], h["fields"]) for h in history_rows(engine, first)][1:] == [
        ("extension", {"days": 5, "imported": True}), ("suspend", {"imported": True}),
        ("resume", {"paused_days": 2, "imported": True}),
        ("extension", {"days": 3, "imported": True})]
    paused = snapshot(engine, second)
    assert (paused.suspended_at, paused.due_at) == (datetime(2026, 11, 18, tzinfo=PARK_TZ),
                                                    None)
    assert [h["event"] for h in history_rows(engine, second)] == [
        "intake", "visit", "extension", "suspend"]


def test_deadline_changes_it_cannot_read_or_place_are_refused(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    exited = {"退库日期": "2026-11-19", "退库原因": "迁往他处", "说明": "迁往苏州"}
    rows = [full("坏调整项目", **{"期限调整（已入库·待走访）": "延期 x 天"}),
            full("未签约项目", **{"期限调整（已签约·待开业）": "延期 5 天"}),
            full("退库项目", **exited, 暂停起始日期="2026-11-19"),
            full("早暂停项目", **VISITED, 暂停起始日期="2026-11-04")]
    before = counts(engine)
    assert problems(run(engine, live, csv_file(rows, header=FULL))) == [
        (2, "期限调整（已入库·待走访）", "期限调整（已入库·待走访）：“延期 x 天”不是期限调整的写法"
                                    "（例如“延期 15 天、暂停 3 天”）"),
        (3, "期限调整（已签约·待开业）", "期限调整（已签约·待开业）：按本行的日期，项目从未处于"
                                    "“已签约·待开业”"),
        (4, "暂停起始日期", "暂停起始日期：处于“已退库”的项目不能暂停"),
        (5, "暂停起始日期", "暂停起始日期 2026年11月4日 早于上一事件（2026年11月5日）"),
    ]
    assert counts(engine) == before


def test_a_field_the_definition_requires_is_a_missing_column_that_says_so(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    header = [h for h in HEADER if h != "走访人员"]
    result = run(engine, live, csv_file([[v for h, v in zip(HEADER, line("甲", **VISITED),
                                                             strict=True) if h != "走访人员"]],
                                        header=header))
    assert problems(result) == [
        (1, "走访人员",
         "缺少列：走访人员（文件有“走访”的日期列，流程定义规定每次走访都须填写此项）")]


def test_a_field_the_definition_marks_optional_may_have_no_column(
        engine: Engine, people: dict[str, str], tmp_path: Path) -> None:
    text = LIFECYCLE_FILE.read_text("utf-8")
    optional = tmp_path / "lifecycle.yaml"
    optional.write_text(text.replace("visitors: {type: list, label:",
                                     "visitors: {type: list, required: false, label:"), "utf-8")
    park = Park(lifecycle=load_lifecycle(optional), clock=FixedClock(NOW), tz=PARK_TZ)
    header = [h for h in HEADER if h != "走访人员"]
    row = [v for h, v in zip(HEADER, line("甲", **VISITED), strict=True) if h != "走访人员"]
    result = run(engine, park, csv_file([row], header=header))
    assert (result.imported, result.problems) == (1, [])


def test_an_older_export_without_the_deadline_changes_still_imports(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    # its due date may count an extension it does not carry: not checked without them
    older = [h for h in FULL if not h.startswith("期限调整") and h != "暂停起始日期"]
    row = [v for h, v in zip(FULL, full("老项目", 当前状态="已入库·待走访",
                                          截止日期="2026-11-16"), strict=True) if h in older]
    result = run(engine, live, csv_file([row], header=older))
    assert (result.imported, result.problems) == (1, [])
