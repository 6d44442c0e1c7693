"""Settings from PARKFLOW_* environment variables (a config file can export the same names)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.engine import DEFAULT_URL


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    timezone: str = "Asia/Shanghai"
    user: str | None = None
    lang: str | None = None
    smtp_url: str | None = None
    mail_from: str = "parkflow@localhost"
    base_url: str = "http://127.0.0.1:8000"
    mail_dir: str = "outbox-mail"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls(
            database_url=env.get("PARKFLOW_DATABASE_URL") or DEFAULT_URL,
            timezone=env.get("PARKFLOW_TIMEZONE") or "Asia/Shanghai",
            user=env.get("PARKFLOW_USER") or None,
            lang=env.get("PARKFLOW_LANG") or None,
            smtp_url=env.get("PARKFLOW_SMTP_URL") or None,
            mail_from=env.get("PARKFLOW_MAIL_FROM") or "parkflow@localhost",
            base_url=(env.get("PARKFLOW_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            mail_dir=env.get("PARKFLOW_MAIL_DIR") or "outbox-mail",
        )
        settings.zone()  # fail early on a bad zone name
        return settings

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"PARKFLOW_TIMEZONE: unknown time zone {self.timezone!r}") from exc
