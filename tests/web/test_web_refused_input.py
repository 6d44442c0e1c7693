"""What the schema refuses before a route runs (a malformed address, a form posted without
the browser's checks) is said like the engine's own errors: in the reader's language, the
input named by the label its form shows, never FastAPI's English or an internal name."""

from __future__ import annotations

import pytest

from db.engine import writing
from tests.support.web import Web, post_form
from workflow.accounts import set_language

LEAKS = ("Input should", "Field required", "project_id", "字段 ", "无效：")


def no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.mark.parametrize("path", ["/projects/26%EF%BC%8C", "/projects/abc", "/projects/0",
                                  f"/projects/{2**63}", "/approvals/1x"])
def test_an_id_in_the_address_that_does_not_parse_is_the_not_found_page(
        web: Web, path: str) -> None:
    response = web.signed_in("alice").get(path)
    assert response.status_code == 404 and "<html" in response.text
    assert "不存在" in response.text
    no_leak(response.text)


def test_a_mangled_project_link_reads_like_an_unknown_project(web: Web) -> None:
    response = web.signed_in("alice").get("/projects/26%EF%BC%8C")
    assert "项目 26， 不存在" in response.text


def test_a_blank_year_on_the_calendar_names_the_year_by_its_label(web: Web) -> None:
    response = web.signed_in("admin").get("/admin?year=")
    assert response.status_code == 422
    assert "年份不能为空" in response.text
    no_leak(response.text)
    letters = web.signed_in("admin").get("/admin?year=abc")
    assert letters.status_code == 422 and "年份：“abc”不是数字" in letters.text


@pytest.mark.parametrize(("path", "form", "data", "label"), [
    ("follow-ups", "form-follow-up", {"at": "2026-11-18"}, "跟进情况"),
    ("suspensions", "form-suspension", {}, "事由"),
    ("extensions", "form-extension", {"reason": "等待环评"}, "延长天数（自然日）"),
    ("extensions", "form-extension", {"days": "10"}, "事由"),
    ("space-requests", "form-space", {"type": "office", "needed_by": "2027-01-10"},
     "面积（m²）"),
])
def test_a_form_posted_without_a_required_input_says_which_by_its_label(
        web: Web, path: str, form: str, data: dict[str, str], label: str) -> None:
    pid = web.project(events=("visit",))
    response = post_form(web.signed_in("alice"), f"/projects/{pid}/{path}", data, form=form)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#{form}-error"  # in the form's slot
    assert f"缺少字段：{label}" in response.text and "<html" not in response.text
    no_leak(response.text)


def test_without_javascript_the_missing_input_comes_back_to_its_form(web: Web) -> None:
    pid = web.project(events=("visit",))
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/suspensions", {}, form="form-suspension",
                         htmx=False, referer=f"/projects/{pid}")
    assert response.status_code == 303 and response.headers["location"] == f"/projects/{pid}"
    page = client.get(f"/projects/{pid}").text
    slot = page[page.index('id="form-suspension-error"'):][:400]
    assert 'data-error-field="reason"' in slot and "缺少字段：事由" in slot


def test_the_reason_is_in_the_readers_language(web: Web) -> None:
    with writing(web.app.engine) as session:
        set_language(session, actor=web.people["alice"], lang="en")
    client = web.signed_in("alice")
    pid = web.project(events=("visit",))
    response = post_form(client, f"/projects/{pid}/follow-ups", {}, form="form-follow-up")
    assert response.status_code == 422 and "Missing field: What was learnt" in response.text


def test_the_api_keeps_its_error_body_with_the_field_id(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    response = client.get("/api/v1/projects/abc", headers=headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error) == {"kind", "field", "message"}
    assert (error["kind"], error["field"]) == ("invalid", "project_id")
    assert error["message"] == "项目：“abc”不是数字"


def test_a_body_that_is_not_an_object_is_refused_not_a_server_error(web: Web) -> None:
    # schemathesis sent [null, null]: the message had no field to name and the server failed
    client, headers = web.client(), web.token("alice")
    response = client.post("/api/v1/projects", json=[None, None], headers=headers)

    assert response.status_code == 422
    assert response.json()["error"] == {
        "kind": "invalid", "field": None, "message": "请求体不符合要求：应为由各字段组成的对象"}
