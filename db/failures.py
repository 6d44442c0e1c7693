"""What a database failure means for the person who caused the write."""

from __future__ import annotations

import errno
import re


def disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or the file system's ENOSPC:
    nothing was saved, and retrying will not help until space is freed."""
    cause = getattr(exc, "orig", None) or exc
    return (getattr(cause, "sqlite_errorname", None) == "SQLITE_FULL"
            or getattr(cause, "sqlstate", None) == "53100"
            or (isinstance(cause, OSError) and cause.errno == errno.ENOSPC))


def database_busy(exc: BaseException) -> bool:
    """SQLite's SQLITE_BUSY (another process held the write lock past the busy timeout) or
    PostgreSQL's lock_not_available (55P03): nothing was saved, and a retry will likely pass."""
    cause = getattr(exc, "orig", None) or exc
    return (str(getattr(cause, "sqlite_errorname", "")).startswith("SQLITE_BUSY")
            or getattr(cause, "sqlstate", None) == "55P03")


# What the driver says when it cannot reach the database (psycopg's libpq texts, SQLite's),
# first match wins: (the pattern, the reason). libpq names the database or role it lacks.
_UNREACHABLE = (
    (re.compile(r'database "(?P<name>[^"]*)" does not exist'), "no_database"),
    (re.compile(r'role "(?P<name>[^"]*)" does not exist'), "no_role"),
    (re.compile(r"authentication failed|no password supplied|no pg_hba\.conf entry"),
     "authentication"),
    (re.compile(r"failed to resolve host|could not translate host name"), "unknown_host"),
    (re.compile(r"Connection refused|timeout expired|No route to host|Is the server running|"
                r"Network is unreachable|the database system is (starting up|shutting down)"),
     "no_server"),
    (re.compile(r"unable to open database file"), "cannot_open"),
    (re.compile(r"server closed the connection|terminating connection|connection is (bad|"
                r"closed|lost)|consuming input failed|SSL SYSCALL error"), "lost"),
)


def unreachable(exc: BaseException) -> tuple[str, dict[str, str]] | None:
    """Why the database could not be reached, or the connection to it was lost: a reason
    (no_server, unknown_host, no_database, no_role, authentication, cannot_open, lost,
    cannot_connect) and its parameters (`name`: the database or role the server lacks;
    `error`: the driver's first line, for cannot_connect); None when the database answered
    (and the failure is something else). Never the URL: the caller names the database."""
    from sqlalchemy.exc import DBAPIError
    if not isinstance(exc, DBAPIError):
        return None
    cause = exc.orig if exc.orig is not None else exc
    text = str(cause)
    for pattern, reason in _UNREACHABLE:
        found = pattern.search(text)
        if found:
            return reason, {k: v for k, v in found.groupdict().items() if v is not None}
    sqlstate = str(getattr(cause, "sqlstate", None) or "")
    if exc.connection_invalidated or sqlstate.startswith("08") or sqlstate in (
            "57P01", "57P02", "57P03"):  # connection exception, admin shutdown, cannot connect
        return "lost", {}
    if text.startswith("connection failed:"):  # libpq, for a reason not foreseen above
        detail = text.removeprefix("connection failed:").strip().splitlines()[0]
        return "cannot_connect", {"error": detail.rpartition(" failed: ")[2] or detail}
    return None


def missing_table(exc: BaseException) -> bool:
    """The database answered but lacks a table: it was never initialised (or not migrated).
    PostgreSQL's undefined_table (42P01), SQLite's "no such table"."""
    cause = getattr(exc, "orig", None) or exc
    return (getattr(cause, "sqlstate", None) == "42P01"
            or str(cause).startswith("no such table"))
