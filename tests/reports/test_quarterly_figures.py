"""The quarterly summary (季总结) lists each opened project's latest quarterly figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from db.engine import reading
from reports.periods import period_containing
from reports.present import present
from reports.quarterly import quarterly
from tests.factories import ALICE, fire, opened
from tests.support.after_opening import FIGURES
from workflow.park import Park


def test_the_summary_shows_the_latest_quarter_of_figures_of_each_opened_project(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    fire(engine, live, pid, "indicators", ALICE, at="2026-11-10", fields=FIGURES)
    fire(engine, live, pid, "indicators", ALICE, at="2026-11-12",  # a late Q2, after Q3
         fields={**FIGURES, "quarter": "2026-Q2", "revenue": "700"})
    fire(engine, live, pid, "indicators", ALICE, at="2026-11-13",  # Q3 corrected
         fields={**FIGURES, "revenue": "1300"})
    period = period_containing("quarterly", date(2026, 11, 20))
    with reading(engine) as session:
        report = quarterly(session, live, period)
    assert report["indicators"] == [
        {"id": pid, "name": "已开业项目", "quarter": "2026-Q3", "revenue": 1300, "tax": 80,
         "rnd": 300, "employees": 46, "ip": 3}]
    section = next(s for s in present(live, report, period, "zh-CN").sections
                   if s.key == "indicators")
    assert [c.title for c in section.columns] == [
        "项目", "季度", "营业收入（万元）", "纳税额（万元）", "研发投入（万元）", "从业人数",
        "新增知识产权"]
    assert section.rows[0].values["revenue"] == 1300
    assert section.rows[0].links == {"project": f"/projects/{pid}"}
    earlier = period_containing("quarterly", date(2026, 9, 30))
    with reading(engine) as session:
        assert quarterly(session, live, earlier)["indicators"] == []
