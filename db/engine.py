"""Engines and sessions. Nothing is created at import time: callers pass the URL."""

from __future__ import annotations

import select
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, create_engine, event, exc
from sqlmodel import Session

from db.prepared import DRIVER
from db.types import dumps_json


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and full sync."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("json_serializer", dumps_json)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql" and not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkout", _check_alive)
    return engine


def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled PostgreSQL connection the server has closed, without a round trip.

    A server that stops or restarts ends each session with a message and closes its socket,
    so an idle connection whose socket has anything to read (we LISTEN to nothing) is gone.
    SQLAlchemy's pre-ping asks the server instead: a round trip on every checkout, several
    per request. Raising here makes the pool drop every connection older than this one and
    draw a fresh one for the caller.
    """
    pgconn = dbapi_conn.pgconn
    if pgconn.status != 0:  # psycopg.pq.ConnStatus.OK
        raise exc.InvalidatePoolError("the connection is broken")
    poll = select.poll()
    poll.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    if poll.poll(0):
        raise exc.InvalidatePoolError("the server closed the connection")


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
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # on the DBAPI connection: this runs once per transaction, on the event path too
        run_on_driver(conn.dialect, conn.connection.driver_connection, statement)


def run_on_driver(dialect: Dialect, dbapi_conn: Any, statement: str) -> None:
    """Run `statement` on a DBAPI connection, an error wrapped as SQLAlchemy wraps a
    statement's, so a busy or full database is told in the catalogue's words (CLI, web), not
    as the driver's raw text."""
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        dbapi_conn.execute(statement)
    except dbapi_error as error:
        raise exc.DBAPIError.instance(statement, None, error, dbapi_error) from error


def _immediate(engine: Engine) -> Engine:
    """The engine's writer view (BEGIN IMMEDIATE on SQLite), made once and kept on it."""
    view: Engine | None = getattr(engine, "_parkflow_writer", None)
    if view is None:
        view = engine.execution_options(sqlite_immediate=True)
        engine._parkflow_writer = view  # type: ignore[attr-defined]
        # SQLite has one writer at a time: the threads of one process share one committer
        # (group commit) instead of sleeping and retrying on the database's lock
        group = GroupCommitter(view) if engine.dialect.name == "sqlite" else None
        engine._parkflow_committer = group  # type: ignore[attr-defined]
        if group is not None:
            event.listen(engine, "engine_disposed", lambda _engine: group.close())
    return view


def committer(engine: Engine) -> GroupCommitter | None:
    """The engine's group committer (SQLite), None where each write commits alone."""
    _immediate(engine)
    return engine._parkflow_committer  # type: ignore[attr-defined,no-any-return]


_PREPARING = threading.Lock()  # a second thread's first write waits for the preparing


def before_first_write(engine: Engine, prepare: Callable[[], object]) -> None:
    """Have `prepare` run once, before the engine's first write unit takes the write lock.

    For what a write needs and a read command does not load (modules imported lazily):
    SQLite has one writer at a time, and another process's writer waits at most the busy
    timeout (5 s) for the lock. Loaded inside the unit, those imports held the lock ~0.35 s
    in `project add`, longer on a loaded machine, and the other command failed with
    "database is locked" (on a full disk, instead of saying the disk is full).
    """
    engine.__dict__.setdefault("_parkflow_prepare", []).append(prepare)


def _prepare(engine: Engine) -> None:
    with _PREPARING:
        pending: list[Callable[[], object]] = engine.__dict__.get("_parkflow_prepare", [])
        while pending:
            pending[0]()
            pending.pop(0)  # once it has run: a failed one runs again at the next write


def writing(engine: Engine) -> AbstractContextManager[Session]:
    """A session for one write unit: durable when the block returns, rolled back alone on
    any error. On SQLite concurrent units share a commit (GroupCommitter); on PostgreSQL
    each is its own transaction."""
    if engine.__dict__.get("_parkflow_prepare"):  # before the lock (before_first_write)
        _prepare(engine)
    writer = _immediate(engine)
    group: GroupCommitter | None = engine._parkflow_committer  # type: ignore[attr-defined]
    # the unit itself, not a generator around it: this runs for every event
    return group.unit() if group is not None else _transaction(writer)


@contextmanager
def _transaction(writer: Engine) -> Iterator[Session]:
    """One write unit in a transaction of its own (a database server), on a connection drawn
    up front: its prepared statements run on it at once, as in `reading()` and a group
    commit's unit; ORM work joins the same transaction, which the session then commits."""
    with writer.connect() as connection:
        transaction = connection.begin()
        session = Session(connection, expire_on_commit=False,
                          join_transaction_mode="control_fully")
        session.info[DRIVER] = (connection.dialect, connection.connection.driver_connection)
        try:
            yield session
            # a session that began a transaction or holds objects commits it (flushing,
            # firing after_commit); one of prepared statements only has nothing of its own
            if _used(session):
                session.commit()
            if transaction.is_active:
                transaction.commit()
        except BaseException:
            session.rollback()
            if transaction.is_active:
                transaction.rollback()
            raise
        finally:
            session.close()


class _Batch:
    """One transaction carrying the units of several callers, and its outcome."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.transaction = connection.begin()  # BEGIN IMMEDIATE: the write lock, up front
        # its DBAPI connection, on which the units' prepared statements run
        self.driver: tuple[Dialect, Any] = (connection.dialect,
                                            connection.connection.driver_connection)
        self.units = 0  # units written into it (failed ones rolled back to their savepoint)
        self.settled = False  # committed, or rolled back with its only unit
        self.error: BaseException | None = None
        # made only when a unit waits for another to commit: one writer alone never does
        self._done: threading.Event | None = None

    # both called with the committer's lock held, so a waiter cannot miss the settling

    def waiter(self) -> threading.Event:
        """What a unit that does not commit the batch itself waits on."""
        if self._done is None:
            self._done = threading.Event()
            if self.settled:
                self._done.set()
        return self._done

    def settle(self) -> None:
        self.settled = True
        if self._done is not None:
            self._done.set()


def _on_driver(batch: _Batch, statement: str) -> None:
    """Run `statement` on the batch's DBAPI connection."""
    run_on_driver(*batch.driver, statement)


def _used(session: Session) -> bool:
    """Whether a session began a transaction of its own or holds objects (ORM work): one that
    only ran prepared statements on its connection has nothing to flush, commit or detach."""
    return session.in_transaction() or bool(session.identity_map)


class GroupCommitter:
    """Group commit for the threads of one process writing to one SQLite database.

    Units run one at a time on one connection, each inside a SAVEPOINT of the open
    transaction: a failed unit rolls back to its savepoint and takes nothing else with it.
    The unit that finds nobody queued behind it commits the transaction, for everyone in it;
    while that commit's fsync runs, arriving units queue on the lock and then go into the
    next transaction together. Every caller returns only once its unit is durable.
    """

    def __init__(self, writer: Engine, max_units: int = 64) -> None:
        self.writer = writer
        self.max_units = max_units  # a batch commits at this size even with units queued
        self._lock = threading.Lock()  # the connection: one unit (or commit) at a time
        self._count = threading.Lock()
        self._queued = 0
        self._owner: int | None = None  # the thread inside a unit (a nested write is a bug)
        self._batch: _Batch | None = None
        # kept checked out between batches (a checkout per batch costs as much as a
        # statement); returned when the engine is disposed
        self._connection: Connection | None = None

    @property
    def queued(self) -> int:
        """Units waiting for the connection now (they go into the open batch)."""
        with self._count:
            return self._queued

    @contextmanager
    def unit(self) -> Iterator[Session]:
        if self._owner == threading.get_ident():
            raise RuntimeError("writing() nested in writing() on one thread")
        with self._count:
            self._queued += 1
        self._lock.acquire()
        with self._count:
            self._queued -= 1
        self._owner = threading.get_ident()
        batch: _Batch | None = None
        written = False
        done: threading.Event | None = None
        try:
            batch = self._batch or self._begin()
            with self._savepoint(batch) as session:
                yield session
            batch.units += 1
            written = True
        finally:
            committed_here = batch is not None and self._settle(batch)
            if written and not committed_here:
                assert batch is not None
                done = batch.waiter()
            self._owner = None
            self._lock.release()
        if done is not None:
            done.wait()  # the unit queued last commits it
        if batch is not None and written and batch.error is not None:
            raise batch.error

    @contextmanager
    def _savepoint(self, batch: _Batch) -> Iterator[Session]:
        """A session for one unit in the batch, its prepared statements run straight on the
        batch's DBAPI connection. The batch's first unit needs no savepoint: if it fails, the
        whole transaction (nothing but it) rolls back. A later one runs in a SAVEPOINT,
        which anything failing in it (a flush error too) rolls back to.

        That SAVEPOINT is the unit's own, issued on the DBAPI connection: the session's
        (join_transaction_mode "create_savepoint", begun for the first statement) cost ~90 µs
        per unit through SQLAlchemy, and under load most units are not a batch's first. ORM
        work in a unit still opens the session's savepoint, inside this one."""
        first = batch.units == 0
        session = Session(batch.connection, expire_on_commit=False,
                          join_transaction_mode="rollback_only" if first
                          else "create_savepoint")
        session.info[DRIVER] = batch.driver
        if not first:
            _on_driver(batch, "SAVEPOINT parkflow_unit")
        try:
            yield session
            # A session that never began a transaction and holds no objects (the event path:
            # prepared statements on the batch's DBAPI connection only) has nothing to flush,
            # release or detach: committing and closing it would only begin and end an empty one
            used = _used(session)
            if used:
                session.commit()  # flushes, fires after_commit; the batch stays open
            if not first:
                _on_driver(batch, "RELEASE parkflow_unit")
        except BaseException:
            session.rollback()  # the first unit: the whole batch; a later one: its savepoint
            session.close()
            if first:
                self._abandon(batch)
            else:
                self._undo(batch)
            raise
        if used:
            session.close()

    @staticmethod
    def _undo(batch: _Batch) -> None:
        """Roll a later unit back to its SAVEPOINT (its writes gone, the batch's others kept).
        If SQLite has ended the whole transaction on the error already (a full disk, say),
        there is no savepoint left: the batch's commit then fails and tells every caller."""
        dbapi = batch.driver[1]
        if dbapi.in_transaction:
            _on_driver(batch, "ROLLBACK TO parkflow_unit")
            _on_driver(batch, "RELEASE parkflow_unit")

    def _abandon(self, batch: _Batch) -> None:
        """The batch's only unit failed: nothing to commit."""
        self._batch = None
        if batch.transaction.is_active:
            batch.transaction.rollback()
        self._keep(batch, healthy=True)
        batch.settle()

    def _begin(self) -> _Batch:
        connection = self._connection or self.writer.connect()
        self._connection = None
        try:
            self._batch = _Batch(connection)
        except BaseException:
            connection.close()
            raise
        return self._batch

    def _keep(self, batch: _Batch, healthy: bool) -> None:
        """After a batch: keep its connection for the next, or give it back if it failed."""
        if healthy and self._connection is None and not batch.connection.invalidated:
            self._connection = batch.connection
        else:
            batch.connection.close()

    def close(self) -> None:
        """Give the kept connection back (the engine is being disposed)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _settle(self, batch: _Batch) -> bool:
        """Commit the batch if nobody is queued (or it is full); True if committed here."""
        if batch.settled:  # its only unit failed: rolled back already
            return False
        with self._count:
            queued = self._queued
        if queued and batch.units < self.max_units:
            return False
        self._batch = None
        try:
            batch.transaction.commit()
        except BaseException as exc:  # nothing of the batch is durable: tell every caller
            batch.error = exc
            if batch.transaction.is_active:
                batch.transaction.rollback()
        finally:
            self._keep(batch, healthy=batch.error is None)
            batch.settle()
        return True


def read_session(engine: Engine) -> Session:
    """A session for reads only, closed by the caller (it opens no connection until its
    first statement)."""
    return Session(_reader(engine), expire_on_commit=False)


def _reader(engine: Engine) -> Engine:
    """The engine's reader view, made once and kept on it.

    On PostgreSQL, autocommit: under READ COMMITTED every statement takes its own snapshot
    in a transaction or out of one, so a read transaction only added a BEGIN and a ROLLBACK
    round trip, and psycopg forgets its prepared statements on every ROLLBACK (so the reads
    of a request were parsed and planned afresh each time). An engine given an isolation
    level of its own (`parkflow check`: one snapshot, REPEATABLE READ) keeps it. SQLite
    keeps its read transaction: one snapshot of a WAL database for all of a request's reads.
    """
    view: Engine | None = engine.__dict__.get("_parkflow_reader")
    if view is None:
        view = engine
        if (engine.dialect.name == "postgresql"
                and "isolation_level" not in engine.get_execution_options()):
            view = engine.execution_options(isolation_level="AUTOCOMMIT")
        engine._parkflow_reader = view  # type: ignore[attr-defined]
    return view


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads only, on a connection drawn up front with its transaction begun
    (SQLite: one snapshot for all the block's reads).

    Prepared statements (db.prepared) run on that connection straight away, as in a write
    unit (GroupCommitter): an ORM session drawing its own connection, beginning and ending
    its transaction cost more than a small read itself (the API's token check and its
    answer: ~40 µs each). ORM work in the block joins the same connection and transaction;
    the session commits or rolls back that transaction as if it had begun it.
    """
    with _reader(engine).connect() as connection:
        connection.begin()
        session = Session(connection, expire_on_commit=False,
                          join_transaction_mode="control_fully")
        session.info[DRIVER] = (connection.dialect, connection.connection.driver_connection)
        try:
            yield session
        finally:
            # one that never began a transaction of its own and holds no objects (prepared
            # statements only) has nothing to end or detach: the connection's close ends
            # the transaction
            if _used(session):
                session.close()
