"""Round trip: a ledger exported from one park imports into an empty one as the same ledger.

The source park is a SQLite database of its own with the same people; the target is the
test's database (each backend in turn).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import make_engine, reading, writing
from reports.ledger import build_ledger, export_ledger
from reports.ledger_import import import_ledger
from tests.factories import LEADER, NOW, PEOPLE, ledger_projects
from workflow.clock import FixedClock
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
