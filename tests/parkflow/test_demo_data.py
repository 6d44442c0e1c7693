"""`make demo`'s park shows every part of issue 10 §4 on a leader's first look: listings,
space requests (one waiting for a leader, one offered), an approval route with a return, a
suspended project and opened projects with their quarterly figures."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.engine import make_engine, reading
from db.models import Approval, Project, ProjectEvent, SpaceListing, SpaceRequest, columns
from parkflow.demo import LISTINGS, build_demo
from parkflow.wiring import make_park
from tests.factories import NOW
from workflow.approvals import approval_history
from workflow.clock import FixedClock


def test_the_demo_park_has_space_approvals_a_suspension_and_opened_projects(
        tmp_path: Path) -> None:
    park = make_park(clock=FixedClock(NOW))
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        build_demo(engine, park)
        with reading(engine) as session:
            listings = session.execute(select(SpaceListing)).scalars().all()
            requests = session.execute(select(SpaceRequest)).scalars().all()
            approvals = session.execute(select(Approval)).scalars().all()
            projects = session.execute(select(Project)).scalars().all()
            extension = next(a for a in approvals if a.kind == "extension")
            route = [h["event"] for h in approval_history(session, park, extension.id or 0)]
            offered = session.execute(select(columns(SpaceListing).reserved_for)
                                      .where(columns(SpaceListing).status == "reserved")).all()
            figures = session.execute(
                select(columns(ProjectEvent).project_id, columns(ProjectEvent).fields)
                .where(columns(ProjectEvent).event == "indicators")).all()
    finally:
        engine.dispose()
    assert len(listings) == len(LISTINGS) == 5
    assert sorted(r.status for r in requests) == ["offered", "pending"]
    assert next(r for r in requests if r.status == "offered").offer_note
    assert offered == [(next(r.id for r in requests if r.status == "offered"),)]
    assert route == ["submit", "return", "resubmit", "approve"]
    assert [p.name for p in projects if p.suspended_at is not None] == ["合成生物材料中试"]
    opened = sorted(p.id for p in projects if p.state == "opened")
    assert len(opened) == 4
    # each opened project reported the last two quarters before NOW (2026-11-20): Q2 and Q3
    assert sorted((pid, f["quarter"]) for pid, f in figures) == sorted(
        (pid, q) for pid in opened for q in ("2026-Q2", "2026-Q3"))
