"""按时办结率 and exits: an exit by the stage's deadline counts neither way (the project left;
that says nothing of the group's pace); an exit past it is a stage that ran late."""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import reading
from reports.compute import compute
from reports.periods import period_containing
from tests.factories import ALICE, BOB, on
from tests.reports.test_report_figures import EXIT, TWO_STARS, Recorder


def test_an_exit_by_the_deadline_is_not_counted_and_one_past_it_is_late(
        engine: Engine, people: dict[str, str]) -> None:
    r = Recorder(engine)
    # alice: visited 11-03, exits 11-10, before the visited stage's deadline (12-02)
    r.intake("early", "tech_transfer", ALICE, "2026-11-02")
    r.fire("early", "visit", ALICE, "2026-11-03", TWO_STARS)
    r.fire("early", "exit", ALICE, "2026-11-10", EXIT)
    # bob: intake 11-02, its visit due a week later; exits 11-20 without a visit: late
    r.intake("late", "tech_transfer", BOB, "2026-11-02")
    r.fire("late", "exit", BOB, "2026-11-20", EXIT)
    r.clock.set(on("2026-12-01", "09:00"))
    with reading(engine) as session:
        november = compute(session, r.park, period_containing("monthly", on("2026-11-15").date()))
    owners = {row["owner"]: (row["left"], row["on_time"]) for row in
              november["on_time"]["owners"]}
    # alice's intake stage moved on in time (1 of 1); her exit is not a stage completed
    assert owners == {ALICE: (1, 1), BOB: (1, 0)}
    assert november["on_time"]["total"] == {
        "left": 2, "on_time": 1, "rate": 0.5}
