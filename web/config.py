"""Settings of the web workspace, from PARKFLOW_* variables (never from code).

The composition root reads the variables (and the config file) and hands them to `from_env`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebSettings:
    # Signs the session cookie. Without PARKFLOW_SECRET_KEY a random key is drawn at start:
    # sessions then end when the server restarts, which is safe, only less convenient.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    secret_from_env: bool = False
    # idle timeout: the signed cookie expires this long after the last request
    session_idle_seconds: int = 8 * 3600
    # absolute lifetime of a sign-in, however active
    session_max_seconds: int = 12 * 3600
    # send the cookie over HTTPS only (set when served behind TLS)
    cookie_secure: bool = False
    # cards drawn per board column; the count always covers every project
    board_cards_per_column: int = 24

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """The settings named in `env` (PARKFLOW_SECRET_KEY, PARKFLOW_SESSION_*, …)."""
        secret = env.get("PARKFLOW_SECRET_KEY") or ""
        base = cls()
        return cls(
            secret_key=secret or base.secret_key,
            secret_from_env=bool(secret),
            session_idle_seconds=_int(env, "PARKFLOW_SESSION_IDLE_SECONDS",
                                      base.session_idle_seconds),
            session_max_seconds=_int(env, "PARKFLOW_SESSION_MAX_SECONDS",
                                     base.session_max_seconds),
            cookie_secure=env.get("PARKFLOW_COOKIE_SECURE", "").lower() in ("1", "true", "yes"),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: expected a number of seconds, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name}: must be positive")
    return value
