"""The web benchmark's PostgreSQL leg: the event under 20 clients on `parkflow serve
--workers 2`, next to the bare endpoint served by two workers too.

The data is the SQLite run's, copied before that run fires any event: a throwaway database
created on the server of `--pg-url` (default `PARKFLOW_BENCH_PG_URL`, else
postgresql://postgres@127.0.0.1:5432/postgres), migrated by the product's own migrations,
then every table's rows copied through the models (the same projects, people, tokens and
intake pool), and a second database made from it as a template for the bare side. Both are
dropped at the end, whatever happens.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from bench.common import url

DEFAULT_PG_URL = os.environ.get("PARKFLOW_BENCH_PG_URL",
                                "postgresql://postgres@127.0.0.1:5432/postgres")


def reachable(base_url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
        with psycopg.connect(base_url, connect_timeout=3):
            return None
    except Exception as exc:  # no driver, no server, no permission: say which
        text = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {text[0] if text else ''}"


class PgCopies:
    """Two throwaway databases holding the SQLite benchmark database's rows: `url` for
    parkflow, `bare_url` for the bare side."""

    def __init__(self, base_url: str, source: Path) -> None:
        from db.engine import make_engine

        stem = f"parkflow_bench_web_{uuid.uuid4().hex[:10]}"
        self.names = (stem, stem + "_bare")
        self.admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
        root = base_url.rsplit("/", 1)[0]
        self.url, self.bare_url = (f"{root}/{name}" for name in self.names)
        self._created: list[str] = []
        try:
            self._create(self.names[0])
            _copy(source, self.url)
            # a template copy: byte for byte the same, no second load
            self._create(self.names[1], template=self.names[0])
        except BaseException:
            self.drop()
            raise

    def _create(self, name: str, template: str | None = None) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"'
                                 + (f' TEMPLATE "{template}"' if template else ""))
        self._created.append(name)

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for name in reversed(self._created):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()
        self.admin.dispose()

    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar())

    def count_events(self, event: str, *, bare: bool = False) -> int:
        import psycopg
        with psycopg.connect(self.bare_url if bare else self.url) as conn:
            row = conn.execute("SELECT count(*) FROM project_events WHERE event = %s",
                               (event,)).fetchone()
        return int(row[0]) if row else 0


def _copy(source: Path, target_url: str) -> None:
    """Migrate `target_url`, then put every table's rows of the SQLite file `source` in it
    (read and written through the models' types: JSON, aware datetimes), sequences after."""
    from sqlalchemy import delete, func, insert, select, text
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (the tables)
    from db.engine import make_engine
    from db.migrate import upgrade

    reader, writer = make_engine(url(source)), make_engine(target_url)
    try:
        upgrade(writer)
        tables = SQLModel.metadata.sorted_tables
        with reader.connect() as src, writer.begin() as dst:
            for table in reversed(tables):  # whatever the migrations seeded
                dst.execute(delete(table))
            for table in tables:
                rows = [dict(row._mapping) for row in src.execute(select(table))]
                for start in range(0, len(rows), 2000):
                    dst.execute(insert(table), rows[start:start + 2000])
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement:
                    highest = dst.execute(select(func.max(table.c.id))).scalar()
                    if highest:
                        dst.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                                    {"t": table.name, "n": highest})
        with writer.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        reader.dispose()
        writer.dispose()


def pg_env(base: dict[str, str], database_url: str) -> dict[str, str]:
    return {**base, "PARKFLOW_DATABASE_URL": database_url}


def describe(base_url: str) -> Any:
    """The server's address without credentials (for the notes)."""
    return base_url.rsplit("@", 1)[-1]
