"""Storage on both databases: migrations, aware datetimes, SQLite pragmas and locking,
append-only history, and the version check that lets one of two concurrent writers win.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel

from db.engine import make_engine, reading, writing
from db.migrate import check, downgrade, upgrade
from db.models import Project, ProjectEvent, User, columns
from db.types import dumps_json
from tests.factories import GOOD_USCC, NOW, PARK_TZ, new_project, snapshot
from workflow import projects
from workflow.calendar_store import import_calendar
from workflow.clock import FixedClock
from workflow.errors import Conflict
from workflow.park import Park
from workflow.projects import Snapshot, advance, deadline_of, load_snapshot, save
from workflow.search import SearchKeys, search_keys
from workflow.views import list_projects

ALL_FOURS = {"visitors": "张三", "needs": "space", "team": "4", "technology": "4",
             "capital": "4", "market": "4"}  # a visit scored 4 on every dimension: 3 stars
ROAD: list[tuple[str, dict[str, str], str]] = [
    ("visit", ALL_FOURS, "2026-11-05"),
    ("register", {"company_name": "量测科技", "uscc": "91350100M000100Y43", "address": "望江西路"},
     "2026-11-10"),
    ("sign", {"agreement_no": "HT-1"}, "2026-11-15"),
    ("open", {"premises": "A3 栋"}, "2026-11-18"),
    ("exit", {"reason": "merged", "note": "被兼并"}, "2026-11-19"),
]


@pytest.fixture
def sqlite_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, path)
    return path


def stored_history(engine: Engine, project_id: int | None = None) -> list[dict[str, Any]]:
    """Every stored column of the history rows, in insertion order."""
    e = columns(ProjectEvent)
    query = select(ProjectEvent.__table__).order_by(e.id)  # type: ignore[attr-defined]
    if project_id is not None:
        query = query.where(e.project_id == project_id)
    with reading(engine) as session:
        return [dict(row._mapping) for row in session.execute(query)]


def count(engine: Engine, model: Any) -> int:
    with reading(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


# ---------------------------------------------------------------- migrations

def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    check(engine)  # raises when `alembic check` would find something to autogenerate


def test_the_tables_name_postgresql_types_and_partial_indexes_without_importing_its_dialect(
) -> None:
    """Its DDL as the keyword forms gave it: JSONB for JSON, each partial index's WHERE; the
    migration environment adds PostgreSQL's condition (tests/parkflow/test_read_imports.py
    checks that a read command on SQLite never loads that dialect)."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex
    from sqlmodel import SQLModel

    from db.models import OUTBOX_OFF_LADDER, with_postgresql_options
    with_postgresql_options(SQLModel.metadata)
    with_postgresql_options(SQLModel.metadata)  # once or twice: the same
    milestones = SQLModel.metadata.tables["projects"].c.milestones.type
    assert milestones.compile(dialect=postgresql.dialect()) == "JSONB"
    assert milestones.compile(dialect=sqlite.dialect()) == "JSON"
    ddl = {str(index.name): {str(CreateIndex(index).compile(dialect=dialect()))
                        for dialect in (postgresql.dialect, sqlite.dialect)}
           for index in SQLModel.metadata.tables["outbox"].indexes}
    assert ddl["ix_outbox_pending_due"] == {
        "CREATE INDEX ix_outbox_pending_due ON outbox (next_attempt_at) WHERE status = 'pending'"}
    assert ddl["ix_outbox_series_off_ladder"] == {
        f"CREATE INDEX ix_outbox_series_off_ladder ON outbox (series) WHERE {OUTBOX_OFF_LADDER}"}


def test_migrating_an_up_to_date_database_again_changes_nothing(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    upgrade(engine)
    check(engine)
    assert snapshot(engine, project_id).state == "intake"


def test_a_fresh_sqlite_file_is_migrated_from_nothing_to_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        upgrade(engine)
        check(engine)
    finally:
        engine.dispose()


def index_definitions(engine: Engine, schema: str | None = None) -> dict[str, str]:
    """Every index of the models' tables (in `schema` on PostgreSQL; default the current one)
    as the database keeps its definition, by name, the schema's name taken out."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return {name: sql for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        schema = schema or str(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
        rows = conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s "
            "AND tablename != 'alembic_version'",
            {"schema": schema})
        return {name: definition.replace(f" ON {schema}.", " ON ") for name, definition in rows}


def test_the_migrated_indexes_are_those_the_models_create(engine: Engine,
                                                         tmp_path: Path) -> None:
    """`alembic check` cannot compare expression indexes on SQLite (it skips them with a
    warning): the definitions themselves are compared, against a schema made by create_all."""
    if engine.dialect.name == "sqlite":
        models = make_engine(f"sqlite:///{tmp_path / 'models.db'}")
        try:
            SQLModel.metadata.create_all(models)
            expected = index_definitions(models)
        finally:
            models.dispose()
    else:
        schema = f"models_{uuid.uuid4().hex[:8]}"
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            SQLModel.metadata.create_all(conn.execution_options(
                schema_translate_map={None: schema}))
        try:
            expected = index_definitions(engine, schema)
        finally:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    assert "ix_projects_state_urgent" in expected
    assert index_definitions(engine) == expected


def test_the_issue_11_indexes_migrate_down_and_up_again(engine: Engine) -> None:
    """c8d4e2f6a1b7 (the board's order) and d2a6f0b4c9e1 (the deadline index with the
    summary's columns), down to the indexes before them and up again."""
    new, old = {"ix_projects_state_urgent", "ix_projects_due_summary"}, {
        "ix_projects_state_due_at", "ix_projects_due_at"}
    try:
        downgrade(engine, "f1c3a5e7b9d2")
        indexes = set(index_definitions(engine))
        assert old <= indexes
        assert not new & indexes
    finally:
        upgrade(engine)
    indexes = set(index_definitions(engine))
    assert new <= indexes
    assert not old & indexes
    check(engine)


def test_stored_sentences_become_codes_when_migrated(tmp_path: Path) -> None:
    """Before 2def7056303d the outbox kept a Chinese reason and recalculations a sentence."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "44dd4d87b773")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, name, role, is_group_lead, lang, created_at) "
                "VALUES (1, 'a@park.test', 'A', 'admin', 0, 'zh-CN', '2026-11-01 00:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO outbox (dedupe_key, kind, channel, recipient, send_at, "
                "next_attempt_at, retry_until, status, reason, attempts, payload, created_at) "
                "VALUES ('k', 'calendar_missing', 'email', 'a@park.test', '2026-11-01', "
                "'2026-11-01', '2026-11-02', 'sent', '2027 年节假日安排尚未导入', 1, '{}', "
                "'2026-11-01')")
            connection.exec_driver_sql(
                "INSERT INTO projects (id, name, category, state, owner_id, stars, milestones, "
                "adjustments, last_event_at, version, created_at) VALUES (1, 'P', 'alumni', "
                "'intake', 1, 0, '{}', '[]', '2026-11-01', 1, '2026-11-01')")
            connection.exec_driver_sql(
                "INSERT INTO project_events (project_id, event, from_state, to_state, actor_id, "
                "occurred_at, recorded_at, fields) VALUES (1, 'recalculated', 'intake', "
                "'intake', 1, '2026-11-01', '2026-11-01', "
                "'{\"reason\": \"calendar 2027, 2028 (holidays.csv)\", \"to_due_at\": null}')")
        upgrade(engine)
        check(engine)
        with reading(engine) as session:
            from db.models import OutboxMessage
            row = session.execute(select(OutboxMessage)).scalar_one()
            assert (row.reason_code, row.reason_params) == (
                "legacy", {"text": "2027 年节假日安排尚未导入"})
            fields = session.execute(select(columns(ProjectEvent).fields)).scalar_one()
            assert fields == {"calendar_years": [2027, 2028], "source": "holidays.csv",
                              "to_due_at": None}
    finally:
        engine.dispose()


def test_existing_projects_get_their_search_keys_when_migrated(tmp_path: Path) -> None:
    """Before 695912c7a64c projects had no search keys; the migration computes them (with
    the company and credit code of the latest registration) as workflow.search does."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "2def7056303d")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, name, role, is_group_lead, lang, created_at) "
                "VALUES (1, 'a@park.test', 'A', 'member', 0, 'zh-CN', '2026-11-01 00:00:00')")
            for pid, name in ((1, "量子精密测量仪器"), (2, "Quantum  Sensing 实验室")):
                connection.exec_driver_sql(
                    "INSERT INTO projects (id, name, category, state, owner_id, stars, "
                    "milestones, adjustments, last_event_at, version, created_at) VALUES "
                    f"({pid}, '{name}', 'alumni', 'intake', 1, 0, '{{}}', '[]', '2026-11-01', "
                    "1, '2026-11-01')")
            for company in ("旧公司", "合肥量测科技有限公司"):  # registered twice: the latest
                connection.exec_driver_sql(
                    "INSERT INTO project_events (project_id, event, from_state, to_state, "
                    "actor_id, occurred_at, recorded_at, fields) VALUES (1, 'register', "
                    "'visited', 'registered', 1, '2026-11-01', '2026-11-01', "
                    f"'{{\"company_name\": \"{company}\", \"uscc\": \"{GOOD_USCC}\"}}')")
        upgrade(engine)
        check(engine)
        p = columns(Project)
        with reading(engine) as session:
            stored = session.execute(select(p.id, p.name_initials, p.search_text, p.uscc)
                                     .order_by(p.id)).all()
        assert [tuple(row) for row in stored] == [  # the code: b3c1d2e4f5a6's
            (1, "lzjmclyq", "量子精密测量仪器 合肥量测科技有限公司 91350100m000100y43",
             GOOD_USCC),
            (2, "quantumsensingsys", "quantumsensing实验室", None)]
        assert search_keys("量子精密测量仪器", "合肥量测科技有限公司", GOOD_USCC) == \
            SearchKeys(*stored[0][1:])
        assert search_keys("Quantum  Sensing 实验室") == SearchKeys(*stored[1][1:])
    finally:
        engine.dispose()


# ---------------------------------------------------------------- aware datetimes

@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=PARK_TZ),
    datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("America/New_York")),  # DST offset
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
])
def test_an_aware_datetime_comes_back_as_the_same_instant_in_utc(
        engine: Engine, moment: datetime) -> None:
    with writing(engine) as session:
        session.add(User(email="t@park.test", name="T", role="admin", created_at=moment))
    with reading(engine) as session:
        stored = session.execute(select(columns(User).created_at)).scalar_one()
        found = session.execute(select(columns(User).id)
                                .where(columns(User).created_at == moment)).first()
        earlier = session.execute(select(columns(User).id).where(
            columns(User).created_at < moment)).first()
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)
    assert stored.tzinfo is not None
    assert (stored.hour, stored.minute) == moment.astimezone(UTC).timetuple()[3:5]
    assert found is not None  # a bound +08:00 value compares as the same instant
    assert earlier is None


def test_the_two_instants_of_an_ambiguous_wall_time_stay_two(engine: Engine) -> None:
    """01:30 on the night New York's clocks go back happens twice (fold 0, then fold 1, an
    hour later). The two compare equal within their zone; SQLite binds remembered per
    moment must not give the second the first's instant."""
    zone = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=zone)
    second = first.replace(fold=1)
    assert first == second and first.utcoffset() != second.utcoffset()
    with writing(engine) as session:
        for n, moment in enumerate((first, second, first, second)):
            session.add(User(email=f"t{n}@park.test", name="T", role="admin",
                             created_at=moment))
    with reading(engine) as session:
        stored = session.execute(select(columns(User).created_at)
                                 .order_by(columns(User).id)).scalars().all()
    assert stored == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
                      datetime(2026, 11, 1, 6, 30, tzinfo=UTC)] * 2


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-20 01:30:15.123456", datetime(2026, 11, 20, 1, 30, 15, 123456, tzinfo=UTC)),
    ("2026-11-20 01:30:15", datetime(2026, 11, 20, 1, 30, 15, tzinfo=UTC)),
    ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),  # as old migrations wrote some
])
def test_stored_sqlite_datetime_text_reads_as_utc(sqlite_path: Path, text: str,
                                                   expected: datetime) -> None:
    engine = make_engine(f"sqlite:///{sqlite_path}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (email, name, role, is_group_lead, lang, created_at) "
                f"VALUES ('t@park.test', 'T', 'admin', 0, 'zh-CN', '{text}')")
        with reading(engine) as session:
            stored = session.execute(select(columns(User).created_at)
                                     .where(columns(User).email == "t@park.test")).scalar_one()
        assert stored == expected
        assert stored.tzinfo is UTC
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", [
    {"visitors": ["张三", "李四"], "team": 4, "ratio": 0.5, "none": None, "yes": True},
    [1, "é", {"a": [None, {}]}], "text", 3, 2.5, float("nan"), None, {1: 2, None: 3}, [], {},
])
def test_json_columns_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert dumps_json(value) == json.dumps(value)


def test_a_value_json_cannot_write_is_refused() -> None:
    with pytest.raises(TypeError, match="datetime"):
        dumps_json({"at": NOW})


@pytest.mark.parametrize(("text", "instant"), [
    ("2026-11-20 01:30:15.123456", datetime(2026, 11, 20, 1, 30, 15, 123456, tzinfo=UTC)),
    ("2026-11-20 01:30:15", datetime(2026, 11, 20, 1, 30, 15, tzinfo=UTC)),
    ("2026-11-20T09:30:15+08:00", datetime(2026, 11, 20, 1, 30, 15, tzinfo=UTC)),
    ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
])
def test_a_moment_stored_as_text_by_hand_on_sqlite_is_read_as_its_instant_in_utc(
        sqlite_path: Path, text: str, instant: datetime) -> None:
    with sqlite3.connect(sqlite_path) as conn:  # as a script or an older release wrote it
        conn.execute("INSERT INTO users (email, name, role, is_group_lead, lang, created_at) "
                     "VALUES ('t@park.test', 'T', 'admin', 0, 'en', ?)", (text,))
    engine = make_engine(f"sqlite:///{sqlite_path}")
    try:
        with reading(engine) as session:
            stored = session.execute(select(columns(User).created_at)).scalar_one()
    finally:
        engine.dispose()
    assert stored == instant
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(StatementError) as caught, writing(engine) as session:
        session.add(User(email="t@park.test", name="T", role="admin",
                         created_at=datetime(2026, 11, 20, 9, 30)))
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    assert count(engine, User) == 0


def test_stored_moments_of_events_keep_their_instant(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="visit", actor=people["alice"],
                at="2026-11-18T23:30:00+08:00", fields=ALL_FOURS)
    row = stored_history(engine, project_id)[-1]
    assert row["occurred_at"] == datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    assert row["recorded_at"] == NOW
    assert snapshot(engine, project_id).milestones["visit"] == "2026-11-18"  # park's day


# ---------------------------------------------------------------- SQLite pragmas and locking

def test_a_fresh_sqlite_connection_has_wal_foreign_keys_full_sync_and_a_busy_timeout(
        sqlite_path: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_path}")
    try:
        for _ in range(2):  # the first connection and a new one after the pool is emptied
            with engine.connect() as conn:
                pragma = conn.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA foreign_keys").scalar() == 1
                assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
                assert pragma("PRAGMA busy_timeout").scalar() == 5000
            engine.dispose()
    finally:
        engine.dispose()


def test_a_foreign_key_to_nothing_is_refused(engine: Engine) -> None:
    with pytest.raises(IntegrityError), writing(engine) as session:
        session.add(ProjectEvent(project_id=999, event="visit", from_state="intake",
                                 to_state="visited", actor_id=999, occurred_at=NOW,
                                 recorded_at=NOW, fields={}))
    assert count(engine, ProjectEvent) == 0


def test_a_sqlite_writer_holds_the_write_lock_from_its_first_statement_while_readers_read(
        sqlite_path: Path, park: Park) -> None:
    engine = make_engine(f"sqlite:///{sqlite_path}")
    other = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
    try:
        with writing(engine) as session:
            session.add(User(email="w@park.test", name="W", role="admin", created_at=NOW))
            session.flush()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            with reading(engine) as reader:  # WAL: a reader sees the last commit meanwhile
                assert reader.execute(select(func.count()).select_from(User)).scalar() == 0
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
        assert other.execute("SELECT count(*) FROM users").fetchone() == (1,)
    finally:
        other.close()
        engine.dispose()


def test_a_sqlite_reader_does_not_take_the_write_lock(sqlite_path: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_path}")
    other = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
    try:
        with reading(engine) as session:
            session.execute(select(func.count()).select_from(User)).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


# ---------------------------------------------------------------- append-only history

def test_no_use_case_updates_or_deletes_a_history_row(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    other_id = new_project(engine, park, people["carol"])
    seen = stored_history(engine)
    for name, fields, day in ROAD:
        with writing(engine) as session:
            advance(session, park, project_id=project_id, event=name, actor=people["alice"],
                    at=day, fields=fields)
        with pytest.raises(Conflict), writing(engine) as session:  # refused: writes nothing
            advance(session, park, project_id=project_id, event=name, actor=people["alice"],
                    fields=fields)
        toggle = "reactivate" if snapshot(engine, other_id).state == "exited" else "exit"
        with writing(engine) as session:  # another project's events leave this one's alone
            advance(session, park, project_id=other_id, event=toggle, actor=people["leader"],
                    fields={"note": "n"} if toggle == "reactivate"
                    else {"reason": "other", "note": "n"})
        rows = stored_history(engine)
        assert rows[:len(seen)] == seen
        assert len(rows) == len(seen) + 2
        assert [r["id"] for r in rows] == sorted({r["id"] for r in rows})
        seen = rows
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="reactivate",
                actor=people["leader"], fields={"note": "回来"})
    assert stored_history(engine)[:len(seen)] == seen
    events = [r["event"] for r in stored_history(engine, project_id)]
    assert events == ["intake", "visit", "register", "sign", "open", "exit", "reactivate"]


def test_the_history_keeps_the_fields_as_validated(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="visit", actor=people["alice"],
                fields={**ALL_FOURS, "visitors": "张三，李四、王五", "needs": "space,funding"})
    fields = stored_history(engine, project_id)[-1]["fields"]
    assert fields == {"visitors": ["张三", "李四", "王五"], "needs": ["funding", "space"],
                      "team": 4, "technology": 4, "capital": 4, "market": 4}


# ---------------------------------------------------------------- concurrent changes

def _visit_by(session: Session, stale: Snapshot, actor_id: int) -> None:
    """What `advance` writes for a visit, from a snapshot loaded earlier: history, then CAS."""
    session.add(ProjectEvent(project_id=stale.id, event="visit", from_state=stale.state,
                             to_state="visited", actor_id=actor_id, occurred_at=NOW,
                             recorded_at=NOW, fields={"team": 1}))
    session.flush()
    save(session, stale, replace(stale, state="visited", stars=0,
                                 version=stale.version + 1))


def _user_id(engine: Engine, email: str) -> int:
    with reading(engine) as session:
        return int(session.execute(select(columns(User).id)
                                   .where(columns(User).email == email)).scalar_one())


def test_a_writer_with_a_stale_snapshot_gets_a_conflict_and_writes_no_history(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    with reading(engine) as session:  # the second writer loads the project first…
        stale = load_snapshot(session, project_id)
    with writing(engine) as session:  # …the first writer advances and commits…
        advance(session, park, project_id=project_id, event="visit", actor=people["carol"],
                fields=ALL_FOURS)
    leader_id = _user_id(engine, people["leader"])
    with pytest.raises(Conflict) as caught, writing(engine) as session:  # …then the second
        _visit_by(session, stale, leader_id)
    assert caught.value.exit_code == 5
    assert caught.value.field == "version"
    project = snapshot(engine, project_id)
    assert (project.state, project.version, project.stars) == ("visited", 2, 3)
    rows = stored_history(engine, project_id)
    assert [(r["event"], r["actor_id"]) for r in rows] == [
        ("intake", _user_id(engine, people["alice"])),
        ("visit", _user_id(engine, people["carol"]))]
    assert rows[-1]["fields"]["team"] == 4


def test_of_two_people_firing_the_same_event_the_second_gets_a_conflict(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project_id = new_project(engine, park, people["alice"])
    for who in ("alice", "carol"):
        with reading(engine) as session:
            assert load_snapshot(session, project_id).version == (1 if who == "alice" else 2)
        if who == "alice":
            with writing(engine) as session:
                advance(session, park, project_id=project_id, event="visit",
                        actor=people[who], fields=ALL_FOURS)
            continue
        with pytest.raises(Conflict) as caught, writing(engine) as session:
            advance(session, park, project_id=project_id, event="visit", actor=people[who],
                    fields={**ALL_FOURS, "team": "1"})
        assert caught.value.exit_code == 5
    rows = stored_history(engine, project_id)
    assert [r["event"] for r in rows] == ["intake", "visit"]
    assert rows[-1]["fields"]["team"] == 4
    assert snapshot(engine, project_id).version == 2


def test_two_interleaved_advances_on_postgresql_one_wins_the_other_conflicts(
        engine: Engine, park: Park, people: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both sessions load version 1; the first commits while the second is between its
    history insert and its compare-and-set. (SQLite cannot interleave: `writing()` takes
    the write lock up front, see the locking test above.) The event path runs its
    statements on the DBAPI cursor, so the first writer is slipped in before the second's
    `save` (the compare-and-set) rather than from a SQLAlchemy cursor event."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE")
    project_id = new_project(engine, park, people["alice"])
    interleaved: list[str] = []
    real_save = projects.save

    def first_writer_commits_then_save(session: Any, before: Any, after: Any) -> None:
        if not interleaved:
            interleaved.append(after.state)
            with writing(engine) as first:
                advance(first, park, project_id=project_id, event="visit",
                        actor=people["alice"], fields=ALL_FOURS)
        real_save(session, before, after)

    monkeypatch.setattr(projects, "save", first_writer_commits_then_save)
    with pytest.raises(Conflict) as caught, writing(engine) as second:
        advance(second, park, project_id=project_id, event="exit", actor=people["carol"],
                fields={"reason": "failed", "note": "同时退库"})
    assert interleaved, "the first writer never ran"
    assert caught.value.exit_code == 5
    assert caught.value.code == "concurrent_change"
    project = snapshot(engine, project_id)
    assert (project.state, project.version) == ("visited", 2)
    assert [r["event"] for r in stored_history(engine, project_id)] == ["intake", "visit"]
    assert count(engine, Project) == 1


# ---------------------------------------------------------------- stored deadlines

def test_the_stored_deadline_follows_an_admins_new_holiday_arrangement(
        engine: Engine, park: Park, people: dict[str, str], clock: FixedClock,
        calendar_2026_restored: None) -> None:
    """`due_at` on the row drives the overdue list, the board and the reminders; it must say
    what `project show` says after the admin declares the due day a holiday."""
    project_id = new_project(engine, park, people["alice"])  # intake 11-02 (Mon)
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="visit", actor=people["alice"],
                at="2026-11-05", fields=ALL_FOURS)  # due: intake + 1 month = 12-02 (Wed)
    assert snapshot(engine, project_id).due_at == datetime(2026, 12, 3, tzinfo=PARK_TZ)
    arrangement = ("date,kind,name\n2026-01-01,holiday,元旦\n"
                   "2026-12-02,holiday,园区停电\n2026-12-03,holiday,园区停电\n")
    with writing(engine) as session:
        admin = session.execute(select(User).where(
            columns(User).email == people["admin"])).scalar_one()
        import_calendar(session, park, text=arrangement, source="停电.csv", actor=admin,
                        now=NOW)
    with reading(engine) as session:
        shown = deadline_of(park, session, load_snapshot(session, project_id))
    assert shown is not None and shown.due_date.isoformat() == "2026-12-04"
    clock.set(datetime(2026, 12, 3, 12, 0, tzinfo=PARK_TZ))  # 12-02 is over, 12-04 is not
    with reading(engine) as session:
        overdue = list_projects(session, park, overdue=True)
    assert snapshot(engine, project_id).due_at == shown.due_at
    assert overdue == []
