"""The composition root: the only place that picks real implementations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from db.engine import before_first_write, make_engine
from i18n import DEFAULT_LANG, gettext, normalise
from parkflow.settings import Settings
from workflow.clock import Clock, FixedClock, SystemClock
from workflow.park import Park

log = logging.getLogger("parkflow.scheduler")

if TYPE_CHECKING:  # delivery and the web are imported when used: commands start faster
    import httpx
    from fastapi import FastAPI

    from notifications.delivery import ChatPoster, MailSettings
    from notifications.mail import Mailer
    from web.config import WebSettings


@dataclass
class App:
    settings: Settings
    engine: Engine
    park: Park

    def mailer(self) -> Mailer:
        """SMTP when configured; otherwise .eml files a person can open."""
        from notifications.mail import EmlFolderMailer, SmtpMailer, SmtpSettings
        smtp_url = self.settings.smtp()
        if smtp_url:
            return SmtpMailer(SmtpSettings.from_url(smtp_url))
        return EmlFolderMailer(Path(self.settings.mail_dir))

    def chat(self, client: httpx.Client | None = None) -> ChatPoster:
        """Posts to the group robots configured in PARKFLOW_CHAT_WEBHOOKS."""
        import httpx

        from notifications.chat import ChatWebhook, post_message
        from notifications.delivery import no_chat
        robots = {target: ChatWebhook(kind=spec["kind"], url=spec["url"],  # type: ignore[arg-type]
                                      secret=spec["secret"])
                  for target, spec in self.settings.chat_robots().items()}
        client = client or httpx.Client(timeout=10)

        def post(target: str, message: Any) -> None:
            if target not in robots:
                no_chat(target, message)
            now_ms = int(self.park.now().timestamp() * 1000)
            post_message(robots[target], message, client=client, now_ms=now_ms)
        return post

    def sweep(self) -> Callable[[], dict[str, int] | None]:
        """One scheduler tick: sweep and deliver now; a failing tick is reported, not fatal."""
        from notifications.delivery import run_once
        mailer, settings, chat = self.mailer(), self.mail_settings(), self.chat()

        def tick() -> dict[str, int] | None:
            try:
                return run_once(self.engine, self.park, mailer, settings, now=self.park.now(),
                                chat=chat)
            except Exception as exc:  # one bad sweep must not stop the scheduler
                self.log_failed_sweep(exc)
                return None
        return tick

    def log_failed_sweep(self, exc: Exception) -> None:
        """One line for a database that is away or not initialised (the next tick tries
        again: a traceback each minute would bury the log); the traceback only for a failure
        nobody foresaw."""
        from workflow.database_failures import database_failure
        lang = normalise(self.settings.lang or DEFAULT_LANG)
        failure = database_failure(exc, self.engine.url)
        if failure is not None:
            log.error("%s", gettext(lang, "The sweep failed: %(error)s",
                                    error=failure.message(lang)))
        else:
            log.exception("%s", gettext(lang, "The sweep failed: %(error)s", error=exc))

    def mail_settings(self) -> MailSettings:
        from notifications.delivery import MailSettings
        host = urlsplit(self.settings.base_url).hostname or "parkflow.local"
        return MailSettings(sender=self.settings.mail_from, base_url=self.settings.base_url,
                            domain=host if any(c.isalpha() for c in host) and "." in host
                            else "parkflow.local")


def clock_for(settings: Settings) -> Clock:
    """The system clock; a fixed moment only when a test set PARKFLOW_TEST_NOW."""
    return FixedClock(settings.test_now) if settings.test_now else SystemClock()


def make_park(settings: Settings | None = None, *, clock: Clock) -> Park:
    """The park with its observers: state changes keep the outbox in step."""
    settings = settings or Settings()
    park = Park.default(tz=settings.zone(), clock=clock)
    for target in settings.chat_robots():
        group = target.split(":", 1)[1]
        park.chat_targets[group] = (*park.chat_targets.get(group, ()), target)
    park.observers += [_LazyObserver("notifications.reminders", "on_transition"),
                       _LazyObserver("notifications.approval_mail", "on_change"),
                       _LazyObserver("notifications.after_opening", "on_after_opening")]
    return park


class _LazyObserver:
    """An observer imported on the first change it sees: a read command, which changes
    nothing, does not pay for importing the mail and reminder planning modules."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name
        self._observer: Callable[[Any, Park, object], None] | None = None

    def __call__(self, session: Any, park: Park, change: object) -> None:
        (self._observer or self.load())(session, park, change)

    def load(self) -> Callable[[Any, Park, object], None]:
        if self._observer is None:
            self._observer = getattr(import_module(self.module), self.name)
        return self._observer

    def __repr__(self) -> str:
        return f"<observer {self.module}.{self.name}>"


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Wire the database, the lifecycle, the observers and the clock for one process."""
    app = App(settings=settings, engine=make_engine(settings.database_url,
                                                     **settings.engine_options()),
              park=make_park(settings, clock=clock or clock_for(settings)))
    # a command that writes loads the write path before it holds SQLite's write lock
    before_first_write(app.engine, lambda: load_write_path(app.park))
    return app


def load_write_path(park: Park) -> None:
    """Import what a write runs and a read command skips: the lazy observers and the pinyin
    dictionaries of the search keys (~0.35 s together)."""
    from workflow.search import load_pinyin
    for observer in park.observers:
        if isinstance(observer, _LazyObserver):
            observer.load()
    load_pinyin()


def web_settings(settings: Settings, app: App | None = None) -> WebSettings:
    """What the web workspace needs of the settings: the cookie's key and lifetimes.

    The key is PARKFLOW_SECRET_KEY; without it, the one kept in `app`'s database (drawn the
    first time), so sign-ins survive restarts and work across workers; without an app, a key
    drawn for this process alone."""
    from web.config import WebSettings
    defaults = WebSettings()
    key = settings.secret_key
    if key is not None:
        secret = key.get_secret_value()
    elif app is not None:
        from db.app_secrets import SESSION_KEY, kept_secret
        secret = kept_secret(app.engine, SESSION_KEY, now=app.park.now())
    else:
        secret = defaults.secret_key
    return WebSettings(secret_key=secret, secret_from_env=key is not None,
                       secret_kept=key is None and app is not None,
                       session_idle_seconds=settings.session_idle_seconds,
                       session_max_seconds=settings.session_max_seconds,
                       cookie_secure=settings.cookie_secure,
                       upload_max_bytes=settings.upload_max_bytes)


def web_app(app: App, settings: WebSettings) -> FastAPI:
    """The web workspace and the REST API on this App's database and park."""
    from web.app import create_app
    from web.deps import WebDeps
    return create_app(WebDeps(engine=app.engine, park=app.park), settings)


def app_from_env() -> FastAPI:
    """The web app of one uvicorn worker (`parkflow serve --workers N` passes this as a factory):
    every worker builds the same app from the same PARKFLOW_* settings."""
    app = build_app(Settings.from_env())
    return web_app(app, web_settings(app.settings, app))
