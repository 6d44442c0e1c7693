"""The pages: board, inbox, space, admin, account, languages (the project page and its forms
are in test_web_project_page.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import reading, writing
from db.models import User, columns
from tests.factories import PARK_TZ, SQLITE_ONLY
from tests.support.web import Web, csrf, login, post_form, user_lang
from workflow.accounts import set_language
from workflow.approvals import list_approvals
from workflow.space import add_listing, list_listings, request_space

pytestmark = SQLITE_ONLY  # the pages do not depend on the backend; the API tests run on both


def cards(html: str) -> dict[int, str]:
    """Project id → the card's status class, from the board."""
    return {int(pid): status for status, pid in
            re.findall(r'class="card card-(\w+)" data-project="(\d+)"', html)}


def column_count(html: str, state: str) -> int:
    match = re.search(rf'data-state="{state}">.*?<span class="count"[^>]*>(\d+)</span>', html,
                      re.S)
    assert match, state
    return int(match.group(1))


# ---------------------------------------------------------------- the board

@pytest.mark.parametrize("who", ["alice", "leader", "admin"])
def test_no_two_menu_items_read_alike(web: Web, who: str) -> None:
    # a member's menu held 我的待办 (deadlines) beside 待办 (requests and warnings)
    html = web.signed_in(who).get("/board").text
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav
    names = [" ".join(re.sub(r"<[^>]+>|\d+", " ", a).split())
             for a in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)]

    assert len(names) >= 6, names
    assert not [(a, b) for a in names for b in names if a != b and a in b], names


def test_the_board_has_a_column_per_state_with_its_count(web: Web) -> None:
    web.project("甲")
    web.project("乙", events=("visit",))
    web.project("丙", owner="bob", events=("visit", "register"))
    html = web.signed_in("alice").get("/board").text
    for state in web.park.lifecycle.states:
        assert f'data-state="{state}"' in html
    assert column_count(html, "intake") == 1
    assert column_count(html, "visited") == 1
    assert column_count(html, "registered") == 1
    assert column_count(html, "opened") == 0


def test_cards_are_coloured_by_deadline_and_show_stars(web: Web) -> None:
    overdue = web.project("逾期项目", intake="2026-11-05")      # visit was due 11-12
    soon = web.project("临近项目", intake="2026-11-13")         # visit due 11-20 24:00
    on_time = web.project("按期项目", intake="2026-11-20")      # visit due 11-27
    starred = web.project("星级项目", intake="2026-11-16", events=("visit",))
    html = web.signed_in("alice").get("/board").text
    assert cards(html) == {overdue: "overdue", soon: "due_soon", on_time: "on_time",
                           starred: "on_time"}
    assert '<span class="stars"' in html and "★★★" in html


def test_the_board_filters_by_group_owner_category_and_stars(web: Web) -> None:
    alice = web.project("爱丽的", owner="alice", category="alumni")
    bob = web.project("博的", owner="bob", category="platform")
    starred = web.project("星", owner="carol", events=("visit",))
    client = web.signed_in("alice")
    assert set(cards(client.get("/board?group=finance").text)) == {bob}
    assert set(cards(client.get(f"/board?owner={web.people['bob']}").text)) == {bob}
    assert set(cards(client.get("/board?category=alumni").text)) == {alice}
    assert set(cards(client.get("/board?stars=2").text)) == {starred}
    assert set(cards(client.get("/board?mine=1").text)) == {alice}
    assert set(cards(client.get("/board?group=nonsense&stars=9").text)) == {alice, bob, starred}


def test_the_project_list_shows_the_overdue_ones(web: Web) -> None:
    late = web.project("迟了", intake="2026-11-05")
    web.project("还早", intake="2026-11-20")
    html = web.signed_in("alice").get("/projects?overdue=1").text
    assert f'href="/projects/{late}"' in html and "还早" not in html


# ---------------------------------------------------------------- inbox

@pytest.fixture
def large_request(web: Web) -> int:
    pid = web.project("大空间项目", events=("visit",))
    with writing(web.app.engine) as session:
        filed = request_space(session, web.park, project_id=pid, type="office", area=1500,
                              needed_by="2026-12-31", actor=web.people["alice"],
                              carrier="中安创谷", note="研发扩张")
    assert filed["needs_approval"]
    return int(filed["approval_id"])


def test_the_leader_sees_the_facts_and_approves_with_a_comment(web: Web,
                                                               large_request: int) -> None:
    client = web.signed_in("leader")
    inbox = client.get("/inbox").text
    assert f'data-approval="{large_request}"' in inbox
    assert "1,500 m²" in inbox and "中安创谷" in inbox and "研发扩张" in inbox
    assert '<span class="badge"' in inbox
    response = post_form(client, f"/approvals/{large_request}/decision",
                         {"decision": "approve", "comment": "同意"},
                         form=f"form-decide-{large_request}")
    assert response.headers["HX-Redirect"] == "/inbox"
    with reading(web.app.engine) as session:
        rows = list_approvals(session, web.park, viewer=web.people["leader"])
    assert rows[0]["state"] == "approved" and rows[0]["comment"] == "同意"


def test_an_approval_and_its_space_request_are_each_numbered_by_name(web: Web) -> None:
    # a bare "#4" beside 用房申请 read as space request 4, which the space page calls #3
    first, second = web.project("小空间"), web.project("厂房项目")
    with writing(web.app.engine) as session:
        small = request_space(session, web.park, project_id=first,
                              type="office", area=100, needed_by="2026-12-31",
                              actor=web.people["alice"])
        filed = request_space(session, web.park, project_id=second,
                              type="plant", area=800, needed_by="2026-12-31",
                              actor=web.people["alice"])
    assert not small["needs_approval"]  # a request without an approval: the numbers part
    assert filed["approval_id"] != filed["id"]
    inbox = web.signed_in("leader").get("/inbox").text
    assert f"审批 #{filed['approval_id']} · 用房申请 #{filed['id']}" in inbox
    assert "&lt;span" not in inbox  # the deadline kept whole, not escaped

    alice = web.signed_in("alice")
    post_form(alice, f"/approvals/{filed['approval_id']}/withdraw", {}, htmx=False)
    assert "“厂房项目”的用房申请：已撤回。" in alice.get("/inbox").text  # by name


def test_a_member_calling_the_approve_endpoint_gets_403(web: Web, large_request: int) -> None:
    client = web.signed_in("carol")
    assert f"/approvals/{large_request}/decision" not in client.get("/inbox").text
    response = post_form(client, f"/approvals/{large_request}/decision",
                         {"decision": "approve"}, form=f"form-decide-{large_request}")
    assert response.status_code == 403
    with reading(web.app.engine) as session:
        rows = list_approvals(session, web.park, viewer=web.people["leader"])
    assert rows[0]["state"] == "submitted"


def test_rejecting_without_a_comment_is_refused_in_place(web: Web, large_request: int) -> None:
    response = post_form(web.signed_in("leader"), f"/approvals/{large_request}/decision",
                         {"decision": "reject", "comment": ""},
                         form=f"form-decide-{large_request}")
    assert response.status_code == 422 and 'data-error-field="comment"' in response.text


def test_a_returned_request_is_answered_from_the_requesters_inbox(web: Web,
                                                                  large_request: int) -> None:
    post_form(web.signed_in("leader"), f"/approvals/{large_request}/decision",
              {"decision": "return", "comment": "请补充用途"})
    leader_inbox = web.signed_in("leader").get("/inbox").text
    decided = leader_inbox[leader_inbox.index('id="h-decided"'):]  # the leader finds it again
    assert f'data-approval="{large_request}"' in decided and "已退回补充" in decided
    space = web.signed_in("leader").get("/space").text
    requests = space[space.index('id="h-requests"'):].split("</table>")[0]
    assert "已退回补充" in requests and "待审批" not in requests
    alice = web.signed_in("alice")
    inbox = alice.get("/inbox").text
    assert "请补充用途" in inbox and f"/approvals/{large_request}/resubmit" in inbox
    assert 'id="h-decided"' not in inbox  # hers to answer: under her open requests only
    response = post_form(alice, f"/approvals/{large_request}/resubmit", {"note": "研发中试"})
    assert response.status_code == 200
    assert f'data-approval="{large_request}"' in web.signed_in("leader").get("/inbox").text


def test_the_inbox_lists_warnings_and_the_supervision_list(web: Web) -> None:
    fresh = web.project("刚逾期", intake="2026-11-10")   # due 11-17: 3 days overdue
    old = web.project("久逾期", intake="2026-10-20")     # due 10-27: 24 days overdue
    html = web.signed_in("leader").get("/inbox").text
    warnings = html[html.index('id="h-warnings"'):html.index('id="h-supervision"')]
    supervision = html[html.index('id="h-supervision"'):]
    assert f"/projects/{fresh}" in warnings and f"/projects/{old}" not in warnings
    assert f"/projects/{old}" in supervision and f"/projects/{fresh}" in supervision
    assert supervision.index(f"/projects/{old}") < supervision.index(f"/projects/{fresh}")
    mine = web.signed_in("bob").get("/inbox").text
    assert f"/projects/{old}" not in mine  # a member sees only their own


# ---------------------------------------------------------------- space

def test_the_space_inventory_lists_and_filters(web: Web) -> None:
    with writing(web.app.engine) as session:
        for carrier, area, kind in (("中安创谷", 300, "office"), ("创新产业园", 1200, "lab"),
                                    ("标准厂房", 6000, "plant")):
            add_listing(session, web.park, carrier=carrier, building="B1", unit="101",
                        area=area, type=kind, actor=web.people["admin"], now=web.clock.now())
    client = web.signed_in("alice")
    assert all(c in client.get("/space").text for c in ("中安创谷", "创新产业园", "标准厂房"))
    lab = client.get("/space?type=lab").text
    assert "创新产业园" in lab and "中安创谷" not in lab
    big = client.get("/space?min_area=1000").text
    assert "标准厂房" in big and "中安创谷" not in big


def test_listings_are_added_by_admins_and_leaders_only(web: Web) -> None:
    data = {"carrier": "中安创谷", "building": "B2", "unit": "301", "area": "800",
            "type": "office"}
    assert post_form(web.signed_in("alice"), "/space/listings", data).status_code == 403
    assert post_form(web.signed_in("admin"), "/space/listings", data).status_code == 200
    with reading(web.app.engine) as session:
        assert len(list_listings(session, web.park)) == 1


def test_a_cleared_request_is_offered_a_listing(web: Web) -> None:
    pid = web.project(events=("visit",))
    with writing(web.app.engine) as session:
        listing = add_listing(session, web.park, carrier="中安创谷", building="B2", unit="301",
                              area=400, type="office", actor=web.people["leader"],
                              now=web.clock.now())
        filed = request_space(session, web.park, project_id=pid, type="office", area=300,
                              needed_by="2026-12-31", actor=web.people["alice"])
    client = web.signed_in("alice")
    assert f"/space/requests/{filed['id']}/offer" in client.get("/space").text
    response = post_form(client, f"/space/requests/{filed['id']}/offer",
                         {"listing_id": str(listing.id)})
    assert response.status_code == 200
    assert "已推介" in client.get("/space").text


# ---------------------------------------------------------------- admin and account

def test_the_admin_page_is_for_admins_only(web: Web) -> None:
    assert web.signed_in("alice").get("/admin").status_code == 403
    html = web.signed_in("admin").get("/admin").text
    assert "alice@park.test" in html and "元旦" in html and "2026-01-01" in html


def test_an_admin_adds_a_person_who_can_then_sign_in(web: Web) -> None:
    admin = web.signed_in("admin")
    response = post_form(admin, "/admin/users",
                         {"email": "dave@park.test", "name": "戴维", "role": "member",
                          "group": "platform", "lang": "en", "password": "dave's passphrase"})
    assert response.status_code == 200
    client = web.client()
    login(client, "dave@park.test", "dave's passphrase")
    assert "Pipeline board" in client.get("/board").text  # in the language set for him


def test_adding_a_member_without_a_group_names_the_field(web: Web) -> None:
    response = post_form(web.signed_in("admin"), "/admin/users",
                         {"email": "eve@park.test", "name": "伊芙", "role": "member"},
                         form="form-add-user")
    assert response.status_code == 422 and 'data-error-field="group"' in response.text


def test_a_member_cannot_add_people(web: Web) -> None:
    response = post_form(web.signed_in("alice"), "/admin/users",
                         {"email": "x@park.test", "name": "X", "role": "admin"})
    assert response.status_code == 403
    with reading(web.app.engine) as session:
        assert session.execute(select(columns(User).id).where(
            columns(User).email == "x@park.test")).first() is None


def test_an_admin_imports_a_holiday_arrangement(web: Web) -> None:
    admin = web.signed_in("admin")
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,workday,元旦\n"
    response = admin.post("/admin/calendar", files={"file": ("2027.csv", csv.encode(),
                                                             "text/csv")},
                          data={"csrf_token": csrf(admin)}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/admin?year=2027"
    html = admin.get("/admin?year=2027").text
    assert "2027-01-01" in html and "2027.csv" in html


def test_api_tokens_are_shown_once_and_revoked_from_the_account_page(web: Web) -> None:
    client = web.signed_in("alice")
    created = post_form(client, "/account/tokens", {"name": "经济大脑"})
    assert created.headers["HX-Retarget"] == "#tokens"
    secret = re.search(r'id="new-token">(pf_[\w-]+)<', created.text).group(1)  # type: ignore[union-attr]
    assert web.client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {secret}"}).json()["email"] == web.people["alice"]
    page = client.get("/account").text
    assert secret not in page and secret[:11] in page
    token_id = re.search(r"/account/tokens/(\d+)/revoke", page).group(1)  # type: ignore[union-attr]
    assert post_form(client, f"/account/tokens/{token_id}/revoke", {}).status_code == 200
    assert web.client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 401


# ---------------------------------------------------------------- languages

def test_the_language_switch_is_remembered_on_the_person(web: Web) -> None:
    client = web.signed_in("alice")
    assert "项目看板" in client.get("/board").text
    response = client.post("/lang", data={"lang": "en", "next": "/board",
                                          "csrf_token": csrf(client)})
    assert response.headers["location"] == "/board"
    assert user_lang(web, "alice") == "en"
    again = web.signed_in("alice")  # a new session reads it from the person
    board = again.get("/board").text
    assert "Pipeline board" in board and 'lang="en"' in board
    client.post("/lang", data={"lang": "zh-CN", "csrf_token": csrf(client)})
    assert user_lang(web, "alice") == "zh-CN"


def test_a_visitor_may_switch_the_sign_in_page(web: Web) -> None:
    client = web.client()
    page = client.get("/login").text
    assert "登录" in page
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(client, "/login")})
    assert "Sign in" in client.get("/login").text


@pytest.mark.parametrize(("lang", "no_page", "wrong_method"), [
    ("zh-CN", "页面不存在。", "此地址不支持该请求方式。"),
    ("en", "There is no such page.", "This address does not accept that method.")])
def test_an_error_before_any_route_is_in_the_signed_in_persons_language_with_their_menu(
        web: Web, lang: str, no_page: str, wrong_method: str) -> None:
    # an unknown address and a GET on a POST-only route run no route dependency: the page
    # was in the browser's language with the signed-out header
    pid = web.project()
    with writing(web.app.engine) as session:
        session.execute(User.__table__.update()  # type: ignore[attr-defined]
                        .where(columns(User).email == web.people["alice"]).values(lang=lang))
    client = web.signed_in("alice")
    other = "zh-CN" if lang == "en" else "en"
    for path, status, message in (("/nope", 404, no_page),
                                  (f"/projects/{pid}/events/open", 405, wrong_method)):
        response = client.get(path, headers={"Accept-Language": other})
        assert response.status_code == status, path
        assert f'<html lang="{lang}">' in response.text, path
        assert message in response.text, path
        assert 'action="/logout"' in response.text, path  # the signed-in header
    signed_out = web.client().get("/nope", headers={"Accept-Language": other})
    assert f'<html lang="{other}">' in signed_out.text
    assert 'action="/logout"' not in signed_out.text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_page_renders_in_both_languages(web: Web, lang: str,
                                              large_request: int) -> None:
    pid = web.project("样例", intake="2026-11-05")
    with writing(web.app.engine) as session:
        for who in ("alice", "leader", "admin"):
            session.execute(User.__table__.update()  # type: ignore[attr-defined]
                            .where(columns(User).email == web.people[who]).values(lang=lang))
    pages = {"alice": ["/board", "/board?mine=1", "/projects", f"/projects/{pid}",
                       "/projects/new", "/inbox", "/space", "/account"],
             "leader": ["/inbox", f"/projects/{pid}"], "admin": ["/admin", "/space"]}
    marker = "项目看板" if lang == "zh-CN" else "Pipeline board"
    for who, paths in pages.items():
        client = web.signed_in(who)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path)
            assert f'<html lang="{lang}">' in response.text
        assert marker in client.get("/board").text


def test_overdue_projects_stay_overdue_as_the_clock_moves(web: Web) -> None:
    pid = web.project(intake="2026-11-13")
    client = web.signed_in("alice")
    assert cards(client.get("/board").text)[pid] == "due_soon"
    web.clock.advance(timedelta(hours=14))  # past 11-20 24:00
    assert cards(web.signed_in("alice").get("/board").text)[pid] == "overdue"


def test_the_board_shows_a_change_at_once_and_a_new_deadline_colour_the_next_minute(
        web: Web) -> None:
    client = web.signed_in("alice")
    first = web.project("甲")
    assert column_count(client.get("/board").text, "intake") == 1  # now cached
    web.project("乙", events=("visit",))  # a change writes history: the cache is stale
    html = client.get("/board").text
    assert column_count(html, "intake") == 1 and column_count(html, "visited") == 1
    assert f'data-project="{first}" data-status="on_time"' in html
    web.clock.set(datetime(2026, 11, 24, 0, 1, tzinfo=PARK_TZ))  # 甲's visit was due 11-23
    later = web.signed_in("alice").get("/board").text  # nothing written; the minute turned
    assert f'data-project="{first}" data-status="overdue"' in later


def test_approval_messages_name_the_project_and_the_request_never_their_numbers(
        web: Web) -> None:
    pid = web.project()  # 量子精密测量, entered 11-16: the visit is due
    alice, leader, second_tab = (web.signed_in("alice"), web.signed_in("leader"),
                                 web.signed_in("leader"))
    post_form(alice, f"/projects/{pid}/extensions", {"days": "10", "reason": "等待材料"})
    assert "“量子精密测量”的延期申请已报分管领导审批。" in alice.get(f"/projects/{pid}").text
    again = post_form(alice, f"/projects/{pid}/extensions", {"days": "5", "reason": "再等"},
                      form="form-extension")
    assert again.status_code == 409
    assert "“量子精密测量”本阶段已有待审批的延期申请" in again.text
    assert f"项目 {pid}" not in again.text and "（1）" not in again.text
    post_form(leader, "/approvals/1/decision", {"decision": "return", "comment": "请补充合同"})
    assert "“量子精密测量”的延期申请：已退回补充。" in leader.get("/inbox").text
    stale = post_form(second_tab, "/approvals/1/decision", {"decision": "approve"},
                      form="form-decide-1")
    assert "“量子精密测量”的延期申请当前为“已退回补充”，已不在待审批状态" in stale.text
    assert "审批 1" not in stale.text
    with writing(web.app.engine) as session:
        set_language(session, actor=web.people["alice"], lang="en")
    post_form(alice, f"/projects/{pid}/suspensions", {"reason": "Waiting for a permit"})
    assert "Suspension for “量子精密测量” sent to the leaders." in alice.get(
        f"/projects/{pid}").text
