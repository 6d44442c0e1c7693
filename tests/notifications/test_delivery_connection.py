"""One SMTP connection per delivery pass, and what happens when it breaks mid-pass: a server
that comes back is reconnected to at once; one that stays down leaves every remaining row
pending for a retry, released, nothing sent twice. Counted at a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import smtplib
from collections import Counter

from sqlalchemy import Engine, event, select

from db.engine import reading
from db.models import OutboxMessage, columns
from notifications import outbox
from notifications.delivery import deliver
from notifications.mail import SmtpMailer, message_id_for
from tests.factories import NOW
from tests.notifications.test_exactly_once import (
    DOMAIN,
    SETTINGS,
    enqueue_due,
    received_ids,
    rows_by_status,
)
from tests.support.smtp_server import SmtpTestServer
from workflow.park import Park

_O = columns(OutboxMessage)


class CountingMailer(SmtpMailer):
    """The real mailer, counting the connections it opens."""

    opened = 0

    def _open(self) -> smtplib.SMTP:
        self.opened += 1
        return super()._open()


def leftovers(engine: Engine) -> list[tuple[str, int, str | None, str | None]]:
    """Rows not sent: status, attempts, lease holder, last error."""
    with reading(engine) as session:
        query = select(_O.status, _O.attempts, _O.locked_by, _O.last_error).where(
            _O.status != "sent")
        return [tuple(row) for row in session.connection().execute(query)]  # type: ignore[misc]


def test_a_pass_sends_every_message_over_one_connection(
        engine: Engine, park: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    keys = enqueue_due(engine, park, 12, due=NOW)
    mailer = CountingMailer(smtp_server.settings())

    counts = deliver(engine, park, mailer, SETTINGS, now=NOW, worker="w", batch=5)

    assert counts == Counter({"sent": 12})
    assert mailer.opened == 1  # three batches, one connection
    assert rows_by_status(engine) == {"sent": 12}
    assert received_ids(smtp_server) == Counter(message_id_for(k, DOMAIN) for k in keys)


def test_a_server_restarted_mid_pass_is_reconnected_to_and_nothing_is_sent_twice(
        engine: Engine, park: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    keys = enqueue_due(engine, park, 8, due=NOW)
    mailer = CountingMailer(smtp_server.settings())
    done: list[outbox.Claimed] = []

    def restart_after_the_third(row: outbox.Claimed) -> None:
        done.append(row)
        if len(done) == 3:  # the kept connection dies with the server
            smtp_server.stop()
            smtp_server.start()

    counts = deliver(engine, park, mailer, SETTINGS, now=NOW, worker="w",
                     after_send=restart_after_the_third)

    assert counts == Counter({"sent": 8})
    assert mailer.opened == 2
    assert rows_by_status(engine) == {"sent": 8}
    assert received_ids(smtp_server) == Counter(message_id_for(k, DOMAIN) for k in keys)


def test_a_server_gone_mid_pass_leaves_the_rest_pending_released_with_the_error(
        engine: Engine, park: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    enqueue_due(engine, park, 8, due=NOW)
    mailer = CountingMailer(smtp_server.settings(timeout=2.0))
    done: list[outbox.Claimed] = []

    def stop_after_the_second(row: outbox.Claimed) -> None:
        done.append(row)
        if len(done) == 2:
            smtp_server.stop()

    counts = deliver(engine, park, mailer, SETTINGS, now=NOW, worker="w",
                     after_send=stop_after_the_second)

    assert counts == Counter({"sent": 2, "retrying": 6})
    assert rows_by_status(engine) == {"sent": 2, "pending": 6}
    rest = leftovers(engine)
    assert [(status, attempts, holder) for status, attempts, holder, _ in rest] == \
        [("pending", 1, None)] * 6
    assert all(error for *_, error in rest)
    assert len(smtp_server.messages) == 2


def test_a_pass_reads_each_recipient_and_owner_once(
        engine: Engine, park: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    enqueue_due(engine, park, 12, due=NOW)  # four recipients, three owners, twelve mails
    user_reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM users" in statement:
            user_reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = deliver(engine, park, SmtpMailer(smtp_server.settings()), SETTINGS, now=NOW,
                         worker="w", batch=5)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert counts == Counter({"sent": 12})
    assert len(user_reads) <= 4 + 3  # not two a message: the pass keeps who it has read
    assert len(received_ids(smtp_server)) == 12
