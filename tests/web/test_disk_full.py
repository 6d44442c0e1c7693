"""The disk under a SQLite database fills up while people work on the web (issue 11, Faults):
each refused write says so in the person's language with 507, nothing half-written, and the
server keeps answering. SQLite's own page limit (PRAGMA max_page_count) stands in for the
small disk: it raises the same SQLITE_FULL as a full file system, without mounting one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.factories import SQLITE_ONLY
from tests.support.abuse import table_counts
from tests.support.web import Web, csrf, login


def _client(web: Web) -> TestClient:
    """A client that gets the answer a browser would: a server error is a response here."""
    return TestClient(web.asgi, raise_server_exceptions=False, follow_redirects=False)


def _no_room_to_grow(web: Web) -> None:
    """Every connection from now on may use the pages the file has, and not one more."""
    with web.app.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    def limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")

    event.listen(web.app.engine, "connect", limit)
    web.app.engine.dispose()  # the pooled connections (and the writer's) open again, limited


@SQLITE_ONLY
def test_a_full_disk_is_said_plainly_and_saves_nothing(web: Web) -> None:
    headers = web.token("alice")
    client = _client(web)
    _no_room_to_grow(web)
    answer = None
    for n in range(2000):  # projects until the pages the file had are used up
        answer = client.post("/api/v1/projects", headers=headers, json={
            "name": f"满盘项目{n}", "category": "tech_transfer",
            "owner": web.people["alice"], "intake_date": "2026-11-16"})
        if answer.status_code != 201:
            break
    assert answer is not None and answer.status_code == 507, answer.text if answer else None
    error = answer.json()["error"]
    assert error["kind"] == "disk_full"
    assert error["message"].startswith("数据库所在磁盘已满")

    before = table_counts(web.app.engine)
    again = client.post("/api/v1/projects", headers=headers, json={
        "name": "再试一次", "category": "tech_transfer", "owner": web.people["alice"]})
    assert again.status_code == 507
    assert table_counts(web.app.engine) == before  # nothing half-written
    assert client.get("/api/v1/projects", headers=headers).status_code == 200  # reads go on


@SQLITE_ONLY
def test_the_new_project_form_says_it_in_place(web: Web) -> None:
    client = _client(web)
    login(client, web.people["alice"])
    _no_room_to_grow(web)
    answer = None
    for n in range(2000):
        answer = client.post("/projects", data={
            "name": f"满盘表单{n}", "category": "alumni", "owner": web.people["alice"],
            "csrf_token": csrf(client)}, headers={"HX-Request": "true"})
        if answer.status_code >= 400:
            break
    assert answer is not None and answer.status_code == 507
    assert "数据库所在磁盘已满" in answer.text
