"""`parkflow init` and `parkflow calendar`: the seeded calendar, and an admin's import of a
year's holiday arrangement, as subprocesses on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import make_engine, reading, writing
from tests.factories import (
    CJK,
    NOW,
    PARK_TZ,
    SQLITE_ONLY,
    VISIT,
    drop_year,
    seed_project,
    snapshot,
)
from tests.support.command import Cli, sets
from workflow.calendar_store import covered_years, seed_calendar
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import deadline_of
from workflow.users import add_user

# ---------------------------------------------------------------- init and the calendar

def test_init_on_a_migrated_database_changes_nothing_and_the_calendar_knows_national_day(
        cli: Cli, engine: Engine) -> None:
    with reading(engine) as session:
        years = covered_years(session)
    result = cli("init")
    assert result.code == 0, result
    assert "无新增" in result.out
    with reading(engine) as session:
        assert covered_years(session) == years
    shown = cli("calendar", "show", "2026")
    assert shown.code == 0, shown
    assert re.search(r"^2026-10-01\s+休\s+国庆节$", shown.out, re.M)
    assert re.search(r"^2026-10-10\s+班\s+国庆节", shown.out, re.M)  # 调休


# ---------------------------------------------------------------- calendar import

CSV_HEADER = "date,kind,name\n"


@pytest.fixture
def calendar_restored(db_url: str, engine: Engine) -> Iterator[Callable[[int], None]]:
    """Lets a test drop a year's arrangement; every touched year is put back afterwards
    (on PostgreSQL the calendar tables outlive the test)."""
    touched: set[int] = {2027}

    def drop(year: int) -> None:
        touched.add(year)
        with writing(engine) as session:
            drop_year(session, year)

    yield drop
    restorer = make_engine(db_url)
    try:
        with writing(restorer) as session:
            for year in touched:
                drop_year(session, year)
            seed_calendar(session, Park.default(tz=PARK_TZ, clock=FixedClock(NOW)), now=NOW)
    finally:
        restorer.dispose()


def test_an_admin_import_of_a_missing_year_silences_the_deadline_warning(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str], today: date,
        tmp_path: Path, calendar_restored: Callable[[int], None]) -> None:
    pid = seed_project(engine, park, people["alice"])
    with reading(engine) as session:
        deadline = deadline_of(park, session, snapshot(engine, pid))
    assert deadline is not None
    year = deadline.due_date.year
    calendar_restored(year)  # the year of the deadline has no arrangement yet
    good = tmp_path / "holidays.csv"
    good.write_text(CSV_HEADER + "".join(
        f"{y}-01-01,holiday,元旦\n{y}-10-01,holiday,国庆节\n" for y in sorted({year, 2027}))
        + "2027-09-26,workday,国庆节调休\n", encoding="utf-8")

    before, not_admin, added = cli.all(
        ["project", "show", str(pid), "--json"],
        ["calendar", "import", str(good), "--by", people["alice"]],
        ["project", "add", "新项目", "--category", "tech_transfer", "--owner", people["alice"],
         "--by", people["alice"], "--json"])
    assert before.json()["deadline"]["warnings"]
    assert str(year) in before.json()["deadline"]["warnings"][0]
    assert "尚未导入" in before.err
    # on stderr with --json too (it was only in the JSON of add and advance)
    assert added.json()["deadline"]["warnings"] and "尚未导入" in added.err
    calendar_restored(year + 1)  # the visit's month may end in the next year
    moved = cli("project", "advance", str(added.json()["id"]), "visit", "--by", people["alice"],
                *sets(VISIT), "--json")
    assert moved.json()["deadline"]["warnings"] and "尚未导入" in moved.err
    assert not_admin.code == 3, not_admin
    with reading(engine) as session:
        assert 2027 not in covered_years(session)  # nothing half-imported

    imported = cli("calendar", "import", str(good), "--by", people["admin"])
    assert imported.code == 0, imported
    assert "2027" in imported.out

    after, shown = cli.all(["project", "show", str(pid), "--json"],
                           ["calendar", "show", "2027", "--json"])
    assert after.json()["deadline"]["warnings"] == []
    assert after.json()["deadline"]["due_date"] == deadline.due_date.isoformat()
    assert "尚未导入" not in after.err
    assert shown.json()["covered"] is True
    assert [(d["date"], d["kind"], d["name"]) for d in shown.json()["days"]] == [
        ("2027-01-01", "holiday", "元旦"), ("2027-09-26", "workday", "国庆节调休"),
        ("2027-10-01", "holiday", "国庆节")]


@SQLITE_ONLY
def test_a_bad_calendar_line_is_refused_naming_the_line_in_the_admins_language(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str],
        tmp_path: Path) -> None:
    with writing(engine) as session:
        add_user(session, park.lifecycle, email="root@park.test", name="Root",
                 role="admin", lang="en", now=NOW)
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_HEADER + "2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n",
                   encoding="utf-8")
    chinese, english = cli.all(["calendar", "import", str(bad), "--by", people["admin"]],
                               ["calendar", "import", str(bad), "--by", "root@park.test"])
    for result in (chinese, english):
        assert result.code == 2, result
        assert len(result.err.strip().splitlines()) == 1
    assert "第 3 行" in chinese.err
    with reading(engine) as session:
        assert 2027 not in covered_years(session)  # nothing half-imported
    assert "line 3" in english.err
    assert not CJK.search(english.err), english.err
