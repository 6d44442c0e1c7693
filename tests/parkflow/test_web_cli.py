"""The web's commands, as subprocesses: set-password, token create/revoke/list, serve.

On SQLite only: the web and API tests cover PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from tests.factories import PARKFLOW, SQLITE_ONLY
from tests.support.command import command_env
from tests.support.web import Web, login


def parkflow(web: Web, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = command_env(PARKFLOW_DATABASE_URL=web.app.settings.database_url,
                      PARKFLOW_LANG="en", PARKFLOW_TEST_NOW=web.clock.now().isoformat())
    return subprocess.run([str(PARKFLOW), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


@SQLITE_ONLY
def test_set_password_lets_a_person_sign_in(web: Web) -> None:
    done = parkflow(web, "user", "set-password", web.people["bob"], "--password-stdin",
                    stdin="a brand new passphrase\n")
    assert done.returncode == 0, done.stderr
    login(web.client(), web.people["bob"], "a brand new passphrase")
    short = parkflow(web, "user", "set-password", web.people["bob"], "--password-stdin",
                     stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr.lower()
    nobody = parkflow(web, "user", "set-password", "nobody@park.test", "--password-stdin",
                      stdin="long enough passphrase\n")
    assert nobody.returncode == 4


@SQLITE_ONLY
def test_a_token_is_printed_once_works_and_is_revoked(web: Web) -> None:
    created = parkflow(web, "token", "create", "--by", web.people["alice"], "--name", "平台",
                       "--json")
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)
    assert set(token) == {"id", "name", "prefix", "token", "created_at"}
    assert token["token"].startswith(token["prefix"]) and token["name"] == "平台"
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert web.client().get("/api/v1/me", headers=headers).json()["email"] == \
        web.people["alice"]

    listed = parkflow(web, "token", "list", "--by", web.people["alice"], "--json")
    assert token["token"] not in listed.stdout
    assert json.loads(listed.stdout)[0]["prefix"] == token["prefix"]

    assert parkflow(web, "token", "revoke", str(token["id"]), "--by",
                    web.people["bob"]).returncode == 3
    assert parkflow(web, "token", "revoke", str(token["id"]), "--by",
                    web.people["alice"]).returncode == 0
    assert web.client().get("/api/v1/me", headers=headers).status_code == 401
    again = parkflow(web, "token", "revoke", str(token["id"]), "--by", web.people["alice"])
    assert again.returncode == 5 and "revoked" in again.stderr
    assert parkflow(web, "token", "revoke", "999", "--by", web.people["alice"]).returncode == 4
    assert parkflow(web, "token", "create", "--by", "nobody@park.test").returncode == 3


@SQLITE_ONLY
def test_token_create_prints_just_the_token_on_stdout(web: Web) -> None:
    created = parkflow(web, "token", "create", "--by", web.people["alice"])
    assert created.returncode == 0 and created.stdout.strip().startswith("pf_")
    assert len(created.stdout.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@SQLITE_ONLY
@pytest.mark.parametrize("scheduler", [False, True], ids=["web", "web+scheduler"])
def test_serve_answers_on_the_port_it_was_given(web: Web, scheduler: bool) -> None:
    port = _free_port()
    env = {**os.environ, "PARKFLOW_DATABASE_URL": web.app.settings.database_url,
           "PARKFLOW_LANG": "en", "PARKFLOW_TEST_NOW": web.clock.now().isoformat(),
           "PARKFLOW_MAIL_DIR": str(Path(web.app.settings.database_url
                                                                .removeprefix("sqlite:///"))
                                                           .parent / "mail")}
    args = [str(PARKFLOW), "serve", "--port", str(port)] + (["--with-scheduler"] if scheduler
                                                            else [])
    server = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "parkflow serve did not answer"
                time.sleep(0.1)
        assert response.json()["status"] == "ok"
        login_page = httpx.get(f"http://127.0.0.1:{port}/login")
        assert 'name="csrf_token"' in login_page.text
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=20)
    assert server.returncode == 0, stderr
    assert ("Scheduler running" in stderr) == scheduler


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    env = {**os.environ, "PARKFLOW_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db",
           "PARKFLOW_LANG": "en"}
    done = subprocess.run([str(PARKFLOW), "serve"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "parkflow init" in done.stderr


@SQLITE_ONLY
def test_the_in_process_scheduler_sweeps_and_delivers(web: Web, tmp_path: Path) -> None:
    from parkflow.cli.serve import start_scheduler
    settings = web.app.settings.model_copy(update={"mail_dir": str(tmp_path / "mail")})
    ctx = SimpleNamespace(app=dataclasses.replace(web.app, settings=settings))
    web.project("今天到期", intake="2026-11-13")  # due today: the 09:00 reminder is due
    scheduler = start_scheduler(ctx)
    try:
        assert {job.id for job in scheduler.get_jobs()} >= {
            "sweep", "weekly-agenda", "weekly-digest", "daily-reminders"}
        scheduler.get_job("sweep").func()  # one tick, as the interval trigger would run it
    finally:
        scheduler.shutdown(wait=False)
    assert list((tmp_path / "mail").glob("*.eml"))


@SQLITE_ONLY
def test_the_scheduler_says_what_a_tick_sent_in_a_sentence(web: Web, tmp_path: Path) -> None:
    web.project("量子精密测量", intake="2026-11-10")  # its visit is overdue: a warning to send
    env = {**os.environ, "PARKFLOW_DATABASE_URL": web.app.settings.database_url,
           "PARKFLOW_TEST_NOW": web.clock.now().isoformat(),
           "PARKFLOW_MAIL_DIR": str(tmp_path / "mail")}
    env.pop("PARKFLOW_LANG", None)
    scheduler = subprocess.Popen([str(PARKFLOW), "scheduler", "--every", "1"], env=env,
                                 stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not list((tmp_path / "mail").glob("*.eml")):
            assert scheduler.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(1.5)  # the tick that sent it prints its line
    finally:
        scheduler.send_signal(signal.SIGINT)
        _, stderr = scheduler.communicate(timeout=20)
    tick = next(line for line in stderr.splitlines() if "已发送" in line)
    assert tick.startswith("2026-11-20 10:00 已发送 ") and "{" not in tick, stderr
