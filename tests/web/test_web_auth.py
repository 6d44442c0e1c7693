"""Signing in and out, sessions that expire, CSRF on every form, headers that keep pages safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from db.engine import reading
from tests.factories import SQLITE_ONLY
from tests.support.web import PASSWORD, Web, csrf, csrf_of, login, post_form
from workflow.views import list_projects

pytestmark = SQLITE_ONLY  # sessions and forms do not depend on the backend


def test_a_visitor_is_sent_to_the_sign_in_page(web: Web) -> None:
    client = web.client()
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    page = client.get("/login")
    assert page.status_code == 200
    for name in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert name in page.text
    # whoever opens the link from WeCom has no terminal: the way to a password is a person
    assert "请工作专班的管理员设置" in page.text and "parkflow user" not in page.text


@pytest.mark.parametrize(("header", "lang", "title"), [
    (None, "zh-CN", "parkflow 科技项目入园工作专班"),
    ("en-GB,en;q=0.9,zh;q=0.5", "en", "parkflow Science Park Task Force"),
    ("en;q=0.3, zh-CN;q=0.8", "zh-CN", "parkflow 科技项目入园工作专班"),
])
def test_a_visitor_reads_the_sign_in_page_in_the_browsers_language(
        web: Web, header: str | None, lang: str, title: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    page = web.client().get("/login", headers=headers)
    assert f'<html lang="{lang}">' in page.text
    assert title in page.text  # the one product name, in the page title and the brand


def test_a_deep_link_comes_back_after_signing_in(web: Web) -> None:
    client = web.client()
    response = client.get("/inbox")
    assert response.headers["location"] == "/login?next=%2Finbox"
    page = client.get(response.headers["location"])
    signed = client.post("/login", data={"email": web.people["alice"], "password": PASSWORD,
                                         "csrf_token": csrf_of(page.text), "next": "/inbox"})
    assert signed.headers["location"] == "/inbox"


def test_signing_in_with_the_right_password_opens_the_board(web: Web) -> None:
    client = web.signed_in("alice")
    board = client.get("/board")
    assert board.status_code == 200
    assert "李爱丽" in board.text
    cookie = board.request.headers.get("cookie", "")
    assert "parkflow_session=" in cookie


def test_the_session_cookie_is_httponly_and_samesite(web: Web) -> None:
    client = web.client()
    page = client.get("/login")
    response = client.post("/login", data={"email": web.people["alice"], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)})
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "max-age=28800" in set_cookie  # the 8-hour idle timeout


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(web: Web) -> None:
    client = web.client()
    for email in (web.people["alice"], "nobody@park.test"):
        page = client.get("/login")
        response = client.post("/login", data={"email": email, "password": "wrong password",
                                               "csrf_token": csrf_of(page.text)})
        assert response.status_code == 400
        assert "邮箱或密码不正确" in response.text
    assert client.get("/board").status_code == 303


def test_repeated_failures_lock_the_address_for_a_minute(web: Web) -> None:
    client = web.client()
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"email": web.people["bob"], "password": "nope nope",
                                    "csrf_token": csrf_of(page.text)})
    page = client.get("/login")
    locked = client.post("/login", data={"email": web.people["bob"], "password": PASSWORD,
                                         "csrf_token": csrf_of(page.text)})
    assert locked.status_code == 429
    web.clock.advance(timedelta(minutes=2))
    login(client, web.people["bob"])


def test_signing_out_ends_the_session(web: Web) -> None:
    client = web.signed_in("alice")
    response = client.post("/logout", data={"csrf_token": csrf(client)})
    assert response.headers["location"] == "/login"
    assert client.get("/board").status_code == 303


def test_a_session_expires_after_eight_idle_hours(web: Web) -> None:
    client = web.signed_in("alice")
    assert client.get("/board").status_code == 200
    with time_machine.travel(timedelta(hours=8, minutes=1)):  # the cookie's signed timestamp
        assert client.get("/board").status_code == 303


def test_a_session_ends_twelve_hours_after_signing_in_however_active(web: Web) -> None:
    client = web.signed_in("alice")
    web.clock.advance(timedelta(hours=11, minutes=59))
    assert client.get("/board").status_code == 200
    web.clock.advance(timedelta(minutes=2))
    assert client.get("/board").status_code == 303


def test_changing_the_password_ends_the_other_sessions(web: Web) -> None:
    laptop, phone = web.signed_in("alice"), web.signed_in("alice")
    changed = post_form(laptop, "/account/password",
                        {"current_password": PASSWORD, "new_password": "a new passphrase"})
    assert changed.status_code == 200 and changed.headers["HX-Redirect"] == "/account"
    assert laptop.get("/board").status_code == 200
    assert phone.get("/board").status_code == 303


def test_a_form_posted_without_the_csrf_token_is_refused_and_changes_nothing(web: Web) -> None:
    client = web.signed_in("alice")
    response = client.post("/projects", data={"name": "无令牌项目", "category": "alumni",
                                              "owner": web.people["alice"]})
    assert response.status_code == 403
    assert "表单已过期" in response.text
    with reading(web.app.engine) as session:
        assert list_projects(session, web.park) == []


def test_a_token_from_another_session_is_refused(web: Web) -> None:
    mallory, alice = web.signed_in("bob"), web.signed_in("alice")
    stolen = csrf(mallory)
    response = alice.post("/projects", data={"name": "伪造", "category": "alumni",
                                             "owner": web.people["alice"],
                                             "csrf_token": stolen})
    assert response.status_code == 403


def test_the_htmx_header_carries_the_token_too(web: Web) -> None:
    client = web.signed_in("alice")
    response = client.post("/projects", headers={"HX-Request": "true",
                                                 "X-CSRF-Token": csrf(client)},
                           data={"name": "经由 htmx", "category": "alumni",
                                 "owner": web.people["alice"]})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/projects/")


def test_signing_in_itself_needs_the_csrf_token(web: Web) -> None:
    client = web.client()
    response = client.post("/login", data={"email": web.people["alice"], "password": PASSWORD})
    assert response.status_code == 403


def test_signing_in_starts_a_fresh_session_with_a_new_token(web: Web) -> None:
    client = web.client()
    before = csrf_of(client.get("/login").text)
    login(client, web.people["alice"])
    assert csrf(client) != before


def test_the_next_parameter_never_leads_to_another_site(web: Web) -> None:
    client = web.client()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = client.get("/login")
        response = client.post("/login", data={"email": web.people["alice"],
                                               "password": PASSWORD, "next": target,
                                               "csrf_token": csrf_of(page.text)})
        assert response.headers["location"] == "/"
        client.post("/logout", data={"csrf_token": csrf(client)})


def test_pages_carry_headers_that_make_injected_markup_inert(web: Web) -> None:
    response = web.client().get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_every_asset_is_served_locally(web: Web) -> None:
    client = web.client()
    page = client.get("/login").text
    for asset in ("/static/htmx.min.js", "/static/parkflow.js", "/static/parkflow.css"):
        assert asset in page
        assert client.get(asset).status_code == 200
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]
