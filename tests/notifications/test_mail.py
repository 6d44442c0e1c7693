"""Rendering, building and sending mail: templates, MIME structure, real SMTP, .eml folder."""

from __future__ import annotations

import copy
import socket
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, cast

import pytest

from notifications.mail import (
    DeliveryError,
    EmlFolderMailer,
    Mailer,
    SmtpMailer,
    SmtpSettings,
    build_email,
    message_id_for,
)
from notifications.render import (
    KINDS,
    LANGS,
    PARTS,
    TEMPLATES_DIR,
    RenderedMessage,
    RenderError,
    render_message,
)
from notifications.samples import SAMPLE_CONTEXTS
from tests.factories import PARK_TZ, SCRIPT
from tests.support.smtp_server import Certificate, SmtpTestServer, self_signed_certificate

SENT_AT = datetime(2026, 11, 9, 9, 0, tzinfo=PARK_TZ)
SENDER = "园区工作专班 <noreply@park.example.gov.cn>"
DOMAIN = "park.example.gov.cn"


def sample(kind: str) -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_CONTEXTS[kind])


def reminder_email(
    dedupe_key: str = "project:42/stage:7/reminder/-3", **overrides: Any
) -> EmailMessage:
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
    return cast(EmailMessage, message_from_bytes(raw, policy=default_policy))


def body(message: EmailMessage, subtype: str) -> str:
    """The decoded text of one part, with the wire's CRLF line ends turned back into LF."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    return cast(str, part.get_content()).replace("\r\n", "\n")


# --------------------------------------------------------------------------- rendering


def test_every_kind_has_every_part_once_for_every_language() -> None:
    folders = {
        p.name
        for p in (TEMPLATES_DIR / "email").iterdir()
        if p.is_dir() and not p.name.startswith("_")
    }
    assert folders == set(KINDS)
    for kind in KINDS:
        assert {p.name for p in (TEMPLATES_DIR / "email" / kind).iterdir()} == set(PARTS), kind


def test_every_kind_has_a_sample_context() -> None:
    assert set(SAMPLE_CONTEXTS) == set(KINDS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_its_sample_in_both_languages(kind: str, lang: str) -> None:
    context = sample(kind)
    message = render_message(kind, context, lang=lang)

    assert (
        message.subject
        and "\n" not in message.subject
        and message.subject == message.subject.strip()
    )
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in message.html
    link = (context["project"]["url"] if "project" in context
            else context.get("board_url") or context.get("report", {}).get("url")
            or context["calendar"]["admin_url"])
    for form in (message.text, message.html, message.markdown):
        assert link in form
    if "deadline" in context:
        explanation = context["deadline"]["explanation"]
        assert explanation in message.text and explanation in message.markdown
        assert explanation in message.html


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind in KINDS for key in SAMPLE_CONTEXTS[kind]]
)
def test_a_missing_context_key_is_a_render_error(kind: str, key: str) -> None:
    context = sample(kind)
    del context[key]
    with pytest.raises(RenderError) as caught:
        render_message(kind, context)
    assert caught.value.kind == kind and key in caught.value.reason


def test_a_missing_nested_key_is_a_render_error() -> None:
    context = sample("reminder")
    del context["deadline"]["explanation"]
    with pytest.raises(RenderError, match="explanation"):
        render_message("reminder", context)


def test_a_value_of_the_wrong_type_is_a_render_error() -> None:
    context = sample("inquiry")
    context["project"]["stars"] = None
    with pytest.raises(RenderError, match="TypeError"):
        render_message("inquiry", context)


def test_an_unknown_kind_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="unknown kind"):
        render_message("birthday", {})


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("zh-CN", "zh-CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("fr", "zh-CN"),
        ("", "zh-CN"),
    ],
)
def test_languages_resolve_and_unknown_ones_fall_back_to_chinese(
    requested: str, expected: str
) -> None:
    message = render_message("reminder", sample("reminder"), lang=requested)
    assert message == render_message("reminder", sample("reminder"), lang=expected)


def test_chinese_is_the_default_language() -> None:
    message = render_message("reminder", sample("reminder"))
    assert message.subject.startswith("【到期提醒】")
    assert message.text.startswith("王明，您好：")


@pytest.mark.parametrize("kind", [k for k in KINDS if "project" in SAMPLE_CONTEXTS[k]])
def test_a_project_name_is_escaped_in_html_and_intact_elsewhere(kind: str) -> None:
    context = sample(kind)
    context["project"]["name"] = SCRIPT
    message = render_message(kind, context)
    assert SCRIPT not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert SCRIPT in message.text
    assert SCRIPT in message.markdown


def test_digest_rows_are_escaped_in_html() -> None:
    context = sample("digest")
    context["overdue"][0]["name"] = SCRIPT
    message = render_message("digest", context)
    assert SCRIPT not in message.html and "&lt;script&gt;" in message.html
    assert SCRIPT in message.text


def test_a_newline_in_a_name_cannot_break_the_subject_line() -> None:
    context = sample("reminder")
    context["project"]["name"] = "星海\nBcc: victim@example.com"
    assert "\n" not in render_message("reminder", context).subject


def test_a_reminder_on_the_due_day_says_today() -> None:
    context = sample("reminder")
    context["deadline"]["days_left"] = 0
    assert "今日到期" in render_message("reminder", context).subject
    assert "is due today" in render_message("reminder", context, lang="en").subject


def test_the_digest_lists_the_most_overdue_project_first() -> None:
    text = render_message("digest", sample("digest")).text
    assert text.index("蓝鲸生物医药创新平台") < text.index("星海量子计算研发中心")


def test_a_rejected_approval_reads_as_a_refusal() -> None:
    context = sample("approval_decided")
    context["approval"].update(decision="rejected", comment=None)
    message = render_message("approval_decided", context)
    assert "未获批准" in message.subject and "不予同意" in message.text


def test_an_approval_decision_must_be_approved_or_rejected() -> None:
    context = sample("approval_decided")
    context["approval"]["decision"] = "returned"
    with pytest.raises(RenderError, match="decision"):
        render_message("approval_decided", context)


def test_the_returned_approval_carries_the_comment() -> None:
    comment = SAMPLE_CONTEXTS["approval_returned"]["approval"]["comment"]
    message = render_message("approval_returned", sample("approval_returned"))
    assert comment in message.text and comment in message.html and comment in message.markdown


def test_empty_agenda_sections_say_so() -> None:
    context = sample("agenda")
    for section in ("new_intakes", "visits_due", "overdue", "star_follow_ups", "pending_approvals"):
        context[section] = []
    message = render_message("agenda", context)
    assert message.text.count("（无）") == 5


# --------------------------------------------------------------------------- building


def test_the_email_is_multipart_alternative_with_text_then_html() -> None:
    rendered = render_message("reminder", sample("reminder"))
    mail = parse(reminder_email().as_bytes())
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert body(mail, "plain") == rendered.text
    assert body(mail, "html") == rendered.html


def test_the_chinese_subject_is_encoded_on_the_wire_and_decodes_back() -> None:
    rendered = render_message("reminder", sample("reminder"))
    raw = reminder_email().as_bytes()
    raw.decode("ascii")  # 7-bit clean: headers encoded, bodies base64
    assert b"=?utf-8?" in raw
    mail = parse(raw)
    assert mail["Subject"] == rendered.subject
    assert mail["From"].addresses[0].display_name == "园区工作专班"
    assert mail["To"].addresses[0].addr_spec == "wang.ming@park.example.gov.cn"


def test_the_message_id_is_derived_from_the_dedupe_key() -> None:
    first = reminder_email("project:42/stage:7/reminder/-3")
    again = reminder_email("project:42/stage:7/reminder/-3")
    other = reminder_email("project:42/stage:7/reminder/0")
    assert (
        first["Message-ID"]
        == again["Message-ID"]
        == message_id_for("project:42/stage:7/reminder/-3", DOMAIN)
    )
    assert first["Message-ID"] != other["Message-ID"]
    local, domain = first["Message-ID"].strip("<>").split("@")
    assert len(local) == 32 and int(local, 16) >= 0 and domain == DOMAIN


def test_the_date_header_is_the_given_moment() -> None:
    mail = reminder_email()
    assert mail["Date"] == "Mon, 09 Nov 2026 09:00:00 +0800"
    assert mail["Date"].datetime == SENT_AT
    assert mail["Auto-Submitted"] == "auto-generated"


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        reminder_email(date=datetime(2026, 11, 9, 9, 0))


@pytest.mark.parametrize("recipients", [[], "a@b.c"])
def test_recipients_must_be_a_non_empty_list(recipients: Any) -> None:
    with pytest.raises(ValueError, match="recipients"):
        reminder_email(recipients=recipients)


def test_a_bad_message_id_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="domain"):
        message_id_for("k", "bad domain>")


def test_several_recipients_share_one_message() -> None:
    mail = reminder_email(recipients=["a@park.test", "李 <b@park.test>"])
    assert [a.addr_spec for a in mail["To"].addresses] == ["a@park.test", "b@park.test"]


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


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:pass@mail.example.com:587?starttls=1",
            SmtpSettings("mail.example.com", 587, "user", "pass", "starttls"),
        ),
        (
            "smtps://user:pass@mail.example.com:465",
            SmtpSettings("mail.example.com", 465, "user", "pass", "ssl"),
        ),
        ("smtp://mail.example.com:25", SmtpSettings("mail.example.com", 25)),
        ("smtp://mail.example.com", SmtpSettings("mail.example.com", 25)),
        ("smtps://mail.example.com", SmtpSettings("mail.example.com", 465, security="ssl")),
        (
            "SMTP://Mail.Example.com?starttls=true",
            SmtpSettings("mail.example.com", 587, security="starttls"),
        ),
        (
            "smtp://mail.example.com:2525?starttls=0&timeout=7.5",
            SmtpSettings("mail.example.com", 2525, timeout=7.5),
        ),
        (
            "smtp://noreply%40park.gov.cn:p%40ss%3Aw%2Fd@smtp.park.gov.cn:587?starttls=yes",
            SmtpSettings("smtp.park.gov.cn", 587, "noreply@park.gov.cn", "p@ss:w/d", "starttls"),
        ),
        ("smtp://user@mail.example.com", SmtpSettings("mail.example.com", 25, "user", None)),
        ("smtp://[::1]:1025", SmtpSettings("::1", 1025)),
    ],
)
def test_smtp_settings_from_url(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.com", "scheme must be smtp:// or smtps://, not http://"),
        ("mail.example.com:25", "scheme"),
        ("smtp://", "no host name"),
        ("smtp://mail.example.com:abc", "port"),
        ("smtp://mail.example.com:70000", "port"),
        ("smtp://mail.example.com?tls=1", "unknown option 'tls'"),
        ("smtp://mail.example.com?starttls=maybe", "starttls='maybe'"),
        ("smtp://mail.example.com?starttls=1&starttls=0", "given twice"),
        ("smtps://mail.example.com?starttls=1", "already TLS"),
        ("smtp://mail.example.com?timeout=0", "timeout must be positive"),
        ("smtp://mail.example.com?timeout=soon", "timeout='soon' is not a number"),
        ("smtp://:secret@mail.example.com", "password was given without a user name"),
        ("smtp://mail.example.com/inbox", "unexpected path"),
    ],
)
def test_a_bad_smtp_url_names_the_problem(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match="SMTP") as caught:
        SmtpSettings.from_url(url)
    assert problem in str(caught.value)


def test_a_bad_smtp_url_never_echoes_the_password() -> None:
    with pytest.raises(ValueError) as caught:
        SmtpSettings.from_url("smtp://user:hunter2@mail.example.com?bogus=1")
    assert "hunter2" not in str(caught.value)


def test_credentials_must_be_ascii_because_smtplib_cannot_send_others() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        SmtpSettings.from_url("smtp://%E4%B8%93%E7%8F%AD:pw@mail.example.com")


def test_the_password_stays_out_of_the_settings_repr() -> None:
    settings = SmtpSettings.from_url("smtp://user:hunter2@mail.example.com:587?starttls=1")
    assert "hunter2" not in repr(settings) and "user" in repr(settings)


# --------------------------------------------------------------------------- .eml folder


def test_the_eml_folder_holds_a_readable_message(tmp_path: Path) -> None:
    folder = tmp_path / "outbox-mail"
    mail = reminder_email()
    EmlFolderMailer(folder).send(mail)

    [written] = folder.iterdir()
    assert written.name == mail["Message-ID"].strip("<>") + ".eml"
    parsed = parse(written.read_bytes())
    assert parsed["Subject"] == mail["Subject"]
    assert parsed["Message-ID"] == mail["Message-ID"]
    assert "时限计算：入库 2026-10-12" in body(parsed, "plain")
    assert written.read_bytes().count(b"\r\n") > 10  # CRLF, as .eml files are


def test_sending_the_same_message_again_overwrites_instead_of_duplicating(tmp_path: Path) -> None:
    mailer = EmlFolderMailer(tmp_path)
    mailer.send(reminder_email())
    mailer.send(reminder_email())
    mailer.send(reminder_email("another key"))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".eml", ".eml"]  # no temp files left


def test_the_eml_path_is_predictable_from_the_message(tmp_path: Path) -> None:
    mailer = EmlFolderMailer(tmp_path)
    mail = reminder_email()
    mailer.send(mail)
    assert mailer.path_for(mail).is_file()


def test_a_message_without_message_id_is_refused(tmp_path: Path) -> None:
    mail = reminder_email()
    del mail["Message-ID"]
    with pytest.raises(DeliveryError) as caught:
        EmlFolderMailer(tmp_path).send(mail)
    assert caught.value.permanent is True


def test_an_unwritable_folder_is_a_temporary_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DeliveryError) as caught:
        EmlFolderMailer(blocker / "mail").send(reminder_email())
    assert caught.value.permanent is False
    assert "cannot write" in caught.value.reason


def test_a_hostile_message_id_cannot_escape_the_folder(tmp_path: Path) -> None:
    mail = reminder_email()
    mail.replace_header("Message-ID", "<../../etc/passwd@x>")
    mailer = EmlFolderMailer(tmp_path / "mail")
    mailer.send(mail)
    assert mailer.path_for(mail).parent == tmp_path / "mail"


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
