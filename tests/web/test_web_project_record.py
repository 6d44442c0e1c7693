"""The project's record on the web: entered with a new project, edited on its page with the
edit in the timeline, a duplicate name offered with a link and a confirmation, and the visit
form's score levels described."""

from __future__ import annotations

from db.engine import reading
from tests.factories import SQLITE_ONLY
from tests.support.web import Web, post_form
from workflow.record import project_record
from workflow.views import history

pytestmark = SQLITE_ONLY  # the pages do not depend on the backend


def test_a_new_project_is_entered_with_its_record(web: Web) -> None:
    client = web.signed_in("alice")
    form = client.get("/projects/new").text
    assert "所属行业" in form and 'type="tel"' in form and "新一代信息技术" in form
    response = post_form(client, "/projects", {
        "name": "新材料", "category": "alumni", "owner": web.people["alice"],
        "intake_date": "2026-11-19", "contact": "张伟", "phone": "0551-65321234",
        "industry": "new_materials", "source": "alumni", "investment": "800", "team_size": ""})
    pid = int(response.headers["HX-Redirect"].rsplit("/", 1)[1])
    with reading(web.app.engine) as session:
        assert project_record(session, pid) == {
            "contact": "张伟", "phone": "0551-65321234", "industry": "new_materials",
            "source": "alumni", "investment": 800}
    page = client.get(f"/projects/{pid}").text
    assert "校友会" in page and "0551-65321234" in page


def test_a_bad_phone_on_the_form_is_refused_naming_the_field(web: Web) -> None:
    client = web.signed_in("alice")
    response = post_form(client, "/projects", {
        "name": "新材料", "category": "alumni", "owner": web.people["alice"],
        "phone": "12345"}, form="form-new-project")
    assert response.status_code == 422
    assert 'data-error-field="phone"' in response.text and "联系电话" in response.text


def test_the_record_is_edited_on_the_project_page_and_the_edit_is_in_the_timeline(
        web: Web) -> None:
    pid = web.project("量子精密测量")
    client = web.signed_in("alice")
    assert f'action="/projects/{pid}/record"' in client.get(f"/projects/{pid}").text
    response = post_form(client, f"/projects/{pid}/record", {
        "name": "量子精密测量", "industry": "quantum", "contact": "", "phone": "",
        "source": "", "description": "", "investment": "", "team_size": "9"},
        form="form-record")
    assert response.status_code == 200, response.text
    with reading(web.app.engine) as session:
        assert project_record(session, pid) == {"industry": "quantum", "team_size": 9}
        assert history(session, web.park, pid)[-1]["event"] == "edit"
    page = client.get(f"/projects/{pid}").text
    assert "修改" in page and "— → 量子科技" in page and "— → 9" in page


def test_someone_who_may_not_advance_the_project_gets_no_edit_form(web: Web) -> None:
    pid = web.project(owner="alice")
    assert f"/projects/{pid}/record" not in web.signed_in("bob").get(f"/projects/{pid}").text


def test_a_duplicate_name_offers_the_existing_project_and_a_confirmation(web: Web) -> None:
    first = web.project("量子精密测量")
    client = web.signed_in("alice")
    data = {"name": "量子精密测量", "category": "alumni", "owner": web.people["alice"]}
    refused = post_form(client, "/projects", data, form="form-new-project")
    assert refused.status_code == 409
    assert f"已存在同名项目 #{first} 量子精密测量" in refused.text
    assert f'href="/projects/{first}"' in refused.text and 'name="allow_duplicate"' in refused.text
    entered = post_form(client, "/projects", {**data, "allow_duplicate": "1"},
                        form="form-new-project")
    assert int(entered.headers["HX-Redirect"].rsplit("/", 1)[1]) != first


def test_the_visit_form_describes_each_score_level(web: Web) -> None:
    pid = web.project(owner="alice")
    html = web.signed_in("alice").get(f"/projects/{pid}").text
    assert "国内领先，填补国内空白" in html and "尚无核心团队，以个人为主" in html
    client = web.signed_in("alice")
    post_form(client, "/lang", {"lang": "en"}, htmx=False)
    english = client.get(f"/projects/{pid}").text
    assert "leading in China; fills a domestic gap" in english
