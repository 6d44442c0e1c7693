"""`parkflow report …` as a subprocess at NOW (2026-11-20): periods, JSON, text, refusals.

The figures themselves are worked out by hand in tests/reports/test_report_figures.py; here
the command must give those same reports, in the contract's shape and the reader's language.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.factories import CJK, ROAD, SQLITE_ONLY, VALID, fire, new_project
from tests.support.command import Cli, assert_error
from workflow.park import Park

MONTHLY_KEYS = {"period", "intakes", "events", "stages", "on_time", "overdue_at_end",
                "exits_by_reason", "stars"}
WEEKLY_KEYS = {"period", "intakes", "visits_due", "visits_overdue", "overdue", "follow_ups_due",
               "pending_approvals", "moved"}
QUARTERLY_KEYS = {"period", "opened", "cycle_days", "conversion", "on_time_by_month", "stars"}


@pytest.fixture
def november(engine: Engine, park: Park, people: dict[str, str]) -> list[int]:
    """Two projects of alice's taken in on 11-02: one opened on 11-18, one visited 11-05."""
    opened, visited = (new_project(engine, park, people["alice"]) for _ in range(2))
    for event, day in ROAD:
        fire(engine, park, opened, event, people["alice"], at=day)
    fire(engine, park, visited, "visit", people["alice"], at="2026-11-05",
         fields=VALID["visit"])
    return [opened, visited]


def test_each_report_in_the_contracts_shape_for_a_chosen_period(
        cli: Cli, november: list[int]) -> None:
    monthly, weekly, quarterly = (r.json() for r in cli.all(
        ["report", "monthly", "--month", "2026-11", "--json"],
        ["report", "weekly", "--at", "2026-11-04", "--json"],
        ["report", "quarterly", "--quarter", "2026-Q4", "--json"]))
    assert set(monthly) >= MONTHLY_KEYS and "behind" not in monthly
    assert monthly["period"] == {"start": "2026-11-01", "end": "2026-11-30"}
    assert (monthly["intakes"], monthly["events"]["visit"], monthly["events"]["open"]) == (2, 2, 1)
    assert monthly["stars"] == {"0": 0, "1": 0, "2": 0, "3": 2}
    assert set(weekly) >= WEEKLY_KEYS
    assert weekly["period"] == {"start": "2026-11-02", "end": "2026-11-08"}
    assert sorted(p["id"] for p in weekly["intakes"]) == sorted(november)
    assert [m["event"] for m in weekly["moved"]] == ["intake", "intake", "visit", "visit"]
    assert set(quarterly) >= QUARTERLY_KEYS
    assert quarterly["opened"] == 1
    assert quarterly["cycle_days"]["tech_transfer"] == {"count": 1, "median": 16, "p90": 16}


def test_the_default_period_is_the_last_full_one(cli: Cli, november: list[int]) -> None:
    monthly, weekly, quarterly = (r.json()["period"] for r in cli.all(
        ["report", "monthly", "--json"], ["report", "weekly", "--json"],
        ["report", "quarterly", "--json"]))
    assert monthly == {"start": "2026-10-01", "end": "2026-10-31"}
    assert weekly == {"start": "2026-11-09", "end": "2026-11-15"}
    assert quarterly == {"start": "2026-07-01", "end": "2026-09-30"}


@SQLITE_ONLY
def test_a_person_reads_labels_in_their_language(cli: Cli, november: list[int]) -> None:
    chinese = cli("report", "monthly", "--month", "2026-11")
    assert chinese.code == 0, chinese
    assert "月调度 · 2026年11月" in chinese.out
    assert "已入库·待走访" in chinese.out and "各阶段流转与用时" in chinese.out
    assert "intake" not in chinese.out and "tech_transfer" not in chinese.out
    english = cli("report", "weekly", "--at", "2026-11-04", env={"PARKFLOW_LANG": "en"})
    assert english.code == 0, english
    assert "Weekly meeting" in english.out and "Taken in this week" in english.out
    names = ("量子精密测量", "李爱丽")  # the project's and the person's own names stay
    assert not CJK.search(english.out.replace(names[0], "").replace(names[1], ""))


@SQLITE_ONLY
@pytest.mark.parametrize(("args", "field"), [
    (["monthly", "--month", "2026-13"], "month"),
    (["monthly", "--month", "November"], "month"),
    (["quarterly", "--quarter", "2026-Q5"], "quarter"),
    (["weekly", "--at", "last week"], "at"),
    (["quarterly", "--quarter", "0000-Q1"], "quarter"),  # years outside 1900–2999
    (["monthly", "--month", "9999-12"], "month"),
    (["weekly", "--at", "0001-01-01"], "at"),
    (["monthly", "--month", "2026-12"], "month"),  # not begun at NOW (2026-11-20)
    (["quarterly", "--quarter", "2027-Q1"], "quarter"),
    (["weekly", "--at", "2026-11-23"], "at"),
])
def test_a_period_that_is_not_one_is_refused_naming_the_field(
        cli: Cli, people: dict[str, str], args: list[str], field: str) -> None:
    result = cli("report", *args, "--json")
    assert_error(result, 2, "invalid", field)
    label = {"month": "月份", "quarter": "季度", "at": "日期"}[field]
    assert label in result.err


@SQLITE_ONLY
@pytest.mark.parametrize(("option", "name"), [("--xlsx", "weekly.txt"), ("--html", "周例会.xlsx")])
def test_a_file_whose_name_says_another_format_is_refused_before_it_is_written(
        cli: Cli, option: str, name: str) -> None:
    # a workbook written as weekly.txt opened as garbage in a text editor
    result = cli("report", "weekly", option, str(cli.cwd / name), "--json")

    assert_error(result, 2, "invalid", "file")
    assert not (cli.cwd / name).exists()


@SQLITE_ONLY
def test_the_workbook_is_written_beside_the_json(cli: Cli, november: list[int]) -> None:
    from openpyxl import load_workbook
    target = cli.cwd / "月调度.xlsx"
    result = cli("report", "monthly", "--month", "2026-11", "--xlsx", str(target), "--json")
    assert result.code == 0, result
    assert result.json()["intakes"] == 2
    book = load_workbook(target)
    assert book.sheetnames[0] == "概览" and "各阶段流转与用时" in book.sheetnames
    assert "图表" in book.sheetnames
    stages = book["各阶段流转与用时"]
    assert [c.value for c in stages[1]][:3] == ["阶段", "期初", "期末"]
    assert stages.freeze_panes == "A2"


@SQLITE_ONLY
def test_the_html_file_is_one_self_contained_page(cli: Cli, november: list[int]) -> None:
    target = cli.cwd / "weekly.html"
    result = cli("report", "weekly", "--at", "2026-11-04", "--html", str(target))
    assert result.code == 0, result
    page = target.read_text("utf-8")
    assert "周例会 · 2026年11月2日 – 11月8日" in page and "本周入库" in page
    assert "量子精密测量" in page
    # charts draw offline: the library and the styles are inside, nothing is fetched
    assert "echarts" in page and "<script src=" not in page and "<link rel=\"stylesheet" \
        not in page


@pytest.fixture
def awaiting_visits(engine: Engine, park: Park, people: dict[str, str]) -> dict[str, int]:
    """Three of alice's projects awaiting their visit, due 11-19, 11-20 (today) and 11-23."""
    return {due: new_project(engine, park, people["alice"], intake=intake)
            for due, intake in (("2026-11-19", "2026-11-12"), ("2026-11-20", "2026-11-13"),
                                ("2026-11-23", "2026-11-16"))}


@SQLITE_ONLY
def test_the_week_and_the_month_in_progress_are_reported_as_of_now(
        cli: Cli, people: dict[str, str], awaiting_visits: dict[str, int]) -> None:
    weekly, monthly = (r.json() for r in cli.all(
        ["report", "weekly", "--at", "2026-11-20", "--json"],
        ["report", "monthly", "--month", "2026-11", "--json"]))
    late, today, monday = (awaiting_visits[d] for d in ("2026-11-19", "2026-11-20", "2026-11-23"))
    assert weekly["as_of"] == monthly["as_of"] == "2026-11-20T10:00:00+08:00"
    # NOW is Friday 11-20, 10:00: only the visit due yesterday is late, by one day
    assert [(p["project_id"], p["days_overdue"]) for p in weekly["overdue"]] == [(late, 1)]
    assert [(p["id"], p["days_overdue"]) for p in weekly["visits_overdue"]] == [(late, 1)]
    assert [p["id"] for p in weekly["visits_due"]] == [today, monday]
    assert monthly["overdue_at_end"]["groups"] == [{"group": "project", "count": 1}]
    assert [(o["owner"], o["count"]) for o in monthly["overdue_at_end"]["owners"]] == [
        (people["alice"], 1)]
    text = cli("report", "weekly", "--at", "2026-11-20")
    assert text.code == 0, text
    assert "截至 2026年11月20日 10:00（本期尚未结束）" in text.out
    english = cli("report", "monthly", "--month", "2026-11", env={"PARKFLOW_LANG": "en"})
    assert "As of Nov 20, 2026 10:00 (the period is still in progress)" in english.out


@SQLITE_ONLY
def test_a_finished_week_is_reported_at_its_end_as_before(
        cli: Cli, awaiting_visits: dict[str, int]) -> None:
    result = cli("report", "weekly", "--at", "2026-11-12", "--json")  # 11-09 … 11-15
    week = result.json()
    assert week["as_of"] == "2026-11-16T00:00:00+08:00"
    assert week["overdue"] == [] and week["visits_overdue"] == []
    assert [p["id"] for p in week["visits_due"]] == [awaiting_visits["2026-11-19"],
                                                     awaiting_visits["2026-11-20"]]
    text = cli("report", "weekly", "--at", "2026-11-12")
    assert "截至" not in text.out and "按发生日期统计本期事项（含补录）" in text.out
