"""Schema migrations (Alembic), driven from code: `parkflow init` and the tests call these."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from db.locks import INIT, wait_for_lock

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision`, one process at a time: on PostgreSQL a
    second one waits for the first to commit, then finds the schema at `revision` (without
    the lock, both created the same tables and one failed on pg_type's unique index)."""
    with engine.begin() as connection:
        wait_for_lock(connection, INIT)
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the schema back to `revision` (the migration tests; by hand when a release is
    rolled back)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (`alembic check`).

    SQLite cannot reflect expression indexes (ix_projects_state_urgent), so autogenerate
    skips them with a warning each time; the migration tests compare their definitions
    instead (tests/db/test_storage.py), and those two warnings are not repeated here.
    """
    with engine.begin() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        command.check(_config(connection))


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration (for developers)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
