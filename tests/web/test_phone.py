"""Every page on a phone (390×844, the WeCom or DingTalk in-app browser) and on a desk
(1440 wide), as a member, a leader and an admin, in Debian's chromium: nothing scrolls
sideways, and a screenshot of each page is kept in test-artifacts/ (git-ignored). The report
mails' HTML parts are looked at on the phone too.

The park is the one of 首页 and 我的待办 (tests/support/home_dataset.py: twelve projects, three
approvals) with two units of space and two space requests: a large one waiting for a leader,
a small one offered a unit.
"""

from __future__ import annotations

from typing import Any

import pytest

from db.engine import writing
from notifications.render import render_message
from tests.factories import SQLITE_ONLY
from tests.support.browser import NEEDS_CHROMIUM, NO_SIDEWAYS_SCROLL, Site, screenshot, sign_in
from tests.support.mail import mail_context
from tests.support.phone_park import pages, park
from tests.support.web import WEB_FIELDS, Web
from workflow.approvals import decide
from workflow.projects import advance, follow_up

pytestmark = [NEEDS_CHROMIUM, SQLITE_ONLY]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}

# what sticks out past the right edge, to say which element makes the page slide sideways
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                && el.getClientRects().length && !el.closest('.visually-hidden'))
  .slice(0, 8).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
                         + ' ' + Math.round(el.getBoundingClientRect().right))"""

# dates and times whose digits the line breaks apart ("2026-12-" / "06"), with their text
BROKEN_DATES = r"""() => {
  const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const date = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(date)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                       .map(r => Math.round(r.bottom)));
      if (lines.size > 1) found.push(node.parentElement.className + ': ' + match[0]);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("who", ["alice", "leader", "admin"])
def test_every_page_fits_the_screen_without_sliding_sideways(
        site: Site, page: Any, who: str, width: int) -> None:
    ids = park(site.web)
    page.set_viewport_size(PHONE if width == 390 else DESK)
    sign_in(page, site, who, then=None)
    failures = {}
    for name, path in pages(who, ids):
        response = page.goto(f"{site.base}{path}")
        assert response.status == 200, (path, response.status)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            failures[name] = page.evaluate(WIDE_ELEMENTS)
        if broken := page.evaluate(BROKEN_DATES):
            failures[f"{name} dates"] = broken
        screenshot(page, f"phone-{who}-{name}-{width}")
    assert not failures, failures


# every control a thumb may tap in the page's main part, smaller than 44×44 px (a checkbox
# or radio counts by its label, which takes the tap)
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea, main button, main a.button,'
    + ' main summary, .topbar button, .topbar input')]
  .filter(el => el.getClientRects().length && !el.matches('.visually-hidden'))
  .map(el => ['checkbox', 'radio'].includes(el.type) ? (el.closest('label') || el) : el)
  .filter(el => { const box = el.getBoundingClientRect();
                  return box.height < 44 || box.width < 44; })
  .map(el => (el.name || el.className || el.tagName) + ' '
             + Math.round(el.getBoundingClientRect().width) + 'x'
             + Math.round(el.getBoundingClientRect().height))"""
# a form's fields side by side: the lefts of the fields in a .field-row
FIELD_ROW_LEFTS = """() => [...document.querySelectorAll('main .field-row')]
  .filter(row => row.getClientRects().length)
  .map(row => [...row.children].map(el => Math.round(el.getBoundingClientRect().left)))"""
VISIBLE = "el => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none'"


UNBROKEN = "HF-2026-😀-" + "X" * 300  # no space, no break opportunity in 300 characters


def test_a_long_unbroken_value_wraps_and_never_widens_a_phone_page(site: Site,
                                                                   page: Any) -> None:
    # an agreement number of 310 characters made the project page 2,641 px wide on a phone,
    # and a long search made the list's “搜索：…” line as wide
    web = site.web
    alice = web.people["alice"]
    pid = web.project("HF-" + "X" * 197, events=("visit",))  # a name takes 200 at most
    with writing(web.app.engine) as session:
        advance(session, web.park, project_id=pid, event="register", actor=alice,
                fields={**WEB_FIELDS["register"], "company_name": "HF-" + "X" * 197,
                        "address": UNBROKEN})
        advance(session, web.park, project_id=pid, event="sign", actor=alice,
                fields={"agreement_no": "HF-2026-😀-" + "X" * 40})  # its limit: 50
        follow_up(session, web.park, project_id=pid, actor=alice, note=UNBROKEN)
    page.set_viewport_size(PHONE)
    sign_in(page, site, "alice", then=None)
    failures = {}
    for path in (f"/projects/{pid}", "/projects?q=" + "X" * 100, "/projects?q=HF-2026",
                 "/projects", "/board", "/board?mine=1", "/todo"):
        page.goto(site.base + path)
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            failures[path] = page.evaluate(WIDE_ELEMENTS)
        screenshot(page, "phone-long-value-" + path.strip("/").replace("/", "-")[:40])
    assert not failures, failures


# the height of every project link of a to-do list, and its text
TODO_LINKS = """() => [...document.querySelectorAll('.todo-main a')].map(el =>
  [el.innerText.trim(), Math.round(el.getBoundingClientRect().height)])"""


@pytest.mark.parametrize(("who", "path"), [("alice", "/todo"), ("leader", "/home")])
def test_on_a_phone_a_to_do_s_project_is_a_thumb_high(site: Site, page: Any, who: str,
                                                      path: str) -> None:
    # 我的待办's project names were links 16 px high, hard to hit with a thumb
    park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, who, then=path)
    links = page.evaluate(TODO_LINKS)
    assert links, path
    assert [link for link in links if link[1] < 44] == [], path


def test_on_a_phone_the_header_folds_into_a_menu(site: Site, page: Any) -> None:
    park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, "leader", then=None)
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.locator(".badge").inner_text() == "3"  # waiting for the leader's decision
    assert page.locator(".mainnav").is_hidden() and page.locator(".topsearch").is_hidden()
    assert page.locator(".topbar").evaluate("el => el.getBoundingClientRect().height") <= 60
    screenshot(page, "phone-menu-folded")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    links = page.locator(".mainnav a")
    assert links.first.is_visible()
    assert all(height >= 44 for height in links.evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"))
    assert page.locator(".topbar").get_by_role("button", name="退出").is_visible()
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Escape")
    assert page.locator(".mainnav").is_hidden()

    toggle.click()
    page.locator(".mainnav").get_by_role("link", name="空间").click()
    page.wait_for_url(f"{site.base}/space")
    assert page.locator(".mainnav").is_hidden()  # a new page starts folded

    # the English name is longer: it wraps beside the menu button, which keeps its line
    page.locator(".menu-toggle").click()
    page.locator(".topbar").get_by_role("button", name="English").click()
    page.wait_for_url(f"{site.base}/space")
    brand, toggle_box = (page.locator(selector).bounding_box()
                         for selector in (".brand", ".menu-toggle"))
    assert toggle_box["y"] < brand["y"] + brand["height"], (brand, toggle_box)
    assert page.locator(".topbar").evaluate("el => el.getBoundingClientRect().height") <= 60
    screenshot(page, "phone-menu-folded-en")


def test_on_a_phone_the_board_shows_one_stage_at_a_time_by_its_tab(
        site: Site, page: Any) -> None:
    park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, "alice")
    tabs = page.locator(".board-tab")
    assert [" ".join(tab.split()) for tab in tabs.all_inner_texts()][:2] == \
        ["已入库·待走访 6", "已走访·待注册 2"]
    shown = page.locator(".column").evaluate_all(f"els => els.filter({VISIBLE})"
                                                 ".map(el => el.dataset.state)")
    assert shown == ["intake"]
    assert page.locator(".column-intake .card").count() == 6

    tabs.filter(has_text="已走访·待注册").click()
    assert page.locator(".column").evaluate_all(
        f"els => els.filter({VISIBLE}).map(el => el.dataset.state)") == ["visited"]
    assert page.locator(".column-visited .card").all_inner_texts()[0].startswith("工业软件")
    assert page.url.endswith("/board#stage=visited")
    page.reload()  # the stage chosen stays in the address
    assert page.locator(".board-tab[aria-selected=true]").get_attribute("data-tab") == "visited"
    assert page.locator(".column-visited").is_visible()
    assert page.locator(".column-intake").is_hidden()
    screenshot(page, "phone-board-visited-tab")
    # a tap anywhere on a card opens its project, not only on its name
    card = page.locator(".column-visited .card").first
    project = card.get_attribute("data-project")
    meta = card.locator(".card-meta").first.bounding_box()
    assert meta
    page.mouse.click(meta["x"] + meta["width"] / 2, meta["y"] + meta["height"] / 2)
    page.wait_for_url(f"**/projects/{project}", timeout=5000)


def test_on_a_phone_tables_are_cards_whose_cells_say_what_they_are(
        site: Site, page: Any) -> None:
    ids = park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, "alice", then="/projects?sort=name")
    row = page.locator(f"tr[data-project='{ids['P3']}']")
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.locator(".project-list thead").evaluate(
        "el => el.getBoundingClientRect().height") <= 1
    labels = row.locator("td").evaluate_all(
        "els => els.map(el => { const label = getComputedStyle(el, '::before');"
        " return label.display === 'none' ? 'none' : label.content; })")
    assert labels == ['"#"', "none", '"阶段"', '"负责人"', '"小组"', '"星级"', '"截止"',
                      '"办理时限"', '"状态"']  # the project's name is the card's title
    cells = row.locator("td").evaluate_all("els => els.map(el => el.innerText.trim())")
    assert cells[1].startswith("智能网联") and cells[6] == "2026-11-09"
    assert row.evaluate("el => el.getBoundingClientRect().width") <= PHONE["width"]
    screenshot(page, "phone-project-list-cards")


STARS_OF_CARDS = """els => els.map(el => (el.querySelector('td[data-label="星级"]')
                                           ?.innerText.match(/★/g) || []).length)"""


def test_on_a_phone_the_order_menu_sorts_the_cards(site: Site, page: Any) -> None:
    park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, "alice", then="/projects?overdue=1")
    menu = page.locator("select[name=order]")
    assert menu.is_visible() and menu.input_value() == "due.asc"
    before = page.locator(".project-list tbody tr").count()
    with page.expect_response(lambda r: "order=stars.desc" in r.url):
        menu.select_option("stars.desc")  # htmx asks for the results on the change
    page.wait_for_function("() => location.search.includes('order=stars.desc')")
    rows = page.locator(".project-list tbody tr")
    stars = rows.evaluate_all(STARS_OF_CARDS)
    assert len(stars) == before and stars == sorted(stars, reverse=True) and stars[0] > 0
    assert page.locator("input[name=overdue]").is_checked()  # the filter kept
    screenshot(page, "phone-project-list-by-stars")
    page.reload()  # the order stays in the address
    assert page.locator("select[name=order]").input_value() == "stars.desc"


def test_on_a_desk_the_column_headers_sort_and_the_menu_is_hidden(
        site: Site, page: Any) -> None:
    park(site.web)
    page.set_viewport_size(DESK)
    sign_in(page, site, "alice", then="/projects")
    assert page.locator("select[name=order]").is_hidden()
    page.locator("th.sortable a", has_text="星级").click()
    page.wait_for_function("() => location.search.includes('sort=stars')")
    # the hidden menu follows, so a filter chosen next keeps the header's order
    page.wait_for_function(
        "() => document.querySelector('select[name=order]').value === 'stars.desc'")
    with page.expect_response(lambda r: "overdue=1" in r.url) as filtered:
        page.locator("input[name=overdue]").check()
    assert "order=stars.desc" in filtered.value.url  # the form sent the header's order
    stars = page.locator(".project-list tbody tr").evaluate_all(STARS_OF_CARDS)
    assert stars == sorted(stars, reverse=True) and stars[0] > 0


def test_on_a_phone_an_approval_route_in_a_card_starts_under_its_label(
        site: Site, page: Any) -> None:
    ids = park(site.web)
    with writing(site.web.app.engine) as session:  # decided: in the leader's recent work
        decide(session, site.web.park, approval_id=ids["A1"], decision="approve",
               actor=site.web.people["leader"], comment="同意延期")
    page.set_viewport_size(PHONE)
    sign_in(page, site, "leader", then="/inbox")
    # a block beside the floated label drew its line and dots across the label's text
    overlaps = page.locator("main .table td > .route").evaluate_all(
        "routes => routes.map(route => { const cell = route.parentElement;"
        " const label = parseFloat(getComputedStyle(cell, '::before').height);"
        " return route.getBoundingClientRect().top - cell.getBoundingClientRect().top"
        "        - label; })")
    assert overlaps, "the leader's inbox shows no decided approval with its route"
    assert all(gap >= 0 for gap in overlaps), overlaps
    screenshot(page, "phone-inbox-route-in-card")


@pytest.mark.parametrize("who, paths", [
    ("alice", ["/projects/new", "/projects/{P3}", "/projects/{P2}", "/board", "/todo",
               "/account", "/inbox"]),
    ("leader", ["/inbox", "/space", "/import", "/reports", "/home"]),
    ("admin", ["/admin", "/space", "/projects"]),
])
def test_on_a_phone_forms_take_one_column_and_every_target_is_a_thumb_wide(
        site: Site, page: Any, who: str, paths: list[str]) -> None:
    ids = park(site.web)
    page.set_viewport_size(PHONE)
    sign_in(page, site, who, then=None)
    failures = {}
    for path in paths:
        page.goto(site.base + path.format(**ids))
        page.locator(".menu-toggle").click()  # the header's search and buttons count too
        for summary in page.locator("main details > summary").all():
            summary.click()  # open every folded form
        if small := page.evaluate(SMALL_TARGETS):
            failures[path] = small
        for lefts in page.evaluate(FIELD_ROW_LEFTS):
            if len(set(lefts)) > 1:
                failures[f"{path} field-row"] = lefts
    assert not failures, failures


def test_without_javascript_the_menu_is_a_plain_list_and_the_columns_stack(
        site: Site, browser: Any) -> None:
    park(site.web)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, site, "alice")
        assert page.locator(".menu-toggle").is_hidden()
        assert page.locator(".mainnav a").first.is_visible()
        assert page.locator(".topsearch input").is_visible()
        assert page.locator(".board-tabs").is_hidden()
        columns = page.locator(".column").evaluate_all(
            "els => els.map(el => [Math.round(el.getBoundingClientRect().left),"
            " Math.round(el.getBoundingClientRect().top)])")
        assert len(columns) == 6 and len({left for left, _ in columns}) == 1  # stacked
        assert [top for _, top in columns] == sorted(top for _, top in columns)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(page, "phone-without-javascript-board")
    finally:
        context.close()


def test_on_a_desk_the_header_and_the_board_are_whole(site: Site, page: Any) -> None:
    park(site.web)
    sign_in(page, site, "alice")
    assert page.locator(".menu-toggle").is_hidden()
    assert page.locator(".mainnav a").first.is_visible()
    assert page.locator(".board-tabs").is_hidden()
    assert page.locator(".column").evaluate_all(f"els => els.filter({VISIBLE}).length") == 6
    assert page.locator(".topbar").evaluate("el => el.getBoundingClientRect().height") == 52


# the header's last controls, the language switch and 退出: true for each that is inside the
# screen and inside the dark bar
HEADER_ENDS_INSIDE = """() => {
  const bar = document.querySelector('.topbar').getBoundingClientRect();
  return ['.lang-switch button', 'form[action="/logout"] button'].map(selector => {
    const box = document.querySelector('.topbar ' + selector).getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth + 0.5
           && box.top >= bar.top - 0.5 && box.bottom <= bar.bottom + 0.5;
  });
}"""


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("who", ["leader", "admin"])
def test_the_header_never_makes_the_page_wider_than_the_screen(
        site: Site, page: Any, who: str, lang: str) -> None:
    # a leader's and an admin's menus are the longest, and English the longer language: at
    # 1280 the English header was 1421 px wide, its language switch and 退出 past the edge
    park(site.web)
    sign_in(page, site, who, then="/board")
    if lang == "en":
        page.locator(".topbar").get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
    failures = {}
    for width in (1440, 1366, 1280, 1024, 800, 641, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if width == PHONE["width"]:
            page.locator(".menu-toggle").click()  # on a phone they are behind the menu
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            failures[width] = page.evaluate(WIDE_ELEMENTS)
        elif not all(ends := page.evaluate(HEADER_ENDS_INSIDE)):
            failures[width] = ends
        if width in (1280, 1024, 390):
            screenshot(page, f"header-{who}-{lang}-{width}")
    assert not failures, failures


# each column's head whose name and count are inside the board's visible box and the screen
COLUMN_HEADS_SHOWN = """() => {
  const board = document.querySelector('.board').getBoundingClientRect();
  return [...document.querySelectorAll('.column-head')].filter(head =>
    [...head.querySelectorAll('h2, .count')].every(el => {
      const box = el.getBoundingClientRect();
      return box.left >= board.left - 0.5 && box.right <= board.right + 0.5
             && box.right <= window.innerWidth + 0.5;
    })).map(head => head.closest('.column').dataset.state);
}"""
# a card's deadline line whose words break over two lines inside themselves ("截/止")
BROKEN_DUE_WORDS = """() => {
  const found = [];
  for (const line of document.querySelectorAll('.board .card-due')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                       .map(r => Math.round(r.bottom)));
      if (lines.size > 1) found.push(node.data.trim());
    }
  }
  return [...new Set(found)];
}"""
STATES = ["intake", "visited", "registered", "signed", "opened", "exited"]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_on_a_desk_every_column_of_the_board_is_in_reach_and_its_words_whole(
        site: Site, page: Any, lang: str) -> None:
    park(site.web)
    sign_in(page, site, "leader", then="/board")
    if lang == "en":
        page.locator(".topbar").get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
    failures: dict[str, list[str]] = {}
    for width in (1366, 1280):  # the six columns fit
        page.set_viewport_size({"width": width, "height": 900})
        if (shown := page.evaluate(COLUMN_HEADS_SHOWN)) != STATES:
            failures[str(width)] = shown
        if broken := page.evaluate(BROKEN_DUE_WORDS):
            failures[f"{width} broken"] = broken
        screenshot(page, f"board-{lang}-{width}")
    # narrower, the board slides sideways inside itself: its last column's
    # head comes into view at the board's end
    page.set_viewport_size({"width": 1024, "height": 900})
    board = page.locator(".board")
    assert board.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    board.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    if "exited" not in (shown := page.evaluate(COLUMN_HEADS_SHOWN)):
        failures["1024"] = shown
    if broken := page.evaluate(BROKEN_DUE_WORDS):
        failures["1024 broken"] = broken
    screenshot(page, f"board-{lang}-1024-scrolled")
    assert not failures, failures


@pytest.mark.parametrize("kind", ["agenda", "monthly_report", "quarterly_report", "digest"])
def test_a_report_mail_fits_a_phone(web: Web, browser: Any, kind: str) -> None:
    """The HTML part of a report mail as a phone's mail view shows it, built from a park with
    data. The headline figures were one table row that could not wrap: the 周例会 greeting
    was cut after 议 and the right-hand columns were off the screen."""
    park(web)
    message = render_message(kind, mail_context(web, kind, "leader",
                                                slot=web.clock.now().isoformat()))
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content(message.html)
        assert page.evaluate("document.querySelectorAll('table tr').length") > 3  # data shown
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(WIDE_ELEMENTS)
    finally:
        context.close()
