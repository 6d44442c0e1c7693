"""The leader's first screen and the to-do list, as data: the park of
tests/support/home_dataset.py on Friday 2026-11-20, every figure worked out by hand there."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy import Engine

from db.engine import reading
from reports.compute import compute, projects_behind
from reports.periods import Period, period_containing
from reports.today import (
    GroupOverdue,
    LeaderHome,
    Todo,
    days_left,
    last_day_of,
    leader_home,
    light,
    month_so_far,
    todo,
)
from tests.factories import PARK_TZ, D, on
from tests.support.home_dataset import RETURN_COMMENT, build
from workflow.clock import FixedClock
from workflow.park import Park


@pytest.fixture
def ids(engine: Engine, park: Park, clock: FixedClock, people: dict[str, str]) -> dict[str, int]:
    return build(engine, park, clock, people)


@pytest.fixture
def home(engine: Engine, park: Park, ids: dict[str, int]) -> LeaderHome:
    with reading(engine) as session:
        return leader_home(session, park)


def to_do(engine: Engine, park: Park, email: str, lead_of: str | None = None) -> Todo:
    with reading(engine) as session:
        return todo(session, park, email=email, group_lead_of=lead_of)


# ---------------------------------------------------------------- rules

@pytest.mark.parametrize(("count", "colour"), [(0, "green"), (1, "amber"), (2, "amber"),
                                               (3, "red"), (12, "red")])
def test_a_group_is_green_without_overdue_projects_amber_with_one_or_two_red_from_three(
        count: int, colour: str) -> None:
    assert light(count) == colour


@pytest.mark.parametrize(("last_day", "left"), [("2026-11-23", 3), ("2026-11-20", 0),
                                                ("2026-11-19", -1), ("2026-11-09", -11)])
def test_days_left_count_to_the_last_day_in_park_time(last_day: str, left: int) -> None:
    assert days_left(D(last_day), D("2026-11-20")) == left


def test_a_deadline_at_midnight_belongs_to_the_day_before() -> None:
    assert last_day_of(on("2026-11-10", "00:00"), PARK_TZ) == D("2026-11-09")
    # stored in UTC: 2026-11-09 16:00Z is the same midnight in Hefei
    assert last_day_of(on("2026-11-10", "00:00").astimezone(UTC), PARK_TZ) == D("2026-11-09")


def test_the_month_so_far_runs_from_the_first_to_today() -> None:
    assert month_so_far(date(2026, 11, 20)) == Period("monthly", D("2026-11-01"), D("2026-11-20"))


# ---------------------------------------------------------------- 首页

def test_the_month_so_far_beside_the_whole_of_last_month(home: LeaderHome) -> None:
    assert (home.this_month.start, home.this_month.end) == (D("2026-11-01"), D("2026-11-20"))
    assert (home.last_month.start, home.last_month.end) == (D("2026-10-01"), D("2026-10-31"))
    # November: intakes P3 P11 P12 P5 P4 P6; visit P12; register P2; open P1; exit P9.
    # October: intakes P2 P9 P10 P8 P7; visits P2 P9 P8; register and sign P1; exit P10
    # (10-31). September's intake and visit of P1 count in neither.
    assert {f.key: (f.this_month, f.last_month) for f in home.figures} == {
        "intakes": (6, 5), "visit": (1, 3), "register": (1, 1), "sign": (0, 1),
        "open": (1, 0), "exit": (1, 1)}
    assert [f.key for f in home.figures] == ["intakes", "visit", "register", "sign", "open",
                                             "exit"]


def test_each_figure_links_to_the_projects_behind_it_in_the_reports(home: LeaderHome) -> None:
    visits = next(f for f in home.figures if f.key == "visit")
    assert visits.this_link == "/reports/monthly/2026-11/projects?figure=events.visit"
    assert visits.last_link == "/reports/monthly/2026-10/projects?figure=events.visit"
    assert home.figures[0].this_link == "/reports/monthly/2026-11/projects?figure=intakes"


def test_the_funnel_counts_the_projects_in_each_stage_now(home: LeaderHome) -> None:
    assert [(s.state, s.count, s.width, s.final) for s in home.funnel] == [
        ("intake", 6, 100, False),     # P3 P4 P5 P6 P7 P11
        ("visited", 2, 35, False),     # P8 P12: 2/6 of the bar, to the nearest 5 %
        ("registered", 1, 15, False),  # P2
        ("signed", 0, 0, False),
        ("opened", 1, 15, False),      # P1
        ("exited", 2, 35, True)]       # P9 P10
    assert home.funnel[0].link == "/projects?state=intake"


def test_overdue_projects_by_group_as_traffic_lights(home: LeaderHome) -> None:
    # project: P3 (due 11-09), P7 (11-02), P11 (11-12); finance: P8 (11-19). P5, due today,
    # is not late yet.
    assert home.overdue == [
        GroupOverdue("platform", 0, "green", "/projects?group=platform&overdue=1"),
        GroupOverdue("project", 3, "red", "/projects?group=project&overdue=1"),
        GroupOverdue("finance", 1, "amber", "/projects?group=finance&overdue=1"),
        GroupOverdue("general", 0, "green", "/projects?group=general&overdue=1")]
    assert home.overdue_total == 4


def test_the_report_of_the_month_in_progress_counts_the_overdue_the_first_screen_shows(
        engine: Engine, park: Park, home: LeaderHome, ids: dict[str, int]) -> None:
    # P4 (due 11-23), P5 (today) and P6 (11-24) are due later in November: not late now
    period = period_containing("monthly", D("2026-11-20"))
    with reading(engine) as session:
        november = compute(session, park, period)
        late = projects_behind(session, park, period, november, "overdue_at_end.groups.project")
    assert november["overdue_at_end"]["total"] == home.overdue_total
    assert {g["group"]: g["count"] for g in november["overdue_at_end"]["groups"]} == {
        g.group: g.count for g in home.overdue if g.count}
    assert sorted(late or []) == sorted([ids["P3"], ids["P7"], ids["P11"]])
    # the month's figures the screen links to are the report's, as of now
    assert november["intakes"] == next(f.this_month for f in home.figures if f.key == "intakes")


def test_pending_approvals_oldest_first_with_the_days_left_to_decide(
        home: LeaderHome, ids: dict[str, int]) -> None:
    # A1 filed Fri 11-13: 3 working days → Wed 11-18, two days ago; A2 filed Thu 11-19:
    # Fri 11-20, Mon 11-23, Tue 11-24 → four days left. A3 was returned: not pending.
    assert [(a.id, a.kind, a.project, a.last_day, a.days_left) for a in home.approvals] == [
        (ids["A1"], "extension", "新材料", D("2026-11-18"), -2),
        (ids["A2"], "suspension", "工业软件", D("2026-11-24"), 4)]
    assert home.approvals[0].link == f"/inbox#approval-{ids['A1']}"
    assert home.approvals[0].requested_by_name == "陈卡罗"


def test_star_projects_whose_weekly_follow_up_is_due(home: LeaderHome,
                                                     ids: dict[str, int]) -> None:
    # P8 (★★) visited 10-23, never followed up: due 10-30. P2 (★★★) followed up 11-10: due
    # 11-17. P12 (★) visited 11-16: not due before 11-23. P1 has opened: no longer asked.
    assert [(f.project_id, f.stars, f.since, f.last_day, f.days_left)
            for f in home.follow_ups] == [
        (ids["P8"], 2, D("2026-10-23"), D("2026-10-30"), -21),
        (ids["P2"], 3, D("2026-11-10"), D("2026-11-17"), -3)]


# ---------------------------------------------------------------- 我的待办

def test_a_members_to_do_overdue_due_soon_follow_ups_and_returned_requests(
        engine: Engine, park: Park, people: dict[str, str], ids: dict[str, int]) -> None:
    mine = to_do(engine, park, people["alice"])
    assert [(d.project, d.last_day, d.days_left) for d in mine.overdue] == [
        ("智能网联", D("2026-11-09"), -11)]
    # P5 is due today, P4 in 3 days; P6, 4 days ahead, is beyond the first reminder
    assert [(d.project, d.last_day, d.days_left) for d in mine.due_soon] == [
        ("柔性显示", D("2026-11-20"), 0), ("氢能储运", D("2026-11-23"), 3)]
    assert [(f.project, f.days_left) for f in mine.follow_ups] == [("量子传感", -3)]
    [returned] = mine.returned
    assert (returned.id, returned.kind, returned.project, returned.comment) == (
        ids["A3"], "extension", "智能网联", RETURN_COMMENT)
    # returned on 11-17; what it is about, the visit, was due 11-09
    assert (returned.returned_on, returned.last_day, returned.days_left) == (
        D("2026-11-17"), D("2026-11-09"), -11)
    assert returned.link == f"/inbox#approval-{ids['A3']}"
    assert mine.overdue[0].link == f"/projects/{ids['P3']}"
    assert mine.group is None and not mine.empty


def test_a_group_lead_keeps_their_own_list_and_sees_how_many_of_the_group_are_late(
        engine: Engine, park: Park, people: dict[str, str], ids: dict[str, int]) -> None:
    lead = to_do(engine, park, people["carol"], lead_of="project")
    assert [(d.project, d.days_left) for d in lead.overdue] == [("新材料", -18),
                                                                ("精密仪器", -8)]
    assert lead.due_soon == [] and lead.follow_ups == [] and lead.returned == []
    assert (lead.group_overdue, lead.group_link) == (3, "/projects?group=project&overdue=1")


def test_someone_without_projects_has_an_empty_list(
        engine: Engine, park: Park, people: dict[str, str], ids: dict[str, int]) -> None:
    assert to_do(engine, park, people["leader"]).empty
