"""Round trip: a ledger exported from one park imports into an empty one as the same ledger.

The source park is a SQLite database of its own with the same people; the target is the
test's database (each backend in turn).
"""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import make_engine, reading, writing
from reports.ledger import build_ledger, columns, export_ledger
from reports.ledger_import import import_ledger
from tests.factories import ALICE, BOB, LEADER, NOW, PEOPLE, D, decided, extension, ledger_projects
from tests.factories import suspension as suspension_request
from workflow.approvals import resume
from workflow.clock import FixedClock
from workflow.integrity import check_projects
from workflow.labels import Labels
from workflow.park import Park
from workflow.users import add_user


@pytest.fixture
def source(sqlite_template: Path, tmp_path: Path, live: Park) -> Engine:
    """Another park's database, with the same people and LEDGER_ROAD's projects."""
    path = tmp_path / "source.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with writing(engine) as session:
        for email, name, role, group, lead in PEOPLE:
            add_user(session, live.lifecycle, email=email, name=name, role=role, group=group,
                     group_lead=lead, now=NOW)
    ledger_projects(engine, live)
    return engine


def exported(engine: Engine, park: Park, fmt: str, lang: str) -> tuple[bytes, list[list[Any]]]:
    labels = Labels.of(park, lang)
    with reading(engine) as session:
        ledger = build_ledger(session, park, labels)
    buffer = io.BytesIO()
    export_ledger(buffer, fmt, ledger, labels)
    return buffer.getvalue(), ledger.rows


@pytest.mark.parametrize(("fmt", "lang"), [("xlsx", "zh-CN"), ("csv", "zh-CN"), ("xlsx", "en"),
                                           ("csv", "en")])
def test_an_exported_ledger_imports_into_an_empty_park_as_the_same_ledger(
        source: Engine, engine: Engine, live: Park, people: dict[str, str], fmt: str,
        lang: str) -> None:
    data, before = exported(source, live, fmt, lang)
    target = Park.default(tz=live.tz, clock=FixedClock(NOW))
    with writing(engine) as session:
        result = import_ledger(session, target, data=data, filename=f"台账.{fmt}",
                               actor=LEADER, lang=lang)
    assert (result.rows, result.imported, result.problems) == (4, 4, [])
    _, after = exported(engine, target, fmt, lang)
    assert [row[1:] for row in after] == [row[1:] for row in before]  # ids are the park's own
    source.dispose()


def column(park: Park, key: str) -> int:
    return [c.key for c in columns(park.lifecycle)].index(key)


@pytest.mark.parametrize(("fmt", "lang"), [("xlsx", "zh-CN"), ("csv", "en")])
def test_extensions_pauses_and_a_suspension_come_back_with_the_same_deadlines(
        source: Engine, engine: Engine, live: Park, clock: FixedClock,
        people: dict[str, str], fmt: str, lang: str) -> None:
    # #2 (registered 10-30, due 11-30): paused 11-16 to 11-19 (3 days → 12-03), then
    # extended 10 days (→ 12-13, a Sunday → 12-14); #1 (due 11-09): extended 5 days
    # (→ 11-14, a Saturday → 11-16), then suspended on 11-20 and still
    clock.set(NOW - timedelta(days=4))
    decided(source, live, suspension_request(source, live, 2, BOB), "approve", LEADER)
    clock.set(NOW - timedelta(days=1))
    with writing(source) as session:
        resume(session, live, project_id=2, actor=BOB)
    decided(source, live, extension(source, live, 2, BOB, days=10), "approve", LEADER)
    decided(source, live, extension(source, live, 1, ALICE, days=5), "approve", LEADER)
    clock.set(NOW)
    decided(source, live, suspension_request(source, live, 1, ALICE), "approve", LEADER)
    data, before = exported(source, live, fmt, lang)
    due, since = column(live, "due_date"), column(live, "suspended_since")
    intake, registered = (column(live, f"{s}_deadline_changes") for s in ("intake", "registered"))
    assert before[1][due] == D("2026-12-14")
    assert before[1][registered] == ("暂停 3 天、延期 10 天" if lang == "zh-CN"
                                     else "paused 3 days, extended 10 days")
    target = Park.default(tz=live.tz, clock=FixedClock(NOW))
    with writing(engine) as session:
        result = import_ledger(session, target, data=data, filename=f"台账.{fmt}",
                               actor=LEADER, lang=lang)
    assert (result.imported, result.problems) == (4, [])
    _, after = exported(engine, target, fmt, lang)
    assert [row[1:] for row in after] == [row[1:] for row in before]
    assert after[1][due] == D("2026-12-14") and after[1][intake] is None
    assert (after[0][since], after[0][due]) == (D("2026-11-20"), None)  # suspended: no due day
    assert after[0][intake] == ("延期 5 天" if lang == "zh-CN" else "extended 5 days")
    with reading(engine) as session:
        assert check_projects(session, target) == []  # rows and history agree
    source.dispose()
