"""Backup and restore as use cases: db.backup does the copying, this gives its failures the
engine's errors (a code, the field, parameters; the sentence comes from the catalogue), and
brings a restored database to the current schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from db import backup as copies
from db.migrate import upgrade
from workflow.errors import Conflict, ValidationError, WorkflowError


def back_up(engine: Engine, target: str | Path) -> Path:
    """Write a backup of the whole database to `target` (a new file); its full path."""
    try:
        return copies.back_up(engine, Path(target))
    except copies.BackupError as exc:
        raise _error(exc) from exc


def restore(engine: Engine, source: str | Path) -> None:
    """Load a backup into an empty database, then migrate it to the current schema."""
    try:
        copies.restore(engine, Path(source))
    except copies.BackupError as exc:
        raise _error(exc) from exc
    upgrade(engine)


def _error(exc: copies.BackupError) -> WorkflowError:
    params = exc.params
    match exc.code:
        case "backup_exists":
            return Conflict("backup_exists", field="file", **params)
        case "not_empty":
            return Conflict("database_not_empty", field="database", **params)
        case "unwritable":
            return ValidationError("unwritable_file", field="file", **params)
        case "unreadable":
            return ValidationError("unreadable_file", field="file", **params)
        case "tool_missing":
            return ValidationError("tool_missing", field="database", **params)
        case "not_initialised":
            return ValidationError("not_initialised", field="database", **params)
        case "no_file":
            return ValidationError("backup_no_file", field="database", **params)
    return WorkflowError("tool_failed", field="database", **params)
