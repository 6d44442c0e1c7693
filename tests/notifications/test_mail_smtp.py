"""Sending mail over SMTP to a real server (aiosmtpd): delivery, what the server's refusals
mean (temporary or permanent), TLS and AUTH, and every kind's trip through the wire.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from notifications.mail import (
    DeliveryError,
    EmlFolderMailer,
    Mailer,
    SmtpMailer,
    SmtpSettings,
    build_email,
)
from notifications.render import KINDS, RenderedMessage, render_message
from tests.support.mail import DOMAIN, SENDER, body, reminder_email, sample
from tests.support.smtp_server import Certificate, SmtpTestServer, self_signed_certificate

# --------------------------------------------------------------------------- SMTP

def test_smtp_delivers_to_a_real_server(smtp_server: SmtpTestServer) -> None:
    mail = reminder_email(recipients=["wang.ming@park.example.gov.cn", "lead@park.example.gov.cn"])
    SmtpMailer(smtp_server.settings()).send(mail)

    [received] = smtp_server.messages
    assert received.mail_from == "noreply@park.example.gov.cn"
    assert received.rcpt_tos == ["wang.ming@park.example.gov.cn", "lead@park.example.gov.cn"]
    assert (
        received.message["Subject"]
        == "【到期提醒】星海量子计算研发中心｜工商注册将于 2026年11月12日 到期（还有 3 天）"
    )
    assert received.message["Message-ID"] == mail["Message-ID"]
    assert "入库 2026-10-12 + 1个月" in body(received.message, "plain")
    assert "星海量子计算研发中心" in body(received.message, "html")


@pytest.mark.parametrize("code", [550, 554])
def test_a_5xx_to_rcpt_is_permanent_and_carries_the_servers_reason(
    smtp_server: SmtpTestServer, code: int
) -> None:
    smtp_server.fail_rcpt(code, "5.1.1 mailbox unavailable")
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(smtp_server.settings()).send(reminder_email())
    assert caught.value.permanent is True
    assert f"{code} 5.1.1 mailbox unavailable" in caught.value.reason
    assert caught.value.code == code
    assert smtp_server.messages == []


@pytest.mark.parametrize("code", [421, 450, 451])
def test_a_4xx_to_rcpt_is_temporary(smtp_server: SmtpTestServer, code: int) -> None:
    smtp_server.fail_rcpt(code)
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(smtp_server.settings()).send(reminder_email())
    assert caught.value.permanent is False
    assert (
        caught.value.reason.startswith("all recipients refused")
        and str(code) in caught.value.reason
    )


def test_a_5xx_to_data_is_permanent(smtp_server: SmtpTestServer) -> None:
    smtp_server.fail_data(554)
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(smtp_server.settings()).send(reminder_email())
    assert caught.value.permanent is True
    assert caught.value.reason == "554 5.7.1 Message rejected as spam"


@pytest.mark.parametrize("code", [421, 451])
def test_a_4xx_to_data_is_temporary(smtp_server: SmtpTestServer, code: int) -> None:
    smtp_server.fail_data(code)
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(smtp_server.settings()).send(reminder_email())
    assert caught.value.permanent is False
    assert caught.value.reason.startswith(str(code))


def test_a_partial_refusal_is_permanent_and_names_the_refused_recipient(
    smtp_server: SmtpTestServer,
) -> None:
    smtp_server.fail_rcpt(550, only=["gone@park.test"])
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(smtp_server.settings()).send(
            reminder_email(recipients=["here@park.test", "gone@park.test"])
        )
    # Retrying would send the message to here@park.test a second time.
    assert caught.value.permanent is True
    assert "gone@park.test: 550 5.1.1 Mailbox unavailable" in caught.value.reason
    assert "here@park.test" not in caught.value.reason
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["here@park.test"]


def test_smtp_down_is_temporary_and_delivery_works_once_it_is_back(
    smtp_server: SmtpTestServer,
) -> None:
    mailer = SmtpMailer(smtp_server.settings())
    smtp_server.stop()
    with pytest.raises(DeliveryError) as caught:
        mailer.send(reminder_email())
    assert caught.value.permanent is False
    assert f"cannot reach 127.0.0.1:{smtp_server.port}" in caught.value.reason

    smtp_server.start()
    mailer.send(reminder_email())
    assert len(smtp_server.messages) == 1


def test_the_same_message_sent_twice_keeps_its_message_id(smtp_server: SmtpTestServer) -> None:
    mailer = SmtpMailer(smtp_server.settings())
    mailer.send(reminder_email())
    mailer.send(reminder_email())
    first, second = smtp_server.messages
    assert first.message["Message-ID"] == second.message["Message-ID"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (backlog) but never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield int(listener.getsockname()[1])


def test_a_server_that_never_answers_times_out_as_temporary(silent_port: int) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=silent_port, timeout=0.2)
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(settings, local_hostname="test").send(reminder_email())
    assert caught.value.permanent is False
    assert "timed out after 0.2s" in caught.value.reason


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    try:
        return self_signed_certificate(tmp_path_factory.mktemp("tls"))
    except (OSError, subprocess.CalledProcessError) as exc:  # no usable openssl binary
        pytest.skip(f"cannot make a test certificate: {exc}")


def test_starttls_with_login_delivers(certificate: Certificate) -> None:
    with SmtpTestServer(
        tls=certificate.server_context(), credentials=("zhuanban@park.test", "s3cret:@/ %")
    ) as server:
        settings = server.settings()
        assert settings.security == "starttls"
        SmtpMailer(settings, ssl_context=certificate.client_context()).send(reminder_email())
        assert len(server.messages) == 1


def test_a_wrong_password_is_permanent(certificate: Certificate) -> None:
    with SmtpTestServer(tls=certificate.server_context(), credentials=("user", "right")) as server:
        settings = SmtpSettings(
            host=server.host,
            port=server.port,
            username="user",
            password="wrong",
            security="starttls",
            timeout=5,
        )
        with pytest.raises(DeliveryError) as caught:
            SmtpMailer(settings, ssl_context=certificate.client_context()).send(reminder_email())
    assert caught.value.permanent is True
    assert caught.value.reason.startswith("535")


def test_the_default_tls_context_verifies_the_certificate(certificate: Certificate) -> None:
    with SmtpTestServer(tls=certificate.server_context()) as server:
        with pytest.raises(DeliveryError) as caught:
            SmtpMailer(server.settings()).send(reminder_email())
        assert server.messages == []
    assert caught.value.permanent is False
    assert "TLS" in caught.value.reason and "CERTIFICATE_VERIFY_FAILED" in caught.value.reason


def test_implicit_tls_delivers(certificate: Certificate) -> None:
    with SmtpTestServer(tls=certificate.server_context(), implicit_tls=True) as server:
        settings = server.settings()
        assert settings.security == "ssl"
        SmtpMailer(settings, ssl_context=certificate.client_context()).send(reminder_email())
        assert len(server.messages) == 1


def test_starttls_against_a_server_without_it_is_permanent(smtp_server: SmtpTestServer) -> None:
    settings = SmtpSettings(
        host=smtp_server.host, port=smtp_server.port, security="starttls", timeout=5
    )
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer(settings).send(reminder_email())
    assert caught.value.permanent is True
    assert "STARTTLS" in caught.value.reason


def test_both_mailers_satisfy_the_mailer_protocol(tmp_path: Path) -> None:
    assert isinstance(SmtpMailer(SmtpSettings(host="localhost", port=25)), Mailer)
    assert isinstance(EmlFolderMailer(tmp_path), Mailer)


# --------------------------------------------------------------------------- end to end

@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_survives_the_trip_through_smtp(smtp_server: SmtpTestServer, kind: str) -> None:
    rendered: RenderedMessage = render_message(kind, sample(kind), lang="en")
    mail = build_email(
        rendered,
        sender=SENDER,
        recipients=["someone@park.test"],
        dedupe_key=f"{kind}:1",
        domain=DOMAIN,
        date=datetime(2026, 11, 9, 1, 0, tzinfo=timezone(timedelta(0))),
    )
    SmtpMailer(smtp_server.settings()).send(mail)
    [received] = smtp_server.messages
    assert received.message["Subject"] == rendered.subject
    assert body(received.message, "plain") == rendered.text
