"""The header's search box and the project list: search, sortable columns, pages, the
filter bar applied by htmx (and without it), the days-overdue column."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from db.engine import writing
from tests.factories import SQLITE_ONLY
from tests.support.web import Web, csrf
from workflow.projects import add_project

pytestmark = SQLITE_ONLY  # the matching itself runs on both in tests/workflow/test_search.py

PLACEHOLDER = 'placeholder="名称、公司、信用代码或拼音首字母"'
HTMX = {"HX-Request": "true", "HX-Target": "project-results"}


def listed(html: str) -> list[int]:
    """The project ids of the list's rows, in order."""
    return [int(pid) for pid in re.findall(r'<tr class="row-\w+" data-project="(\d+)"', html)]


def header(html: str, label: str) -> str:
    """The <th> of the column headed `label`."""
    match = re.search(rf'<th scope="col" class="sortable"[^>]*>(?:(?!</th>).)*?{label}'
                      r'(?:(?!</th>).)*</th>', html, re.S)
    assert match, label
    return match.group(0)


def row(html: str, project_id: int) -> str:
    match = re.search(rf'<tr class="row-\w+" data-project="{project_id}">.*?</tr>', html, re.S)
    assert match, project_id
    return match.group(0)


# ---------------------------------------------------------------- the search box

@pytest.mark.parametrize("path", ["/board", "/projects", "/inbox", "/space", "/account"])
def test_every_signed_in_page_has_the_labelled_search_box(web: Web, path: str) -> None:
    html = web.signed_in("alice").get(path).text
    form = re.search(r'<form class="topsearch" method="get" action="/projects" role="search"'
                     r' aria-label="搜索项目">.*?</form>', html, re.S)
    assert form, path
    assert '<label for="topsearch-q" class="visually-hidden">搜索项目</label>' in form.group(0)
    assert 'id="topsearch-q" name="q"' in form.group(0) and PLACEHOLDER in form.group(0)


def test_the_sign_in_page_has_no_search_box(web: Web) -> None:
    assert "topsearch" not in web.client().get("/login").text


def test_a_search_lists_what_it_finds_and_keeps_the_text_in_the_box(web: Web) -> None:
    quantum = web.project("量子精密测量仪器")
    web.project("合肥智能语音平台", owner="bob")
    client = web.signed_in("alice")
    html = client.get("/projects?q=lzjm").text
    assert listed(html) == [quantum]
    assert 'name="q" value="lzjm"' in html  # the box, and the filter form keeping it
    assert 'type="hidden" name="q" value="lzjm"' in html
    assert "搜索：lzjm" in html and "1 个项目" in html
    assert listed(client.get("/projects?q=精密").text) == [quantum]
    assert listed(client.get("/projects?q=赵博").text) != [quantum]
    nothing = client.get("/projects?q=lzjx").text
    assert listed(nothing) == [] and "没有找到符合搜索条件的项目。" in nothing


def test_a_single_exact_hit_opens_the_project(web: Web) -> None:
    quantum = web.project("量子精密测量仪器", events=("visit", "register"))
    web.project("量子通信")
    client = web.signed_in("alice")
    for exact in ("量子精密测量仪器", "合肥量子科技有限公司"):  # the name, the company
        response = client.get("/projects", params={"q": exact})
        assert (response.status_code, response.headers["location"]) == (
            303, f"/projects/{quantum}")
    partial = client.get("/projects?q=量子").text  # two hits: the list
    assert len(listed(partial)) == 2
    assert client.get("/projects?q=lzjmclyq").status_code == 200  # initials: not exact


# ---------------------------------------------------------------- sorting

@pytest.fixture
def three(web: Web) -> dict[str, int]:
    """At NOW (Fri 11-20 10:00): visit overdue 8 days, overdue 3 days, due 11-25."""
    return {"late": web.project("乙项目", intake="2026-11-05"),
            "later": web.project("甲项目", owner="bob", intake="2026-11-10"),
            "fresh": web.project("丙项目", owner="carol", intake="2026-11-18")}


def test_the_list_is_by_nearest_deadline_until_a_column_is_chosen(
        web: Web, three: dict[str, int]) -> None:
    client = web.signed_in("alice")
    html = client.get("/projects").text
    assert listed(html) == [three["late"], three["later"], three["fresh"]]
    due = header(html, "截止")
    assert 'aria-sort="ascending"' in due and 'href="/projects?sort=due&amp;dir=desc"' in due
    assert "aria-sort" not in header(html, "项目")
    assert 'href="/projects?sort=name&amp;dir=asc"' in header(html, "项目")
    assert 'href="/projects?sort=overdue&amp;dir=desc"' in header(html, "办理时限")


@pytest.mark.parametrize(("query", "order", "sorted_label", "aria"), [
    ("sort=due&dir=desc", ["fresh", "later", "late"], "截止", "descending"),
    ("sort=name&dir=asc", ["fresh", "later", "late"], "项目", "ascending"),  # bing jia yi
    ("sort=name&dir=desc", ["late", "later", "fresh"], "项目", "descending"),
    ("sort=overdue&dir=desc", ["late", "later", "fresh"], "办理时限", "descending"),
    ("sort=overdue&dir=asc", ["later", "late", "fresh"], "办理时限", "ascending"),
    ("sort=owner&dir=asc", ["fresh", "late", "later"], "负责人", "ascending"),  # chen li zhao
    ("sort=nonsense&dir=up", ["late", "later", "fresh"], "截止", "ascending"),
])
def test_a_column_header_sorts_the_list(web: Web, three: dict[str, int], query: str,
                                        order: list[str], sorted_label: str,
                                        aria: str) -> None:
    html = web.signed_in("alice").get(f"/projects?{query}").text
    assert listed(html) == [three[name] for name in order]
    assert f'aria-sort="{aria}"' in header(html, sorted_label)
    assert html.count("aria-sort=") == 1


def test_the_order_menu_offers_each_column_both_ways_and_sorts_the_list(
        web: Web, three: dict[str, int]) -> None:
    client = web.signed_in("alice")
    html = client.get("/projects").text
    assert '<label class="list-sort">排序' in html
    menu = re.search(r'<select name="order">(.*?)</select>', html, re.S)
    assert menu
    options = re.findall(r'<option value="([\w.]+)"( selected)?>([^<]+)</option>', menu.group(1))
    assert [value for value, _, _ in options] == [
        "due.asc", "due.desc", "overdue.desc", "overdue.asc", "stars.desc", "stars.asc",
        "name.asc", "name.desc", "state.asc", "state.desc", "owner.asc", "owner.desc"]
    assert [(value, label) for value, chosen, label in options if chosen] == [
        ("due.asc", "截止（升序）")]  # the list's own order until another is chosen
    # what the filter form sends when the menu is chosen: the order, and the filters kept
    chosen = client.get("/projects?order=overdue.asc&overdue=1").text
    assert listed(chosen) == [three["later"], three["late"]]
    assert 'aria-sort="ascending"' in header(chosen, "办理时限")
    assert '<option value="overdue.asc" selected>' in chosen
    assert 'href="/projects?overdue=1&amp;sort=name&amp;dir=asc"' in header(chosen, "项目")
    # the menu's order stands for a header's; one that means nothing is the list's own
    assert listed(client.get("/projects?order=name.asc&sort=due&dir=asc").text) == [
        three["fresh"], three["later"], three["late"]]  # bing jia yi
    assert listed(client.get("/projects?order=stars.sideways").text) == [
        three["late"], three["later"], three["fresh"]]
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(client)})
    english = client.get("/projects?order=owner.desc").text
    assert '<option value="owner.desc" selected>Owner, descending</option>' in english
    assert '<label class="list-sort">Sort by' in english


def test_sorting_keeps_the_filters_and_the_search(web: Web, three: dict[str, int]) -> None:
    html = web.signed_in("alice").get("/projects?q=项目&overdue=1&group=project").text
    assert listed(html) == [three["late"]]
    assert 'href="/projects?group=project&amp;overdue=1&amp;q=%E9%A1%B9%E7%9B%AE&amp;' \
           'sort=stars&amp;dir=desc"' in header(html, "星级")


# ---------------------------------------------------------------- pages

def test_the_list_comes_in_pages_of_fifty(web: Web) -> None:
    with writing(web.app.engine) as session:
        ids = [add_project(session, web.park, name=f"项目{n:03d}", category="alumni",
                           owner=web.people["alice"], actor=web.people["alice"],
                           intake="2026-11-16").id for n in range(53)]
    client = web.signed_in("alice")
    first = client.get("/projects?sort=name").text
    assert listed(first) == ids[:50]
    assert "53 个项目" in first and "第 1 / 2 页" in first
    assert 'rel="next"' in first and 'href="/projects?sort=name&amp;dir=asc&amp;page=2"' in first
    assert '<span class="pager-end" aria-disabled="true">上一页</span>' in first
    second = client.get("/projects?sort=name&dir=asc&page=2").text
    assert listed(second) == ids[50:]
    assert "第 2 / 2 页" in second and 'rel="prev"' in second
    assert 'href="/projects?sort=name&amp;dir=asc"' in second  # page 1 needs no number
    assert '<span class="pager-end" aria-disabled="true">下一页</span>' in second
    assert listed(client.get("/projects?sort=name&page=99").text) == ids[50:]  # the last
    assert listed(client.get("/projects?sort=name&page=x").text) == ids[:50]


def test_one_page_shows_no_pages(web: Web, three: dict[str, int]) -> None:
    html = web.signed_in("alice").get("/projects").text
    assert 'class="pager"' not in html and "3 个项目" in html


# ---------------------------------------------------------------- filter bar and htmx

def test_the_filter_bar_has_the_stage_and_overdue_filters_applied_by_htmx(
        web: Web, three: dict[str, int]) -> None:
    html = web.signed_in("alice").get("/projects").text
    form = re.search(r'<form method="get" action="/projects" class="filters".*?</form>', html,
                     re.S)
    assert form
    bar = form.group(0)
    assert ('hx-get="/projects" hx-trigger="change, submit" hx-target="#project-results" '
            'hx-push-url="true"') in bar
    assert '<select name="state">' in bar
    assert '<option value="visited">已走访·待注册</option>' in bar
    assert '<input type="checkbox" name="overdue" value="1">' in bar
    assert '<button type="submit">筛选</button>' in bar  # without JavaScript: a plain GET
    assert '<div id="project-results">' in html


def test_without_javascript_the_stage_and_overdue_filters_load_the_page(web: Web) -> None:
    late = web.project("迟了", intake="2026-11-05")
    visited = web.project("走访过", intake="2026-11-16", events=("visit",))
    client = web.signed_in("alice")
    overdue = client.get("/projects?state=&overdue=1&group=&owner=").text
    assert listed(overdue) == [late] and "<h1>逾期项目</h1>" in overdue
    assert '<input type="checkbox" name="overdue" value="1" checked>' in overdue
    by_stage = client.get("/projects?state=visited").text
    assert listed(by_stage) == [visited] and "<h1>已走访·待注册</h1>" in by_stage
    assert '<option value="visited" selected>' in by_stage
    assert 'class="clear" href="/projects">清除筛选' in by_stage


def test_htmx_gets_the_results_alone_with_the_heading_out_of_band(
        web: Web, three: dict[str, int]) -> None:
    client = web.signed_in("alice")
    response = client.get("/projects?overdue=1&sort=overdue&dir=asc", headers=HTMX)
    part = response.text
    assert response.status_code == 200 and "<html" not in part and "topsearch" not in part
    assert listed(part) == [three["later"], three["late"]]
    assert '<div class="page-head" id="project-head" hx-swap-oob="true">' in part
    assert "<h1>逾期项目</h1>" in part
    assert '<span id="list-order" class="list-order" hx-swap-oob="true">' in part
    # the order menu too, so the form keeps the order a column header chose
    assert '<span id="list-sort" class="list-order" hx-swap-oob="true">' in part
    assert '<option value="overdue.asc" selected>办理时限（升序）</option>' in part
    assert 'hx-target="#project-results" hx-push-url="true"' in part  # its links stay htmx
    assert "HX-Request" in response.headers["vary"]
    # back in history, htmx asks for the whole page again
    restore = client.get("/projects?overdue=1", headers={**HTMX,
                                                          "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_an_exact_hit_through_htmx_stays_in_the_list(web: Web) -> None:
    quantum = web.project("量子精密测量仪器")
    response = web.signed_in("alice").get("/projects?q=量子精密测量仪器", headers=HTMX)
    assert response.status_code == 200 and listed(response.text) == [quantum]


# ---------------------------------------------------------------- days overdue

def test_the_days_overdue_column_counts_park_days_in_red(web: Web,
                                                         three: dict[str, int]) -> None:
    html = web.signed_in("alice").get("/projects").text
    assert '<span class="overdue-text">逾期 8 天</span>' in row(html, three["late"])
    assert '<span class="overdue-text">逾期 3 天</span>' in row(html, three["later"])
    # not due yet (its last day is Wed 11-25): the days left instead, in a column whose
    # heading fits both (逾期天数 over “剩 5 天” read wrong)
    assert ('<td class="nowrap days-overdue" data-label="办理时限">'
            '<span class="left-text">剩 5 天</span></td>') in row(html, three["fresh"])


def test_the_days_overdue_follow_the_clock(web: Web, three: dict[str, int]) -> None:
    web.clock.advance(timedelta(days=2))  # Sun 11-22 10:00: the third is not due yet (11-25)
    html = web.signed_in("alice").get("/projects").text
    assert "逾期 10 天" in row(html, three["late"]) and "逾期 5 天" in row(html, three["later"])
    assert "overdue-text" not in row(html, three["fresh"])


def test_the_list_reads_in_english_too(web: Web, three: dict[str, int]) -> None:
    client = web.signed_in("alice")
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(client)})
    html = client.get("/projects?sort=overdue").text
    assert '<span class="overdue-text">8 days overdue</span>' in row(html, three["late"])
    # the column holds days left as well as days overdue: headed by neither
    assert 'aria-sort="descending"' in header(html, "Deadline")
    assert ('<td class="nowrap days-overdue" data-label="Deadline">'
            '<span class="left-text">5 days left</span></td>') in row(html, three["fresh"])
    assert "Days overdue" not in html
    assert 'placeholder="Name, company, code or pinyin"' in html  # fits the desk's header
    assert 'title="Name, company, credit code or pinyin initials"' in html


# ---------------------------------------------------------------- the strict CSP

def test_the_list_keeps_to_the_strict_csp(web: Web, three: dict[str, int]) -> None:
    response = web.signed_in("alice").get("/projects?q=项目&sort=stars")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert not re.search(r"<style|\sstyle=|\son\w+=", html)  # no inline style or handler
