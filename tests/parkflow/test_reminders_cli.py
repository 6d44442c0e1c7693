"""`parkflow reminders preview` shows the agenda and both reports on the days the loaded
calendar moves them to, and which period each report covers (a subprocess at NOW)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from db.engine import writing
from tests.factories import NOTICE_FILE, drop_year
from tests.support.command import Cli

PREVIEW = ("reminders", "preview", "--now", "2026-12-28T08:00", "--until", "2027-01-10")


@pytest.fixture
def loaded_2027(cli: Cli, engine: Engine, people: dict[str, str]) -> Iterator[None]:
    """The 2027 notice imported through the command; dropped afterwards."""
    done = cli("calendar", "import-notice", str(NOTICE_FILE), "--year", "2027", "--by",
               people["admin"])
    assert done.code == 0, done
    yield
    with writing(engine) as session:
        drop_year(session, 2027)


def periodic(cli: Cli) -> set[tuple[str, str]]:
    done = cli(*PREVIEW, "--json")
    assert done.code == 0, done
    return {(row["kind"], row["send_at"]) for row in done.json() if row["status"] == "pending"}


def test_without_2027_loaded_the_reports_go_out_on_new_years_day_a_friday(
        cli: Cli, people: dict[str, str]) -> None:
    assert periodic(cli) == {("agenda", "2026-12-28T08:30:00+08:00"),
                             ("agenda", "2027-01-04T08:30:00+08:00"),
                             ("monthly_report", "2027-01-01T09:00:00+08:00"),
                             ("quarterly_report", "2027-01-01T09:00:00+08:00")}


def test_with_2027_loaded_the_preview_shows_the_reports_moved_to_monday_january_4th(
        cli: Cli, loaded_2027: None) -> None:
    assert periodic(cli) == {("agenda", "2026-12-28T08:30:00+08:00"),
                             ("agenda", "2027-01-04T08:30:00+08:00"),
                             ("monthly_report", "2027-01-04T09:00:00+08:00"),
                             ("quarterly_report", "2027-01-04T09:00:00+08:00")}

    shown = cli(*PREVIEW, env={"COLUMNS": "240"})

    assert shown.code == 0, shown
    assert "月调度报告：2026年12月（2027年1月4日）" in shown.out
    assert "季度总结：2026年第4季度（2027年1月4日）" in shown.out
    assert "周例会议程（2027年1月4日）" in shown.out
