"""Databases for the reminder benchmark, and its raw baseline.

`SqliteDb` (a file, the engine's pragmas) or `PostgresDb` (a throwaway database created on
the given server and dropped at the end) give a migrated schema with the calendar and the
people, bulk loading (executemany on SQLite, COPY on PostgreSQL) and raw DBAPI connections.

The raw baseline of a measurement is the very work the engine sent to the database: `Capture`
records every statement with its parameters (SQLAlchemy's `before_cursor_execute`, the same
text `echo=True` prints) and where each transaction committed; `Replay` sends them again on a
plain `sqlite3` / `psycopg` connection, fetching every row. `DueState` puts the rows a
measurement changes back as they were, so the engine and the replay start from one state.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import PEOPLE, build_template, connect_raw, sa_datetime, url
from bench.reminders_data import (
    EXTRA_PEOPLE,
    PEOPLE_SINCE,
    People,
    Row,
    postgres_values,
    sqlite_values,
)
from db import prepared


@dataclass(frozen=True)
class Op:
    """One step the engine took: a statement ("sql"), or "commit" / "rollback"."""

    kind: str
    statement: str = ""
    parameters: Any = None
    many: bool = False


class Capture:
    """Records the statements an engine sends, with their parameters, and its commits."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.ops: list[Op] = []

    def _statement(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                   context: Any, many: bool) -> None:
        from sqlalchemy.engine.interfaces import ExecuteStyle
        # "insertmanyvalues" batches are announced as many but sent as one execute()
        many = many and getattr(context, "execute_style", None) is ExecuteStyle.EXECUTEMANY
        self.ops.append(Op("sql", statement, list(parameters) if many else parameters, many))

    def _commit(self, _conn: Any) -> None:
        self.ops.append(Op("commit"))

    def _rollback(self, _conn: Any) -> None:
        self.ops.append(Op("rollback"))

    def _prepared(self, statement: str, parameters: Any) -> None:
        self.ops.append(Op("sql", statement, parameters, False))

    def __enter__(self) -> Capture:
        from sqlalchemy import event
        prepared.statement_observers.append(self._prepared)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event
        prepared.statement_observers.remove(self._prepared)
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    @property
    def statements(self) -> list[Op]:
        return [op for op in self.ops if op.kind == "sql"]


class Replay:
    """The captured work on a raw DBAPI connection: every statement, every row fetched."""

    def __init__(self, db: Db, ops: Sequence[Op]) -> None:
        self.db, self.ops = db, list(ops)
        self.conn = db.raw()
        self.rows = 0

    def __call__(self) -> int:
        conn, rows, sqlite = self.conn, 0, self.db.dialect == "sqlite"
        for op in self.ops:
            if op.kind == "sql":
                cursor = op_cursor(conn, self.db.dialect, op.parameters)
                if op.many:
                    cursor.executemany(op.statement, op.parameters)
                else:
                    cursor.execute(op.statement, op.parameters)
                if cursor.description is not None:
                    rows += len(cursor.fetchall())
            elif sqlite:
                if conn.in_transaction:
                    conn.execute("COMMIT" if op.kind == "commit" else "ROLLBACK")
            elif op.kind == "commit":
                conn.commit()
            else:
                conn.rollback()
        self.rows = rows
        return rows

    def close(self) -> None:
        self.conn.close()


def op_cursor(conn: Any, dialect: str, parameters: Any) -> Any:
    """A cursor for a captured statement: db.prepared sends PostgreSQL's own form ($1 … and a
    tuple) on a psycopg raw cursor, SQLAlchemy `%(name)s` and a dict on a plain one."""
    if dialect == "postgresql" and isinstance(parameters, tuple):
        from psycopg import RawCursor
        return RawCursor(conn)
    return conn.cursor()


# ---------------------------------------------------------------- the two databases

class Db:
    """What both backends offer; SQL below is written with `?` placeholders."""

    dialect = ""
    url = ""

    def raw(self) -> Any:
        raise NotImplementedError

    def param(self, moment: datetime) -> Any:
        """A moment as the engine binds it."""
        raise NotImplementedError

    def sql(self, text: str) -> str:
        return text

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        raise NotImplementedError

    def after_load(self) -> None:
        """What a database looks like after it has been live for a while."""

    def settle(self) -> None:
        """Between measurements (SQLite: checkpoint the WAL into the database file)."""

    def query_plan(self, statement: str, parameters: Any) -> list[str]:
        raise NotImplementedError

    def size_mb(self) -> float:
        raise NotImplementedError

    def close(self) -> None:
        pass

    # shared helpers on a raw connection
    def fetch(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = self.raw()
        try:
            rows = [tuple(r) for r in conn.cursor().execute(self.sql(text), tuple(params))
                    .fetchall()]
            if self.dialect == "postgresql":
                conn.commit()
            return rows
        finally:
            conn.close()

    def people(self) -> People:
        return People.from_rows(self.fetch(
            'SELECT id, email, role, "group", is_group_lead FROM users ORDER BY id'))

    def status_counts(self) -> dict[str, int]:
        return {str(s): int(n) for s, n in
                self.fetch("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY 1")}

    def pending_due(self, moment: datetime) -> int:
        return int(self.fetch("SELECT count(*) FROM outbox WHERE status = 'pending' AND "
                              "next_attempt_at <= ?", (self.param(moment),))[0][0])


def add_people(db_url: str, people: Iterable[tuple[str, str, str, str | None, bool]],
               created: datetime) -> None:
    from db.engine import make_engine, writing
    from workflow.clock import FixedClock
    from workflow.park import Park
    from workflow.users import add_user

    engine = make_engine(db_url)
    try:
        park = Park.default(clock=FixedClock(created))
        with writing(engine) as session:
            for email, name, role, group, lead in people:
                add_user(session, park.lifecycle, email=email, name=name, role=role,
                         group=group, group_lead=lead, now=created)
    finally:
        engine.dispose()


class SqliteDb(Db):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = url(path)
        build_template(path, PEOPLE_SINCE)  # migrated, calendar seeded, bench.common.PEOPLE
        add_people(self.url, EXTRA_PEOPLE, PEOPLE_SINCE)
        self.settle()

    def raw(self) -> Any:
        return connect_raw(self.path)

    def param(self, moment: datetime) -> Any:
        return sa_datetime(moment)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        conn = self.raw()
        try:
            names = ", ".join(f'"{c}"' for c in columns)
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO {table} ({names}) VALUES "
                             f"({', '.join('?' for _ in columns)})",
                             sqlite_values(rows, columns))
            conn.execute("COMMIT")  # no ANALYZE: the query plans are the ones the app gets
        finally:
            conn.close()
        self.settle()

    def settle(self) -> None:
        conn = self.raw()
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    def query_plan(self, statement: str, parameters: Any) -> list[str]:
        conn = self.raw()
        try:
            return [str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + statement,
                                                     parameters)]
        finally:
            conn.close()

    def size_mb(self) -> float:
        return self.path.stat().st_size / 2**20

    def close(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDb(Db):
    """A database created for this run on the server of `base_url`; dropped by close()."""

    dialect = "postgresql"

    def __init__(self, base_url: str) -> None:
        from db.engine import make_engine, writing
        from db.migrate import upgrade
        from workflow.calendar_store import seed_calendar
        from workflow.clock import FixedClock
        from workflow.park import Park

        self.name = f"parkflow_bench_{uuid.uuid4().hex[:10]}"
        self.admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = base_url.rsplit("/", 1)[0] + f"/{self.name}"
        self.conninfo = self.url.replace("postgresql+psycopg://", "postgresql://")
        engine = make_engine(self.url)
        try:
            upgrade(engine)
            with writing(engine) as session:
                seed_calendar(session, Park.default(clock=FixedClock(PEOPLE_SINCE)),
                              now=PEOPLE_SINCE)
        finally:
            engine.dispose()
        add_people(self.url, [(*p, False) for p in PEOPLE] + list(EXTRA_PEOPLE), PEOPLE_SINCE)

    def raw(self) -> Any:
        import psycopg
        return psycopg.connect(self.conninfo)

    def param(self, moment: datetime) -> Any:
        return moment

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        conn = self.raw()
        try:
            names = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor() as cursor, cursor.copy(
                    f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in postgres_values(rows, columns):
                    copy.write_row(row)
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
            conn.commit()
        finally:
            conn.close()

    def after_load(self) -> None:
        conn = self.raw()
        try:
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")  # what autovacuum does to a table a year old
        finally:
            conn.close()

    def query_plan(self, statement: str, parameters: Any) -> list[str]:
        conn = self.raw()
        try:
            rows = op_cursor(conn, self.dialect, parameters).execute(
                "EXPLAIN " + statement, parameters).fetchall()
            conn.rollback()
            return [str(r[0]).strip() for r in rows]
        finally:
            conn.close()

    def size_mb(self) -> float:
        return float(self.fetch(f"SELECT pg_database_size('{self.name}')")[0][0]) / 2**20

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


# ---------------------------------------------------------------- putting rows back

_KEPT = ("status", "reason_code", "reason_params", "attempts", "locked_by", "locked_until",
         "sent_at", "last_error", "message_id", "next_attempt_at")


class DueState:
    """The rows due at `moment` and the highest id, as they are now; `restore()` puts back
    those columns and deletes the rows added since (and rewinds PostgreSQL's id sequence, so
    a replay inserts the same ids)."""

    def __init__(self, db: Db, moment: datetime) -> None:
        self.db = db
        self.max_id = int(db.fetch("SELECT max(id) FROM outbox")[0][0])
        rows = db.fetch(f"SELECT {', '.join(_KEPT)}, id FROM outbox WHERE "
                        "status = 'pending' AND next_attempt_at <= ?", (db.param(moment),))
        if db.dialect == "postgresql":  # psycopg reads JSONB as a dict, writes it as Jsonb
            from psycopg.types.json import Jsonb
            at = _KEPT.index("reason_params")
            rows = [(*row[:at], Jsonb(row[at]), *row[at + 1:]) for row in rows]
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def restore(self) -> float:
        """Returns the seconds it took."""
        started = time.perf_counter()
        db, conn = self.db, self.db.raw()
        try:
            if db.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE")
            cursor = conn.cursor()
            cursor.execute(db.sql("DELETE FROM outbox WHERE id > ?"), (self.max_id,))
            cursor.executemany(db.sql(f"UPDATE outbox SET {', '.join(f'{c} = ?' for c in _KEPT)}"
                                      " WHERE id = ?"), self.rows)
            if db.dialect == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence('outbox', 'id'), %s)",
                               (self.max_id,))
                conn.commit()
            else:
                conn.execute("COMMIT")
        finally:
            conn.close()
        db.settle()
        return time.perf_counter() - started


def timed(call: Any) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    started = time.perf_counter_ns()
    result = call()
    return (time.perf_counter_ns() - started) / 1e6, result


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
