"""A real SMTP server (aiosmtpd) running in-process for integration tests.

    server = SmtpTestServer()            # or the `smtp_server` fixture in tests/conftest.py
    server.start()
    SmtpMailer(server.settings()).send(message)
    server.messages[0].message["Subject"]
    server.fail_rcpt(550)                # every RCPT TO answered "550 5.1.1 ..."
    server.fail_rcpt(451, only=["b@x"])  # just this recipient refused, temporarily
    server.fail_data(421)                # DATA refused (421 also closes the connection)
    server.reset_failures()
    server.stop()                        # "SMTP is down": connections are refused
    server.start()                       # back up, same port

It can also speak STARTTLS or implicit TLS and require AUTH (see `self_signed_certificate`).
aiosmtpd 1.4.6 cannot bind port 0 (#276), so a free port is found first and then passed.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from notifications.mail import Security, SmtpSettings

_REPLIES = {
    421: "421 4.3.2 Service shutting down, try again later",
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Local error in processing, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Mailbox unavailable",
    552: "552 5.3.4 Message size exceeds fixed limit",
    554: "554 5.7.1 Message rejected as spam",
}


@dataclass(frozen=True)
class ReceivedMessage:
    """What the server accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class _Failure:
    reply: str
    only: frozenset[str] | None = None  # lower-cased addresses; None = every address

    def applies_to(self, addresses: Iterable[str]) -> bool:
        return self.only is None or any(a.lower() in self.only for a in addresses)


@dataclass
class _Handler:
    """The aiosmtpd handler: records messages and injects the failures the test asked for."""

    messages: list[ReceivedMessage] = field(default_factory=list)
    rcpt_failure: _Failure | None = None
    data_failure: _Failure | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            failure = self.rcpt_failure
        if failure is not None and failure.applies_to([address]):
            return failure.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            failure = self.data_failure
        if failure is not None and failure.applies_to(envelope.rcpt_tos):
            return failure.reply
        raw = bytes(envelope.original_content or envelope.content)
        parsed = BytesParser(policy=default_policy).parsebytes(raw)
        received = ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw)
        with self.lock:
            self.messages.append(received)
        return "250 2.0.0 Message accepted for delivery"


class SmtpTestServer:
    """A real aiosmtpd server on 127.0.0.1 and a free port, with switchable failures."""

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        self._tls = tls
        self._implicit_tls = implicit_tls
        self._credentials = credentials
        self._handler = _Handler()
        self._controller: Controller | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start listening (again) on the same port."""
        if self._controller is not None:
            return
        # A stopped Controller closes its event loop for good: build a new one each time.
        controller = Controller(
            self._handler, hostname=self.host, port=self.port, **self._smtp_options()
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: clients now get "connection refused", as when SMTP is down."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what arrived ----------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Messages accepted so far, oldest first."""
        with self._handler.lock:
            return list(self._handler.messages)

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.messages.clear()

    # --- failures --------------------------------------------------------------------

    def fail_rcpt(
        self, code: int, text: str | None = None, *, only: Iterable[str] | None = None
    ) -> None:
        """Answer RCPT TO with `code` (for the addresses in `only`, or every address)."""
        with self._handler.lock:
            self._handler.rcpt_failure = _failure(code, text, only)

    def fail_data(self, code: int, text: str | None = None) -> None:
        """Answer DATA with `code` (the message is not recorded)."""
        with self._handler.lock:
            self._handler.data_failure = _failure(code, text, None)

    def reset_failures(self) -> None:
        with self._handler.lock:
            self._handler.rcpt_failure = None
            self._handler.data_failure = None

    # --- client side -----------------------------------------------------------------

    def settings(self, *, timeout: float = 5.0) -> SmtpSettings:
        """SmtpSettings that reach this server (with its credentials and TLS mode)."""
        security: Security = "ssl" if self._implicit_tls else "starttls" if self._tls else "none"
        username, password = self._credentials or (None, None)
        return SmtpSettings(
            host=self.host,
            port=self.port,
            username=username,
            password=password,
            security=security,
            timeout=timeout,
        )

    @property
    def url(self) -> str:
        """``smtp://127.0.0.1:PORT`` for plain servers (configuration tests)."""
        return f"smtp://{self.host}:{self.port}"

    def _smtp_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self._tls is not None and self._implicit_tls:
            options["ssl_context"] = self._tls
        elif self._tls is not None:
            options["tls_context"] = self._tls
            options["require_starttls"] = True
        if self._credentials is not None:
            options["authenticator"] = _Authenticator(*self._credentials)
            options["auth_require_tls"] = self._tls is not None
            options["auth_required"] = True
        return options


class _Authenticator:
    def __init__(self, username: str, password: str) -> None:
        self._expected = (username.encode(), password.encode())

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login, auth_data.password) == self._expected
        )
        return AuthResult(success=ok, handled=False)


def _failure(code: int, text: str | None, only: Iterable[str] | None) -> _Failure:
    reply = f"{code} {text}" if text else _REPLIES.get(code, f"{code} Failure injected by the test")
    addresses = None if only is None else frozenset(a.lower() for a in only)
    return _Failure(reply, addresses)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1/localhost and the contexts to use it."""

    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this certificate."""
        return ssl.create_default_context(cafile=str(self.cert_file))


def self_signed_certificate(folder: Path) -> Certificate:
    """Make a short-lived EC certificate with the openssl command line tool."""
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key_file),
            "-out",
            str(cert_file),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert_file, key_file)
