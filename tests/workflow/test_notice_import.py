"""Importing the holiday notice: a preview beside the calendar, then the year replaced like an
admin's calendar file replaces it, deadlines recomputed; admins only; nothing on a doubt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, delete

from db.engine import reading, writing
from db.models import CalendarDay, CalendarYear, columns
from tests.factories import NOW, PARK_TZ, SAMPLE_2027, D
from workflow.calendar import SpecialDay
from workflow.calendar_store import covered_years, seed_calendar, show_calendar
from workflow.clock import FixedClock
from workflow.errors import NotPermitted, ValidationError
from workflow.notice_import import NoticeImport, import_notice, notice_source
from workflow.park import Park
from workflow.projects import add_project
from workflow.views import project_view


@pytest.fixture(autouse=True)
def calendar_restored(engine: Engine, park: Park) -> Iterator[None]:
    """On PostgreSQL the calendar tables outlive a test: put 2026 and 2027 back as seeded."""
    yield
    with writing(engine) as session:
        day = columns(CalendarDay).day
        session.execute(delete(CalendarDay).where(day >= date(2026, 1, 1),
                                                  day <= date(2027, 12, 31)))
        session.execute(delete(CalendarYear).where(columns(CalendarYear).year >= 2026))
        seed_calendar(session, park, now=NOW)


def run(engine: Engine, park: Park, text: str, *, year: int = 2027, actor: str,
        dry_run: bool = False) -> NoticeImport:
    with writing(engine) as session:
        return import_notice(session, park, text=text, year=year, actor=actor,
                             now=park.now(), dry_run=dry_run)


def test_a_dry_run_shows_every_day_of_the_notice_beside_the_calendar_and_stores_nothing(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    result = run(engine, park, SAMPLE_2027, actor=people["admin"], dry_run=True)
    assert result.imported is False and result.source_before is None
    assert result.counts() == {"added": 32, "removed": 0, "changed": 0, "unchanged": 0}
    first = result.days[0]
    assert (first.day, first.notice, first.calendar, first.change) == (
        D("2027-01-01"), SpecialDay(D("2027-01-01"), False, "元旦"), None, "added")
    assert result.as_json() == {
        "year": 2027, "imported": False,
        "holidays": [d.isoformat() for d in result.notice.holidays],
        "workdays": ["2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"]}
    assert len(result.as_json()["holidays"]) == 28
    with reading(engine) as session:
        assert 2027 not in covered_years(session)
        assert show_calendar(session, 2027)["days"] == []


def test_an_import_loads_the_year_and_moves_a_deadline_off_new_years_day_with_history(
        engine: Engine, park: Park, clock: FixedClock, people: dict[str, str]) -> None:
    clock.set(datetime(2026, 12, 28, 10, 0, tzinfo=PARK_TZ))
    with writing(engine) as session:
        pid = add_project(session, park, name="量子测量", category="tech_transfer",
                          owner=people["alice"], actor=people["alice"], intake="2026-12-25").id
    with reading(engine) as session:
        before = project_view(session, park, pid)["deadline"]
    assert before["due_date"] == "2027-01-01" and before["warnings"]  # 2027 not loaded

    result = run(engine, park, SAMPLE_2027, actor=people["admin"])

    assert result.imported is True and result.counts()["added"] == 32
    with reading(engine) as session:
        view = project_view(session, park, pid)
        shown = show_calendar(session, 2027)
    assert view["deadline"]["due_date"] == "2027-01-04"
    assert view["deadline"]["warnings"] == []
    moved = view["history"][-1]
    assert moved["event"] == "recalculated" and moved["actor"] == people["admin"]
    assert moved["fields"]["calendar_years"] == [2027]  # facts, shown with labels when read
    assert moved["fields"]["source"] == notice_source(2027)
    assert shown["covered"] is True and shown["source"] == notice_source(2027)
    assert len(shown["days"]) == 32
    assert {"date": "2027-10-09", "kind": "workday", "name": "国庆节"} in shown["days"]


def test_a_second_look_compares_with_what_was_imported(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    run(engine, park, SAMPLE_2027, actor=people["admin"])
    again = run(engine, park, SAMPLE_2027, actor=people["admin"], dry_run=True)
    assert again.counts() == {"added": 0, "removed": 0, "changed": 0, "unchanged": 32}
    assert again.source_before == notice_source(2027)
    # a correction: the make-up day moves from Saturday 02-20 to Sunday 01-31
    corrected = SAMPLE_2027.replace("2月20日（周六）上班", "1月31日（周日）上班")
    changes = {d.day.isoformat(): d.change
               for d in run(engine, park, corrected, actor=people["admin"]).days
               if d.change != "unchanged"}
    assert changes == {"2027-01-31": "added", "2027-02-20": "removed"}
    with reading(engine) as session:
        days = {d["date"] for d in show_calendar(session, 2027)["days"]}
    assert "2027-01-31" in days and "2027-02-20" not in days


def test_a_day_before_the_year_replaces_only_that_day_and_next_years_december_is_kept(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    new_year = "一、元旦：2026年12月31日（周四）至2027年1月2日（周六）放假，共3天。"
    first = run(engine, park, new_year, actor=people["admin"])
    assert [(d.day.isoformat(), d.change) for d in first.days] == [
        ("2026-12-31", "added"), ("2027-01-01", "added"), ("2027-01-02", "added")]
    with reading(engine) as session:
        assert 2026 in covered_years(session)  # still chinese-calendar's 2026
        days_2026 = show_calendar(session, 2026)
    assert days_2026["source"] == "chinese-calendar"
    assert {"date": "2026-12-31", "kind": "holiday", "name": "元旦"} in days_2026["days"]
    assert {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"} in days_2026["days"]

    # re-importing 2026 leaves the New Year's Eve that the 2027 notice gave
    items_2026 = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    again = run(engine, park, items_2026, year=2026, actor=people["admin"])
    assert D("2026-12-31") not in {d.day for d in again.days}
    assert again.counts()["removed"] == len(days_2026["days"]) - 1 - 4
    with reading(engine) as session:
        dates = [d["date"] for d in show_calendar(session, 2026)["days"]]
    assert dates == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-12-31"]


@pytest.mark.parametrize("who", ["alice", "leader"])
def test_only_an_admin_may_preview_or_import_a_notice(
        engine: Engine, park: Park, people: dict[str, str], who: str) -> None:
    for dry_run in (True, False):
        with pytest.raises(NotPermitted) as caught:
            run(engine, park, SAMPLE_2027, actor=people[who], dry_run=dry_run)
        assert caught.value.code == "admin_only" and caught.value.exit_code == 3
    with reading(engine) as session:
        assert 2027 not in covered_years(session)


def test_an_unreadable_sentence_is_refused_quoting_it_and_nothing_is_imported(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    broken = SAMPLE_2027.replace("放假1天，不调休。", "放假1天，不调休。具体另行通知。", 1)
    with pytest.raises(ValidationError) as caught:
        run(engine, park, broken, actor=people["admin"])
    assert caught.value.exit_code == 2 and caught.value.field == "text"
    assert caught.value.message() == "无法识别通知中的这句话：“具体另行通知”"
    assert caught.value.message("en") == "Cannot read this sentence of the notice: “具体另行通知”"
    with reading(engine) as session:
        assert 2027 not in covered_years(session)


@pytest.mark.parametrize(
    ("year", "text", "field", "code"),
    [(2026, SAMPLE_2027, "text", "notice_year"),
     (1800, SAMPLE_2027, "year", "out_of_range"),
     (2027, SAMPLE_2027 + " " * 50_000, "text", "too_long")],
)
def test_a_wrong_year_or_an_oversized_text_is_refused_naming_the_field(
        engine: Engine, park: Park, people: dict[str, str], year: int, text: str,
        field: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        run(engine, park, text, year=year, actor=people["admin"])
    assert (caught.value.field, caught.value.code) == (field, code)
