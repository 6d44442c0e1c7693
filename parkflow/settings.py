"""Settings: PARKFLOW_* environment variables, then a TOML config file, then the defaults.

The file is at PARKFLOW_CONFIG, or `parkflow.toml` in the current directory, with the same
names in lower case and without the prefix (`smtp_url = "smtps://…"`); the environment wins
over the file. Keep the file outside the repository: it holds secrets, which is why they are
`SecretStr` here and never appear in `repr()` or logs.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_serializer, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from i18n import LANGS, N_, gettext, recognise

DEFAULT_URL = "sqlite:///parkflow.db"  # a file in the current directory: no server needed
PREFIX = "PARKFLOW_"
DEFAULT_CONFIG = "parkflow.toml"


class SettingProblem(ValueError):
    """What is wrong with one setting, as a message of the catalogue (an English msgid,
    marked with N_) and its parameters: rendered in the reader's language when shown."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params
        super().__init__(msgid % params if params else msgid)

    def text(self, lang: str) -> str:
        return gettext(lang, self.msgid, **self.params)


class SettingsError(ValueError):
    """Settings that cannot be used: each problem as (the variable, what is wrong with it);
    what is wrong is a SettingProblem where the catalogue has its sentence."""

    def __init__(self, problems: list[tuple[str, str | SettingProblem]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems))

    def texts(self, lang: str) -> list[tuple[str, str]]:
        """The problems with what is wrong in `lang` (where the catalogue has it)."""
        return [(name, why.text(lang) if isinstance(why, SettingProblem) else why)
                for name, why in self.problems]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    database_url: str = Field(DEFAULT_URL, repr=False)  # may carry a password
    timezone: str = "Asia/Shanghai"
    user: str | None = None
    lang: str | None = None
    smtp_url: SecretStr | None = None
    mail_from: str = "parkflow@localhost"
    base_url: str = "http://127.0.0.1:8000"
    mail_dir: str = "outbox-mail"
    # {"project": {"wecom": URL}, "finance": {"dingtalk": {"url": URL, "secret": S}}}
    chat_webhooks: SecretStr | None = None
    # the web workspace: signs the session cookie; without it a random key is drawn at start
    secret_key: SecretStr | None = None
    session_idle_seconds: int = Field(8 * 3600, gt=0)
    session_max_seconds: int = Field(12 * 3600, gt=0)
    cookie_secure: bool = False
    # the connection pool, per process (each web worker and the scheduler has its own): at
    # most pool_size + max_overflow connections, kept open; pool_timeout seconds to wait for one
    db_pool_size: int = Field(5, ge=1, le=100)
    db_max_overflow: int = Field(10, ge=0, le=100)
    db_pool_timeout: int = Field(30, ge=1, le=600)
    # the largest file the web accepts (the ledger import); a bigger request is refused
    # with 413 as its body streams in, before it is read whole
    upload_max_bytes: int = Field(5_000_000, gt=0)
    # Test-only (PARKFLOW_TEST_NOW, ISO with offset): the moment a subprocess under test
    # takes as now. Not a user setting: it is in no help text.
    test_now: datetime | None = Field(None, repr=False)

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _ConfigFile(settings_cls)

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process; bad values are a SettingsError naming each variable."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError([
                (f"{PREFIX}{'.'.join(map(str, e['loc'])).upper()}", _why(e))
                for e in exc.errors()]) from None

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("user", "lang", "smtp_url", "chat_webhooks", "secret_key", "test_now",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("test_now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give an offset, e.g. 2026-11-20T10:00:00+08:00")
        return value

    @field_validator("database_url")
    @classmethod
    def _a_database(cls, value: str) -> str:
        # the URL is never quoted back, nor a part of it: it may carry a password
        if re.match(r"postgres(\+\w+)?://", value):  # the scheme many tools hand out
            value = "postgresql" + value.removeprefix("postgres")
        if not re.fullmatch(r"(sqlite(\+\w+)?:///?.*|postgresql(\+\w+)?://.+)", value, re.S):
            raise SettingProblem(N_("not a database URL; write sqlite:///FILE or "
                                    "postgresql://USER@HOST/DATABASE"))
        if value.startswith("postgresql"):
            _a_server_url(value)
        return value

    @field_serializer("database_url")
    def _password_hidden(self, value: str) -> str:
        # a dump (model_dump, model_dump_json) is for logs and reports: as repr(), no password
        return shown_url(value)

    @field_validator("lang")
    @classmethod
    def _known_lang(cls, value: str | None) -> str | None:
        if value is not None and recognise(value) is None:
            raise ValueError(f"unknown language {value!r}; write {' or '.join(LANGS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("chat_webhooks")
    @classmethod
    def _robots_parse(cls, value: SecretStr | None) -> SecretStr | None:
        _robots(value)  # fail early on a malformed robot list
        return value

    def engine_options(self) -> dict[str, Any]:
        """The pool: at most pool size + overflow connections, each kept open once opened.

        SQLAlchemy's own pool closes every connection beyond `pool_size` when it comes back,
        so under a burst of requests nearly every request opened one afresh: on a SQLite
        file that runs four PRAGMAs again; on PostgreSQL it starts a server process, and
        loses psycopg's prepared statements (they belong to a connection). On PostgreSQL a
        connection the server dropped (a restart) is replaced before use instead of failing
        the request that drew it: db.engine checks its socket on checkout (SQLAlchemy's
        pool_pre_ping would cost a round trip each time)."""
        if self.database_url.startswith("sqlite") and (
                ":memory:" in self.database_url or self.database_url.rstrip("/") == "sqlite:"):
            return {}  # one in-memory database: SQLAlchemy's own pool for it
        return {"pool_size": self.db_pool_size + self.db_max_overflow, "max_overflow": 0,
                "pool_timeout": self.db_pool_timeout}

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def smtp(self) -> str | None:
        return self.smtp_url.get_secret_value() if self.smtp_url else None

    def chat_robots(self) -> dict[str, dict[str, str | None]]:
        """Robots by target ("wecom:project" → {"kind", "url", "secret"})."""
        return _robots(self.chat_webhooks)


def _a_server_url(value: str) -> None:
    """Refuse a PostgreSQL URL that SQLAlchemy would misread or fail on at the first connection,
    saying what is wrong without quoting any of it."""
    from sqlalchemy.engine import make_url
    try:
        url = make_url(value)
    except ValueError:  # int() of the port: SQLAlchemy's message quotes it
        raise SettingProblem(N_("the port (after HOST:) must be a number from 1 to 65535")) \
            from None
    if url.host and "@" in url.host:  # an unencoded @ in the password: the rest read as host
        raise SettingProblem(N_("the URL is malformed: a special character in the password "
                                "must be percent-encoded (e.g. @ as %40)"))
    if url.port is not None and not 1 <= url.port <= 65535:
        raise SettingProblem(N_("the port (after HOST:) must be a number from 1 to 65535"))


def shown_url(url: str) -> str:
    """The database URL as it may be shown (messages, logs, dumps): its password as ***."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: nothing of it is shown
        return "***"


def _why(error: Any) -> str | SettingProblem:
    """What a validation error says is wrong: a SettingProblem's message, or pydantic's."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SettingProblem):
        return cause
    return str(error["msg"]).removeprefix("Value error, ")


def _robots(webhooks: SecretStr | None) -> dict[str, dict[str, str | None]]:
    if webhooks is None:
        return {}
    try:
        raw = json.loads(webhooks.get_secret_value())
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
        raise ValueError(f"chat webhooks: {exc}") from exc


class _ConfigFile(TomlConfigSettingsSource):
    """The TOML file at PARKFLOW_CONFIG (which must exist) or ./parkflow.toml (if present)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        named = os.environ.get(f"{PREFIX}CONFIG")
        path = Path(named) if named else Path(DEFAULT_CONFIG)
        if named and not path.is_file():
            raise SettingsError([(f"{PREFIX}CONFIG", f"cannot read {path}: no such file")])
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            data = super()._read_file(file_path)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError([(f"{PREFIX}CONFIG", f"cannot read {file_path}: {exc}")]) from None
        if isinstance(data.get("chat_webhooks"), dict):  # a [chat_webhooks] table
            data["chat_webhooks"] = json.dumps(data["chat_webhooks"], ensure_ascii=False)
        return data
