"""Column types that keep their promises on SQLite as on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, TypeDecorator
from sqlalchemy.types import TypeEngine

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
        return _sqlite_bind

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


def _unserializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps(value) with its defaults builds a new encoder on every call, which is most of
# its cost for the small objects of an event (its fields, milestones, outbox payloads): the
# C encoder it builds, made once. The same text (ensure_ascii, ", " and ": "); a value that
# contains itself fails with RecursionError rather than ValueError.
_ENCODER = (json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _unserializable, json.encoder.encode_basestring_ascii, None, ": ", ", ", False,
    False, True) if getattr(json.encoder, "c_make_encoder", None) is not None else None)


def dumps_json(value: Any) -> str:
    """json.dumps(value), the columns' serializer (db.engine.make_engine)."""
    if _ENCODER is None:
        return json.dumps(value)
    return "".join(_ENCODER(value, 0))


class JSONDocument(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL. Values are reassigned, never edited in place.

    The dialect's own type is chosen when a dialect asks for it, not when the tables are
    declared: `JSON().with_variant(JSONB(), "postgresql")` needs the JSONB class, and importing
    it loads SQLAlchemy's PostgreSQL dialect with all its drivers (~20 ms of every command's
    start on SQLite, where nothing uses it).
    """

    impl = JSON
    cache_ok = True
    # as JSON() itself: a None given for the column is stored as JSON null, not left out
    should_evaluate_none = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def json_type() -> Any:
    """The type of a JSON column (JSONDocument)."""
    return JSONDocument()


# SQLite: process_bind_param and the dialect's DATETIME formatting fused into one call; the
# text is the dialect's own storage format, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. Wall time
# minus the offset is UTC: one offset lookup, where astimezone(UTC) after the check made two.
# The text depends only on the instant, so it is remembered per datetime (equal aware
# datetimes are the same instant; an event binds the same few moments many times: its own,
# and the reminder days many projects share). Not for fold=1: within one zone such a
# datetime compares equal to its fold=0 twin, a different instant.
_BOUND: dict[datetime, str] = {}
_BOUND_MAX = 4096


def _sqlite_bind(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = _BOUND.get(value)
    if text is not None and not value.fold:
        return text
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"naive datetime {value!r} refused: pass an aware datetime")
    text = (value.replace(tzinfo=None) - offset).isoformat(" ", "microseconds")
    if not value.fold:
        if len(_BOUND) >= _BOUND_MAX:
            _BOUND.clear()
        _BOUND[value] = text
    return text
