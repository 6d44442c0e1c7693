"""The report workbook read back: openpyxl for the sheets and cells, the zip for the charts
(openpyxl drops charts when it loads a workbook).

A view built by hand checks each kind of cell and chart; real weekly and monthly reports,
computed from projects entered at fixed dates, check the workbook in both languages.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook as ReadBook
from sqlalchemy import Engine

from db.engine import reading
from reports.compute import compute
from reports.periods import period_containing
from reports.present import (
    Chart,
    Column,
    Figure,
    Row,
    Section,
    Series,
    View,
    format_cell,
    present,
)
from reports.workbook import FORBIDDEN, sheet_name, text_width, write_sections, write_workbook
from tests.factories import PARK_TZ, SQLITE_ONLY, VISIT, fire, seed_project
from workflow.errors import ValidationError
from workflow.park import Park

BASE = "https://park.example/"
LONG_NAME = "合肥智能制造研究院产业化示范项目"  # 16 wide characters: 32 columns
DEFAULT_WIDTH = 8.43  # an Excel column nobody sized
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# ---------------------------------------------------------------- a view built by hand

PROJECTS = Section("intakes", "本周入库", (
    Column("project", "项目"), Column("intake_date", "入库日期", "date"),
    Column("occurred_at", "时间", "datetime"), Column("rate", "比率", "rate"),
    Column("days", "逾期天数", "days"), Column("count", "数量", "number")), [
    Row({"project": LONG_NAME, "intake_date": date(2026, 11, 10),
         "occurred_at": datetime(2026, 11, 10, 14, 30, tzinfo=PARK_TZ), "rate": 0.6667,
         "days": 27, "count": 3},
        {"project": "/projects/2", "count": "/reports/weekly/2026-W46/projects?figure=x"}),
    Row({"project": "=1+1", "intake_date": None, "occurred_at": None, "rate": None,
         "days": None, "count": 0}),
    Row({"project": "http://example.com", "intake_date": date(2026, 11, 12),
         "occurred_at": datetime(2026, 11, 12, 9, 0, tzinfo=PARK_TZ), "rate": 1.0,
         "days": 0, "count": 1})])
CHARTS = [
    Chart("funnel", "月末各阶段项目数", "funnel", ["已入库", "已走访", "已注册"],
          [Series("项目", [5, 3, 1])]),
    Chart("stage_days", "各阶段用时与规定时限", "bar", ["已入库", "已走访"],
          [Series("中位数", [6, None]), Series("90分位", [7, None]),
           Series("规定时限", [7, 30], "line")]),
    Chart("on_time_trend", "按时办结率（逐月）", "line", ["10月", "11月", "12月"],
          [Series("比率", [0.6667, None, 0.5], "line")], percent=True),
    Chart("overdue_by_group", "各小组逾期", "bar", [], [Series("逾期", [])]),
]
VIEW = View("weekly", period_containing("weekly", date(2026, 11, 10)),
            "周例会 · 2026年11月9日 – 11月15日", "按发生日期统计本期事项（含补录）",
            [Figure("本周入库", 2, "/reports/weekly/2026-W46/projects?figure=intakes"),
             Figure("逾期阶段", 0)],
            [PROJECTS, Section("empty", "待审批事项", (Column("project", "项目"),), [])],
            CHARTS)


def written(view: View, lang: str = "zh-CN", base_url: str | None = None) -> bytes:
    target = BytesIO()
    write_workbook(view, target, base_url=base_url, lang=lang)
    return target.getvalue()


def read(data: bytes) -> ReadBook:
    return openpyxl.load_workbook(BytesIO(data))


def charts_on(data: bytes, sheet: str) -> list[str]:
    """The XML of the charts the drawing of `sheet` shows, in the drawing's order."""
    with zipfile.ZipFile(BytesIO(data)) as xlsx:
        def rels(path: str) -> dict[str, str]:
            """A part's relationships: id → the path of the part it points to."""
            folder, name = posixpath.split(path)
            tree = ElementTree.fromstring(xlsx.read(f"{folder}/_rels/{name}.rels"))
            return {r.get("Id", ""): posixpath.normpath(posixpath.join(folder, r.get("Target", "")))
                    for r in tree}
        book = ElementTree.fromstring(xlsx.read("xl/workbook.xml"))
        [entry] = [s for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == sheet]
        drawings = [p for p in rels(rels("xl/workbook.xml")[entry.get(f"{{{REL}}}id", "")])
                    .values() if p.startswith("xl/drawings/")]
        if not drawings:
            return []
        [drawing] = drawings
        targets = rels(drawing)
        order = re.findall(r'<c:chart [^>]*r:id="(rId\d+)"', xlsx.read(drawing).decode())
        return [xlsx.read(targets[r]).decode() for r in order]


def all_charts(data: bytes) -> list[str]:
    with zipfile.ZipFile(BytesIO(data)) as xlsx:
        return [n for n in xlsx.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


# ---------------------------------------------------------------- names and widths

@pytest.mark.parametrize(("title", "expected"), [
    ("本周入库", "本周入库"),
    ("Stages: the funnel and the time spent", "Stages the funnel and the time"),
    ("a/b\\c[d]e*f?g", "a b c d e f g"),
    ("'quoted'", "quoted"),
    ("History", "History (2)"),
    ("", "Sheet"),
])
def test_a_title_becomes_a_sheet_name_excel_accepts(title: str, expected: str) -> None:
    assert sheet_name(title, set()) == expected


def test_a_repeated_or_cut_title_gets_a_number_within_31_characters() -> None:
    taken: set[str] = set()
    names = [sheet_name(t, taken) for t in ("Overdue at the month's end, by group",
                                            "Overdue at the month's end, by owner",
                                            "overdue at the month's end, by",
                                            "本周入库", "本周入库")]
    assert names == ["Overdue at the month's end, by", "Overdue at the month's end (2)",
                     "overdue at the month's end (3)", "本周入库", "本周入库 (2)"]
    assert all(len(n) <= 31 for n in names)


def test_wide_characters_count_twice() -> None:
    assert text_width("量子ab１") == 8  # the full-width digit is wide too
    assert text_width(LONG_NAME) == 32


# ---------------------------------------------------------------- sheets and cells

def test_the_sheets_are_the_overview_the_sections_and_the_charts() -> None:
    book = read(written(VIEW))

    assert book.sheetnames == ["概览", "本周入库", "待审批事项", "图表", "图表数据"]
    assert [s.sheet_state for s in book] == ["visible"] * 4 + ["hidden"]
    assert book.active.title == "概览"


def test_the_overview_holds_the_title_the_as_of_line_and_the_figures() -> None:
    sheet = read(written(VIEW, base_url=BASE))["概览"]

    assert sheet["A1"].value == "周例会 · 2026年11月9日 – 11月15日"
    assert sheet["A1"].font.b
    assert sheet["A2"].value == "按发生日期统计本期事项（含补录）"
    assert [[c.value for c in row] for row in sheet["A4:B6"]] == [
        ["指标", "数值"], ["本周入库", 2], ["逾期阶段", 0]]
    assert sheet["B5"].hyperlink.target == \
        "https://park.example/reports/weekly/2026-W46/projects?figure=intakes"
    assert sheet["B6"].hyperlink is None


def test_a_section_has_its_header_row_frozen_and_filtered() -> None:
    book = read(written(VIEW))
    sheet = book["本周入库"]

    assert [c.value for c in sheet[1]] == ["项目", "入库日期", "时间", "比率", "逾期天数", "数量"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    empty = book["待审批事项"]
    assert (empty.max_row, empty.freeze_panes, empty.auto_filter.ref) == (1, "A2", "A1")


def test_cells_keep_their_types_dates_rates_numbers_and_empty_values() -> None:
    sheet = read(written(VIEW))["本周入库"]
    project, day, moment, rate, days, count = sheet[2]

    assert project.value == LONG_NAME
    assert day.value == datetime(2026, 11, 10) and day.number_format == "yyyy-mm-dd"
    # the park's wall time, without its zone
    assert moment.value == datetime(2026, 11, 10, 14, 30)
    assert moment.number_format == "yyyy-mm-dd hh:mm"
    assert rate.value == 0.6667 and rate.number_format == "0.0%"
    assert (days.value, count.value) == (27, 3)
    assert [c.value for c in sheet[3]] == ["=1+1", None, None, None, None, 0]
    assert sheet["A3"].data_type == "s"  # a name, not a formula
    assert sheet["A4"].value == "http://example.com" and sheet["A4"].hyperlink is None


def test_columns_are_as_wide_as_their_content() -> None:
    widths = {k: d.width for k, d in read(written(VIEW))["本周入库"].column_dimensions.items()}

    assert widths["A"] >= text_width(LONG_NAME) > DEFAULT_WIDTH
    assert widths["B"] >= len("2026-11-10")
    assert widths["C"] >= len("2026-11-10 14:30")
    assert widths["E"] >= text_width("逾期天数")
    assert max(widths.values()) <= 61


def test_with_a_base_url_projects_and_numbers_link_to_the_workspace() -> None:
    linked = read(written(VIEW, base_url=BASE))["本周入库"]
    plain = read(written(VIEW))["本周入库"]

    assert linked["A2"].hyperlink.target == "https://park.example/projects/2"
    assert linked["A2"].value == LONG_NAME
    assert linked["F2"].hyperlink.target == \
        "https://park.example/reports/weekly/2026-W46/projects?figure=x"
    assert linked["F2"].value == 3  # still a number
    assert linked["A3"].hyperlink is None
    assert all(c.hyperlink is None for row in plain.iter_rows() for c in row)


# ---------------------------------------------------------------- charts

def test_each_chart_is_a_native_excel_chart_on_the_charts_sheet() -> None:
    data = written(VIEW)
    funnel, days, trend = charts_on(data, "图表")

    assert len(all_charts(data)) == 3  # the empty one is a note, not a chart
    assert read(data)["图表"]["B" + str(3 + 3 * 20)].value == "各小组逾期：暂无数据"
    assert [c.count("<c:ser>") for c in (funnel, days, trend)] == [1, 3, 1]
    # the funnel: horizontal bars, the first stage on top
    assert '<c:barDir val="bar"/>' in funnel and '<c:orientation val="maxMin"/>' in funnel
    assert "月末各阶段项目数" in funnel
    # days per stage: columns with the allowed period drawn as a line over them
    bars, line = days.split("<c:lineChart>")
    assert '<c:barDir val="col"/>' in bars and bars.count("<c:ser>") == 2
    assert line.count("<c:ser>") == 1 and "图表数据" in line
    assert "dispBlanksAs" not in days  # XlsxWriter leaves out Excel's default: gaps
    # the on-time trend: a line with a percent axis
    assert "<c:lineChart>" in trend and 'formatCode="0%"' in trend


def test_the_chart_data_is_on_a_hidden_sheet_with_gaps_left_empty() -> None:
    sheet = read(written(VIEW))["图表数据"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_col=4)]

    assert rows[:4] == [["月末各阶段项目数", None, None, None], [None, "项目", None, None],
                        ["已入库", 5, None, None], ["已走访", 3, None, None]]
    assert rows[6:9] == [["各阶段用时与规定时限", None, None, None],
                          [None, "中位数", "90分位", "规定时限"], ["已入库", 6, 7, 7]]
    assert rows[9] == ["已走访", None, None, 30]
    assert rows[11:14] == [["按时办结率（逐月）", None, None, None], [None, "比率", None, None],
                           ["10月", 0.6667, None, None]]
    assert sheet["B14"].number_format == "0.0%" and sheet["B15"].value is None


# ---------------------------------------------------------------- real reports

@pytest.fixture
def october(engine: Engine, park: Park, people: dict[str, str]) -> None:
    """Four projects: one visited and registered in October, one never visited (overdue,
    bob's), one exited; one taken in on Tuesday 2026-11-10 at 14:30."""
    alice, bob = people["alice"], people["bob"]
    first = seed_project(engine, park, alice, "量子精密测量", intake="2026-10-08T10:15+08:00")
    fire(engine, park, first, "visit", alice, at="2026-10-15", fields=VISIT)
    fire(engine, park, first, "register", alice, at="2026-10-28")
    seed_project(engine, park, bob, LONG_NAME, intake="2026-10-12")
    gone = seed_project(engine, park, alice, "退库项目", intake="2026-10-20")
    fire(engine, park, gone, "exit", alice, at="2026-10-26")
    seed_project(engine, park, alice, "周项目", intake="2026-11-10T14:30+08:00")


def report(engine: Engine, park: Park, kind: str, day: date, lang: str) -> View:
    period = period_containing(kind, day)  # type: ignore[arg-type]
    with reading(engine) as session:
        return present(park, compute(session, park, period), period, lang)


@SQLITE_ONLY
def test_the_monthly_workbook_in_chinese(engine: Engine, park: Park, october: None) -> None:
    data = written(report(engine, park, "monthly", date(2026, 10, 1), "zh-CN"), "zh-CN", BASE)
    book = read(data)

    assert book.sheetnames == ["概览", "各阶段流转与用时", "按时办结率（按小组）",
                               "按时办结率（按负责人）", "月末逾期（按小组）",
                               "月末逾期（按负责人）", "退库原因", "走访项目星级分布", "图表",
                               "图表数据"]
    assert book["概览"]["A1"].value == "月调度 · 2026年10月"
    assert [book["概览"].cell(r, 2).value for r in range(5, 12)] == [3, 1, 1, 0, 0, 1, 0]
    stages = book["各阶段流转与用时"]
    assert [c.value for c in stages[1]] == ["阶段", "期初", "期末", "进入", "推进", "退库",
                                            "用时中位数（天）", "90分位天数", "规定时限"]
    assert [c.value for c in stages[2]] == ["已入库·待走访", 0, 1, 3, 1, 1, 6, 7, "自入库起 7 天"]
    assert stages["D2"].hyperlink.target == "https://park.example/reports/monthly/2026-10/" \
                                            "projects?figure=stages.intake.entered"
    assert stages["G4"].value is None  # no stay left the registered stage: no median
    rates = book["按时办结率（按小组）"]
    # alice's two stages moved on in time; 退库项目's exit, by its deadline, counts neither way
    assert [c.value for c in rates[2]] == ["项目组", 2, 2, 1]
    assert rates["D2"].number_format == "0.0%"
    charts = charts_on(data, "图表")
    assert len(charts) == len(all_charts(data)) == 4
    assert [c.count("<c:ser>") for c in charts] == [1, 3, 1, 1]
    assert 'formatCode="0%"' in charts[2]  # the on-time rate by group
    # the funnel's series is a count of projects, not the project list (项目列表)
    assert [c.value for c in book["图表数据"]["B"] if c.value == "项目数"] == ["项目数"]
    assert "项目列表" not in [c.value for row in book["图表数据"].iter_rows() for c in row]


@SQLITE_ONLY
def test_the_monthly_workbook_in_english(engine: Engine, park: Park, october: None) -> None:
    book = read(written(report(engine, park, "monthly", date(2026, 10, 1), "en"), "en"))

    assert book.sheetnames == ["Overview", "Stages funnel and time spent",
                               "On time, by group", "On time, by owner",
                               "Overdue at month end, by group",
                               "Overdue at month end, by owner", "Exits by reason",
                               "Stars of the visits", "Charts", "Chart data"]
    assert [c.value for c in book["Overview"]["A4:B4"][0]] == ["Figure", "Value"]
    assert [c.value for c in book["Overdue at month end, by owner"][1]] == ["Owner", "Overdue"]
    assert [c.value for c in book["Stages funnel and time spent"][1]][:3] == \
        ["Stage", "At the start", "At the end"]


@SQLITE_ONLY
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("kind", ["weekly", "monthly", "quarterly"])
def test_no_sheet_name_is_cut_at_excels_31_characters(engine: Engine, park: Park,
                                                       october: None, kind: str,
                                                       lang: str) -> None:
    # a cut title lost what told two sheets apart ("Overdue at the month's end, by")
    view = report(engine, park, kind, date(2026, 10, 1), lang)
    whole = [" ".join(FORBIDDEN.sub(" ", section.title).split()) for section in view.sections]

    assert whole
    assert [sheet_name(title, set()) for title in whole] == whole


@SQLITE_ONLY
def test_the_weekly_workbook_keeps_dates_and_the_park_time(engine: Engine, park: Park,
                                                           october: None) -> None:
    for lang, intakes, moved in (("zh-CN", "本周入库", "本周项目动态"),
                                 ("en", "Taken in this week", "What moved this week")):
        book = read(written(report(engine, park, "weekly", date(2026, 11, 10), lang), lang))

        assert book[intakes]["D2"].value == datetime(2026, 11, 10)
        assert book[intakes]["D2"].number_format == "yyyy-mm-dd"
        when = book[moved]["A2"]
        assert (when.value, when.number_format) == (datetime(2026, 11, 10, 14, 30),
                                                    "yyyy-mm-dd hh:mm")
        overdue = book[book.sheetnames[3]]  # visits overdue: bob's project, 27 days
        assert [c.value for c in overdue[2]] == [LONG_NAME, "赵博", datetime(2026, 10, 19), 27]
        assert overdue.column_dimensions["A"].width >= text_width(LONG_NAME)


def test_a_deadline_reads_as_24_00_of_its_last_day_on_the_page_and_in_excel(
        tmp_path: Path) -> None:
    # a decision due at 11-14 00:00 is due 11-13 24:00, as the inbox and the reminder say
    due = datetime(2026, 11, 14, tzinfo=PARK_TZ)
    odd = datetime(2026, 11, 14, 17, 30, tzinfo=PARK_TZ)
    assert format_cell(due, "deadline", "zh-CN") == "2026年11月13日 24:00"
    assert format_cell(odd, "deadline", "en") == "Nov 14, 2026 17:30"
    section = Section("due", "待审批事项", (Column("due_at", "审批截止", "deadline"),),
                      [Row({"due_at": due}, {}), Row({"due_at": odd}, {})])
    target = tmp_path / "due.xlsx"
    write_sections([section], target)
    sheet = openpyxl.load_workbook(target)["待审批事项"]

    assert (sheet["A2"].value, sheet["A2"].number_format) == (datetime(2026, 11, 13),
                                                              'yyyy-mm-dd "24:00"')
    assert (sheet["A3"].value, sheet["A3"].number_format) == (datetime(2026, 11, 14, 17, 30),
                                                              "yyyy-mm-dd hh:mm")


# ---------------------------------------------------------------- size, files, plain tables

def test_a_section_of_2000_rows_writes_fine(tmp_path: Path) -> None:
    rows = [Row({"project": f"项目{n}", "intake_date": date(2026, 1, 1 + n % 28),
                 "rate": n / 2000, "count": n}, {"project": f"/projects/{n}"})
            for n in range(2000)]
    big = Section("big", "大表", (Column("project", "项目"), Column("intake_date", "日期", "date"),
                                  Column("rate", "比率", "rate"),
                                  Column("count", "数量", "number")), rows)
    target = tmp_path / "big.xlsx"
    write_workbook(View("monthly", VIEW.period, "大", "", [], [big], []), target,
                   base_url=BASE, lang="zh-CN")

    sheet = openpyxl.load_workbook(target)["大表"]
    assert sheet.max_row == 2001 and sheet.auto_filter.ref == "A1:D2001"
    assert sheet["D2001"].value == 1999 and sheet["A2001"].hyperlink is not None


def test_a_file_that_cannot_be_written_is_a_validation_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "周例会.xlsx"
    with pytest.raises(ValidationError) as refused:
        write_workbook(VIEW, target, lang="zh-CN")

    assert (refused.value.code, refused.value.field) == ("unwritable_file", "file")
    assert "无法写入" in refused.value.message("zh-CN")
    assert not target.exists()


def test_plain_tables_get_a_sheet_each_formatted_as_the_report(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    write_sections([PROJECTS, PROJECTS], str(target))

    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["本周入库", "本周入库 (2)"]
    assert book["本周入库 (2)"].freeze_panes == "A2"
    assert book["本周入库 (2)"]["B2"].number_format == "yyyy-mm-dd"
    assert all_charts(target.read_bytes()) == []
