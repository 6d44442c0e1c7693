"""What a read and a pooled connection cost on PostgreSQL (issue 11, the event request on
two workers): reads run outside a transaction, so psycopg keeps its prepared statements
(it forgets them on every ROLLBACK), and a connection the server closed is replaced on
checkout by looking at its socket, not by a ping round trip."""

from __future__ import annotations

import select
from collections.abc import Iterator

import pytest
from psycopg import pq
from sqlalchemy import Engine, Integer, String, bindparam, literal_column, text
from sqlalchemy import select as sql_select

from db.engine import make_engine, reading
from db.models import User, columns
from db.prepared import Prepared

_U = columns(User)
_PERSON = Prepared(sql_select(_U.email).where(_U.id == bindparam("user_id")))


@pytest.fixture
def pg(pg_database: str) -> Iterator[Engine]:
    """An engine on the test database holding a single connection: every read reuses it."""
    engine = make_engine(pg_database, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def test_a_read_is_one_transaction_on_sqlite_and_none_on_postgresql(engine: Engine) -> None:
    with reading(engine) as session:
        session.execute(text("SELECT 1"))
        driver = session.connection().connection.driver_connection
        # SQLite: one snapshot of the WAL file for all of a request's reads; PostgreSQL:
        # READ COMMITTED gives each statement its own snapshot anyway
        if engine.dialect.name == "sqlite":
            assert driver.in_transaction  # type: ignore[union-attr]
        else:
            assert driver.info.transaction_status == pq.TransactionStatus.IDLE  # type: ignore[union-attr]


def test_psycopg_keeps_its_prepared_statements_from_one_read_to_the_next(
        pg: Engine) -> None:
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        with reading(pg) as session:
            _PERSON.first(session, {"user_id": 1})
    with reading(pg) as session:
        prepared = session.execute(text(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE "
            "'SELECT users.email%'")).scalar_one()
    assert prepared == 1


def test_an_engine_given_an_isolation_level_keeps_it_for_reads(pg: Engine) -> None:
    # `parkflow check` reads everything in one REPEATABLE READ snapshot
    with reading(pg.execution_options(isolation_level="REPEATABLE READ")) as session:
        level = session.execute(text("SHOW transaction_isolation")).scalar_one()
        assert (level, session.in_transaction()) == ("repeatable read", True)


def test_a_connection_the_server_ended_is_replaced_before_use(pg: Engine,
                                                              pg_database: str) -> None:
    with reading(pg) as session:
        first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    raw = pg.raw_connection()
    socket = raw.driver_connection.pgconn.socket  # type: ignore[union-attr]
    raw.close()  # back to the pool, idle
    admin = make_engine(pg_database, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    finally:
        admin.dispose()
    # the server's goodbye reaches the idle connection's socket (as on a restart)
    assert select.select([socket], [], [], 10)[0]

    with reading(pg) as session:
        second = session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    assert second != first


def test_a_healthy_pooled_connection_is_kept(pg: Engine) -> None:
    pids = set()
    for _ in range(3):
        with reading(pg) as session:
            pids.add(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    raw = pg.raw_connection()
    try:
        assert raw.driver_connection.pgconn.status == pq.ConnStatus.OK  # type: ignore[union-attr]
    finally:
        raw.close()
    assert len(pids) == 1


def test_a_prepared_statement_keeps_a_repeated_name_and_a_literal_percent(pg: Engine) -> None:
    # sent in PostgreSQL's own form ($1, $2 and a tuple): a name used twice keeps its number,
    # SQLAlchemy's `%%` is a plain `%` again
    statement = Prepared(sql_select(
        literal_column("'50%'"),
        bindparam("n", type_=Integer) + bindparam("n", type_=Integer),
        bindparam("word", type_=String)))
    with reading(pg) as session:
        assert statement.first(session, {"n": 20, "word": "值"}) == ("50%", 40, "值")
    plan = statement.plan(pg.dialect)
    assert ("$1" in plan.sql, "$3" in plan.sql, "%%" in plan.sql) == (True, False, False)
