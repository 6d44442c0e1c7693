"""Delivering the outbox: claim a batch, render, send, settle — and the one-shot run.

Exactly once: a row is leased in one transaction, sent, and marked sent right after the
server's 250 in the next (the one that renews the next row's lease, so one commit a message;
it commits before that row is sent). A crash in between leaves the lease to expire and the
row is sent again — the only possible duplicate, and it carries the same Message-ID (derived
from the outbox key), so mail clients and servers can fold it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

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
    done = after_send or _nothing  # called once a row's outcome is recorded
    people: dict[tuple[str, Any], Any] = {}  # recipients and owners, read once per pass
    while True:
        with writing(engine) as session:
            claimed = outbox.claim(session, worker=worker, now=now, limit=batch)
        if not claimed:
            return counts
        pass_ = _Pass(engine, park, mailer, chat, settings, now=now, worker=worker,
                      started=started, done=done, people=people)
        try:
            for row in claimed:
                try:
                    outcome = pass_.deliver(row)
                except Exception as exc:  # one row's surprise must not stop the pass
                    pass_.record_alone()
                    outcome = _settle_unexpected(engine, park, row, worker, now, exc)
                counts[outcome] += 1
                if outcome != "sent":
                    done(row)
        finally:
            pass_.record_alone()


def _nothing(row: outbox.Claimed) -> None:
    return None


@dataclass
class _Pass:
    """One batch of claimed rows, sent one by one.

    The server's 250 for a row is recorded in the transaction that renews the next row's
    lease, which commits before that row is sent: every acceptance is durable before the next
    send, at one commit per message. The last one is recorded on its own (`record_alone`)."""

    engine: Engine
    park: Park
    mailer: Mailer
    chat: ChatPoster
    settings: MailSettings
    now: datetime
    worker: str
    started: datetime
    done: Callable[[outbox.Claimed], None]
    people: dict[tuple[str, Any], Any] = field(default_factory=dict)
    accepted: tuple[outbox.Claimed, str] | None = None  # accepted, not recorded yet

    def lease_now(self) -> datetime:
        """Leases run on the clock: `now` plus the time this pass has taken so far."""
        return self.now + (self.park.now() - self.started)

    def deliver(self, row: outbox.Claimed) -> str:
        leased_at = self.lease_now()
        problem: Exception | None = None
        with writing(self.engine) as session:
            recorded = self._record(session)
            # a row whose lease ran out while this pass was slow may belong to another now
            renewed = outbox.renew(session, row, worker=self.worker, now=leased_at)
            if renewed:
                try:
                    builder = ContextBuilder(session, self.park, self.settings.base_url,
                                             people=self.people)
                    context, lang = builder.build(row, self.now)
                except (NotFound, KeyError, ValueError) as exc:
                    problem = exc  # settled below: the record above still commits
        self.accepted = None  # committed (an exception above leaves it for record_alone)
        if recorded is not None:
            self.done(recorded)
        if not renewed:
            return "taken_over"
        try:
            if problem is not None:
                raise problem
            rendered = render_message(row.kind, context, lang=lang,
                                      markdown=row.channel == "chat")
            email = build_email(rendered, sender=self.settings.sender,
                                recipients=[row.recipient], dedupe_key=row.dedupe_key,
                                domain=self.settings.domain,
                                # the park's time, as the mail's text tells it
                                date=self.now.astimezone(self.park.tz),
                                attachments=context.get("attachments", ()))
        except (RenderError, NotFound, KeyError, ValueError) as exc:
            # one broken message must not block the whole outbox
            return _settle_failure(self.engine, self.park, row, self.worker, self.now,
                                   f"{type(exc).__name__}: {exc}", permanent=True,
                                   code="render_failed")
        if self.lease_now() >= leased_at + outbox.LEASE and not self._renew(row):
            return "taken_over"  # the lease ran out since it was renewed: not ours to send
        try:
            if row.channel == "chat":
                self.chat(row.recipient, rendered)
            else:
                self.mailer.send(email)
        except DeliveryError as exc:
            return _settle_failure(self.engine, self.park, row, self.worker, self.now,
                                   exc.reason, permanent=exc.permanent)
        self.accepted = (row, message_id_for(row.dedupe_key, self.settings.domain))
        return "sent"

    def record_alone(self) -> None:
        """Record the last accepted row in a transaction of its own (the end of a batch, or
        before a failure is handled, so the failure's rollback cannot take it along)."""
        if self.accepted is None:
            return
        with writing(self.engine) as session:
            recorded = self._record(session)
        self.accepted = None
        if recorded is not None:
            self.done(recorded)

    def _record(self, session: Session) -> outbox.Claimed | None:
        if self.accepted is None:
            return None
        row, message_id = self.accepted
        outbox.settle_sent(session, row, worker=self.worker, now=self.now,
                           message_id=message_id)
        if row.kind == "inquiry":
            chain_next_inquiry(session, self.park, row, self.now)
        return row

    def _renew(self, row: outbox.Claimed) -> bool:
        with writing(self.engine) as session:
            return outbox.renew(session, row, worker=self.worker, now=self.lease_now())


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
