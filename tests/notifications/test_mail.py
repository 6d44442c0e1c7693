"""Building mail: MIME structure, headers, SMTP settings from a URL, the .eml folder (rendering
is in test_render.py, sending over SMTP in test_mail_smtp.py)."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from notifications.mail import (
    DeliveryError,
    EmlFolderMailer,
    SmtpSettings,
    build_email,
    message_id_for,
    wire_form,
)
from notifications.render import render_message
from tests.support.mail import DOMAIN, SENT_AT, body, parse, reminder_email, sample

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


# --------------------------------------------------------------------------- the wire form

SENDER_ADDRESS = "园区工作专班 <parkflow@park.example>"


class _Handed(smtplib.SMTP):
    """smtplib's own send_message, stopped where it hands the envelope and bytes over."""

    def __init__(self) -> None:
        super().__init__()  # no host: nothing is connected
        self.handed: tuple[str, list[str], bytes] | None = None

    def ehlo_or_helo_if_needed(self) -> None:
        return None

    def sendmail(self, from_addr: str, to_addrs: Any, msg: Any, *args: Any,
                 **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        self.handed = (from_addr, list(to_addrs), bytes(msg))
        return {}


def _as_send_message_hands_it(message: EmailMessage) -> tuple[str, list[str], bytes] | None:
    smtp = _Handed()
    smtp.send_message(message)
    return smtp.handed


def _with_attachment() -> EmailMessage:
    attachment = type("Attachment", (), {"filename": "报表.xlsx", "content": b"PK\x03\x04",
                                         "mimetype": "application/vnd.ms-excel"})()
    return build_email(render_message("reminder", sample("reminder")), sender=SENDER_ADDRESS,
                       recipients=["a@park.test"], dedupe_key="k", domain=DOMAIN,
                       date=SENT_AT, attachments=[attachment])


@pytest.mark.parametrize("make", [
    lambda: reminder_email(),
    lambda: reminder_email(recipients=["a@park.test", "李 <b@park.test>"]),
    lambda: build_email(replace(render_message("reminder", sample("reminder")),
                                subject="混合 mixed 主题：" * 9),
                        sender=SENDER_ADDRESS, recipients=["王明 <wang@park.test>"],
                        dedupe_key="k", domain=DOMAIN, date=SENT_AT),
    lambda: reminder_email(recipients=["园区工作专班综合协调组" * 4 + " <a@park.test>",
                                       "b@park.test"]),
    _with_attachment,
], ids=["plain", "two recipients", "long subject", "folded recipients", "attachment"])
def test_the_wire_form_is_what_smtplib_send_message_hands_over(make: Any) -> None:
    message = make()
    wire = wire_form(message)  # a multipart without a boundary gets its random one here
    assert wire is not None and wire == _as_send_message_hands_it(message)


def test_messages_with_bcc_or_resent_headers_are_left_to_send_message() -> None:
    for header, value in (("Bcc", "hidden@park.test"), ("Resent-From", "x@park.test")):
        mail = reminder_email()
        mail[header] = value
        assert wire_form(mail) is None


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


@pytest.mark.parametrize("subject", [
    "", "Plain ASCII", "A long ASCII subject " * 6, "Looks =?like?= an encoded word",
    "混合 mixed 主题：" * 9, "emoji 🚀 and 中文",
])
def test_any_subject_reads_back_as_written_within_the_line_limit(subject: str) -> None:
    message = replace(render_message("reminder", sample("reminder")), subject=subject)
    raw = build_email(message, sender="园区工作专班 <parkflow@park.example>",
                      recipients=["a@park.test"], dedupe_key="k", domain=DOMAIN,
                      date=SENT_AT).as_bytes()
    raw.decode("ascii")
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert parse(raw)["Subject"] == subject
