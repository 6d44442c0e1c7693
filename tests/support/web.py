"""The web workspace under test: signed-in clients, CSRF tokens, form posts."""


from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from db.engine import reading, writing
from db.models import (
    User,
    columns,
)
from parkflow.wiring import App
from workflow.clock import FixedClock
from workflow.fields import uscc_check_char
from workflow.projects import add_project, advance
from workflow.tokens import create_token

with warnings.catch_warnings():  # starlette's TestClient warns that httpx will be replaced
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient




# ---------------------------------------------------------------- the web workspace

PASSWORD = "correct horse battery"  # everyone's, in the `web` fixture
SECRET = "test-secret-key-test-secret-key-0123456789"
FORM_VISIT = {"visitors": "王建国,李爱丽", "needs": ["funding", "space"], "team": "4",
              "technology": "5", "capital": "4", "market": "4"}  # as the visit form posts it
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _valid_uscc() -> str:
    first17 = "91340100MA2N00001"
    return first17 + uscc_check_char(first17)


# what `Web.project` fires each event with
WEB_FIELDS: dict[str, dict[str, Any]] = {
    "visit": FORM_VISIT,
    "register": {"company_name": "合肥量子科技有限公司", "uscc": _valid_uscc(),
                 "address": "合肥市高新区望江西路 800 号"},
    "sign": {"agreement_no": "KDGG-2026-001"},
    "open": {"premises": "中安创谷 B2 栋"},
    "exit": {"reason": "relocated", "note": "迁往他市"},
}


@dataclass
class Web:
    """The app under test and what the tests need around it (see the `web` fixture)."""

    asgi: FastAPI
    app: App
    clock: FixedClock
    people: dict[str, str]

    @property
    def park(self) -> Any:
        return self.app.park

    def client(self) -> TestClient:
        return TestClient(self.asgi, raise_server_exceptions=True, follow_redirects=False)

    def signed_in(self, who: str) -> TestClient:
        """A client with a live session of `who` (a key of `people`)."""
        client = self.client()
        login(client, self.people[who])
        return client

    def token(self, who: str) -> dict[str, str]:
        """Authorization headers with a fresh API token of `who`."""
        with writing(self.app.engine) as session:
            issued = create_token(session, actor=self.people[who], name="tests",
                                  now=self.clock.now())
        return {"Authorization": f"Bearer {issued.secret}"}

    def project(self, name: str = "量子精密测量", *, owner: str = "alice",
                intake: str = "2026-11-16", events: tuple[str, ...] = (),
                category: str = "tech_transfer") -> int:
        """A project entered (and moved) through the use cases."""
        with writing(self.app.engine) as session:
            project = add_project(session, self.park, name=name, category=category,
                                  owner=self.people[owner], actor=self.people[owner],
                                  intake=intake, allow_duplicate=True)
            for event in events:
                advance(session, self.park, project_id=project.id, event=event,
                        actor=self.people[owner], fields=WEB_FIELDS[event],
                        allow_duplicate=True)
        return project.id


def csrf_of(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"  # each person's first page


def csrf(client: TestClient, path: str = "/board") -> str:
    """The session's CSRF token, read from a page like a browser would."""
    return csrf_of(client.get(path).text)


def post_form(client: TestClient, path: str, data: dict[str, Any], *, htmx: bool = True,
              form: str | None = None, referer: str | None = None) -> Any:
    """Post a form the way the pages do (with the token; as htmx unless told otherwise)."""
    headers = {"HX-Request": "true"} if htmx else {}
    if referer:
        headers["Referer"] = f"http://testserver{referer}"
    payload = {**data, "csrf_token": csrf(client)}
    if form:
        payload["_form"] = form
    return client.post(path, data=payload, headers=headers)


def user_lang(web: Web, who: str) -> str:
    with reading(web.app.engine) as session:
        u = columns(User)
        return str(session.execute(
            User.__table__.select().with_only_columns(u.lang)  # type: ignore[attr-defined]
            .where(u.email == web.people[who])).scalar_one())
