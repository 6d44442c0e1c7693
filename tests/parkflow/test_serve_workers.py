"""`parkflow serve --workers N` (issue 11 §2): several uvicorn workers, each building the app
from the same settings; a sign-in made on one works on all of them and after a restart, with
no PARKFLOW_SECRET_KEY (the key is kept in the database). As subprocesses, on both databases.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.factories import PARKFLOW
from tests.support.web import PASSWORD, Web

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(web: Web, port: int, workers: int) -> Iterator[str]:
    env = {**os.environ, "PARKFLOW_DATABASE_URL": web.app.settings.database_url,
           "PARKFLOW_LANG": "en", "PARKFLOW_TEST_NOW": web.clock.now().isoformat(),
           "PARKFLOW_TIMEZONE": web.park.tz.key}
    env.pop("PARKFLOW_SECRET_KEY", None)
    server = subprocess.Popen([str(PARKFLOW), "serve", "--port", str(port),
                               "--workers", str(workers)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "parkflow serve did not answer"
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    if workers > 1:
        assert len(set(re.findall(r"Started server process \[(\d+)\]", stderr))) == workers


def _sign_in(base: str, email: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        match = CSRF.search(page.text)
        assert match
        done = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": match.group(1)})
        assert done.status_code == 303 and done.headers["location"] == "/"
        return client.cookies


def test_a_sign_in_holds_across_workers_and_a_restart(web: Web) -> None:
    port = _free_port()
    with serving(web, port, workers=2) as base:
        cookies = _sign_in(base, web.people["alice"])
        # a new connection each time: the workers share the listening socket and take turns
        for _ in range(12):
            with httpx.Client(base_url=base, cookies=cookies) as client:
                assert client.get("/board").status_code == 200
    with serving(web, port, workers=1) as base:  # restarted, one worker now
        with httpx.Client(base_url=base, cookies=cookies) as client:
            assert client.get("/board").status_code == 200
        with httpx.Client(base_url=base) as stranger:
            assert stranger.get("/board").status_code == 303
