"""The three reports on a dataset with fixed dates; every figure worked out by hand.

The dataset (2026 unless said; "10:00" is the time each event occurred, recorded the same
moment unless told):
  P0 platform, carol: intake 2025-10-09, visit 10-10, register 10-20, sign 11-03, open 11-17
  P1 tech_transfer, alice: intake 09-14, visit 09-18 (15 → 2★), register 10-12, follow-up
     10-28, sign 10-30, open 11-05
  P4 tech_transfer, alice: intake 09-01, visit 09-04, exit 10-15 (relocated)
  P2 alumni, bob: intake 10-12, visit 10-23 (16 → 3★: 4 days late, due 10-19)
  P3 platform, carol: intake 10-20, never visited (due 10-27); extension asked 10-30, pending
  P5 tech_transfer, bob: intake 10-26, visit occurred 10-29 but recorded 11-03 (15 → 2★)
  P7 tech_transfer, alice: intake 10-30 11:00 (visit due 11-06)
  P6 alumni, carol: intake 11-02, visit 11-06 (2★)
  bob asked an extension for P2 on 10-27; the leader rejected it on 10-28.

Deadlines (the seeded 2026 calendar: 10-01…10-07 National Day):
  intake + 7 days: P2 10-19, P3 10-27, P5 11-02, P7 11-06, P6 11-09;
  visited, intake + 1 month: P1 10-14, P4 10-01 → rolled to 10-08, P2 11-12, P5 11-26;
  registered, register + 1 month: P1 11-12; signed, sign + 1 month: P1 11-30.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import reading, writing
from reports.compute import compute, projects_behind
from reports.periods import period_containing
from tests.factories import ALICE, BOB, CAROL, LEADER, NOW, PARK_TZ, VALID, VISIT, on
from workflow.approvals import decide, file_extension
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import add_project, advance, follow_up

pytestmark = pytest.mark.usefixtures("module_people")

THREE_STARS = VALID["visit"]  # 4 + 5 + 3 + 4 = 16
TWO_STARS = VISIT  # 4 + 4 + 4 + 3 = 15
EXIT = {"reason": "relocated", "note": "迁往苏州"}


class Recorder:
    """Writes history the way people do: each event recorded when it happens, unless told."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clock = FixedClock(on("2025-10-09", "10:00"))
        self.park = Park.default(tz=PARK_TZ, clock=self.clock)
        self.ids: dict[str, int] = {}

    def _at(self, when: datetime, recorded: datetime | None) -> Session:
        self.clock.set(recorded or when)
        return writing(self.engine)  # type: ignore[return-value]

    def intake(self, name: str, category: str, owner: str, day: str,
               time: str = "10:00") -> None:
        when = on(day, time)
        with self._at(when, None) as session:
            self.ids[name] = add_project(session, self.park, name=name, category=category,
                                         owner=owner, actor=owner, intake=when).id

    def fire(self, name: str, event: str, actor: str, day: str, fields: dict[str, Any],
             recorded: str | None = None) -> None:
        when = on(day, "10:00")
        with self._at(when, on(recorded, "10:00") if recorded else None) as session:
            advance(session, self.park, project_id=self.ids[name], event=event, actor=actor,
                    at=when, fields=fields, allow_duplicate=True)

    def road(self, name: str, actor: str, *steps: tuple[str, str, dict[str, Any]]) -> None:
        for event, day, fields in steps:
            self.fire(name, event, actor, day, fields)


def build_october(engine: Engine) -> Recorder:
    """The dataset as it stood on 2026-11-01."""
    r = Recorder(engine)
    r.intake("P0", "platform", CAROL, "2025-10-09")
    r.road("P0", CAROL, ("visit", "2025-10-10", TWO_STARS),
           ("register", "2025-10-20", VALID["register"]),
           ("sign", "2025-11-03", VALID["sign"]), ("open", "2025-11-17", VALID["open"]))
    r.intake("P4", "tech_transfer", ALICE, "2026-09-01")
    r.fire("P4", "visit", ALICE, "2026-09-04", TWO_STARS)
    r.intake("P1", "tech_transfer", ALICE, "2026-09-14")
    r.road("P1", ALICE, ("visit", "2026-09-18", TWO_STARS),
           ("register", "2026-10-12", VALID["register"]))
    r.intake("P2", "alumni", BOB, "2026-10-12")
    r.fire("P4", "exit", ALICE, "2026-10-15", EXIT)
    r.intake("P3", "platform", CAROL, "2026-10-20")
    r.fire("P2", "visit", BOB, "2026-10-23", THREE_STARS)
    r.intake("P5", "tech_transfer", BOB, "2026-10-26")
    with r._at(on("2026-10-27", "10:00"), None) as session:
        rejected = file_extension(session, r.park, project_id=r.ids["P2"], days=10,
                                  reason="材料待核准", actor=BOB).id
    assert rejected is not None
    with r._at(on("2026-10-28", "09:00"), None) as session:
        decide(session, r.park, approval_id=rejected, decision="reject", actor=LEADER,
               comment="请按期推进")
    with r._at(on("2026-10-28", "10:00"), None) as session:
        follow_up(session, r.park, project_id=r.ids["P1"], actor=ALICE, note="电话沟通进展",
                  at=on("2026-10-28", "10:00"))
    r.fire("P1", "sign", ALICE, "2026-10-30", VALID["sign"])
    r.intake("P7", "tech_transfer", ALICE, "2026-10-30", "11:00")
    with r._at(on("2026-10-30", "15:00"), None) as session:
        pending = file_extension(session, r.park, project_id=r.ids["P3"], days=7,
                                 reason="企业负责人出差", actor=CAROL).id
    assert pending is not None
    r.ids["pending"] = pending
    return r


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Iterator[Engine]:
    yield module_engine


@pytest.fixture(scope="module")
def october(module_engine: Engine) -> tuple[Recorder, dict[str, Any]]:
    """The history up to October's end, and October's report as the dispatch computed it on
    2026-11-01 (counting what occurred, and as recorded)."""
    recorder = build_october(module_engine)
    recorder.clock.set(on("2026-11-01", "09:00"))
    with reading(module_engine) as session:
        return recorder, {mode: report(session, recorder.park, "monthly", "2026-10-15", mode)
                          for mode in ("occurred", "recorded")}


@pytest.fixture(scope="module")
def october_sent(october: tuple[Recorder, dict[str, Any]]) -> dict[str, Any]:
    return october[1]


@pytest.fixture(scope="module")
def dataset(october: tuple[Recorder, dict[str, Any]]) -> Recorder:
    """The rest of the history, November included, recorded after October's report."""
    recorder = october[0]
    recorder.intake("P6", "alumni", CAROL, "2026-11-02")
    recorder.fire("P5", "visit", BOB, "2026-10-29", TWO_STARS, recorded="2026-11-03")
    recorder.fire("P1", "open", ALICE, "2026-11-05", VALID["open"])
    recorder.fire("P6", "visit", CAROL, "2026-11-06", TWO_STARS)
    recorder.clock.set(NOW)
    return recorder


def report(session: Session, park: Park, kind: str, day: str, mode: str) -> dict[str, Any]:
    period = period_containing(kind, on(day).date())  # type: ignore[arg-type]
    result = compute(session, park, period, as_recorded=mode == "recorded")
    result.pop("behind")
    return result


def figures(dataset: Recorder, kind: str, day: str, mode: str = "occurred") -> dict[str, Any]:
    with reading(dataset.engine) as session:
        return report(session, dataset.park, kind, day, mode)


def stage(result: dict[str, Any], state: str) -> dict[str, Any]:
    return next(s for s in result["stages"] if s["state"] == state)


# ---------------------------------------------------------------- monthly

OCTOBER_STAGES = {  # state: at_start, at_end, entered, moved_on, exited, median, p90
    "intake": (0, 2, 4, 2, 0, 3, 11),          # P2 11 days, P5 3 days
    "visited": (2, 2, 2, 1, 1, 24, 41),        # P1 24 days, P4 41 days
    "registered": (0, 0, 1, 1, 0, 18, 18),     # P1 10-12 → 10-30
    "signed": (0, 1, 1, 0, 0, None, None),
    "opened": (1, 1, 0, 0, 0, None, None),     # P0, opened in 2025
    "exited": (0, 1, 1, 0, 0, None, None),
}


def test_monthly_october_figures(dataset: Recorder) -> None:
    october = figures(dataset, "monthly", "2026-10-01")
    assert october["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert october["intakes"] == 4
    assert october["events"] == {"visit": 2, "register": 1, "sign": 1, "open": 0, "exit": 1,
                                 "reactivate": 0}
    for state, expected in OCTOBER_STAGES.items():
        row = stage(october, state)
        assert (row["at_start"], row["at_end"], row["entered"], row["moved_on"], row["exited"],
                row["days_median"], row["days_p90"]) == expected, state
    assert stage(october, "intake")["allowed_days"] == 7
    assert stage(october, "visited")["allowed"] == {"months": 1, "days": 0, "from": "intake"}
    # project: P1 visited (on time), P4 visited (exited past its deadline: late), P1 registered
    # finance: P2 intake (4 days late), P5 intake (on time)
    assert october["on_time"]["groups"] == [
        {"group": "project", "left": 3, "on_time": 2, "rate": 0.6667},
        {"group": "finance", "left": 2, "on_time": 1, "rate": 0.5}]
    assert [(o["owner"], o["left"], o["on_time"]) for o in october["on_time"]["owners"]] == [
        (ALICE, 3, 2), (BOB, 2, 1)]
    assert october["on_time"]["total"] == {"left": 5, "on_time": 3, "rate": 0.6}
    # on 10-31 only P3's visit (due 10-27) is late; P7's is due 11-06
    assert october["overdue_at_end"]["groups"] == [{"group": "project", "count": 1}]
    assert october["overdue_at_end"]["owners"] == [{"owner": CAROL, "name": "陈卡罗",
                                                    "count": 1}]
    assert october["exits_by_reason"] == {"relocated": 1, "failed": 0, "not_qualified": 0,
                                          "merged": 0, "other": 0}
    assert october["stars"] == {"0": 0, "1": 0, "2": 1, "3": 1}
    assert october["as_of"] == "2026-11-01T00:00:00+08:00"  # a finished month: its end


def test_the_late_visit_counts_where_it_occurred_not_as_recorded(
        dataset: Recorder, october_sent: dict[str, Any]) -> None:
    now = figures(dataset, "monthly", "2026-10-01")
    recorded = figures(dataset, "monthly", "2026-10-01", "recorded")
    # as recorded: what the dispatch could see on 11-01, unchanged by November
    assert recorded == october_sent["recorded"]
    # on 11-01 nothing late was known yet: both ways of counting agreed
    assert {**october_sent["occurred"], "as_recorded": True} == october_sent["recorded"]
    # the visit of P5, recorded on 11-03, is October's: it is in, as recorded it is not
    assert now["events"]["visit"] == 2 and recorded["events"]["visit"] == 1
    assert (stage(now, "intake")["at_end"], stage(recorded, "intake")["at_end"]) == (2, 3)
    assert (stage(now, "visited")["entered"], stage(recorded, "visited")["entered"]) == (2, 1)
    assert stage(recorded, "intake")["days_median"] == 11
    assert recorded["on_time"]["groups"][1] == {"group": "finance", "left": 1, "on_time": 0,
                                                "rate": 0.0}
    assert recorded["stars"] == {"0": 0, "1": 0, "2": 0, "3": 1}
    # November's own events (P1 opened, P6 taken in and visited) change neither
    assert now["events"]["open"] == 0 and now["intakes"] == 4


# ---------------------------------------------------------------- weekly

def test_weekly_meeting_of_the_last_october_week(dataset: Recorder) -> None:
    week = figures(dataset, "weekly", "2026-10-28")
    ids = dataset.ids
    assert week["period"] == {"start": "2026-10-26", "end": "2026-11-01"}
    assert [p["id"] for p in week["intakes"]] == [ids["P5"], ids["P7"]]
    assert [(p["id"], p["due_date"]) for p in week["visits_due"]] == [(ids["P7"], "2026-11-06")]
    assert [(p["id"], p["days_overdue"]) for p in week["visits_overdue"]] == [(ids["P3"], 5)]
    assert week["overdue"] == [{"project_id": ids["P3"], "name": "P3", "owner": CAROL,
                                "owner_name": "陈卡罗", "group": "project", "state": "intake",
                                "due_date": "2026-10-27", "days_overdue": 5}]
    # P1 was followed up on 10-28 (4 days before the week's end); P2 was visited 10-23
    assert [(p["id"], p["stars"], p["since"], p["days_since"])
            for p in week["follow_ups_due"]] == [(ids["P2"], 3, "2026-10-23", 9)]
    # bob's request was rejected on 10-28; carol's of 10-30 still waits
    assert [(a["id"], a["kind"], a["project_id"], a["submitted_at"])
            for a in week["pending_approvals"]] == [
        (ids["pending"], "extension", ids["P3"], "2026-10-30T15:00:00+08:00")]
    assert [(m["project_id"], m["event"], m["actor"], m["occurred_at"]) for m in week["moved"]] \
        == [(ids["P5"], "intake", BOB, "2026-10-26T10:00:00+08:00"),
            (ids["P5"], "visit", BOB, "2026-10-29T10:00:00+08:00"),
            (ids["P1"], "sign", ALICE, "2026-10-30T10:00:00+08:00"),
            (ids["P7"], "intake", ALICE, "2026-10-30T11:00:00+08:00")]
    assert week["as_of"] == "2026-11-02T00:00:00+08:00"


def test_weekly_as_recorded_leaves_the_late_visit_out(dataset: Recorder) -> None:
    week = figures(dataset, "weekly", "2026-10-28", "recorded")
    ids = dataset.ids
    assert [(p["id"], p["due_date"]) for p in week["visits_due"]] == [
        (ids["P5"], "2026-11-02"), (ids["P7"], "2026-11-06")]
    assert [m["event"] for m in week["moved"]] == ["intake", "sign", "intake"]


# ---------------------------------------------------------------- periods in progress

def figures_at(dataset: Recorder, moment: datetime, kind: str, day: str) -> dict[str, Any]:
    """A report computed at `moment` (the dataset's own park stays at NOW)."""
    park = Park.default(tz=PARK_TZ, clock=FixedClock(moment))
    with reading(dataset.engine) as session:
        return report(session, park, kind, day, "occurred")


def test_the_month_in_progress_is_judged_as_of_now_not_at_its_end(dataset: Recorder) -> None:
    # NOW is 11-20 10:00. Late then: P3 (visit due 10-27), P7 (visit due 11-06), P2
    # (registration due 11-12); P5's registration is due 11-26, later in the month: not late
    november = figures(dataset, "monthly", "2026-11-20")
    ids = dataset.ids
    assert november["as_of"] == "2026-11-20T10:00:00+08:00"
    assert november["overdue_at_end"]["groups"] == [{"group": "project", "count": 2},
                                                    {"group": "finance", "count": 1}]
    # one each: the owners in pinyin order of their names, 陈卡罗 李爱丽 赵博 (not by email)
    assert [(o["owner"], o["count"]) for o in november["overdue_at_end"]["owners"]] == [
        (CAROL, 1), (ALICE, 1), (BOB, 1)]
    assert november["overdue_at_end"]["total"] == 3
    with reading(dataset.engine) as session:
        period = period_containing("monthly", on("2026-11-20").date())
        full = compute(session, dataset.park, period)
        assert projects_behind(session, dataset.park, period, full,
                               "overdue_at_end.owners." + BOB) == [ids["P2"]]


def test_the_week_in_progress_counts_no_deadline_still_to_come_as_overdue(
        dataset: Recorder) -> None:
    # Tuesday 11-10 of the week 11-09 … 11-15: P2's registration is due Thursday 11-12
    week = figures_at(dataset, on("2026-11-10", "10:00"), "weekly", "2026-11-10")
    ids = dataset.ids
    assert week["period"] == {"start": "2026-11-09", "end": "2026-11-15"}
    assert week["as_of"] == "2026-11-10T10:00:00+08:00"
    assert [(p["project_id"], p["due_date"], p["days_overdue"]) for p in week["overdue"]] == [
        (ids["P3"], "2026-10-27", 14), (ids["P7"], "2026-11-06", 4)]  # 陈卡罗, then 李爱丽
    assert [(p["id"], p["days_overdue"]) for p in week["visits_overdue"]] == [
        (ids["P3"], 14), (ids["P7"], 4)]
    # P6, visited 11-06, is not due its weekly follow-up until 11-13
    assert [(p["id"], p["days_since"]) for p in week["follow_ups_due"]] == [
        (ids["P2"], 18), (ids["P5"], 12)]


def test_a_stage_due_today_is_not_late_yet_in_the_week_in_progress(dataset: Recorder) -> None:
    # Thursday 11-12, 23:00: P2's registration is due today; its visit list is untouched
    week = figures_at(dataset, on("2026-11-12", "23:00"), "weekly", "2026-11-12")
    assert dataset.ids["P2"] not in [p["project_id"] for p in week["overdue"]]
    day_after = figures_at(dataset, on("2026-11-13", "08:00"), "weekly", "2026-11-12")
    assert [(p["due_date"], p["days_overdue"]) for p in day_after["overdue"]
            if p["project_id"] == dataset.ids["P2"]] == [("2026-11-12", 1)]


def test_a_finished_period_is_the_same_whenever_it_is_computed(dataset: Recorder) -> None:
    def seen_on(day: str) -> dict[str, Any]:
        return figures_at(dataset, on(day, "10:00"), "weekly", "2026-11-10")

    monday, later = seen_on("2026-11-16"), seen_on("2026-12-20")
    assert monday == later
    assert later["as_of"] == "2026-11-16T00:00:00+08:00"
    assert [(p["project_id"], p["days_overdue"]) for p in later["overdue"]] == [
        (dataset.ids["P3"], 19), (dataset.ids["P7"], 9), (dataset.ids["P2"], 3)]  # 陈 李 赵


# ---------------------------------------------------------------- quarterly

def test_quarterly_summary_of_the_fourth_quarter_so_far(dataset: Recorder) -> None:
    quarter = figures(dataset, "quarterly", "2026-11-20")
    ids = dataset.ids
    assert quarter["period"] == {"start": "2026-10-01", "end": "2026-12-31"}
    assert quarter["as_of"] == "2026-11-20T10:00:00+08:00"  # the quarter so far: now
    assert quarter["opened"] == 1
    assert [(p["id"], p["opened_on"], p["cycle_days"]) for p in quarter["opened_projects"]] \
        == [(ids["P1"], "2026-11-05", 52)]  # 09-14 → 11-05
    assert quarter["cycle_days"] == {
        "tech_transfer": {"count": 1, "median": 52, "p90": 52},
        "alumni": {"count": 0, "median": None, "p90": None},
        "platform": {"count": 0, "median": None, "p90": None}}
    # the quarter's intakes: P5, P7 (tech_transfer), P2, P6 (alumni), P3 (platform)
    assert quarter["conversion"] == {
        "tech_transfer": {"intake": 2, "visited": 1, "registered": 0, "signed": 0, "opened": 0,
                          "exited": 0},
        "alumni": {"intake": 2, "visited": 2, "registered": 0, "signed": 0, "opened": 0,
                   "exited": 0},
        "platform": {"intake": 1, "visited": 0, "registered": 0, "signed": 0, "opened": 0,
                     "exited": 0}}
    # November: P1 left `signed` 11-05 (due 11-30), P6 left `intake` 11-06 (due 11-09)
    assert quarter["on_time_by_month"] == [
        {"month": "2026-10", "left": 5, "on_time": 3, "rate": 0.6},
        {"month": "2026-11", "left": 2, "on_time": 2, "rate": 1.0},
        {"month": "2026-12", "left": 0, "on_time": 0, "rate": None}]
    assert quarter["stars"] == {"0": 0, "1": 0, "2": 2, "3": 1}
    assert quarter["year_earlier"] == {
        "period": {"start": "2025-10-01", "end": "2025-12-31"}, "opened": 1,
        "by_category": {"platform": 1}}


def test_without_history_a_year_back_there_is_no_comparison(dataset: Recorder) -> None:
    # the first project was taken in on 2025-10-09: nothing to compare Q1 2026 with
    assert figures(dataset, "quarterly", "2026-01-15")["year_earlier"] is None


def test_every_figure_opens_the_projects_it_counts(dataset: Recorder) -> None:
    ids = dataset.ids
    period = period_containing("monthly", on("2026-10-01").date())
    with reading(dataset.engine) as session:
        october = compute(session, dataset.park, period)

        def behind(figure: str) -> list[int] | None:
            found = projects_behind(session, dataset.park, period, october, figure)
            return sorted(found) if found is not None else None

        # counted by the database, looked up on request
        assert behind("stages.intake.at_end") == sorted([ids["P3"], ids["P7"]])
        assert behind("stages.visited.at_start") == sorted([ids["P1"], ids["P4"]])
        assert behind("stages.opened.at_start") == [ids["P0"]]
        # judged in Python, carried with the report
        assert behind("on_time.groups.finance.on_time") == [ids["P5"]]
        assert behind("overdue_at_end.owners." + CAROL) == [ids["P3"]]
        assert behind("exits_by_reason.relocated") == [ids["P4"]]
        assert behind("stars.3") == [ids["P2"]]
        assert behind("stages.signed.exited") is None  # nobody: no link, no list
        assert behind("stages.nowhere.at_end") is None
