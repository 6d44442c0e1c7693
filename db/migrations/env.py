"""Alembic environment: runs against the connection handed over by db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from db.models import with_postgresql_options  # importing it registers the tables

config = context.config
target_metadata = SQLModel.metadata
# the tables as PostgreSQL has them, on either database: what autogenerate writes and compares
with_postgresql_options(target_metadata)


def run_migrations() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
