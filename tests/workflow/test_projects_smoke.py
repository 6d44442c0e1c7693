"""The engine's main path on both databases: intake, visit with stars, history, conflict."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from tests.factories import VALID
from workflow.errors import Conflict
from workflow.park import Park
from workflow.projects import Snapshot, add_project, advance, load_snapshot, save
from workflow.views import project_view


def test_a_visit_moves_the_project_rates_it_and_records_history(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        project = add_project(session, park, name="量子测量", category="tech_transfer",
                              owner=people["alice"], actor=people["alice"], intake="2026-11-16")
    with writing(engine) as session:
        advance(session, park, project_id=project.id, event="visit", actor=people["alice"],
                at="2026-11-18", fields=VALID["visit"])
    with reading(engine) as session:
        view = project_view(session, park, project.id)
    assert view["state"] == "visited"
    assert view["stars"] == 3
    assert view["deadline"]["due_date"] == "2026-12-16"
    assert [h["event"] for h in view["history"]] == ["intake", "visit"]
    assert view["history"][1]["fields"]["needs"] == ["funding", "space"]


def test_a_stale_snapshot_cannot_overwrite_a_newer_change(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        project = add_project(session, park, name="甲", category="alumni",
                              owner=people["alice"], actor=people["alice"])
    with reading(engine) as session:
        stale = load_snapshot(session, project.id)
    with writing(engine) as session:
        advance(session, park, project_id=project.id, event="visit", actor=people["alice"],
                fields=VALID["visit"])
    with pytest.raises(Conflict), writing(engine) as session:
        save(session, stale, stale)
    with reading(engine) as session:
        assert load_snapshot(session, project.id).state == "visited"


def test_an_admin_cannot_own_a_project(engine: Engine, park: Park,
                                       people: dict[str, str]) -> None:
    from workflow.errors import ValidationError
    with pytest.raises(ValidationError) as refused, writing(engine) as session:
        add_project(session, park, name="乙", category="alumni", owner=people["admin"],
                    actor=people["alice"])
    assert refused.value.field == "owner"


def test_a_snapshot_entered_by_a_history_entry_changes_that_alone() -> None:
    """`entered_by` builds the Snapshot by position: every other field, in any order the
    class grows, stays what it was (a distinct value in each shows a shifted one)."""
    values = {f.name: f"value {i}" for i, f in enumerate(fields(Snapshot))}
    snapshot = Snapshot(**values)  # type: ignore[arg-type]
    assert snapshot.entered_by(42) == replace(snapshot, stage_entry_id=42)
