"""Settings from PARKFLOW_* environment variables or a config file.

The file is TOML, at PARKFLOW_CONFIG or `parkflow.toml` in the current directory, with the
same names in lower case and without the prefix (`smtp_url = "smtps://…"`); variables in the
environment win over the file. Keep the file outside the repository: it holds secrets.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_URL = "sqlite:///parkflow.db"  # a file in the current directory: no server needed


PREFIX = "PARKFLOW_"
DEFAULT_CONFIG = "parkflow.toml"


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The PARKFLOW_* settings: the config file's, overridden by the environment's."""
    env = os.environ if env is None else env
    merged = dict(config_file(env.get("PARKFLOW_CONFIG")))
    merged.update(env)
    return merged


def config_file(path: str | None) -> dict[str, str]:
    """A TOML config file as PARKFLOW_* names; a named file must exist and parse."""
    file = Path(path) if path else Path(DEFAULT_CONFIG)
    if not path and not file.exists():
        return {}
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"PARKFLOW_CONFIG: cannot read {file}: {exc}") from exc
    values: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict):  # e.g. [chat_webhooks] tables
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            value = "1" if value else ""
        values[PREFIX + key.upper()] = str(value)
    return values


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
    # {"project": {"wecom": URL}, "finance": {"dingtalk": {"url": URL, "secret": S}}}
    chat_webhooks: str | None = None
    # Test-only (PARKFLOW_TEST_NOW, ISO with offset): the moment a subprocess under test
    # takes as now. Not a user setting: it is in no help text.
    test_now: datetime | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = environment() if env is None else env
        settings = cls(
            database_url=env.get("PARKFLOW_DATABASE_URL") or DEFAULT_URL,
            timezone=env.get("PARKFLOW_TIMEZONE") or "Asia/Shanghai",
            user=env.get("PARKFLOW_USER") or None,
            lang=env.get("PARKFLOW_LANG") or None,
            smtp_url=env.get("PARKFLOW_SMTP_URL") or None,
            mail_from=env.get("PARKFLOW_MAIL_FROM") or "parkflow@localhost",
            base_url=(env.get("PARKFLOW_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            mail_dir=env.get("PARKFLOW_MAIL_DIR") or "outbox-mail",
            chat_webhooks=env.get("PARKFLOW_CHAT_WEBHOOKS") or None,
            test_now=_moment(env.get("PARKFLOW_TEST_NOW")),
        )
        settings.chat_robots()  # fail early on a malformed robot list
        settings.zone()  # fail early on a bad zone name
        return settings

    def chat_robots(self) -> dict[str, dict[str, str | None]]:
        """Robots by target ("wecom:project" → {"kind", "url", "secret"})."""
        if not self.chat_webhooks:
            return {}
        try:
            raw = json.loads(self.chat_webhooks)
            robots: dict[str, dict[str, str | None]] = {}
            for group, kinds in raw.items():
                for kind, spec in kinds.items():
                    if kind not in ("wecom", "dingtalk"):
                        raise ValueError(f"unknown robot kind {kind!r}")
                    spec = {"url": spec} if isinstance(spec, str) else dict(spec)
                    robots[f"{kind}:{group}"] = {"kind": kind, "url": str(spec["url"]),
                                                 "secret": spec.get("secret")}
            return robots
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise ValueError(f"PARKFLOW_CHAT_WEBHOOKS: {exc}") from exc

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"PARKFLOW_TIMEZONE: unknown time zone {self.timezone!r}") from exc


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("PARKFLOW_TEST_NOW: give an offset, e.g. 2026-11-20T10:00:00+08:00")
    return moment
