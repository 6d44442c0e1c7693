"""Sessions and rights under attack: a planted session cookie, expired and forged sessions,
a revoked token, and a member (or a leader) giving themselves a higher role through the
admin page, the API and the command. Each is refused with its status (or exit code) and
nothing is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import User, columns
from tests.factories import SQLITE_ONLY
from tests.support.abuse import table_counts
from tests.support.command import Cli, assert_error
from tests.support.web import PASSWORD, Web, csrf, csrf_of
from web.app import SESSION_COOKIE
from workflow.tokens import create_token, revoke_token

NEW_PROJECT = {"name": "会话测试项目", "category": "alumni", "owner": "alice@park.test"}


def session_cookie(client: Any) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "no session cookie"
    return str(value)


def role_of(engine: Engine, email: str) -> str:
    u = columns(User)
    with reading(engine) as session:
        return str(session.execute(select(u.role).where(u.email == email)).scalar_one())


def user_id(engine: Engine, email: str) -> int:
    u = columns(User)
    with reading(engine) as session:
        return int(session.execute(select(u.id).where(u.email == email)).scalar_one())


# ---------------------------------------------------------------- session fixation

@SQLITE_ONLY
def test_a_session_cookie_planted_before_sign_in_is_not_the_one_after(web: Web) -> None:
    victim = web.client()
    form = victim.get("/login")
    planted, token_before = session_cookie(victim), csrf_of(form.text)
    signed = victim.post("/login", data={"email": web.people["alice"], "password": PASSWORD,
                                         "csrf_token": token_before})
    assert signed.status_code == 303
    after = session_cookie(victim)
    assert after != planted
    token_after = csrf(victim)
    assert token_after != token_before  # the CSRF token is renewed at sign-in
    # the attacker who planted the cookie holds no sign-in with it
    attacker = web.client()
    attacker.cookies.set(SESSION_COOKIE, planted)
    assert attacker.get("/board").status_code == 303
    before = table_counts(web.app.engine)
    refused = attacker.post("/projects", data={**NEW_PROJECT, "csrf_token": token_before})
    assert refused.status_code in (303, 403)
    # nor does the token learnt before sign-in work in the victim's new session
    stale = victim.post("/projects", data={**NEW_PROJECT, "csrf_token": token_before})
    assert stale.status_code == 403
    assert table_counts(web.app.engine) == before


@SQLITE_ONLY
def test_a_tampered_or_foreign_session_cookie_is_a_visitor(web: Web) -> None:
    good = session_cookie(web.signed_in("alice"))
    payload, signature = good.rsplit(".", 1)[0], good.rsplit(".", 1)[1]
    # the first character: the last one of unpadded base64 also carries filler bits,
    # so changing it can decode to the very same signature
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    foreign = "e30=.ZZZZZZ.ZZZZZZZZZZZZZZZZZZZZZZZZZZZ"  # `{}` signed with another key
    for forged in (f"{payload}.{flipped}", foreign, "", "x" * 5000):
        client = web.client()
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/board").status_code == 303, forged[:40]


# ---------------------------------------------------------------- expired sessions

@SQLITE_ONLY
def test_an_idle_session_posts_nothing(web: Web) -> None:
    client = web.signed_in("alice")
    token = csrf(client)
    before = table_counts(web.app.engine)
    with time_machine.travel(timedelta(hours=8, minutes=1)):  # the cookie's signed timestamp
        refused = client.post("/projects", data={**NEW_PROJECT, "csrf_token": token})
        assert refused.status_code in (303, 403)
        assert client.get("/board").status_code == 303
    assert table_counts(web.app.engine) == before


@SQLITE_ONLY
def test_a_session_past_its_lifetime_posts_nothing_however_active(web: Web) -> None:
    client = web.signed_in("alice")
    for _ in range(4):  # active every three hours: the idle clock restarts each time
        web.clock.advance(timedelta(hours=3))
        assert client.get("/board").status_code == 200
    token = csrf(client)
    web.clock.advance(timedelta(minutes=1))  # 12 h 01 min after signing in
    before = table_counts(web.app.engine)
    refused = client.post("/projects", data={**NEW_PROJECT, "csrf_token": token},
                          headers={"HX-Request": "true"})
    # htmx is told to go to the sign-in page (no content, HX-Redirect)
    assert (refused.status_code, refused.headers.get("HX-Redirect")) == (204, "/login")
    assert client.get("/board").status_code == 303
    assert table_counts(web.app.engine) == before


# ---------------------------------------------------------------- tokens

def test_a_revoked_token_is_401_and_writes_nothing(web: Web) -> None:
    with writing(web.app.engine) as session:
        issued = create_token(session, actor=web.people["alice"], name="laptop",
                              now=web.clock.now())
    headers = {"Authorization": f"Bearer {issued.secret}"}
    client = web.client()
    project = {"name": "令牌项目", "category": "alumni", "owner": web.people["alice"]}
    assert client.post("/api/v1/projects", json=project, headers=headers).status_code == 201
    pid = client.get("/api/v1/projects", headers=headers).json()[0]["id"]
    with writing(web.app.engine) as session:
        revoke_token(session, token_id=issued.id, actor=web.people["alice"],
                     now=web.clock.now())
    before = table_counts(web.app.engine)
    calls = [("POST", "/api/v1/projects", {**project, "name": "撤销后的项目"}),
             ("POST", f"/api/v1/projects/{pid}/events",
              {"event": "exit", "fields": {"reason": "other", "note": "撤销后"}}),
             ("POST", f"/api/v1/projects/{pid}/follow-ups", {"note": "撤销后"}),
             ("GET", "/api/v1/me", None)]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, response.text)
        assert response.json()["error"]["kind"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert table_counts(web.app.engine) == before


# ---------------------------------------------------------------- one's own role

@SQLITE_ONLY
def test_a_member_cannot_raise_their_own_role_on_the_admin_page(web: Web) -> None:
    engine = web.app.engine
    for who, wanted in (("alice", "admin"), ("alice", "leader"), ("leader", "admin")):
        client = web.signed_in(who)
        email = web.people[who]
        before, role = table_counts(engine), role_of(engine, email)
        response = client.post(f"/admin/users/{user_id(engine, email)}/update",
                               data={"role": wanted, "group": "", "csrf_token": csrf(client)},
                               headers={"HX-Request": "true"})
        assert response.status_code == 403, response.text
        assert role_of(engine, email) == role
        assert table_counts(engine) == before
        assert client.get("/admin").status_code == 403


@SQLITE_ONLY
def test_the_api_has_no_way_to_change_a_role(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    body = {"role": "admin"}
    for method in ("PUT", "PATCH", "POST", "DELETE"):
        response = client.request(method, "/api/v1/me", json=body, headers=headers)
        assert response.status_code == 405, (method, response.text)
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "member"
    assert role_of(web.app.engine, web.people["alice"]) == "member"


def test_a_member_cannot_raise_their_own_role_with_the_command(
        cli: Cli, engine: Engine, people: dict[str, str]) -> None:
    before = table_counts(engine)
    for who, wanted in (("alice", "admin"), ("alice", "leader"), ("leader", "admin")):
        result = cli("user", "update", people[who], "--by", people[who], "--role", wanted,
                     "--json")
        assert_error(result, 3, "not_permitted", "by")
        assert role_of(engine, people[who]) == ("member" if who == "alice" else "leader")
    assert table_counts(engine) == before
