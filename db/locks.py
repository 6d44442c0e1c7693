"""Run-once locks for jobs that several processes may start at the same moment.

On PostgreSQL a transaction-scoped advisory lock: the first transaction to ask holds it until
it commits or rolls back (a killed process's lock goes with its connection); the others are
told no at once and skip that run. On SQLite a writer transaction already holds the database's
one write lock (BEGIN IMMEDIATE, see db.engine.writing), so the job runs alone anyway.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text
from sqlmodel import Session

SWEEP = "parkflow:sweep"
INIT = "parkflow:init"  # `parkflow init`: the migration and the calendar's seeding


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (the same in every process and version)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


def try_job_lock(session: Session, name: str) -> bool:
    """Take the run lock `name` for this transaction; False if another transaction holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.connection().execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                         {"key": lock_key(name)}).scalar()
    return bool(taken)


def wait_for_lock(connection: Connection, name: str) -> None:
    """Take the lock `name` for this transaction, waiting while another transaction holds it:
    for work that must run one process at a time, each finding what the one before it did
    (two `parkflow init` at once: the second migrates nothing, seeds nothing twice)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
