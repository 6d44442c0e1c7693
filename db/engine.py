"""Engines and sessions. Nothing is created at import time: callers pass the URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and full sync."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # FULL: a recorded event or approval survives a power cut
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the lock up front, so a read-then-write never fails half way on
        # a lock upgrade; readers keep WAL's concurrent snapshots.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _immediate(engine: Engine) -> Engine:
    """The engine's writer view (BEGIN IMMEDIATE on SQLite), made once and kept on it."""
    view: Engine | None = getattr(engine, "_parkflow_writer", None)
    if view is None:
        view = engine.execution_options(sqlite_immediate=True)
        engine._parkflow_writer = view  # type: ignore[attr-defined]
        # SQLite has one writer at a time: threads of one process queue on a lock instead
        # of sleeping and retrying on the database's (a web server's long tail)
        engine._parkflow_lock = (  # type: ignore[attr-defined]
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext())
    return view


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on any error."""
    writer = _immediate(engine)
    with engine._parkflow_lock, Session(writer, expire_on_commit=False) as session:  # type: ignore[attr-defined]
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads only."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
