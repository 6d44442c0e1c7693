"""Settings of the web workspace, filled by the composition root from the PARKFLOW_* settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebSettings:
    # Signs the session cookie. Without PARKFLOW_SECRET_KEY a random key is drawn at start:
    # sessions then end when the server restarts, which is safe, only less convenient.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secret_from_env: bool = False
    # the key is the one kept in the database (drawn once): it outlives restarts
    secret_kept: bool = False
    # idle timeout: the signed cookie expires this long after the last request
    session_idle_seconds: int = 8 * 3600
    # absolute lifetime of a sign-in, however active
    session_max_seconds: int = 12 * 3600
    # send the cookie over HTTPS only (set when served behind TLS)
    cookie_secure: bool = False
    # the largest uploaded file (PARKFLOW_UPLOAD_MAX_BYTES); any request body is cut off a
    # little above it (the form's other fields), with 413, as it streams in
    upload_max_bytes: int = 5_000_000
    # cards drawn per board column; the count always covers every project
    board_cards_per_column: int = 24
