"""The project page finished (issue 10 §4): the stage progress bar, 剩/逾期 days on cards, rows
and the page, the approval route, an offer's details and the empty states of the space page.

The clock stands at NOW, Fri 2026-11-20 10:00 park time. Deadlines by the definition: the visit
7 days after intake, registration 1 month after intake, signing 1 month after registration.
"""

from __future__ import annotations

import re
from datetime import timedelta

from db.engine import writing
from tests.factories import SQLITE_ONLY
from tests.support.web import WEB_FIELDS, Web, csrf_of, post_form
from workflow.projects import add_project, advance
from workflow.space import add_listing
from workflow.users import add_user, deactivate_user

pytestmark = SQLITE_ONLY


def entered(web: Web, name: str, intake: str, *steps: tuple[str, str]) -> int:
    """A project of alice's entered on `intake`, then moved by (event, day) steps."""
    with writing(web.app.engine) as session:
        project = add_project(session, web.park, name=name, category="tech_transfer",
                              owner=web.people["alice"], actor=web.people["alice"],
                              intake=intake)
        for event, day in steps:
            advance(session, web.park, project_id=project.id, event=event,
                    actor=web.people["alice"], at=f"{day}T10:00:00+08:00",
                    fields=WEB_FIELDS[event])
    return project.id


def text(html: str) -> str:
    """What a person reads: tags gone, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def stage(html: str, milestone: str) -> tuple[str, str]:
    """The status and the text of one stage of the bar."""
    match = re.search(rf'<li class="stage [^"]*" data-milestone="{milestone}" '
                      r'data-status="(\w+)"[^>]*>(.*?)</li>', html, re.S)
    assert match, milestone
    return match.group(1), text(match.group(2))


# ---------------------------------------------------------------- the progress bar

def test_the_bar_shows_each_stage_date_the_days_it_took_and_the_days_allowed(web: Web) -> None:
    pid = entered(web, "量子测量", "2026-11-02", ("visit", "2026-11-05"),
                  ("register", "2026-11-10"))
    html = web.signed_in("alice").get(f"/projects/{pid}").text
    assert stage(html, "intake") == ("done", "入库 2026-11-02")
    # the visit was due 7 days after intake (Mon 11-09): 3 days of 7
    assert stage(html, "visit") == ("done", "走访 2026-11-05 用时 3 天 限 7 天")
    # registration was due 1 month after intake (Wed 12-02): 5 days after the visit, of 27
    assert stage(html, "register") == ("done", "注册 2026-11-10 用时 5 天 限 27 天")
    # signing is under way, due 1 month after registration (Thu 12-10): 10 days of 30
    assert stage(html, "sign") == ("current", "签约 截止 2026-12-10 已用 10 天 限 30 天")
    assert stage(html, "open") == ("todo", "开业 —")
    assert 'data-milestone="sign" data-status="current" aria-current="step"' in html


def test_in_english_the_stages_are_headed_with_a_capital(web: Web) -> None:
    # the definition's English labels sit inside sentences ("intake 2026-11-02 + 7 days")
    pid = entered(web, "量子测量", "2026-11-02", ("visit", "2026-11-05"))
    client = web.signed_in("alice")
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_of(client.get("/board").text)})
    html = client.get(f"/projects/{pid}").text

    assert [stage(html, name)[1].split()[0] for name in ("intake", "visit", "register")] == [
        "Intake", "Visit", "Registration"]


def test_a_stage_reached_after_its_due_day_is_late_and_a_missed_one_overdue(web: Web) -> None:
    late = entered(web, "晚走访", "2026-11-02", ("visit", "2026-11-12"))
    html = web.signed_in("alice").get(f"/projects/{late}").text
    assert stage(html, "visit") == ("late", "走访 2026-11-12 用时 10 天 限 7 天 超期")
    assert stage(html, "register") == ("current", "注册 截止 2026-12-02 已用 8 天 限 20 天")
    missed = entered(web, "未走访", "2026-11-02")
    html = web.signed_in("alice").get(f"/projects/{missed}").text
    assert stage(html, "visit") == ("overdue", "走访 截止 2026-11-09 已用 18 天 限 7 天 逾期")
    assert stage(html, "register") == ("todo", "注册 截止 2026-12-02")


def test_a_stage_finished_within_its_extension_is_on_time(web: Web) -> None:
    pid = entered(web, "延期走访", "2026-11-02")  # the visit was due Mon 11-09
    alice, leader = web.signed_in("alice"), web.signed_in("leader")
    post_form(alice, f"/projects/{pid}/extensions", {"days": "15", "reason": "企业负责人出差"})
    post_form(leader, "/approvals/1/decision", {"decision": "approve", "comment": "同意"})
    with writing(web.app.engine) as session:  # visited on Fri 11-20, within the new Tue 11-24
        advance(session, web.park, project_id=pid, event="visit", actor=web.people["alice"],
                fields=WEB_FIELDS["visit"])
    html = alice.get(f"/projects/{pid}").text
    assert stage(html, "visit") == ("done", "走访 2026-11-20 用时 18 天 限 22 天")


# ---------------------------------------------------------------- 剩 N 天 / 逾期 N 天

def test_days_left_and_overdue_on_the_card_the_row_and_the_page(web: Web) -> None:
    missed = entered(web, "未走访", "2026-11-02")          # due Mon 11-09: 11 days overdue
    fresh = entered(web, "刚入库", "2026-11-18")           # due Wed 11-25: 5 days left
    today = entered(web, "今天到期", "2026-11-13")         # due Fri 11-20: today
    client = web.signed_in("alice")
    board = client.get("/board").text
    card = {pid: "".join(re.findall(rf'<article class="card[^"]*" data-project="{pid}".*?'
                                    r'</article>', board, re.S)) for pid in (missed, fresh, today)}
    assert '<span class="overdue-text">逾期 11 天</span>' in card[missed]
    assert '<span class="left-text">剩 5 天</span>' in card[fresh]
    assert '<span class="left-text due-today">今天到期</span>' in card[today]
    rows = client.get("/projects").text
    assert re.search(rf'data-project="{fresh}">.*?剩 5 天.*?</tr>', rows, re.S)
    assert re.search(rf'data-project="{missed}">.*?逾期 11 天.*?</tr>', rows, re.S)
    page = text(client.get(f"/projects/{fresh}").text)
    assert "2026-11-25 周三 24:00 按期 剩 5 天" in page
    assert "逾期 11 天" in text(client.get(f"/projects/{missed}").text)
    web.clock.advance(timedelta(days=6))  # Thu 11-26: one day late
    assert "逾期 1 天" in text(web.signed_in("alice").get(f"/projects/{fresh}").text)


# ---------------------------------------------------------------- the approval route

def route(html: str, approval_id: int) -> str:
    match = re.search(rf'data-approval="{approval_id}".*?<ol class="route"[^>]*>(.*?)</ol>',
                      html, re.S)
    assert match, approval_id
    return text(match.group(1))


def test_the_route_shows_a_return_a_resubmission_and_the_approval(web: Web) -> None:
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    alice, leader = web.signed_in("alice"), web.signed_in("leader")
    post_form(alice, f"/projects/{pid}/extensions", {"days": "10", "reason": "等待材料"})
    # waiting: with the leader, due in 3 working days (Wed 11-25)
    assert route(alice.get(f"/projects/{pid}").text, 1) == (
        "李爱丽 发起申请 2026-11-20 10:00 等待材料 等待 王主任 审批 请于 2026-11-25 24:00 前审批")
    post_form(leader, "/approvals/1/decision", {"decision": "return", "comment": "请补充合同"})
    web.clock.advance(timedelta(hours=2))
    assert route(alice.get("/inbox").text, 1).endswith(
        "王主任 已退回补充 2026-11-20 10:00 请补充合同 等待 李爱丽 补充后重新提交")
    post_form(alice, "/approvals/1/resubmit", {"note": "已附合同"})
    post_form(leader, "/approvals/1/decision", {"decision": "approve", "comment": "同意"})
    assert route(alice.get(f"/projects/{pid}").text, 1) == (
        "李爱丽 发起申请 2026-11-20 10:00 等待材料 "
        "王主任 已退回补充 2026-11-20 10:00 请补充合同 "
        "李爱丽 已重新提交 2026-11-20 12:00 已附合同 "
        "王主任 已批准 2026-11-20 12:00 同意")
    assert route(leader.get("/inbox").text, 1).endswith("王主任 已批准 2026-11-20 12:00 同意")


def test_the_route_waits_only_with_leaders_still_in_the_team(web: Web) -> None:
    with writing(web.app.engine) as session:
        for email, name in (("vice@park.example", "陈副主任"), ("gone@park.example", "赵前任")):
            add_user(session, web.park.lifecycle, email=email, name=name, role="leader",
                     now=web.clock.now())
        deactivate_user(session, web.park.lifecycle, actor=web.people["admin"],
                        email="gone@park.example", now=web.clock.now())
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    alice = web.signed_in("alice")
    post_form(alice, f"/projects/{pid}/extensions", {"days": "10", "reason": "等待材料"})
    waiting = route(alice.get(f"/projects/{pid}").text, 1)
    assert "等待 王主任、陈副主任 审批" in waiting and "赵前任" not in waiting


# ---------------------------------------------------------------- space: offers, empty states

def test_an_area_is_shown_as_typed_never_rounded_up_to_the_threshold(web: Web) -> None:
    # 999.5 m² goes straight to matching; shown as "1,000 m²" it looked like a rule broken
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    alice = web.signed_in("alice")
    post_form(alice, f"/projects/{pid}/space-requests",
              {"type": "office", "area": "999.5", "needed_by": "2026-12-20"})
    page, space = text(alice.get(f"/projects/{pid}").text), text(alice.get("/space").text)

    assert "办公用房 999.5 m²" in page and "办公用房 999.5 m²" in space
    assert "1,000 m² 待" not in page

def test_an_offer_shows_the_listing_by_name_the_note_and_the_requester_by_name(web: Web) -> None:
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    with writing(web.app.engine) as session:
        add_listing(session, web.park, carrier="中安创谷", building="B2", unit="302",
                    area=320, type="office", actor=web.people["leader"], now=web.clock.now())
    alice = web.signed_in("alice")
    post_form(alice, f"/projects/{pid}/space-requests",
              {"type": "office", "area": "300", "needed_by": "2026-12-20"})
    space = alice.get("/space").text
    assert ">#1 " not in space and "中安创谷 B2 302 · 320 m²" in space  # the offer's choice
    post_form(alice, "/space/requests/1/offer", {"listing_id": "1", "note": "面积略大，企业同意"})
    page = text(alice.get(f"/projects/{pid}").text)
    assert ("已推介 中安创谷 B2 302 载体 中安创谷 楼栋 B2 房号 302 面积（m²） 320 "
            "备注 面积略大，企业同意 推介人 李爱丽 · 2026-11-20") in page
    assert "李爱丽" in page and web.people["alice"] not in text(alice.get("/space").text)
    space = text(alice.get("/space").text)
    assert "中安创谷 B2 302 · 320 m² 面积略大，企业同意" in space and "为 量子测量 预留" in space


def test_a_decision_takes_the_place_of_the_path_reason(web: Web) -> None:
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    alice = web.signed_in("alice")
    post_form(alice, f"/projects/{pid}/space-requests",
              {"type": "office", "area": "1200", "needed_by": "2026-12-20"})
    def request() -> str:
        match = re.search(r'<li class="space-request" data-request="1">.*?</li>',
                          alice.get(f"/projects/{pid}").text, re.S)
        assert match
        return text(match.group(0))

    assert request().endswith("办公用房 1,200 m² ≥ 1,000 m²，须先报分管领导审批")
    post_form(web.signed_in("leader"), "/approvals/1/decision",
              {"decision": "approve", "comment": "同意"})
    assert request().endswith("已批准 王主任 · 2026-11-20: 同意")
    assert "须先报分管领导审批" not in request()


def test_the_space_page_says_what_to_do_when_empty_and_never_blames_filters_unset(
        web: Web) -> None:
    client = web.signed_in("alice")
    empty = text(client.get("/space").text)
    assert "尚无房源：管理员或分管领导可在此添加" in empty
    assert "没有符合条件的房源" not in empty
    assert "尚无用房申请：在项目页“记录进展 → 用房申请”中提出。" in empty
    filtered = text(client.get("/space?type=lab").text)
    assert "没有符合条件的房源" in filtered and "尚无房源" not in filtered


def test_the_project_list_says_what_to_do_when_the_park_is_empty(web: Web) -> None:
    client = web.signed_in("alice")
    assert "尚无项目：点击“项目入库”添加第一个。" in text(client.get("/projects").text)
    filtered = text(client.get("/projects?overdue=1").text)
    assert "没有符合筛选条件的项目" in filtered or "No project matches" not in filtered
    assert "尚无项目" not in filtered


def test_a_request_waiting_for_a_listing_is_withdrawn_from_its_project_and_not_filed_twice(
        web: Web) -> None:
    # four identical 50 m² requests stood on one project, none could be taken back
    pid = entered(web, "量子测量", "2026-11-16", ("visit", "2026-11-17"))
    alice = web.signed_in("alice")
    fields = {"type": "office", "area": "50", "needed_by": "2026-12-20"}
    post_form(alice, f"/projects/{pid}/space-requests", fields)
    again = post_form(alice, f"/projects/{pid}/space-requests", fields)
    assert again.status_code == 409 and "相同的申请已在办理中：用房申请 1" in again.text

    page = alice.get(f"/projects/{pid}").text
    assert 'action="/space/requests/1/withdraw"' in page
    assert 'action="/space/requests/1/withdraw"' not in web.signed_in("leader").get(
        f"/projects/{pid}").text  # only the requester takes it back
    post_form(alice, "/space/requests/1/withdraw", {}, htmx=False)
    page = text(alice.get(f"/projects/{pid}").text)
    assert "用房申请 #1 已撤回" in page and "办公用房 50 m² 已撤回" in page
    assert post_form(alice, f"/projects/{pid}/space-requests", fields).status_code == 200
