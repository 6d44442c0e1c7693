"""The persistent outbox: enqueue (exactly once by key), cancel, claim with a lease, settle.

    pending ──claim──▶ (leased) ──250──▶ sent
       │                   ├─4xx/network──▶ pending again (backoff) … 24 h ──▶ failed
       │                   └─5xx/refused──▶ failed            (retry ID ──▶ pending)
       ├─ left the stage ──▶ cancelled
       └─ overtaken by a later rung / periodic mail > 12 h late ──▶ skipped
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from db.models import OUTBOX_OFF_LADDER, OutboxMessage, columns
from db.prepared import Prepared, driver
from i18n import DEFAULT_LANG
from notifications.planning import LADDER_SERIES, Planned
from notifications.reasons import reason_text
from workflow.errors import Conflict, NotFound
from workflow.labels import Labels

_O = columns(OutboxMessage)
_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
STATUSES = ("pending", "sent", "failed", "skipped", "cancelled")
LEASE = timedelta(minutes=5)
RETRY_WINDOW = timedelta(hours=24)
# The statuses in the SQL text of the statements run per event, per message and per sweep,
# not bound: SQLite prepares a statement again whenever a bound value could decide whether a
# partial index applies (ix_outbox_pending_due: status = 'pending'). A cancel of a few rows
# measured ~35 us with the statuses bound, ~8 us as literals.
_PENDING: ColumnElement[str] = literal_column("'pending'")
_CANCELLED: ColumnElement[str] = literal_column("'cancelled'")


@dataclass(frozen=True)
class Claimed:
    id: int
    dedupe_key: str
    kind: str
    project_id: int | None
    series: str | None
    channel: str
    recipient: str
    send_at: datetime
    attempts: int
    retry_until: datetime
    payload: dict[str, Any]


def enqueue(session: Session, planned: Iterable[Planned], *, now: datetime,
            status: str = "pending") -> int:
    """Insert planned messages; returns rows added or revived.

    A key that exists already is left alone — unless it was cancelled, in which case planning
    it again revives it (a suspended project resumed with the same deadline, say).
    """
    if status not in STATUSES:
        raise ValueError(f"unknown outbox status {status!r}")
    # each row's values in the order of _COLUMNS (the status and attempts are in the SQL)
    rows = [(p.dedupe_key, p.kind, p.project_id, p.series, p.channel, p.recipient, p.send_at,
             p.send_at, p.send_at + RETRY_WINDOW, p.reason, p.reason_params, p.payload, now)
            for p in planned]
    if not rows:
        return 0
    dialect = driver(session)[0].name
    if len(rows) <= _PREPARED_ROWS:  # an event's handful: one prepared statement
        params: dict[str, Any] = {}
        for keys, row in zip(_ROW_KEYS[:len(rows)], rows, strict=True):
            params.update(zip(keys, row, strict=True))
        # the rows inserted or revived, as the database counts them (the DO UPDATE's too,
        # on SQLite and PostgreSQL): no RETURNING to collect and read back
        return _prepared_upsert(dialect, len(rows), status).rowcount(session, params)
    statement = _upsert(dialect, status)
    return len(session.connection().execute(
        statement, [dict(zip(_COLUMNS, row, strict=True)) for row in rows]).all())


_COLUMNS = ("dedupe_key", "kind", "project_id", "series", "channel", "recipient", "send_at",
            "next_attempt_at", "retry_until", "reason_code", "reason_params", "payload",
            "created_at")
_PREPARED_ROWS = 16  # beyond: the sweep's batches, through executemany
# the parameter names of row i of the prepared upsert, in the order of _COLUMNS: built once,
# not formatted again for every row of every event
_ROW_KEYS = tuple(tuple(f"v{i}_{name}" for name in _COLUMNS) for i in range(_PREPARED_ROWS))


def _fixed(status: str) -> dict[str, Any]:
    """The columns every new row starts with, as literals of the SQL (see _PENDING)."""
    return {"status": _PENDING if status == "pending" else literal_column(f"'{status}'"),
            "attempts": literal_column("0")}


@cache
def _prepared_upsert(dialect: str, rows: int, status: str) -> Prepared:
    """The upsert of `rows` rows in one statement, parameters named `vI_column`."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_TABLE).values([
        {name: bindparam(key, type_=_O[name].type)
         for name, key in zip(_COLUMNS, keys, strict=True)} | _fixed(status)
        for keys in _ROW_KEYS[:rows]])
    return Prepared(_on_conflict(statement))


@cache
def _upsert(dialect: str, status: str) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE … WHERE cancelled RETURNING id, built once (an
    executemany's rowcount is not the rows changed on PostgreSQL: they are returned)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return _on_conflict(insert(_TABLE).values(_fixed(status))).returning(_O.id)


def _on_conflict(statement: Any) -> Any:
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"status": excluded.status, "reason_code": excluded.reason_code,
              "reason_params": excluded.reason_params, "send_at": excluded.send_at,
              "next_attempt_at": excluded.next_attempt_at,
              "retry_until": excluded.retry_until, "attempts": literal_column("0"),
              "locked_by": null(), "locked_until": null()},
        where=_O.status == _CANCELLED)


def cancel(session: Session, *, project_id: int, kinds: Sequence[str], keep_series: str | None,
           reason: str) -> int:
    """Cancel a project's pending messages of `kinds`, except those of `keep_series`;
    `reason` is a code of notifications.reasons."""
    return cancel_groups(session, project_id=project_id,
                         groups=((tuple(kinds), keep_series, reason),))


CancelGroup = tuple[tuple[str, ...], str | None, str]  # kinds, series to keep, reason


def cancel_groups(session: Session, *, project_id: int, groups: Sequence[CancelGroup]) -> int:
    """`cancel` for several groups of kinds at once: one UPDATE, each row's reason the one of
    its group (the groups' kinds do not overlap)."""
    params: dict[str, Any] = {"b_project": project_id}
    for i, (_, keep, reason) in enumerate(groups):
        params[f"b_keep_{i}"], params[f"b_reason_{i}"] = keep or "", reason
    return _cancel_statement(tuple(kinds for kinds, _, _ in groups)).rowcount(session, params)


@cache
def _cancel_statement(kinds: tuple[tuple[str, ...], ...]) -> Prepared:
    """Built once per combination of kinds (a few exist), the series kept as parameters."""
    matches = [and_(or_(*(_O.kind == kind for kind in group)),
                    or_(_O.series.is_(None), _O.series != bindparam(f"b_keep_{i}")))
               for i, group in enumerate(kinds)]
    reason = case(*((match, bindparam(f"b_reason_{i}")) for i, match in enumerate(matches)))
    return Prepared(update(_TABLE)
                    .where(_O.project_id == bindparam("b_project"), _O.status == _PENDING,
                           or_(*matches))
                    .values(status=_CANCELLED, reason_code=reason, reason_params={},
                            locked_by=null()))


def _off_ladder(series: str) -> str:
    """A series looked up by name, never a project's reminder ladder: those rows are left
    out of the partial series index (db.models.OUTBOX_OFF_LADDER) and found by project."""
    if series.startswith(LADDER_SERIES):
        raise ValueError(f"{series}: a reminder ladder's rows are found by project, not by "
                         "series")
    return series


def _by_series(series: str) -> Any:
    """The rows of a series, through the partial index: the condition in the same text as
    the index's, so both databases see that the index serves it."""
    return and_(_O.series == _off_ladder(series), text(OUTBOX_OFF_LADDER))


def series_exists(session: Session, series: str) -> bool:
    return _SERIES_EXISTS.first(session, {"series": _off_ladder(series)}) is not None


def key_exists(session: Session, dedupe_key: str) -> bool:
    return _KEY_EXISTS.first(session, {"key": dedupe_key}) is not None


# asked several times by every sweep (once a minute): prepared once (db.prepared)
_SERIES_EXISTS = Prepared(select(_O.id).where(_O.series == bindparam("series"),
                                               text(OUTBOX_OFF_LADDER)).limit(1))
_KEY_EXISTS = Prepared(select(_O.id).where(_O.dedupe_key == bindparam("key")))


class DueRow(NamedTuple):
    id: int
    series: str | None
    kind: str
    send_at: datetime


def due_rows(session: Session, now: datetime) -> list[DueRow]:
    """Pending rows that are due and not leased (the partial index serves this)."""
    return [DueRow(*row) for row in _DUE_ROWS.all(session, {"now": now})]


# every sweep's (once a minute) hot query: prepared once (db.prepared)
_NOW = bindparam("now", type_=_O.next_attempt_at.type)
_DUE_ROWS = Prepared(select(_O.id, _O.series, _O.kind, _O.send_at)
                     .where(_O.status == _PENDING, _O.next_attempt_at <= _NOW,
                            or_(_O.locked_until.is_(None), _O.locked_until < _NOW)))


def mark(session: Session, ids: Iterable[int], *, status: str, reason: str,
         params: dict[str, Any] | None = None) -> int:
    ids = list(ids)
    total = 0
    for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        result = session.connection().execute(update(_TABLE)
                                 .where(_O.id.in_(chunk), _O.status == _PENDING)
                                 .values(status=status, reason_code=reason,
                                         reason_params=params or {}, locked_by=None))
        total += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return total


def claim(session: Session, *, worker: str, now: datetime, limit: int) -> list[Claimed]:
    """Lease up to `limit` due rows to `worker`; other workers skip them (SKIP LOCKED)."""
    candidates = (select(_O.id)
                  .where(_O.status == _PENDING, _O.next_attempt_at <= now,
                         or_(_O.locked_until.is_(None), _O.locked_until < now))
                  .order_by(_O.next_attempt_at, _O.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # SQLite: the caller's BEGIN IMMEDIATE makes this the only writer meanwhile
    rows = session.connection().execute(
        update(_TABLE).where(_O.id.in_(candidates.scalar_subquery()))
        .values(locked_by=worker, locked_until=now + LEASE)
        .returning(_O.id, _O.dedupe_key, _O.kind, _O.project_id, _O.series, _O.channel,
                   _O.recipient, _O.send_at, _O.attempts, _O.retry_until, _O.payload)).all()
    return sorted((Claimed(**row._mapping) for row in rows), key=lambda c: (c.send_at, c.id))


def renew(session: Session, claimed: Claimed, *, worker: str, now: datetime) -> bool:
    """Extend the lease just before sending; False if another worker has taken the row over
    (the lease ran out while this one was slow) or it was cancelled meanwhile."""
    return bool(_RENEW.rowcount(session, {"id": claimed.id, "worker": worker,
                                          "until": now + LEASE}))


def settle_sent(session: Session, claimed: Claimed, *, worker: str, now: datetime,
                message_id: str) -> bool:
    return bool(_SETTLE_SENT.rowcount(session, {
        "id": claimed.id, "worker": worker, "now": now, "message_id": message_id,
        "attempts": claimed.attempts + 1}))


# one message's two statements, compiled once (delivery runs them for every message)
_OURS = (_O.id == bindparam("id"), _O.locked_by == bindparam("worker"),
         _O.status == _PENDING)
_RENEW = Prepared(update(_TABLE).where(*_OURS).values(
    locked_until=bindparam("until", type_=_O.locked_until.type)))
_SETTLE_SENT = Prepared(update(_TABLE).where(*_OURS).values(
    status=literal_column("'sent'"), sent_at=bindparam("now", type_=_O.sent_at.type),
    message_id=bindparam("message_id", type_=_O.message_id.type), locked_by=None,
    locked_until=None, attempts=bindparam("attempts", type_=_O.attempts.type),
    last_error=None))


def settle_failed(session: Session, claimed: Claimed, *, worker: str, now: datetime,
                  reason: str, permanent: bool, code: str = "delivery_failed") -> str:
    """Record a failed attempt; returns the new status (pending while retrying, or failed).

    `reason` is the failure as the server or the renderer put it, kept as the row's last
    error and as a parameter of its reason.
    """
    attempts = claimed.attempts + 1
    retry_at = now + backoff(attempts)
    final = permanent or retry_at > claimed.retry_until
    status = "failed" if final else "pending"
    session.connection().execute(
        update(_TABLE).where(_O.id == claimed.id, _O.locked_by == worker)
        .values(status=status, attempts=attempts, last_error=reason[:1000],
                reason_code=code if final else "retrying",
                reason_params={"error": reason[:500], "attempts": attempts},
                next_attempt_at=retry_at, locked_by=None, locked_until=None))
    return status


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour between attempts."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def retry(session: Session, message_id: int, *, now: datetime) -> None:
    """Send a failed row again, with a fresh 24-hour window."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("outbox_not_found", field="id", value=message_id)
    if row.status != "failed":
        raise Conflict("outbox_not_failed", field="id", value=message_id,
                       outbox_status=row.status)
    row.status, row.next_attempt_at, row.retry_until = "pending", now, now + RETRY_WINDOW
    row.reason_code, row.reason_params = "manual_retry", {}
    row.locked_by, row.locked_until = None, None
    session.add(row)


def list_rows(session: Session, *, status: str | None = None,
              project_id: int | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if status:
        query = query.where(_O.status == status)
    if project_id is not None:
        query = query.where(_O.project_id == project_id)
    return list(session.execute(query.order_by(_O.send_at, _O.id)).scalars())


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.connection().execute(select(_O.status, func.count()).group_by(_O.status)).all()
    return {status: int(n) for status, n in rows}


def row_json(row: OutboxMessage, tz: ZoneInfo, labels: Labels | None = None) -> dict[str, Any]:
    """The row shape of CLI.md (`outbox list`), plus attempts, sent_at and the last error;
    the reason rendered in the language of `labels` (zh-CN by default)."""
    labels = labels or Labels.default(DEFAULT_LANG)
    return {"id": row.id, "kind": row.kind, "project_id": row.project_id,
            "recipients": [row.recipient], "send_at": row.send_at.astimezone(tz).isoformat(),
            "status": row.status,
            "reason": reason_text(row.reason_code, row.reason_params, labels),
            "attempts": row.attempts,
            "sent_at": row.sent_at.astimezone(tz).isoformat() if row.sent_at else None,
            "last_error": row.last_error}


def cancel_series(session: Session, series: str, *, reason: str) -> int:
    """Cancel every pending message of one series (e.g. an approval's reminders)."""
    result = session.connection().execute(
        update(_TABLE).where(_by_series(series), _O.status == _PENDING)
        .values(status=_CANCELLED, reason_code=reason, reason_params={}, locked_by=null()))
    return int(result.rowcount or 0)
