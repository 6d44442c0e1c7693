"""The composition root: the only place that picks real implementations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine

from db.engine import make_engine
from notifications import approval_mail
from notifications.delivery import MailSettings
from notifications.mail import EmlFolderMailer, Mailer, SmtpMailer, SmtpSettings
from notifications.reminders import on_transition
from parkflow.settings import Settings
from workflow.clock import Clock, SystemClock
from workflow.park import Park


@dataclass
class App:
    settings: Settings
    engine: Engine
    park: Park

    def mailer(self) -> Mailer:
        """SMTP when configured; otherwise .eml files a person can open."""
        if self.settings.smtp_url:
            return SmtpMailer(SmtpSettings.from_url(self.settings.smtp_url))
        return EmlFolderMailer(Path(self.settings.mail_dir))

    def mail_settings(self) -> MailSettings:
        host = urlsplit(self.settings.base_url).hostname or "parkflow.local"
        return MailSettings(sender=self.settings.mail_from, base_url=self.settings.base_url,
                            domain=host if any(c.isalpha() for c in host) and "." in host
                            else "parkflow.local")


def make_park(settings: Settings | None = None, *, clock: Clock | None = None) -> Park:
    """The park with its observers: state changes keep the outbox in step."""
    settings = settings or Settings()
    park = Park.default(tz=settings.zone(), clock=clock or SystemClock())
    park.observers += [on_transition, approval_mail.on_change]
    return park


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Wire the database, the lifecycle, the observers and the clock for one process."""
    return App(settings=settings, engine=make_engine(settings.database_url),
               park=make_park(settings, clock=clock))
