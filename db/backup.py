"""Copies of the whole database to a file and back: `parkflow backup` and `restore`.

SQLite: the online backup API, which copies one consistent snapshot while the server keeps
writing (WAL readers never block writers). PostgreSQL: `pg_dump -Fc` and `pg_restore`, run
with the URL's connection parameters (the password in the environment, never on a command
line that `ps` shows).

A backup never leaves half a file: it is written to a temporary name in the target's folder,
flushed, and linked to its name only when complete (a link, not a rename, so an existing
file is never overwritten, even by a race). It is readable by its owner only (0600), from its
first byte: it holds the password hashes, the API tokens' hashes and the key that signs the
web's sign-in cookies, and a backup folder is often shared. Failures are `BackupError`s with
a code and parameters; the engine layer above gives them their sentence.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

# the tables whose rows make a database "in use": restoring over them would lose data
CONTENT_TABLES = ("users", "projects", "project_events")


class BackupError(Exception):
    """Why a backup or restore did not happen: a code and its parameters, no sentence."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params


def back_up(engine: Engine, target: Path) -> Path:
    """Copy the database to `target` (which must not exist yet); the absolute path written."""
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError("backup_exists", value=str(target))
    if not target.parent.is_dir():
        raise BackupError("unwritable", value=str(target), error="no such folder")
    with _temporary(target) as partial:
        if engine.dialect.name == "sqlite":
            source = _sqlite_path(engine)
            if not source.is_file():  # connecting would create an empty database
                raise BackupError("not_initialised", value=_safe_url(engine.url))
            _sqlite_copy(source, partial)
        else:
            _run_tool("pg_dump", engine.url, ["-Fc", "--no-owner", "-f", str(partial)])
        _publish(partial, target)
    return target


def restore(engine: Engine, source: Path) -> None:
    """Load the backup `source` into the database, which must hold no data yet."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError("unreadable", value=str(source), error="no such file")
    holding = rows_held(engine)
    if holding:
        raise BackupError("not_empty", value=_safe_url(engine.url), tables=", ".join(holding))
    if engine.dialect.name == "sqlite":
        engine.dispose()  # our own pooled connections must not hold the old pages
        _sqlite_restore(source, _sqlite_path(engine))
    else:
        _run_tool("pg_restore", engine.url, ["--no-owner", "--clean", "--if-exists",
                                             "--single-transaction", "--exit-on-error",
                                             str(source)])


def rows_held(engine: Engine) -> list[str]:
    """The content tables that hold rows (none for a fresh or merely initialised database)."""
    present = set(inspect(engine).get_table_names())
    held = []
    with engine.connect() as connection:
        for table in CONTENT_TABLES:
            if table in present and connection.execute(
                    text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None:
                held.append(table)
    return held


# ---------------------------------------------------------------- SQLite

def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("no_file", value=_safe_url(engine.url))
    return Path(database).resolve()


def _sqlite_copy(source: Path, target: Path) -> None:
    """One consistent snapshot of `source` into a standalone file (no -wal beside it)."""
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_copy(dst, target)
    except sqlite3.Error as exc:
        raise BackupError("unwritable", value=str(target), error=str(exc)) from exc
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    try:
        src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        _check_copy(src, source)
    except sqlite3.Error as exc:
        raise BackupError("unreadable", value=str(source), error=str(exc)) from exc
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # as parkflow opens it (db.engine)
    except sqlite3.Error as exc:
        raise BackupError("unwritable", value=str(target), error=str(exc)) from exc
    finally:
        dst.close()
        src.close()


def _check_copy(connection: sqlite3.Connection, path: Path) -> None:
    """A file that is a database and a parkflow one (it has its schema version)."""
    found = connection.execute("PRAGMA quick_check").fetchone()
    if not found or found[0] != "ok":
        raise sqlite3.DatabaseError(f"damaged: {found[0] if found else '?'}")
    tables = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        raise sqlite3.DatabaseError("not a parkflow database")


# ---------------------------------------------------------------- PostgreSQL

def _run_tool(tool: str, url: URL, arguments: list[str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError("tool_missing", tool=tool)
    command = [program, "--dbname", _libpq_url(url), *arguments]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError("tool_failed", tool=tool,
                          error=lines[-1] if lines else f"exit status {done.returncode}")


def _libpq_url(url: URL) -> str:
    """The URL as libpq reads it, without the driver and without the password: a command
    line is anyone's to read (`ps`), so the password goes in PGPASSWORD. Built afresh, as
    `url.set(password=None)` leaves the password as it was (None means "unchanged")."""
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string(
        hide_password=False)


def _safe_url(url: URL) -> str:
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


# ---------------------------------------------------------------- files

@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """An empty file beside `target`, its owner's only (mkstemp: 0600), removed whatever
    happens. The copy is written into it, keeping that mode: SQLite takes an empty file for an
    empty database, and pg_dump truncates the file it is given."""
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent)
        os.close(handle)
        partial = Path(name)
        yield partial
    except OSError as exc:
        raise BackupError("unwritable", value=str(target),
                          error=exc.strerror or str(exc)) from exc
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def _publish(partial: Path, target: Path) -> None:
    """Make the complete copy durable, then give it its name (never over an existing file)."""
    with open(partial, "rb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever a tool did to the file's mode
        os.fsync(handle.fileno())
    try:
        os.link(partial, target)
    except FileExistsError as exc:
        raise BackupError("backup_exists", value=str(target)) from exc
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            raise BackupError("backup_exists", value=str(target)) from None
        os.rename(partial, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
