"""The project page: its facts, deadline explanation and timeline, the event forms the engine
allows and what they refuse, follow-ups, new projects, and names that stay text.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from db.engine import reading, writing
from db.models import OutboxMessage, columns
from tests.factories import SQLITE_ONLY
from tests.support.web import FORM_VISIT, Web, csrf, post_form
from workflow.approvals import decide, file_suspension
from workflow.availability import available_events
from workflow.space import request_space
from workflow.views import project_view

pytestmark = SQLITE_ONLY  # the pages do not depend on the backend; the API tests run on both

XSS = "<img src=x onerror=alert(1)>"


# ---------------------------------------------------------------- the project page

def test_the_project_page_shows_facts_deadline_explanation_and_timeline(web: Web) -> None:
    pid = web.project("量子测量", intake="2026-11-16", events=("visit",))
    html = web.signed_in("alice").get(f"/projects/{pid}").text
    assert "量子测量" in html and "已走访·待注册" in html
    assert "2026-12-16" in html                       # intake + 1 month
    assert '入库 <span class="date">2026-11-16</span> + 1个月' in html  # the explanation
    assert "团队人才层次" in html and "合计 17 分" in html and "★★★" in html
    assert "资金、空间" in html                          # choice labels, not codes
    assert html.index("走访") < html.index("入库 ")     # newest first in the timeline


def test_only_the_events_a_person_may_fire_get_a_form(web: Web) -> None:
    pid = web.project(owner="alice")
    mine = web.signed_in("alice").get(f"/projects/{pid}").text
    assert f'action="/projects/{pid}/events/visit"' in mine
    assert f'action="/projects/{pid}/events/exit"' in mine
    assert "/events/reactivate" not in mine
    other_group = web.signed_in("bob").get(f"/projects/{pid}").text
    assert "/events/" not in other_group
    assert "/follow-ups" not in other_group


def suspend(web: Web, project_id: int) -> None:
    """Alice asks to pause the project and the leader approves."""
    with writing(web.app.engine) as session:
        asked = file_suspension(session, web.park, project_id=project_id, reason="等待批复",
                                actor=web.people["alice"])
        assert asked.id is not None
        decide(session, web.park, approval_id=asked.id, decision="approve",
               actor=web.people["leader"])


def test_the_event_forms_are_the_events_the_engine_says_are_available(web: Web) -> None:
    visited = web.project("已走访", events=("visit",))
    paused = web.project("已暂停", events=("visit",))
    gone = web.project("已退库", events=("visit", "exit"))
    suspend(web, paused)
    forms: dict[tuple[str, int], list[str]] = {}
    for who in ("alice", "carol", "bob", "leader", "admin"):
        client = web.signed_in(who)
        for pid in (visited, paused, gone):
            html = client.get(f"/projects/{pid}").text
            with reading(web.app.engine) as session:
                offered = [choice.event for choice in available_events(
                    session, web.park, pid, web.people[who]) if choice.available]
            forms[who, pid] = re.findall(rf'action="/projects/{pid}/events/(\w+)"', html)
            assert forms[who, pid] == offered, (who, pid)
    assert forms["alice", visited] == forms["carol", visited] == ["register", "exit"]
    assert forms["alice", paused] == ["exit"]  # a suspended project may only leave
    assert forms["leader", gone] == ["reactivate"] and forms["alice", gone] == []
    assert forms["bob", visited] == forms["admin", visited] == []


def test_a_paused_project_shows_its_days_as_they_stood_when_it_paused(web: Web) -> None:
    pid = web.project("已暂停", owner="alice")  # to visit within a week
    web.clock.advance(timedelta(days=10))
    late = re.search(r"逾期 (\d+) 天", web.signed_in("alice").get(f"/projects/{pid}").text)
    assert late
    suspend(web, pid)
    web.clock.advance(timedelta(days=5))

    due = web.signed_in("alice").get(f"/projects/{pid}").text.split('class="due"')[1]
    due = due.split("</p>")[0]
    assert "已暂停" in due and f"暂停时已逾期 {late.group(1)} 天" in due
    assert "无时限" not in due  # it said 无时限 beside 逾期 N 天, N growing while paused


def test_the_page_says_why_an_event_the_stage_allows_is_closed_to_this_person(web: Web) -> None:
    paused = web.project("已暂停", events=("visit",))
    gone = web.project("已退库", events=("visit", "exit"))
    suspend(web, paused)
    alice = web.signed_in("alice")

    on_paused = alice.get(f"/projects/{paused}").text
    on_gone = alice.get(f"/projects/{gone}").text

    assert "暂不能办理的事项" in on_paused and "暂停" in on_paused.split("暂不能办理的事项")[1]
    closed = on_gone.split("暂不能办理的事项")[1].split("</ul>")[0]
    assert "恢复入库" in closed and "仅限：分管领导" in closed  # a leader's event, by label
    assert "reactivate" not in closed and "leader" not in closed
    assert web.people["alice"] not in closed  # her own page does not name her by her email
    # on an active project everything its stage allows is open to her: nothing to explain
    # (恢复入库, a leader's event from the exited state, is not this stage's business)
    active = web.project("已走访", events=("visit",))
    assert "暂不能办理的事项" not in alice.get(f"/projects/{active}").text
    assert "暂不能办理的事项" not in web.signed_in("bob").get(f"/projects/{paused}").text


def test_the_visit_form_asks_for_every_field_of_the_definition(web: Web) -> None:
    pid = web.project()
    html = web.signed_in("alice").get(f"/projects/{pid}").text
    form = html[html.index('id="form-visit"'):html.index("</form>", html.index('id="form-visit"'))]
    for name in web.park.lifecycle.events["visit"].fields:
        assert f'name="{name}"' in form
    assert form.count('type="radio" name="team"') == 5
    assert 'name="at"' in form and 'max="2026-11-20"' in form


def test_recording_a_visit_moves_the_project_rates_it_and_schedules_reminders(web: Web) -> None:
    pid = web.project(intake="2026-11-16")
    client = web.signed_in("alice")
    data = {**FORM_VISIT, "at": "2026-11-18", "needs": "funding"}
    response = post_form(client, f"/projects/{pid}/events/visit", data, form="form-visit")
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/projects/{pid}"
    page = client.get(f"/projects/{pid}").text
    assert "已记录“走访”" in page and "已走访·待注册" in page
    with reading(web.app.engine) as session:
        view = project_view(session, web.park, pid)
        series = session.execute(select(columns(OutboxMessage).kind).where(
            columns(OutboxMessage).project_id == pid,
            columns(OutboxMessage).status == "pending")).scalars().all()
    assert view["state"] == "visited" and view["stars"] == 3
    assert "reminder" in series  # the outbox observer is wired in the web too


def test_a_checkbox_group_becomes_a_list(web: Web) -> None:
    pid = web.project()
    client = web.signed_in("alice")
    data = [(k, v) for k, v in FORM_VISIT.items() if k != "needs"]
    data += [("needs", "funding"), ("needs", "policy"), ("csrf_token", csrf(client))]
    response = client.post(f"/projects/{pid}/events/visit", content=urlencode(data),
                           headers={"HX-Request": "true",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    with reading(web.app.engine) as session:
        assert project_view(session, web.park, pid)["history"][-1]["fields"]["needs"] == [
            "funding", "policy"]


def test_a_bad_field_is_shown_in_place_and_nothing_changes(web: Web) -> None:
    pid = web.project()
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/events/visit", {**FORM_VISIT, "team": "7"},
                         form="form-visit")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#form-visit-error"
    assert 'data-error-field="team"' in response.text
    assert "团队人才层次" in response.text and "1–5" in response.text
    assert "<html" not in response.text  # a fragment for the form's slot
    with reading(web.app.engine) as session:
        assert project_view(session, web.park, pid)["state"] == "intake"


def test_without_javascript_the_error_comes_back_to_the_form_with_the_values(web: Web) -> None:
    pid = web.project()
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/events/visit",
                         {**FORM_VISIT, "visitors": "王建国", "uscc": None, "market": ""},
                         form="form-visit", htmx=False, referer=f"/projects/{pid}")
    assert response.status_code == 303 and response.headers["location"] == f"/projects/{pid}"
    page = client.get(f"/projects/{pid}").text
    slot = page[page.index('id="form-visit-error"'):]
    assert 'data-error-field="market"' in slot[:400] and "市场前景" in slot[:400]
    assert 'value="王建国"' in page                      # what was typed is kept
    assert 'name="market" value="4" aria-invalid="true"' in page or \
        'aria-invalid="true"' in page[page.index('data-score="market"'):][:600]


def test_an_event_in_the_future_is_refused_with_the_field_named(web: Web) -> None:
    pid = web.project()
    response = post_form(web.signed_in("alice"), f"/projects/{pid}/events/visit",
                         {**FORM_VISIT, "at": "2026-12-01"}, form="form-visit")
    assert response.status_code == 422 and 'data-error-field="at"' in response.text


def test_an_absurd_date_is_refused_not_crashed(web: Web) -> None:
    pid = web.project()
    response = post_form(web.signed_in("alice"), f"/projects/{pid}/events/visit",
                         {**FORM_VISIT, "at": "9999-12-31T23:00:00-14:00"}, form="form-visit")
    assert response.status_code == 422


def test_a_member_of_another_group_is_refused_on_the_server(web: Web) -> None:
    pid = web.project(owner="alice")
    response = post_form(web.signed_in("bob"), f"/projects/{pid}/events/visit", FORM_VISIT,
                         form="form-visit")
    assert response.status_code == 403
    assert "bob@park.test" in response.text and "仅限" in response.text


def test_an_event_not_allowed_in_the_state_is_a_conflict(web: Web) -> None:
    pid = web.project()
    response = post_form(web.signed_in("alice"), f"/projects/{pid}/events/sign",
                         {"agreement_no": "X-1"}, form="form-sign")
    assert response.status_code == 409


def test_an_overlong_agreement_number_is_refused_naming_the_field_and_its_limit(
        web: Web) -> None:
    # 310 characters were accepted (only the text columns' 2,000 applied) and made the
    # project page 2,641 px wide on a phone; the definition gives the field 50
    pid = web.project(events=("visit", "register"))
    client = web.signed_in("alice")
    page = client.get(f"/projects/{pid}").text
    assert re.search(r'<input id="form-sign-agreement_no" name="agreement_no"[^>]*'
                     r'maxlength="50"', page)
    long_number = "HF-2026-😀-" + "X" * 300
    response = post_form(client, f"/projects/{pid}/events/sign",
                         {"agreement_no": long_number}, form="form-sign")
    assert response.status_code == 422
    assert "协议编号过长（310 字，最多 50 字）" in response.text
    signed = post_form(client, f"/projects/{pid}/events/sign",
                       {"agreement_no": "HF-2026-" + "X" * 42}, form="form-sign")
    assert signed.status_code == 200, signed.text


def test_an_unknown_project_is_a_404_page(web: Web) -> None:
    response = web.signed_in("alice").get("/projects/999")
    assert response.status_code == 404 and "项目 999 不存在" in response.text


def test_a_follow_up_is_logged_from_the_page(web: Web) -> None:
    pid = web.project(events=("visit",))
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/follow-ups",
                         {"note": "企业融资进展顺利", "at": "2026-11-20"}, form="form-follow-up")
    assert response.status_code == 200
    page = client.get(f"/projects/{pid}").text
    assert "企业融资进展顺利" in page and "已记录跟进情况" in page


def test_a_new_project_is_entered_from_the_form(web: Web) -> None:
    client = web.signed_in("alice")
    assert 'name="category"' in client.get("/projects/new").text
    response = post_form(client, "/projects", {"name": "新材料", "category": "alumni",
                                               "owner": web.people["carol"],
                                               "intake_date": "2026-11-19"})
    pid = int(response.headers["HX-Redirect"].rsplit("/", 1)[1])
    with reading(web.app.engine) as session:
        view = project_view(session, web.park, pid)
    assert view["owner"]["email"] == web.people["carol"] and view["group"] == "project"
    assert view["deadline"]["due_date"] == "2026-11-26"


def test_dates_are_shown_in_the_park_time_zone(web: Web) -> None:
    web.clock.set(web.clock.now().replace(hour=23, minute=30))  # 15:30 UTC
    pid = web.project(intake="2026-11-20T23:30:00+08:00")
    html = web.signed_in("alice").get(f"/projects/{pid}").text
    assert "2026-11-20 23:30" in html


# ---------------------------------------------------------------- escaping

def test_a_hostile_project_name_renders_as_text_everywhere(web: Web) -> None:
    pid = web.project(XSS, intake="2026-11-05")  # overdue: on the inbox lists too
    with writing(web.app.engine) as session:
        request_space(session, web.park, project_id=pid, type="plant", area=500,
                      needed_by="2026-12-31", actor=web.people["alice"], note=XSS)
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for who, path in (("alice", "/board"), ("alice", "/projects"), ("alice", f"/projects/{pid}"),
                      ("leader", "/inbox"), ("alice", "/space"), ("alice", "/inbox")):
        html = web.signed_in(who).get(path).text
        assert XSS not in html, path
        assert escaped in html, path


@pytest.mark.parametrize(("path", "form", "data", "input_id"), [
    ("follow-ups", "form-follow-up", {"note": "   "}, "follow-up-note"),
    ("suspensions", "form-suspension", {"reason": "   "}, "susp-reason"),
    ("extensions", "form-extension", {"days": "10", "reason": "  "}, "ext-reason"),
    ("extensions", "form-extension", {"days": "x", "reason": "等待环评"}, "ext-days"),
    ("space-requests", "form-space", {"type": "office", "area": "很大",
                                      "needed_by": "2027-01-10"}, "space-area"),
])
def test_an_error_names_the_field_by_the_label_its_form_shows(
        web: Web, path: str, form: str, data: dict[str, str], input_id: str) -> None:
    pid = web.project(events=("visit",))
    client = web.signed_in("alice")
    page = client.get(f"/projects/{pid}").text
    label = re.search(rf'<label for="{input_id}">([^<]+?)\s*<', page)
    assert label, input_id
    response = post_form(client, f"/projects/{pid}/{path}", data, form=form)
    assert response.status_code == 422
    message = re.search(r'<p class="form-error"[^>]*>([^<]+)</p>', response.text)
    assert message, response.text
    assert label.group(1) in message.group(1), (label.group(1), message.group(1))


def test_a_follow_up_of_only_spaces_is_missing_what_was_learnt(web: Web) -> None:
    pid = web.project(events=("visit",))
    response = post_form(web.signed_in("alice"), f"/projects/{pid}/follow-ups",
                         {"note": "   "}, form="form-follow-up")
    assert response.status_code == 422 and "缺少字段：跟进情况" in response.text
    suspend = post_form(web.signed_in("alice"), f"/projects/{pid}/suspensions",
                        {"reason": "  "}, form="form-suspension")
    assert "缺少字段：事由" in suspend.text and "原因" not in suspend.text


def test_the_visit_form_reports_every_missing_field_at_once(web: Web) -> None:
    pid = web.project()
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/events/visit",
                         {"visitors": "王建国", "team": "4", "capital": "4"}, form="form-visit")
    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#form-visit-error"
    fields = re.findall(r'<li data-error-field="(\w+)">([^<]+)</li>', response.text)
    assert fields == [("needs", "缺少字段：项目需求"), ("technology", "缺少字段：技术先进性"),
                      ("market", "缺少字段：市场前景")]
    assert 'class="form-error form-errors" role="alert" tabindex="-1"' in response.text


def test_without_javascript_every_missing_field_is_listed_and_marked(web: Web) -> None:
    pid = web.project()
    client = web.signed_in("alice")
    response = post_form(client, f"/projects/{pid}/events/visit",
                         {"visitors": "王建国", "needs": "funding", "team": "4",
                          "capital": "4"}, form="form-visit", htmx=False,
                         referer=f"/projects/{pid}")
    assert response.status_code == 303
    page = client.get(f"/projects/{pid}").text
    slot = page[page.index('id="form-visit-error"'):][:600]
    assert "缺少字段：技术先进性" in slot and "缺少字段：市场前景" in slot
    for name in ("technology", "market"):
        fieldset = page[page.index(f'data-score="{name}"'):][:800]
        assert 'aria-invalid="true"' in fieldset, name
    assert 'aria-invalid="true"' not in page[page.index('data-score="team"'):][:800]
