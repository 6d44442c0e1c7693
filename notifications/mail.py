"""Build emails from rendered messages and hand them to SMTP, or to a folder of .eml files.

    Mailer (Protocol)      send(message) -> None; raises DeliveryError
    ├── SmtpMailer         real SMTP: plain, STARTTLS or implicit TLS, always with a timeout
    └── EmlFolderMailer    one <message-id>.eml per message, for setups without SMTP

    DeliveryError          why a message was not handed over
                           .permanent  True: retrying cannot help (5xx, refused recipients)
                                       False: retry later (4xx, timeouts, connection errors)
                           .reason     the server's code and text,
                                       e.g. "550 5.1.1 mailbox unavailable"

Exactly once: the Message-ID is derived from the outbox dedupe key, so a message re-sent after a
crash carries the same Message-ID (mail clients and the .eml folder collapse the duplicate), and
once the server has answered 250 to DATA nothing that follows (QUIT) can turn it into a failure.
Only this module imports smtplib.
"""

from __future__ import annotations

import base64
import contextlib
import email.policy
import email.utils
import functools
import hashlib
import io
import os
import re
import smtplib
import ssl
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from notifications.render import RenderedMessage

Security = Literal["none", "starttls", "ssl"]

_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "ssl": 465}


class DeliveryError(Exception):
    """A message was not handed over; `permanent` says whether a retry can help."""

    def __init__(self, reason: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code

    def __repr__(self) -> str:
        return f"DeliveryError({self.reason!r}, permanent={self.permanent}, code={self.code})"


# --- building ---------------------------------------------------------------------------


def message_id_for(dedupe_key: str, domain: str) -> str:
    """The Message-ID for an outbox key: the same key gives the same id, always."""
    if not _DOMAIN.match(domain):
        raise ValueError(f"not a valid Message-ID domain: {domain!r}")
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_email(
    message: RenderedMessage,
    *,
    sender: str,
    recipients: Sequence[str],
    dedupe_key: str,
    domain: str,
    date: datetime,
    attachments: Sequence[Any] = (),
) -> EmailMessage:
    """A multipart/alternative email (text, then HTML) with a Message-ID derived from the key;
    with attachments (filename, content, mimetype), multipart/mixed around it."""
    if isinstance(recipients, str) or not recipients:
        raise ValueError("recipients must be a non-empty sequence of addresses")
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("the Date header needs a timezone-aware datetime")
    if attachments:
        return _build_with_attachments(message, sender=sender, recipients=recipients,
                                       dedupe_key=dedupe_key, domain=domain, date=date,
                                       attachments=attachments)
    # Headers are stored as their folded wire form (set_raw) and the bodies as base64 text:
    # the header registry's parsing and folding, most of the CPU of building and sending an
    # EmailMessage, is paid only for headers read later, and sending emits them as they are.
    mail = EmailMessage(policy=_POLICY)
    for name, value in (("Subject", _subject(message.subject)), ("From", _address(sender)),
                        ("To", _address(", ".join(recipients))),
                        ("Date", format_datetime(date)),
                        ("Message-ID", message_id_for(dedupe_key, domain)),
                        # RFC 3834: tells auto-responders (out-of-office) not to answer.
                        ("Auto-Submitted", "auto-generated"), ("MIME-Version", "1.0")):
        mail.set_raw(name, value)
    mail.set_raw("Content-Type", _MULTIPART)
    for subtype, text in (("plain", message.text), ("html", message.html)):
        part = _part(f'text/{subtype}; charset="utf-8"')
        part.set_raw("Content-Transfer-Encoding", "base64")
        part.set_payload(_base64_body(text))
        mail.attach(part)
    return mail


# base64 bodies cannot contain "--=", so one fixed boundary is safe (and its pattern cached)
_BOUNDARY = "==parkflow-alternative=="
_MULTIPART = f'multipart/alternative;\r\n boundary="{_BOUNDARY}"'
_PLAIN_HEADER = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$")
_SIMPLE_ADDRESSES = re.compile(
    r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+(?:, [A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+)*$")
_WORD_BYTES = 39  # UTF-8 bytes per encoded word: 52 base64 characters, a line under 78


class _WirePolicy(EmailPolicy):
    """email.policy.SMTP that parses the headers alike in every message (content types, the
    sender) once: sending reads each of them several times."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if name.lower() in _SAME_EVERY_TIME:
            return _parsed_header(name, value)
        return super().header_fetch_parse(name, value)


_SAME_EVERY_TIME = frozenset({"content-type", "content-transfer-encoding", "from",
                              "mime-version"})
_POLICY = _WirePolicy(linesep="\r\n")


@functools.lru_cache(maxsize=128)
def _parsed_header(name: str, value: str) -> Any:
    return email.policy.SMTP.header_fetch_parse(name, value)  # immutable: safe to share


def _part(content_type: str) -> EmailMessage:
    part = EmailMessage(policy=_POLICY)
    part.set_raw("Content-Type", content_type)
    return part


def _base64_body(text: str) -> str:
    """The body as set_content(cte="base64") writes it: CRLF line ends, 76-character lines."""
    data = ("\r\n".join(text.splitlines()) + "\r\n").encode("utf-8", "surrogateescape")
    # encodebytes' lines, cut from one b64encode (it encodes 57 bytes a call)
    encoded = base64.b64encode(data).decode("ascii")
    return "".join(f"{encoded[i:i + 76]}\n" for i in range(0, len(encoded), 76))


@functools.lru_cache(maxsize=256)  # a project's mail goes to several people in a row
def _subject(subject: str) -> str:
    """As is when short printable ASCII, else RFC 2047 encoded words, one a line."""
    if not subject or (len(subject) <= 60 and _PLAIN_HEADER.match(subject)
                       and "=?" not in subject):
        return subject
    words: list[bytes] = []
    chunk = b""
    for char in subject:
        encoded = char.encode("utf-8", "surrogatepass")
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


def _address(value: str) -> str:
    """Plain addresses as they are; anything else folded by the header registry (the sender,
    the same for every message, is folded once)."""
    if len(value) <= 68 and _SIMPLE_ADDRESSES.match(value):
        return value
    return _folded_address(value)


@functools.lru_cache(maxsize=64)
def _folded_address(value: str) -> str:
    policy = email.policy.SMTP
    folded = policy.header_factory("To", value).fold(policy=policy)
    return folded[len("To: "):].rstrip("\r\n")


# --- the wire form ------------------------------------------------------------------------


class _WireGenerator(BytesGenerator):
    """BytesGenerator that writes a part's text in one piece rather than line by line (a
    base64 body is ~100 lines): the same bytes, at a fraction of the calls."""

    def _write_lines(self, lines: str) -> None:
        if not lines:
            return
        newline = self._NL  # type: ignore[attr-defined]
        # base64 bodies end their lines with "\n" alone: a plain replace then does it
        self.write(lines.replace("\n", newline) if "\r" not in lines
                   else _NEWLINE.sub(newline, lines))


_NEWLINE = re.compile(r"\r\n|\r|\n")  # email.generator's NLCRE


_ENVELOPE_HEADERS = ("resent-date", "resent-from", "resent-sender", "resent-to", "bcc",
                     "resent-bcc")


def wire_form(message: EmailMessage) -> tuple[str, list[str], bytes] | None:
    """The envelope sender, the recipients and the bytes that `smtplib.SMTP.send_message`
    would send for `message`, computed with less work; None when the message needs
    send_message's own handling (Resent-*, Bcc, non-ASCII addresses)."""
    # the values as stored: parsing them through the header registry (as message["To"]
    # does) costs more than the rest of this; the addresses come out the same
    raw: dict[str, str] = {}
    for name, value in message.raw_items():
        raw.setdefault(name.lower(), str(value))
    if not raw.keys().isdisjoint(_ENVELOPE_HEADERS) or not raw.keys() & {"from", "sender"}:
        return None
    sender = _addresses(raw.get("sender") or raw["from"])[:1]
    recipients = _addresses(*(raw[name] for name in ("to", "cc") if name in raw))
    if not sender or not all(address.isascii() for address in (*sender, *recipients)):
        return None
    out = io.BytesIO()
    _WireGenerator(out).flatten(message, linesep="\r\n")
    return sender[0], list(recipients), out.getvalue()


@functools.lru_cache(maxsize=256)
def _addresses(*fields: str) -> tuple[str, ...]:
    """The addresses in header values, as send_message takes them (the sender and each
    recipient recur from message to message)."""
    return tuple(address for _, address in email.utils.getaddresses(list(fields)))


def _build_with_attachments(message: RenderedMessage, *, sender: str, recipients: Sequence[str],
                            dedupe_key: str, domain: str, date: datetime,
                            attachments: Sequence[Any]) -> EmailMessage:
    """The same message built through EmailMessage, with its attachments (rare: reports)."""
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = message_id_for(dedupe_key, domain)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text, cte="base64")
    mail.add_alternative(message.html, subtype="html", cte="base64")
    for item in attachments:
        maintype, subtype = item.mimetype.split("/", 1)
        mail.add_attachment(item.content, maintype=maintype, subtype=subtype,
                            filename=item.filename)
    return mail


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Security = "none"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SMTP settings: host is empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP settings: port {self.port} is not in 1..65535")
        if self.security not in _DEFAULT_PORTS:
            raise ValueError(
                f"SMTP settings: security must be none, starttls or ssl, not {self.security!r}"
            )
        if self.timeout <= 0:
            raise ValueError(f"SMTP settings: timeout must be positive, not {self.timeout}")
        if self.password is not None and not self.username:
            raise ValueError("SMTP settings: a password was given without a user name")
        if not (self.username or "").isascii() or not (self.password or "").isascii():
            # smtplib encodes AUTH credentials as ASCII; anything else fails at every login.
            raise ValueError("SMTP settings: the user name and password must be ASCII")

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse smtp://user:pass@host:587?starttls=1, smtps://user:pass@host:465 or smtp://host:25."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            found = f"{scheme}://" if scheme else "missing"
            raise ValueError(f"SMTP URL: the scheme must be smtp:// or smtps://, not {found}")
        if not parts.hostname:
            raise ValueError("SMTP URL: no host name")
        if parts.path not in ("", "/"):
            raise ValueError(f"SMTP URL: unexpected path {parts.path!r}")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("SMTP URL: the port is not a number in 1..65535") from None
        options = _url_options(parts.query)
        starttls = _flag(options.pop("starttls", "0"), "starttls")
        timeout = _positive_float(options.pop("timeout", "30"), "timeout")
        if options:
            raise ValueError(
                f"SMTP URL: unknown option {sorted(options)[0]!r} (known: starttls, timeout)"
            )
        if scheme == "smtps" and starttls:
            raise ValueError(
                "SMTP URL: smtps:// is already TLS; use smtp://…?starttls=1 for STARTTLS"
            )
        security: Security = "ssl" if scheme == "smtps" else "starttls" if starttls else "none"
        return cls(
            host=parts.hostname,
            port=port or _DEFAULT_PORTS[security],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            security=security,
            timeout=timeout,
        )


def _url_options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if len(values) > 1:
            raise ValueError(f"SMTP URL: option {name!r} is given twice")
        options[name.lower()] = values[0]
    return options


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"SMTP URL: {name}={value!r} is not one of 1/0, true/false, yes/no, on/off")


def _positive_float(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"SMTP URL: {name}={value!r} is not a number") from None
    if not number > 0:
        raise ValueError(f"SMTP URL: {name} must be positive, not {value!r}")
    return number


# --- sending ----------------------------------------------------------------------------


@runtime_checkable
class Mailer(Protocol):
    """Hands one message over for delivery."""

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` or raise DeliveryError."""
        ...


class SmtpMailer:
    """Sends over SMTP; every failure becomes a DeliveryError classified as permanent or not."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = settings
        # Injected in tests to trust a self-signed certificate; the default verifies as usual.
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname
        # One connection per thread, kept across a delivery batch until close().
        self._local = threading.local()

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` to every recipient in its headers, or raise DeliveryError.

        The connection stays open for the next message until `close()`; after any failure it
        is dropped, so the next message starts on a fresh one. A kept connection the server
        has closed meanwhile is replaced once, at once.
        """
        try:
            reused = getattr(self._local, "smtp", None) is not None
            try:
                refused = self._send_once(message)
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                if not reused or isinstance(exc.__context__, TimeoutError):
                    raise
                # the server dropped the connection kept from the last message (idle
                # timeout, restart): once more on a fresh one
                refused = self._send_once(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients, partial=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise self._classify(exc) from exc
        if refused:
            raise _refused(refused, partial=True)

    def _send_once(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        """One try on this thread's connection; after any failure it is dropped."""
        smtp = self._connection()
        try:
            wire = wire_form(message)
            if wire is None:
                return smtp.send_message(message)
            sender, recipients, data = wire
            return smtp.sendmail(sender, recipients, data)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """End this thread's connection (QUIT); a delivered message stays delivered."""
        smtp = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is not None:
            _quit_quietly(smtp)

    def _connection(self) -> smtplib.SMTP:
        smtp = getattr(self._local, "smtp", None)
        if smtp is None:
            smtp = self._local.smtp = self._open()
        return smtp

    def _open(self) -> smtplib.SMTP:
        """Connect, secure and log in; the connection is closed again if any step fails."""
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, self._local_hostname, timeout=s.timeout, context=self._context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, self._local_hostname, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _classify(self, exc: smtplib.SMTPException | OSError) -> DeliveryError:
        where = f"{self.settings.host}:{self.settings.port}"
        if isinstance(exc, smtplib.SMTPResponseException):
            code = exc.smtp_code
            return DeliveryError(
                f"{code} {_text(exc.smtp_error)}", permanent=500 <= code < 600, code=code
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(f"{where}: {exc}", permanent=True)
        # smtplib reports a read timeout as "Connection unexpectedly closed": look underneath.
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            return DeliveryError(
                f"{where} timed out after {self.settings.timeout:g}s", permanent=False
            )
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return DeliveryError(f"{where} closed the connection: {exc}", permanent=False)
        if isinstance(exc, ssl.SSLError):
            return DeliveryError(f"TLS with {where} failed: {exc}", permanent=False)
        if isinstance(exc, OSError):
            return DeliveryError(f"cannot reach {where}: {exc}", permanent=False)
        return DeliveryError(f"SMTP error with {where}: {exc}", permanent=False)


def _refused(recipients: Mapping[str, tuple[int, bytes | str]], *, partial: bool) -> DeliveryError:
    """Refused recipients: permanent if the message went to the others (a retry would duplicate
    it) or every refusal is a 5xx; temporary if nobody got it and some refusal was a 4xx."""
    codes = [code for code, _ in recipients.values()]
    details = "; ".join(
        f"{address}: {code} {_text(text)}" for address, (code, text) in recipients.items()
    )
    if partial:
        return DeliveryError(f"delivered to the others but refused for {details}", permanent=True)
    permanent = all(500 <= code < 600 for code in codes)
    return DeliveryError(
        f"all recipients refused: {details}", permanent=permanent, code=max(codes, default=None)
    )


def _text(reply: bytes | str) -> str:
    """The server's reply text on one line."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class EmlFolderMailer:
    """Writes each message to ``<folder>/<message-id>.eml``; re-sending overwrites it."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, message: EmailMessage) -> Path:
        """Where `message` is (or would be) written."""
        message_id = message["Message-ID"]
        if not message_id:
            raise DeliveryError("the message has no Message-ID", permanent=True)
        return self.folder / f"{_file_stem(str(message_id))}.eml"

    def send(self, message: EmailMessage) -> None:
        """Write `message` atomically (temporary file + rename)."""
        target = self.path_for(message)
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}", permanent=False) from exc


def _file_stem(message_id: str) -> str:
    """A Message-ID made safe as a file name: <abc@host> -> abc@host."""
    stem = re.sub(r"[^A-Za-z0-9._@+-]", "_", message_id.strip().strip("<>"))
    return stem.lstrip(".")[:200] or "message"


def _write_atomically(target: Path, data: bytes) -> None:
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".eml.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
