"""`parkflow calendar import-notice` end to end, as a subprocess: a preview as JSON, an import
shown day by day beside the calendar, standard input, and the refusals with their exit codes.

The command runs at the fixed moment NOW (PARKFLOW_TEST_NOW) on the test's own database; the
notice is the 2027 sample in tests/data, made up in the published form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, delete

from db.engine import reading, writing
from db.models import CalendarDay, CalendarYear, columns
from tests.factories import NOTICE_FILE, NOW, SQLITE_ONLY
from tests.support.command import Cli, Result
from workflow.calendar_store import covered_years, show_calendar
from workflow.notice_import import notice_source
from workflow.park import Park
from workflow.users import add_user

HOLIDAYS_2027 = [
    "2027-01-01", "2027-01-02", "2027-01-03",
    *(f"2027-02-{d:02d}" for d in range(5, 13)),
    "2027-04-03", "2027-04-04", "2027-04-05",
    *(f"2027-05-0{d}" for d in range(1, 6)),
    "2027-06-09", "2027-09-15",
    *(f"2027-10-0{d}" for d in range(1, 8)),
]
WORKDAYS_2027 = ["2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"]


@pytest.fixture
def notice(cli: Cli, engine: Engine) -> Iterator[Any]:
    """`parkflow calendar import-notice …` on the test's database; 2027 dropped afterwards
    (on PostgreSQL the calendar tables outlive the test)."""
    def command(*args: str, stdin: str | None = None) -> Result:
        return cli("calendar", "import-notice", *args, stdin=stdin)

    yield command
    with writing(engine) as session:
        day = columns(CalendarDay).day
        session.execute(delete(CalendarDay).where(day >= date(2027, 1, 1)))
        session.execute(delete(CalendarYear).where(columns(CalendarYear).year == 2027))


def loaded_2027(engine: Engine) -> bool:
    with reading(engine) as session:
        return 2027 in covered_years(session)


@SQLITE_ONLY
def test_a_dry_run_prints_the_notices_days_as_json_and_imports_nothing(
        notice: Any, engine: Engine, people: dict[str, str]) -> None:
    result = notice(str(NOTICE_FILE), "--year", "2027", "--by", people["admin"], "--dry-run",
                    "--json")
    assert result.code == 0, result
    assert result.json() == {"year": 2027, "holidays": HOLIDAYS_2027,
                             "workdays": WORKDAYS_2027, "imported": False}
    assert not loaded_2027(engine)


def test_an_admin_imports_the_notice_and_sees_each_day_beside_the_calendar(
        notice: Any, engine: Engine, people: dict[str, str]) -> None:
    result = notice(str(NOTICE_FILE), "--year", "2027", "--by", people["admin"])
    assert result.code == 0, result
    assert "国务院办公厅关于2027年部分节假日安排的通知（当前日历：2027 年尚未导入）" in result.out
    assert re.search(r"^2027-02-05\s+周五\s+休 春节\s+—\s+新增\s*$", result.out, re.M)
    assert re.search(r"^2027-02-20\s+周六\s+班 春节\s+—\s+新增\s*$", result.out, re.M)
    assert "放假 28 天，调休上班 4 天；新增 32，删除 0，改变 0，不变 0" in result.out
    assert result.out.rstrip().endswith("已导入 2027 年的节假日安排")
    with reading(engine) as session:
        shown = show_calendar(session, 2027)
    assert shown["covered"] and shown["source"] == notice_source(2027)
    assert [d["date"] for d in shown["days"] if d["kind"] == "holiday"] == HOLIDAYS_2027
    assert [d["date"] for d in shown["days"] if d["kind"] == "workday"] == WORKDAYS_2027

    again = notice(str(NOTICE_FILE), "--year", "2027", "--by", people["admin"], "--json")
    assert again.code == 0 and again.json()["imported"] is True


@SQLITE_ONLY
def test_the_notice_is_read_from_standard_input_in_the_readers_language(
        notice: Any, engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        add_user(session, park.lifecycle, email="root@park.test", name="Root", role="admin",
                 lang="en", now=NOW)
    text = NOTICE_FILE.read_text(encoding="utf-8")
    result = notice("-", "--year", "2027", "--by", "root@park.test", "--dry-run", stdin=text)
    assert result.code == 0, result
    assert "The State Council's holiday notice for 2027 (calendar now: 2027 not loaded)" \
        in result.out
    assert re.search(r"^2027-10-09\s+Sat\s+work National Day\s+—\s+added\s*$", result.out, re.M)
    assert "days off: 28, make-up working days: 4; added 32" in result.out
    assert result.out.rstrip().endswith("dry run: nothing imported")
    assert not re.search(r"[\u4e00-\u9fff]", result.out)
    assert not loaded_2027(engine)


@SQLITE_ONLY
def test_an_unreadable_sentence_exits_2_quoting_it_and_imports_nothing(
        notice: Any, engine: Engine, people: dict[str, str]) -> None:
    text = NOTICE_FILE.read_text(encoding="utf-8").replace("放假1天，不调休。",
                                                      "放假1天，不调休。具体另行通知。", 1)
    plain = notice("-", "--year", "2027", "--by", people["admin"], stdin=text)
    as_json = notice("-", "--year", "2027", "--by", people["admin"], "--json", stdin=text)
    for result in (plain, as_json):
        assert result.code == 2, result
        assert result.err.strip().splitlines() == ["错误 无法识别通知中的这句话：“具体另行通知”"]
    assert plain.out == ""
    assert as_json.json() == {"error": {"kind": "invalid", "field": "text",
                                        "message": "无法识别通知中的这句话：“具体另行通知”"}}
    assert not loaded_2027(engine)


@SQLITE_ONLY
def test_a_wrong_year_exits_2_naming_the_weekday_that_does_not_match(
        notice: Any, people: dict[str, str]) -> None:
    items = NOTICE_FILE.read_text(encoding="utf-8").split("通知如下。")[1]
    result = notice("-", "--year", "2026", "--by", people["admin"], "--dry-run", stdin=items)
    assert result.code == 2, result
    assert "2026-01-01 是星期四，不是星期五" in result.err


@SQLITE_ONLY
def test_anyone_but_an_admin_exits_3_and_nothing_is_imported(
        notice: Any, engine: Engine, people: dict[str, str]) -> None:
    member = notice(str(NOTICE_FILE), "--year", "2027", "--by", people["alice"], "--json")
    nobody = notice(str(NOTICE_FILE), "--year", "2027", "--by", "nobody@park.test", "--dry-run")
    assert member.code == 3, member
    assert member.json()["error"] == {"kind": "not_permitted", "field": "by",
                                      "message": "仅管理员可执行此操作"}
    assert nobody.code == 3, nobody
    assert "nobody@park.test" in nobody.err
    assert not loaded_2027(engine)
