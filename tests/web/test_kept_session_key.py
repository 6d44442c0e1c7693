"""Sign-ins survive a restart and work across web workers (issue 11 §2).

Without PARKFLOW_SECRET_KEY the cookie's key is drawn once and kept in the database: a
second app built on the same database (another worker, or the server after a restart) reads
the same key and accepts the first one's session cookie. On both databases.
"""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from db.app_secrets import SESSION_KEY, kept_secret
from db.models import AppSecret
from parkflow.settings import Settings
from parkflow.wiring import build_app, web_app, web_settings
from tests.factories import NOW, PARK_TZ
from tests.support.web import Web, login
from web.app import SESSION_COOKIE


def _instance(web: Web) -> TestClient:
    """A fresh app on the web fixture's database, built as a worker builds it."""
    settings = Settings(database_url=web.app.settings.database_url, timezone=PARK_TZ.key,
                        secret_key=None)
    app = build_app(settings, clock=web.clock)
    asgi = web_app(app, web_settings(settings, app))
    return TestClient(asgi, follow_redirects=False)


def test_a_sign_in_works_on_another_worker_and_after_a_restart(web: Web) -> None:
    first = _instance(web)
    login(first, web.people["alice"])
    cookie = first.cookies[SESSION_COOKIE]
    assert first.get("/board").status_code == 200

    for later in (_instance(web), _instance(web)):  # a second worker; a restarted server
        later.cookies.set(SESSION_COOKIE, cookie)
        assert later.get("/board").status_code == 200

    stranger = web.client()  # an app signing with another key refuses the cookie
    stranger.cookies.set(SESSION_COOKIE, cookie)
    assert stranger.get("/board").status_code == 303


def test_the_key_is_drawn_once_even_by_processes_starting_together(web: Web) -> None:
    engine = web.app.engine
    keys: list[str] = []
    start = threading.Barrier(4)

    def draw() -> None:
        start.wait()
        keys.append(kept_secret(engine, SESSION_KEY, now=NOW))
    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 4 and len(set(keys)) == 1 and len(keys[0]) >= 40
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(AppSecret)).scalar()
    assert rows == 1


def test_the_key_is_in_no_repr(web: Web) -> None:
    settings = web_settings(Settings(database_url=web.app.settings.database_url,
                                     secret_key=None), web.app)
    secret = kept_secret(web.app.engine, SESSION_KEY, now=NOW)
    assert settings.secret_key == secret and settings.secret_kept
    assert secret not in repr(settings)
    assert secret not in repr(AppSecret(name=SESSION_KEY, value=secret, created_at=NOW))
