"""Schema migrations (Alembic), driven from code: `parkflow init` and the tests call these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision`."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (`alembic check`)."""
    with engine.begin() as connection:
        command.check(_config(connection))


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration (for developers)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
