"""Delivering the outbox: claim a batch, render, send, settle — and the one-shot run.

Exactly once: a row is leased in one transaction, sent, and marked sent right after the
server's 250 in the next. A crash in between leaves the lease to expire and the row is sent
again — the only possible duplicate, and it carries the same Message-ID (derived from the
outbox key), so mail clients and servers can fold it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from db.engine import writing
from db.locks import SWEEP, try_job_lock
from notifications import outbox
from notifications.contexts import ContextBuilder
from notifications.mail import DeliveryError, Mailer, build_email, message_id_for
from notifications.reminders import SweepResult, chain_next_inquiry, sweep
from notifications.render import RenderedMessage, RenderError, render_message
from workflow.errors import NotFound
from workflow.park import Park

log = logging.getLogger("parkflow.delivery")


@dataclass(frozen=True)
class MailSettings:
    sender: str
    base_url: str
    domain: str = "parkflow.local"


class ChatPoster(Protocol):
    def __call__(self, target: str, message: RenderedMessage) -> None:
        """Post to the robot `target` (e.g. "wecom:project"); raise DeliveryError."""
        ...


def no_chat(target: str, message: RenderedMessage) -> None:
    raise DeliveryError(f"no chat robot configured for {target}", permanent=True)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def deliver(engine: Engine, park: Park, mailer: Mailer, settings: MailSettings, *,
            now: datetime, worker: str, batch: int = 50, chat: ChatPoster = no_chat,
            after_send: Callable[[outbox.Claimed], None] | None = None) -> Counter[str]:
    """Send every due row, batch by batch; returns counts by outcome."""
    counts: Counter[str] = Counter()
    started = park.now()
    close = getattr(mailer, "close", None)  # an SMTP connection lives for one pass
    try:
        return _deliver_batches(engine, park, mailer, settings, now=now, worker=worker,
                                batch=batch, chat=chat, after_send=after_send,
                                started=started, counts=counts)
    finally:
        if close is not None:
            close()


def _deliver_batches(engine: Engine, park: Park, mailer: Mailer, settings: MailSettings, *,
                     now: datetime, worker: str, batch: int, chat: ChatPoster,
                     after_send: Callable[[outbox.Claimed], None] | None,
                     started: datetime, counts: Counter[str]) -> Counter[str]:
    while True:
        with writing(engine) as session:
            claimed = outbox.claim(session, worker=worker, now=now, limit=batch)
        if not claimed:
            return counts
        for row in claimed:
            # leases run on the clock: `now` plus the time this pass has taken so far
            lease_now = now + (park.now() - started)
            try:
                outcome = _deliver_one(engine, park, mailer, chat, settings, row, now=now,
                                       lease_now=lease_now, worker=worker)
            except Exception as exc:  # one row's surprise must not stop the pass
                outcome = _settle_unexpected(engine, park, row, worker, now, exc)
            counts[outcome] += 1
            if after_send is not None:
                after_send(row)


def _deliver_one(engine: Engine, park: Park, mailer: Mailer, chat: ChatPoster,
                 settings: MailSettings, row: outbox.Claimed, *, now: datetime,
                 lease_now: datetime, worker: str) -> str:
    message_id = message_id_for(row.dedupe_key, settings.domain)
    try:
        with writing(engine) as session:
            # a row whose lease ran out while this pass was slow may belong to another now
            if not outbox.renew(session, row, worker=worker, now=lease_now):
                return "taken_over"
            context, lang = ContextBuilder(session, park, settings.base_url).build(row, now)
        rendered = render_message(row.kind, context, lang=lang)
        email = build_email(rendered, sender=settings.sender, recipients=[row.recipient],
                            dedupe_key=row.dedupe_key, domain=settings.domain, date=now,
                            attachments=context.get("attachments", ()))
    except (RenderError, NotFound, KeyError, ValueError) as exc:
        # one broken message must not block the whole outbox
        return _settle_failure(engine, park, row, worker, now, f"{type(exc).__name__}: {exc}",
                               permanent=True, code="render_failed")
    try:
        if row.channel == "chat":
            chat(row.recipient, rendered)
        else:
            mailer.send(email)
    except DeliveryError as exc:
        return _settle_failure(engine, park, row, worker, now, exc.reason,
                               permanent=exc.permanent)
    with writing(engine) as session:
        outbox.settle_sent(session, row, worker=worker, now=now, message_id=message_id)
        if row.kind == "inquiry":
            chain_next_inquiry(session, park, row, now)
    return "sent"


def _settle_failure(engine: Engine, park: Park, row: outbox.Claimed, worker: str,
                    now: datetime, reason: str, *, permanent: bool,
                    code: str = "delivery_failed") -> str:
    with writing(engine) as session:
        status = outbox.settle_failed(session, row, worker=worker, now=now, reason=reason,
                                      permanent=permanent, code=code)
        if status == "failed" and row.kind == "inquiry":
            chain_next_inquiry(session, park, row, now)  # next week's still goes out
    return "failed" if status == "failed" else "retrying"


def _settle_unexpected(engine: Engine, park: Park, row: outbox.Claimed, worker: str,
                       now: datetime, exc: Exception) -> str:
    """Log the failure and put the row back for a retry with backoff, releasing its lease."""
    log.exception("outbox row %s (%s) failed unexpectedly", row.id, row.kind)
    try:
        return _settle_failure(engine, park, row, worker, now, f"{type(exc).__name__}: {exc}",
                               permanent=False)
    except Exception:  # the database itself failed: the lease expires and frees the row
        log.exception("outbox row %s could not be settled", row.id)
        return "retrying"


def run_once(engine: Engine, park: Park, mailer: Mailer, settings: MailSettings, *,
             now: datetime, worker: str | None = None,
             chat: ChatPoster = no_chat) -> dict[str, int]:
    """One sweep and one delivery pass, as `parkflow reminders run` and the scheduler do."""
    swept = sweep_once(engine, park, now=now) or SweepResult()
    counts = deliver(engine, park, mailer, settings, now=now, worker=worker or worker_id(),
                     chat=chat)
    return {"sent": counts["sent"], "failed": counts["failed"],
            "retrying": counts["retrying"], "skipped": swept.skipped, "cancelled": 0}


def sweep_once(engine: Engine, park: Park, *, now: datetime) -> SweepResult | None:
    """The sweep, run by one process at a time: None when another process's sweep holds the
    run lock (that one plans the same rows; delivery stays shared through SKIP LOCKED)."""
    with writing(engine) as session:
        if not try_job_lock(session, SWEEP):
            log.info("sweep skipped: another process is sweeping")
            return None
        return sweep(session, park, now=now)
