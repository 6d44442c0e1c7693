"""Statements compiled once per dialect and run on the DBAPI cursor: the event hot path.

A Core statement run through `Connection.execute` pays for SQLAlchemy's execution context
on every call (cache lookup, parameter construction, result metadata, events): several
times the cost of the statement itself on SQLite. `Prepared` does that work once per
dialect — the SQL text, the order of the parameters, their type conversions (JSON, aware
datetimes) and the result columns' — and then each call is one `cursor.execute`. The
drivers keep their own prepared statements (sqlite3's statement cache; psycopg prepares a
statement it sees repeatedly), so the database parses it once too.

On psycopg the statement is sent in PostgreSQL's own form (`$1`, `$2`, … and a tuple, on a
raw cursor): psycopg otherwise rewrites a `%(name)s` statement into that form on every
execute, and caches the rewrite only for statements of at most 50 parameters, so an
outbox upsert of five rows (65 parameters) was parsed by a regular expression on every event.

The statement runs on the session's own DBAPI connection, inside its transaction: it sees
the session's earlier writes and commits or rolls back with them. It does not flush the
ORM session, exactly like Core run on `session.connection()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session

# session.info key: (dialect, DBAPI connection) of the session's current transaction
DRIVER = "parkflow.driver"
Processor = Callable[[Any], Any] | None

# Who wants to see each statement as sent (SQL, parameters): the benchmark records them to
# replay on a raw connection, as SQLAlchemy's `before_cursor_execute` lets it for the rest.
# Empty in use, so the hot path pays one truth test.
statement_observers: list[Callable[[str, Any], None]] = []


@dataclass(frozen=True)
class _Plan:
    sql: str
    # per parameter in SQL order: the DBAPI's name for it, the caller's key and its
    # conversion (None: passed as is)
    params: tuple[tuple[str, str, Processor], ...]
    # values baked into the statement, by key, converted once when compiled
    constants: dict[str, Any]
    named: bool  # a dict of values (by name) rather than a tuple (in SQL order)
    results: tuple[Processor, ...]
    # makes the cursor from the DBAPI connection; None: its own `cursor()`
    cursor: Callable[[Any], Any] | None = None


class Prepared:
    """A Core statement (bind parameters by name, no expanding IN) compiled per dialect."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect: Dialect) -> _Plan:
        found = self._plans.get(dialect.name)
        if found is None:
            found = self._plans[dialect.name] = _compile(self.statement, dialect)
        return found

    def execute(self, session: Session, params: Mapping[str, Any]) -> Any:
        """Run with `params` on the session's DBAPI connection; the DBAPI cursor."""
        dialect, dbapi = driver(session)
        plan = self.plan(dialect)
        given = {**params, **plan.constants} if plan.constants else params
        # list comprehensions: this runs for every parameter of every statement of an event
        if plan.named:
            values: Any = {out: given[key] if convert is None else convert(given[key])
                           for out, key, convert in plan.params}
        else:
            values = tuple([given[key] if convert is None else convert(given[key])
                            for _, key, convert in plan.params])
        if statement_observers:
            for observe in statement_observers:
                observe(plan.sql, values)
        cursor = dbapi.cursor() if plan.cursor is None else plan.cursor(dbapi)
        cursor.execute(plan.sql, values)
        return cursor

    def rowcount(self, session: Session, params: Mapping[str, Any]) -> int:
        cursor = self.execute(session, params)
        count = int(cursor.rowcount)
        cursor.close()
        return count

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row (converted), or None."""
        cursor = self.execute(session, params)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else self.convert(session, row)

    def all(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor = self.execute(session, params)
        rows = cursor.fetchall()
        cursor.close()
        return [self.convert(session, row) for row in rows]

    def convert(self, session: Session, row: Sequence[Any]) -> tuple[Any, ...]:
        results = self.plan(driver(session)[0]).results
        return tuple([value if convert is None else convert(value)
                      for value, convert in zip(row, results, strict=True)])


def driver(session: Session) -> tuple[Dialect, Any]:
    """The dialect and DBAPI connection of the session's transaction (begun if need be)."""
    found = session.info.get(DRIVER)
    if found is None:
        connection = session.connection()
        found = (connection.dialect, connection.connection.driver_connection)
        session.info[DRIVER] = found
    return found


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_driver(session: OrmSession, _transaction: Any) -> None:
    # the session's next transaction may run on another pooled connection
    session.info.pop(DRIVER, None)


def _compile(statement: Any, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    by_name: dict[str, BindParameter[Any]] = {name: bind for bind, name
                                              in compiled.bind_names.items()}
    escaped = compiled.escaped_bind_names or {}
    processors = compiled._bind_processors
    if compiled.positional:
        order: Sequence[str] = compiled.positiontup or ()
    else:
        order = list(dict.fromkeys(by_name))
    params: list[tuple[str, str, Processor]] = []
    constants: dict[str, Any] = {}
    for name in order:
        bind = by_name[name]
        if bind.expanding:
            raise TypeError(f"{name}: expanding parameters are not prepared")
        convert = processors.get(name)
        if not bind.required:  # a value baked into the statement: converted once, here
            value = bind.effective_value
            constants[name] = value if convert is None else convert(value)
            convert = None
        # the DBAPI's dict is keyed by the rendered (escaped) name, the caller's by the key
        params.append((escaped.get(name, name), name, convert))
    results = tuple(entry[3]._cached_result_processor(dialect, None)
                    for entry in compiled._result_columns)
    if dialect.driver == "psycopg" and not compiled.positional:
        return _numbered(compiled.string, params, constants, results)
    return _Plan(compiled.string, tuple(params), constants, not compiled.positional, results)


# psycopg's placeholders in SQLAlchemy's rendering: `%(name)s`, and `%%` for a literal `%`
_PYFORMAT = re.compile(r"%\((?P<name>[^)]+)\)s|%%")


def _numbered(sql: str, params: Sequence[tuple[str, str, Processor]],
              constants: dict[str, Any], results: tuple[Processor, ...]) -> _Plan:
    """A psycopg plan in PostgreSQL's form: `$n` placeholders (a name used twice keeps its
    number), the values as a tuple in that order, run on a raw cursor (no rewriting)."""
    from psycopg import RawCursor

    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return "%"
        return f"${numbers.setdefault(name, len(numbers) + 1)}"

    text = _PYFORMAT.sub(number, sql)
    by_name = {param[0]: param for param in params}
    ordered = tuple(by_name[name] for name in numbers)  # dicts keep the numbers' order
    return _Plan(text, ordered, constants, False, results, RawCursor)


def unconverted(session: Session,
                statement: Any) -> tuple[list[Sequence[Any]], tuple[Processor, ...]]:
    """Run a statement built per call; its rows as the driver returned them, and per column
    the conversion SQLAlchemy would have applied (None: the value is final as it is).

    For reads of thousands of rows whose few distinct values a caller converts once each
    (deadlines fall on a few hundred days): the statement goes through `Connection.execute`
    as usual (SQLAlchemy's compiled-statement cache, bound values converted, events), only
    the per-row result processing is left to the caller.
    """
    connection = session.connection()
    result = connection.execute(statement)
    try:
        rows: list[Sequence[Any]] = list(result.cursor.fetchall())
        compiled = result.context.compiled
        assert compiled is not None  # a Core statement: compiled by the execution
        converters: tuple[Processor, ...] = tuple(
            entry[3]._cached_result_processor(connection.dialect, None)
            for entry in compiled._result_columns or ())
    finally:
        result.close()
    return rows, converters
