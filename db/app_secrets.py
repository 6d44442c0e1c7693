"""Secrets the server draws once and keeps in the database (never printed, logged or repr'd).

Several web workers and every restart must sign cookies with the same key. The first process
to ask draws one and inserts it with ON CONFLICT DO NOTHING; everyone, the winner included,
then reads the row that won, so two processes starting at once still agree.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.engine import writing
from db.models import AppSecret, columns

SESSION_KEY = "session_cookie_key"
_C = columns(AppSecret)


def kept_secret(engine: Engine, name: str, *, now: datetime) -> str:
    """The secret `name`, drawn and stored atomically the first time it is asked for."""
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    drawn = {"name": name, "value": secrets.token_urlsafe(48), "created_at": now}
    with writing(engine) as session:
        connection = session.connection()
        connection.execute(insert(AppSecret.__table__).values(drawn)  # type: ignore[attr-defined]
                           .on_conflict_do_nothing(index_elements=["name"]))
        value = connection.execute(select(_C.value).where(_C.name == name)).scalar_one()
    return str(value)
