"""Mail in the tests: sample messages, parsing what arrived, the ladder and the sweep."""


from __future__ import annotations

import copy
import warnings
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine

from db.engine import reading, writing
from db.models import (
    OutboxMessage,
)
from notifications.contexts import ContextBuilder
from notifications.delivery import MailSettings, run_once
from notifications.mail import SmtpMailer, build_email
from notifications.outbox import Claimed
from notifications.render import render_message
from tests.support.mail_samples import SAMPLE_CONTEXTS
from tests.support.smtp_server import ReceivedMessage, SmtpTestServer
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import advance

with warnings.catch_warnings():  # starlette's TestClient warns that httpx will be replaced
    warnings.simplefilter("ignore")


from tests.factories import ALICE, PARK_TZ
from tests.support.checks import outbox_rows

# ---------------------------------------------------------------- mail

BASE_URL = "https://parkflow.example.cn"
MAIL_SETTINGS = MailSettings(sender="园区工作专班 <parkflow@park.example>", base_url=BASE_URL,
                             domain="park.example")
SCRIPT = "<script>alert(1)</script>"


def text_of(message: ReceivedMessage) -> str:
    """The plain-text part of a received mail."""
    part = message.message.get_body(preferencelist=("plain",))
    assert part is not None
    return cast(str, cast(EmailMessage, part).get_content())


# the sender, domain and moment of the mail `reminder_email` builds
SENT_AT = datetime(2026, 11, 9, 9, 0, tzinfo=PARK_TZ)
SENDER = "园区工作专班 <noreply@park.example.gov.cn>"
DOMAIN = "park.example.gov.cn"


def sample(kind: str) -> dict[str, Any]:
    """A copy of the sample context of a kind of mail, to be changed."""
    return copy.deepcopy(SAMPLE_CONTEXTS[kind])


def reminder_email(
    dedupe_key: str = "project:42/stage:7/reminder/-3", **overrides: Any
) -> EmailMessage:
    """The sample reminder, built for the wire."""
    message = render_message("reminder", sample("reminder"))
    options: dict[str, Any] = {
        "sender": SENDER,
        "recipients": ["王明 <wang.ming@park.example.gov.cn>"],
        "dedupe_key": dedupe_key,
        "domain": DOMAIN,
        "date": SENT_AT,
    }
    options.update(overrides)
    return build_email(message, **options)


def parse(raw: bytes) -> EmailMessage:
    """A message read back from its bytes."""
    return cast(EmailMessage, message_from_bytes(raw, policy=default_policy))


def body(message: EmailMessage, subtype: str) -> str:
    """The decoded text of one part, with the wire's CRLF line ends turned back into LF."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    return cast(str, part.get_content()).replace("\r\n", "\n")




# ---------------------------------------------------------------- the reminder ladder and the sweep

def visit(engine: Engine, park: Park, project_id: int, *, scores: int = 4,
          on: str | None = None) -> None:
    """alice records a visit, every dimension scored `scores` (4: 3 stars), dated `on`."""
    fields = {"visitors": "王主任,李爱丽", "needs": "funding,space", "team": scores,
              "technology": scores, "capital": scores, "market": scores}
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event="visit", actor=ALICE, at=on,
                fields=fields)


def ladder(rows: list[OutboxMessage]) -> set[tuple[str, str, datetime]]:
    """(kind, recipient, send_at in park time) of each row."""
    return {(row.kind, row.recipient, row.send_at.astimezone(PARK_TZ)) for row in rows}


def sweep_at(engine: Engine, park: Park, server: SmtpTestServer, moment: datetime,
             clock: FixedClock) -> dict[str, int]:
    """One `reminders run` at `moment`, as the scheduler would do it."""
    clock.set(moment)
    return run_once(engine, park, SmtpMailer(server.settings()), MAIL_SETTINGS, now=moment,
                    worker="test-sweeper")


def delivered(engine: Engine, server: SmtpTestServer) -> list[tuple[OutboxMessage,
                                                                    ReceivedMessage]]:
    """Every message the server received, with the outbox row it came from."""
    by_id = {row.message_id: row for row in outbox_rows(engine) if row.message_id}
    return [(by_id[str(m.message["Message-ID"])], m) for m in server.messages]


def received(engine: Engine, server: SmtpTestServer, kind: str) -> list[ReceivedMessage]:
    """The messages of one kind the server received."""
    return [message for row, message in delivered(engine, server) if row.kind == kind]




if TYPE_CHECKING:
    from tests.support.web import Web


def mail_context(web: Web, kind: str, recipient: str, **payload: Any) -> dict[str, Any]:
    """The context a delivery pass would render `kind` with for `recipient` (a key of the
    web's people), its links relative to the site."""
    now = web.clock.now()
    claimed = Claimed(id=1, dedupe_key=f"test:{kind}", kind=kind, project_id=None, series=None,
                      channel="email", recipient=web.people[recipient], send_at=now,
                      attempts=0, retry_until=now, payload=payload)
    with reading(web.app.engine) as session:
        context, _lang = ContextBuilder(session, web.park, "").build(claimed, now)
    return context
