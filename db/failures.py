"""What a database failure means for the person who caused the write."""

from __future__ import annotations

import errno


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
