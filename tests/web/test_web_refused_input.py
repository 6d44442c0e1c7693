"""What the schema refuses before a route runs (a malformed address, a form posted without
the browser's checks) is said like the engine's own errors: in the reader's language, the
input named by the label its form shows, never FastAPI's English or an internal name."""

from __future__ import annotations

import re

import pytest

from db.engine import writing
from tests.support.web import FORM_VISIT, Web, post_form
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


def _label(html: str, input_id: str) -> str:
    """The text of the label the form shows for the input `input_id`."""
    match = re.search(rf'<label for="{input_id}">([^<]+?)\s*(?:<span|</label>)', html)
    assert match, input_id
    return match.group(1).strip()


def test_a_person_added_without_email_and_name_is_told_so_by_the_forms_labels(
        web: Web) -> None:
    admin = web.signed_in("admin")
    form = admin.get("/admin").text
    email, name = _label(form, "u-email"), _label(form, "u-name")
    assert (email, name) == ("邮箱", "姓名")
    response = post_form(admin, "/admin/users", {"email": "", "name": "", "role": "member"},
                         form="form-add-user")
    assert response.status_code == 422
    assert f"缺少字段：{email}" in response.text and f"缺少字段：{name}" in response.text
    assert "电子邮箱" not in response.text and "名称" not in response.text
    no_leak(response.text)


def test_a_person_with_a_bad_email_is_told_so_by_the_forms_label(web: Web) -> None:
    response = post_form(web.signed_in("admin"), "/admin/users",
                         {"email": "not-an-address", "name": "周明", "role": "member"},
                         form="form-add-user")
    assert response.status_code == 422
    assert ">邮箱“not-an-address”不是" in response.text  # not 电子邮箱


def test_a_project_entered_without_a_name_is_told_so_by_the_forms_label(web: Web) -> None:
    client = web.signed_in("alice")
    assert _label(client.get("/projects/new").text, "new-name") == "项目名称"
    response = post_form(client, "/projects", {"name": "", "category": "tech_transfer",
                                               "owner": web.people["alice"]},
                         form="form-new-project")
    assert response.status_code == 422 and "缺少字段：项目名称" in response.text
    no_leak(response.text)


def test_an_events_date_is_named_by_its_label_and_shown_as_the_day_typed(web: Web) -> None:
    pid = web.project()  # entered 2026-11-16; today is 2026-11-20
    client = web.signed_in("alice")
    assert _label(client.get(f"/projects/{pid}").text, "form-visit-at") == "发生日期"
    before = post_form(client, f"/projects/{pid}/events/visit",
                       {**FORM_VISIT, "at": "2026-11-10"}, form="form-visit")
    assert before.status_code == 422
    assert "发生日期 2026年11月10日 早于上一事件" in before.text
    assert "00:00 早于" not in before.text
    with writing(web.app.engine) as session:
        set_language(session, actor=web.people["alice"], lang="en")
    future = post_form(client, f"/projects/{pid}/events/visit",
                       {**FORM_VISIT, "at": "2027-01-01"}, form="form-visit")
    assert future.status_code == 422
    assert "Date it happened: Jan 1, 2027 is in the future" in future.text


def test_a_bad_phone_number_is_explained_in_words_and_a_negative_figure_reads_naturally(
        web: Web) -> None:
    client = web.signed_in("alice")
    phone = post_form(client, "/projects", {
        "name": "量子精密测量", "category": "tech_transfer", "owner": web.people["alice"],
        "phone": "12345"}, form="form-new-project")
    assert phone.status_code == 422
    assert "联系电话：“12345”不是有效的手机号（以 13–19 开头的 11 位数字）" in phone.text
    assert "[3-9]" not in phone.text
    money = post_form(client, "/projects", {
        "name": "量子精密测量", "category": "tech_transfer", "owner": web.people["alice"],
        "investment": "-5"}, form="form-new-project")
    assert money.status_code == 422
    assert "计划投资（万元）不能为负数（填写的是 -5）" in money.text
    assert "而不是" not in money.text
