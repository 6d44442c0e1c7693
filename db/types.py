"""Column types that keep their promises on SQLite as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

_from_iso = datetime.fromisoformat


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes only; stored as UTC, returned as aware UTC.

    SQLite drops offsets silently (09:00+08:00 would come back as a naive 09:00), so naive
    values are refused instead of being guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        # SQLite: process_bind_param and the dialect's DATETIME formatting fused into one call
        # (an event binds a few dozen datetimes); the text is the dialect's own storage
        # format, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. Wall time minus the offset is UTC:
        # one offset lookup, where astimezone(UTC) after the check made two
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            offset = value.utcoffset()
            if offset is None:
                raise ValueError(f"naive datetime {value!r} refused: pass an aware datetime")
            return (value.replace(tzinfo=None) - offset).isoformat(" ", "microseconds")
        return process

    def result_processor(self, dialect: Dialect,
                         coltype: Any) -> Callable[[Any], datetime | None] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite: the dialect's parsing and process_result_value fused into one call (a list
        # reads thousands of deadlines). The stored text is naive UTC, so the offset is
        # appended and parsed with it: an aware UTC datetime from one C call, where parsing
        # and then replace(tzinfo=UTC) cost several times that
        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            try:
                parsed = _from_iso(value + "+00:00")
                if parsed.tzinfo is not None:  # a date alone takes "+" as its separator
                    return parsed
            except ValueError:  # text that carries an offset already
                pass
            parsed = _from_iso(value)
            return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None
                    else parsed.astimezone(UTC))
        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_type() -> Any:
    """JSON on SQLite, JSONB on PostgreSQL. Values are reassigned, never edited in place."""
    return JSON().with_variant(JSONB(), "postgresql")
