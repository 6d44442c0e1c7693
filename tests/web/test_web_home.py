"""首页 and 我的待办 as pages: who lands where, and what they show on the park of
tests/support/home_dataset.py (Friday 2026-11-20; the figures are worked out by hand there)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from db.engine import writing
from tests.factories import SQLITE_ONLY
from tests.support.home_dataset import RETURN_COMMENT, VISIT_3_STARS, build
from tests.support.web import PASSWORD, Web, csrf_of
from workflow.approvals import decide
from workflow.projects import add_project, advance

pytestmark = SQLITE_ONLY  # the data is tested on both backends in tests/reports/test_today.py


@pytest.fixture
def ids(web: Web) -> dict[str, int]:
    return build(web.app.engine, web.park, web.clock, web.people)


def items(html: str, attribute: str) -> dict[str, str]:
    """The `<li>` blocks of a page by their data attribute (data-figure="visit" → its HTML)."""
    return {key: body for key, body in
            re.findall(rf'<li class="[^"]*" {attribute}="([^"]*)"[^>]*>(.*?)</li>', html, re.S)}


def links(fragment: str) -> list[tuple[str, str]]:
    """(href, text) of every link in a piece of a page."""
    return [(unescape(href), re.sub(r"<[^>]+>", "", text).strip())
            for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', fragment, re.S)]


def chips(fragment: str) -> list[str]:
    """The days-left chips of a piece of a page, as read."""
    return [text.strip() for text in
            re.findall(r'<span class="chip [^"]*days"[^>]*>(.*?)</span>', fragment, re.S)]


# ---------------------------------------------------------------- who lands where

@pytest.mark.parametrize(("who", "landing"), [("leader", "/home"), ("alice", "/todo"),
                                              ("carol", "/todo"), ("admin", "/board")])
def test_each_person_lands_on_their_first_page(web: Web, who: str, landing: str) -> None:
    client = web.client()
    page = client.get("/login")
    signed_in = client.post("/login", data={"email": web.people[who], "password": PASSWORD,
                                            "csrf_token": csrf_of(page.text)})
    assert signed_in.headers["location"] == "/"
    response = client.get("/")
    assert (response.status_code, response.headers["location"]) == (303, landing)
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_only_leaders_open_home_the_others_are_sent_to_their_first_page(web: Web,
                                                                        who: str) -> None:
    response = web.signed_in(who).get("/home")
    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_home_and_to_do_need_a_signed_in_person(web: Web) -> None:
    for path in ("/home", "/todo"):
        response = web.client().get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2F{path[1:]}"


def test_the_header_offers_home_to_leaders_and_the_to_do_list_to_members(web: Web) -> None:
    leader = web.signed_in("leader").get("/home").text
    assert '<a href="/home" aria-current="page">首页</a>' in leader
    assert 'href="/todo"' not in leader
    member = web.signed_in("alice").get("/todo").text
    assert '<a href="/todo" aria-current="page">我的待办</a>' in member
    assert 'href="/home"' not in member
    admin = web.signed_in("admin").get("/board").text
    assert 'href="/home"' not in admin and 'href="/todo"' not in admin
    assert '<a class="brand" href="/">' in admin


# ---------------------------------------------------------------- 首页

def test_home_shows_the_month_so_far_against_last_month_each_number_linked(
        web: Web, ids: dict[str, int]) -> None:
    html = web.signed_in("leader").get("/home").text
    assert "本月至今（2026-11-01 至 2026-11-20）与上月全月（2026年10月）对比" in html
    figures = items(html, "data-figure")
    assert list(figures) == ["intakes", "visit", "register", "sign", "open", "exit"]
    expected = {"intakes": ("新入库", 6, 5), "visit": ("走访", 1, 3), "register": ("注册", 1, 1),
                "sign": ("签约", 0, 1), "open": ("开业", 1, 0), "exit": ("退库", 1, 1)}
    for key, (label, this_month, last_month) in expected.items():
        figure = "intakes" if key == "intakes" else f"events.{key}"
        assert f'<span class="figure-label">{label}</span>' in figures[key]
        # a zero is not a link: no project is behind it (its list was a 404)
        assert links(figures[key]) == [
            (f"/reports/monthly/{month}/projects?figure={figure}", str(count))
            for month, count in (("2026-11", this_month), ("2026-10", last_month)) if count]
    client = web.signed_in("leader")
    for href, _count in links(figures["visit"]) + links(figures["open"]):
        assert client.get(href).status_code == 200


def test_home_shows_the_funnel_linked_to_the_project_list(web: Web,
                                                          ids: dict[str, int]) -> None:
    html = web.signed_in("leader").get("/home").text
    funnel = items(html, "data-state")
    assert {state: links(body) for state, body in funnel.items()} == {
        state: [(f"/projects?state={state}", str(count))] for state, count in
        (("intake", 6), ("visited", 2), ("registered", 1), ("signed", 0), ("opened", 1),
         ("exited", 2))}
    assert 'class="funnel-fill w100"' in funnel["intake"]
    assert 'class="funnel-fill w35"' in funnel["visited"]
    assert 'class="funnel-fill w0"' in funnel["signed"]


def test_home_colours_each_groups_overdue_count(web: Web, ids: dict[str, int]) -> None:
    html = web.signed_in("leader").get("/home").text
    groups = re.findall(r'<li class="light light-(\w+)" data-group="(\w*)" data-light="\w+">'
                        r'(.*?)</li>', html, re.S)
    assert [(group, colour, links(body)) for colour, group, body in groups] == [
        ("platform", "green", [("/projects?group=platform&overdue=1", "0")]),
        ("project", "red", [("/projects?group=project&overdue=1", "3")]),
        ("finance", "amber", [("/projects?group=finance&overdue=1", "1")]),
        ("general", "green", [("/projects?group=general&overdue=1", "0")])]
    assert "绿：无逾期；黄：1–2 个；红：3 个及以上。" in html
    assert '<a class="count count-overdue" href="/projects?overdue=1">4</a>' in html


def test_the_group_links_open_the_lists_they_count(web: Web, ids: dict[str, int]) -> None:
    client = web.signed_in("leader")
    listed = client.get("/projects?group=project&overdue=1").text
    for key in ("P3", "P7", "P11"):
        assert f'href="/projects/{ids[key]}"' in listed
    for key in ("P4", "P5", "P8", "P12"):
        assert f'href="/projects/{ids[key]}"' not in listed


def test_home_lists_pending_approvals_oldest_first_with_days_to_decide(
        web: Web, ids: dict[str, int]) -> None:
    html = web.signed_in("leader").get("/home").text
    approvals = items(html, "data-approval")
    assert list(approvals) == [str(ids["A1"]), str(ids["A2"])]  # A3 was returned
    first, second = approvals.values()
    assert links(first) == [(f"/inbox#approval-{ids['A1']}", "新材料")]
    assert "陈卡罗 · 2026-11-13 提交 · 请于 2026-11-18 前审批" in first
    assert chips(first) == ["逾期 2 天"]
    assert chips(second) == ["剩 4 天"]


def test_home_lists_star_projects_whose_follow_up_is_due(web: Web,
                                                         ids: dict[str, int]) -> None:
    html = web.signed_in("leader").get("/home").text
    section = html.split('id="h-follow-ups"')[1]
    rows = items(section, "data-project")
    assert list(rows) == [str(ids["P8"]), str(ids["P2"])]
    assert links(rows[str(ids["P8"])]) == [(f"/projects/{ids['P8']}", "工业软件")]
    assert "★★" in rows[str(ids["P8"])] and "上次走访或问询 2026-10-23" in rows[str(ids["P8"])]
    assert [chips(body) for body in rows.values()] == [["逾期 21 天"], ["逾期 3 天"]]


def test_home_shows_the_first_ten_rows_of_a_list_and_all_on_request(web: Web) -> None:
    with writing(web.app.engine) as session:
        for n in range(11):  # visited 11-05: each follow-up due since 11-12
            project = add_project(session, web.park, name=f"星级项目{n:02d}",
                                  category="tech_transfer", owner=web.people["alice"],
                                  actor=web.people["alice"], intake="2026-11-02")
            advance(session, web.park, project_id=project.id, event="visit",
                    actor=web.people["alice"], at="2026-11-05", fields=VISIT_3_STARS)
    client = web.signed_in("leader")
    section = client.get("/home").text.split('id="h-follow-ups"')[1]
    assert len(items(section, "data-project")) == 10
    assert ("/home?show=follow_ups#h-follow-ups", "显示全部 11 项") in links(section)
    everything = client.get("/home?show=follow_ups").text.split('id="h-follow-ups"')[1]
    assert len(items(everything, "data-project")) == 11
    assert "显示全部" not in everything


def test_an_empty_park_shows_zeros_and_friendly_lines(web: Web) -> None:
    html = web.signed_in("leader").get("/home").text
    for body in items(html, "data-figure").values():
        assert links(body) == [] and body.count(">0</span>") == 2
    assert "暂无待审批事项。" in html and "星级项目均已按周问询。" in html


def test_home_reads_in_english(web: Web, ids: dict[str, int]) -> None:
    client = web.signed_in("leader")
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_of(client.get("/home").text)})
    html = client.get("/home").text
    assert "This month so far (2026-11-01 to 2026-11-20) against all of last month " \
           "(October 2026)" in html
    assert "2 days overdue" in html and "4 days left" in html
    assert ">Home</a>" in html


def test_home_is_computed_again_after_any_change_and_when_the_day_turns(
        web: Web, ids: dict[str, int]) -> None:
    client = web.signed_in("leader")

    def intakes() -> str:
        return links(items(client.get("/home").text, "data-figure")["intakes"])[0][1]

    assert intakes() == "6"
    assert intakes() == "6"  # the same screen, kept
    web.project("今日入库项目", owner="bob", intake="2026-11-20")
    assert intakes() == "7"
    with writing(web.app.engine) as session:
        decide(session, web.park, approval_id=ids["A1"], decision="approve",
               actor=web.people["leader"])
    assert list(items(client.get("/home").text, "data-approval")) == [str(ids["A2"])]
    web.clock.advance(timedelta(days=1))  # Saturday: A2 is due Tuesday, 3 days on
    later = web.signed_in("leader").get("/home").text  # (yesterday's session has expired)
    assert chips(items(later, "data-approval")[str(ids["A2"])]) == ["剩 3 天"]


# ---------------------------------------------------------------- 我的待办

def test_a_members_to_do_with_days_left_and_overdue(web: Web, ids: dict[str, int]) -> None:
    html = web.signed_in("alice").get("/todo").text
    sections = dict(re.findall(r'<section class="panel todo-section" id="([\w-]+)"(.*?)</section>',
                               html, re.S))
    assert list(sections) == ["overdue", "due-soon", "follow-ups", "returned"]
    assert "3 天内到期" in sections["due-soon"]

    def rows(section: str) -> list[tuple[list[tuple[str, str]], list[str]]]:
        return [(links(body), chips(body)) for body in items(sections[section],
                                                             "data-project").values()]

    assert rows("overdue") == [([(f"/projects/{ids['P3']}", "智能网联")], ["逾期 11 天"])]
    assert rows("due-soon") == [([(f"/projects/{ids['P5']}", "柔性显示")], ["今天到期"]),
                                ([(f"/projects/{ids['P4']}", "氢能储运")], ["剩 3 天"])]
    assert rows("follow-ups") == [([(f"/projects/{ids['P2']}", "量子传感")], ["逾期 3 天"])]
    [returned] = items(sections["returned"], "data-approval").values()
    assert links(returned) == [(f"/inbox#approval-{ids['A3']}", "智能网联")]
    assert "2026-11-17 退回 · 本阶段截止 2026-11-09" in returned
    assert chips(returned) == ["逾期 11 天"]
    assert RETURN_COMMENT in returned
    assert f'href="/projects/{ids["P6"]}"' not in html  # four days ahead: not yet


def test_the_returned_request_opens_in_the_inbox_where_it_is_answered(
        web: Web, ids: dict[str, int]) -> None:
    inbox = web.signed_in("alice").get("/inbox").text
    article = inbox.split(f'id="approval-{ids["A3"]}"')[1].split("</article>")[0]
    assert f'action="/approvals/{ids["A3"]}/resubmit"' in article


def test_a_group_lead_sees_their_own_list_and_a_link_to_the_groups_overdue(
        web: Web, ids: dict[str, int]) -> None:
    html = web.signed_in("carol").get("/todo").text
    assert "本组（项目组）逾期：" in html
    assert '<a href="/projects?group=project&amp;overdue=1">3 个项目</a>' in html
    overdue = items(html.split('id="overdue"')[1].split("</section>")[0], "data-project")
    assert [chips(body) for body in overdue.values()] == [["逾期 18 天"], ["逾期 8 天"]]
    assert f'href="/projects/{ids["P3"]}"' not in html  # alice's, not carol's


def test_nothing_to_do_says_so_kindly(web: Web) -> None:
    html = web.signed_in("alice").get("/todo").text
    assert "今天没有待办：你的项目都在期限内，也没有等你处理的申请。" in html
    assert "todo-section" not in html
