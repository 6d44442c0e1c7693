"""Journeys in a real browser: Debian's chromium driven by Playwright, against the app served
by uvicorn on a free loopback port (a migrated SQLite park on the fixed clock of conftest;
the fixtures are in tests/web/conftest.py).

Each journey saves a screenshot of its last page in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from db.engine import reading, writing
from reports.compute import compute
from reports.periods import period_containing
from reports.present import present
from tests.factories import SQLITE_ONLY
from tests.support.browser import (
    ARTIFACTS,
    NEEDS_CHROMIUM,
    NO_SIDEWAYS_SCROLL,
    Site,
    screenshot,
    sign_in,
)
from tests.support.home_dataset import build as build_home_dataset
from tests.support.web import user_lang
from web.report_file import standalone_html
from workflow.space import list_requests, request_space
from workflow.views import project_view

OVERDUE_RED = "rgb(198, 40, 40)"        # --overdue: #c62828
OVERDUE_BACKGROUND = "rgb(253, 236, 235)"  # --overdue-bg: #fdeceb

pytestmark = [NEEDS_CHROMIUM, SQLITE_ONLY]


def test_the_visit_form_lists_every_missing_field_in_view_and_marks_each(
        site: Site, page: Any) -> None:
    pid = site.web.project("高端数控机床", owner="alice", intake="2026-11-16")
    sign_in(page, site, "alice")
    page.goto(f"{site.base}/projects/{pid}")
    form = page.locator("#form-visit")
    form.evaluate("f => f.noValidate = true")  # what a browser without the check would send
    form.locator("input[name=visitors]").fill("王建国")
    form.locator("[data-score=team] .score-option", has_text="4").click()
    form.get_by_role("button", name="登记：走访").click()
    errors = form.locator(".form-errors")
    errors.wait_for()
    assert errors.locator("li").all_inner_texts() == [
        "缺少字段：项目需求", "缺少字段：技术先进性", "缺少字段：资本市场认可度",
        "缺少字段：市场前景"]
    assert errors.evaluate("el => document.activeElement === el")  # said, and in view
    assert errors.evaluate("el => { const r = el.getBoundingClientRect();"
                           " return r.top > -2 && r.bottom <= window.innerHeight; }")
    for name in ("technology", "capital", "market"):
        assert form.locator(f"fieldset[data-score={name}]").get_attribute(
            "aria-invalid") == "true"
    assert form.locator("fieldset[data-score=team]").get_attribute("aria-invalid") is None


def test_a_member_records_a_visit_and_sees_the_stars_and_the_new_deadline(
        site: Site, page: Any) -> None:
    pid = site.web.project("高端数控机床", owner="alice", intake="2026-11-16")
    site.web.project("别组的项目", owner="bob")
    sign_in(page, site, "alice")

    card = page.locator(".card", has_text="高端数控机床")
    assert card.get_attribute("data-status") == "on_time"
    card.get_by_role("link", name="高端数控机床").click()
    page.wait_for_url(f"{site.base}/projects/{pid}")
    assert "2026-11-23" in page.locator(".due-date").inner_text()

    form = page.locator("#form-visit")
    form.locator("input[name=at]").fill("2026-11-18")
    form.locator("input[name=visitors]").fill("王建国，李爱丽")
    form.get_by_label("资金", exact=True).check()  # not a score level that says 资金
    form.get_by_label("空间", exact=True).check()  # not 市场空间大, a score level
    for name, score in (("team", "4"), ("technology", "5"), ("capital", "4")):
        form.locator(f"[data-score={name}] .score-option", has_text=score).click()
    form.get_by_role("button", name="登记：走访").click()
    error = form.locator(".form-error")  # the missing score, said in place
    error.wait_for()
    assert error.inner_text().strip() == "缺少字段：市场前景"  # by its label, never the id
    assert form.locator("fieldset[data-score=market]").get_attribute("aria-invalid") == "true"

    form.locator("[data-score=market] .score-option", has_text="4").click()
    assert "★★★" in form.locator(".star-preview").inner_text()
    assert "17" in form.locator(".star-preview").inner_text()
    form.get_by_role("button", name="登记：走访").click()
    page.locator(".flash-success").wait_for()

    assert "已走访·待注册" in page.locator(".facts-line .state").inner_text()
    assert page.locator("h1 .stars").inner_text() == "★★★"
    assert page.locator(".due-date").inner_text() == "2026-12-16"
    assert "入库 2026-11-16 + 1个月" in page.locator(".explanation").inner_text()
    with reading(site.web.app.engine) as session:
        view = project_view(session, site.web.park, pid)
    assert (view["state"], view["stars"]) == ("visited", 3)
    screenshot(page, "member-records-a-visit")


def test_a_follow_up_note_keeps_its_line_breaks_and_stays_text(site: Site, page: Any) -> None:
    # a two-line 跟进情况 showed as one line on the project page
    pid = site.web.project("高端数控机床", owner="alice", events=("visit",))
    sign_in(page, site, "alice", then=f"/projects/{pid}")
    page.locator("summary", has_text="跟进").click()
    form = page.locator("#form-follow-up")
    form.locator("textarea[name=note]").fill("企业融资进展顺利\n下周再访<b>王总</b>")
    form.get_by_role("button", name="记录跟进").click()
    page.locator(".flash-success").wait_for()
    note = page.locator(".notes li p")
    assert note.inner_text() == "企业融资进展顺利\n下周再访<b>王总</b>"  # two lines, as typed
    assert note.locator("b").count() == 0  # escaped, never markup
    lines = note.evaluate("el => el.getBoundingClientRect().height"
                          " / parseFloat(getComputedStyle(el).lineHeight)")
    assert round(lines) == 2
    entry = page.locator(".timeline .tl-follow_up dd")
    assert entry.inner_text() == "企业融资进展顺利\n下周再访<b>王总</b>"
    screenshot(page, "follow-up-line-breaks")


# the header search's placeholder: its text's width and the room the input gives it
PLACEHOLDER_ROOM = """() => {
  const input = document.querySelector('#topsearch-q'), style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  return [Math.ceil(context.measureText(input.placeholder).width),
          Math.floor(input.clientWidth - parseFloat(style.paddingLeft)
                     - parseFloat(style.paddingRight))];
}"""


@pytest.mark.parametrize("who", ["alice", "leader", "admin"])
def test_the_header_search_shows_its_whole_placeholder_in_english_on_a_desk(
        site: Site, page: Any, who: str) -> None:
    # “Name, company, credit code or p”: the English placeholder was cut off
    sign_in(page, site, who, then="/board")
    page.locator(".topbar").get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    cut = {}
    for width in (1440, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        text, room = page.evaluate(PLACEHOLDER_ROOM)
        if text > room:
            cut[width] = (text, room)
    assert not cut, cut
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_a_leader_approves_a_large_space_request_from_the_inbox(site: Site, page: Any) -> None:
    pid = site.web.project("超导磁体研发平台", owner="alice", events=("visit",))
    with writing(site.web.app.engine) as session:
        filed = request_space(session, site.web.park, project_id=pid, type="office",
                              area=1500, needed_by="2026-12-31", actor=site.web.people["alice"],
                              carrier="中安创谷", note="研发团队扩张")
    sign_in(page, site, "leader")
    assert page.locator(".mainnav .badge").inner_text() == "1"
    page.get_by_role("link", name="审批与预警").click()
    approval = page.locator(f"#approval-{filed['approval_id']}")
    assert "超导磁体研发平台" in approval.inner_text()
    assert "1,500 m²" in approval.inner_text() and "研发团队扩张" in approval.inner_text()
    approval.locator("textarea[name=comment]").fill("同意，优先推介中安创谷")
    approval.get_by_role("button", name="批准").click()
    page.locator(".flash-success").wait_for()
    assert "已批准" in page.locator(".flash-success").inner_text()
    assert page.locator(f"#approval-{filed['approval_id']}").count() == 0
    assert page.locator(".mainnav .badge").count() == 0
    with reading(site.web.app.engine) as session:
        [row] = list_requests(session, site.web.park, project_id=pid)
    assert row["status"] == "approved"
    screenshot(page, "leader-approves-space")


def test_the_board_shows_an_overdue_project_in_red(site: Site, page: Any) -> None:
    late = site.web.project("工业互联网安全网关", owner="alice", intake="2026-11-05")
    site.web.project("按期项目", owner="alice", intake="2026-11-20")
    sign_in(page, site, "alice")
    card = page.locator(f'.card[data-project="{late}"]')
    style = card.evaluate("el => { const s = getComputedStyle(el); "
                          "return [s.borderLeftColor, s.backgroundColor]; }")
    assert style == [OVERDUE_RED, OVERDUE_BACKGROUND]
    chip = card.locator(".chip")
    assert chip.inner_text() == "逾期"
    assert chip.evaluate("el => getComputedStyle(el).backgroundColor") == OVERDUE_RED
    on_time = page.locator(".card", has_text="按期项目")
    assert on_time.evaluate("el => getComputedStyle(el).borderLeftColor") != OVERDUE_RED
    screenshot(page, "board-overdue-in-red")


def test_switching_to_english_and_back(site: Site, page: Any) -> None:
    site.web.project("量子精密测量仪器", owner="alice", intake="2026-11-18")
    sign_in(page, site, "alice")
    assert page.locator("h1").inner_text() == "项目看板"
    page.locator(".topbar").get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("h1").inner_text() == "Pipeline board"
    assert page.locator(".column-intake h2").inner_text() == "In library · visit due"
    assert user_lang(site.web, "alice") == "en"

    page.locator(".topbar").get_by_role("button", name="Sign out").click()
    sign_in(page, site, "alice")  # remembered on the person, not the session
    assert page.locator("h1").inner_text() == "Pipeline board"

    page.locator(".topbar").get_by_role("button", name="中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert page.locator("h1").inner_text() == "项目看板"
    assert user_lang(site.web, "alice") == "zh-CN"
    screenshot(page, "language-back-to-chinese")


# ---------------------------------------------------------------- the reports page

CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart')].map(el => {
    const svg = el.querySelector('svg, canvas');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return [el.closest('figure').id, Math.round(box.width), Math.round(box.height)];
})"""


def test_the_monthly_report_draws_its_charts_on_a_desk_and_a_phone_and_prints_a_handout(
        site: Site, page: Any) -> None:
    site.web.project("量子精密测量", owner="alice", intake="2026-11-05", events=("visit",))
    site.web.project("高端数控机床", owner="bob", intake="2026-11-10")  # visit due 11-17
    sign_in(page, site, "leader")
    page.goto(f"{site.base}/reports/monthly/2026-11")
    charts = ["chart-funnel", "chart-stage_days", "chart-on_time_by_group",
              "chart-overdue_by_group"]
    page.wait_for_function("() => document.querySelectorAll('.chart svg').length === 4")
    drawn = page.evaluate(CHARTS_DRAWN)
    assert [name for name, *_ in drawn] == charts
    assert all(width > 300 and height >= 250 for _, width, height in drawn), drawn
    screenshot(page, "reports-monthly-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => [...document.querySelectorAll('.chart svg')]"
                           ".every(svg => svg.getBoundingClientRect().width <= 390)")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert all(0 < width <= 390 and height > 0 for _, width, height in
               page.evaluate(CHARTS_DRAWN))
    screenshot(page, "reports-monthly-390")

    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(media="print")
    for hidden in (".topbar", ".mainnav", ".report-controls", ".footer"):
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator(".report-title h1").is_visible()
    page.wait_for_function("() => [...document.querySelectorAll('.chart svg')]"
                           ".every(svg => Math.round(svg.getBoundingClientRect().width) === 680)")
    assert page.locator("#section-stages").evaluate(
        "el => getComputedStyle(el).breakBefore") == "page"
    screenshot(page, "reports-monthly-print")
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "reports-monthly-handout.pdf"), format="A4")

    page.emulate_media(media="screen")
    page.locator(".figure a").first.click()  # 新入库: the projects behind the number
    page.wait_for_url(f"{site.base}/reports/monthly/2026-11/projects?figure=intakes")
    assert page.locator("table.table tbody tr").count() == 2


# An axis chart's category labels as drawn (an SVG <text> per line of a wrapped label): the
# categories none of whose text is drawn, the lines that overlap one another, and the lines
# that run outside the chart
CATEGORY_LABELS = r"""figure => {
  const chart = document.querySelector('#' + figure + ' .chart');
  const categories = JSON.parse(chart.dataset.chart).categories;
  const squeeze = text => text.replace(/\s+/g, '');
  const lines = [...chart.querySelectorAll('svg text')].filter(text => squeeze(text.textContent)
    && categories.some(name => squeeze(name).includes(squeeze(text.textContent))));
  const drawn = lines.map(text => squeeze(text.textContent)).join('');
  const boxes = lines.map(text => text.getBoundingClientRect());
  const frame = chart.getBoundingClientRect();
  return {
    missing: categories.filter(name => !drawn.includes(squeeze(name))),
    overlapping: boxes.flatMap((a, i) => boxes.slice(i + 1)
      .filter(b => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                   && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1)
      .map(() => lines[i].textContent)),
    outside: lines.filter((text, i) => boxes[i].left < frame.left - 0.5
                                       || boxes[i].right > frame.right + 0.5)
                  .map(text => text.textContent),
  };
}"""


@pytest.mark.parametrize("lang, width", [("en", 1280), ("zh-CN", 390), ("en", 390)])
def test_the_report_charts_name_every_category_on_their_axis(
        site: Site, page: Any, lang: str, width: int) -> None:
    # ECharts hid the labels that would overlap: "Registered · signing due" at 1280 in
    # English, two of the four stages on a phone in Chinese
    build_home_dataset(site.web.app.engine, site.web.park, site.web.clock, site.web.people)
    sign_in(page, site, "leader", then="/reports/monthly/2026-11")
    if lang == "en":
        page.locator(".topbar").get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function(f"() => [...document.querySelectorAll('.chart svg')]"
                           f".every(svg => svg.getBoundingClientRect().width < {width})")
    figures = page.locator(".chart").evaluate_all(
        "els => els.filter(el => JSON.parse(el.dataset.chart).kind !== 'funnel')"
        ".map(el => el.closest('figure').id)")
    assert "chart-stage_days" in figures
    labels = {figure: page.evaluate(CATEGORY_LABELS, figure) for figure in figures}
    wrong = {figure: drawn for figure, drawn in labels.items() if any(drawn.values())}
    assert not wrong, wrong
    assert page.locator("#chart-stage_days .chart").evaluate(
        "el => JSON.parse(el.dataset.chart).categories.length") == 4
    screenshot(page, f"report-chart-labels-{lang}-{width}")


def test_the_standalone_report_file_draws_its_charts_offline(site: Site, page: Any,
                                                             tmp_path: Path) -> None:
    site.web.project("量子精密测量", owner="alice", intake="2026-11-05", events=("visit",))
    period = period_containing("monthly", date(2026, 11, 1))
    with reading(site.web.app.engine) as session:
        report = compute(session, site.web.park, period)
    view = present(site.web.park, report, period, "zh-CN")
    file = tmp_path / "月调度-2026-11.html"
    file.write_text(standalone_html(view, "zh-CN", site.base), encoding="utf-8")
    fetched: list[str] = []

    def refuse(route: Any) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.context.route("http*://**", refuse)
    page.goto(file.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.chart svg').length === "
                           "document.querySelectorAll('.chart').length")
    assert page.locator(".chart svg").count() == 3  # no overdue at the month's end: no chart
    assert page.locator("#chart-overdue_by_group .empty").count() == 1
    assert fetched == []  # nothing asked of the network
    screenshot(page, "report-file-offline")


# ---------------------------------------------------------------- 首页 and 我的待办

LIGHTS = {"red": "rgb(253, 236, 235)", "amber": "rgb(255, 245, 230)",  # --overdue-bg,
          "green": "rgb(237, 247, 238)"}                             # --due-soon-bg, --on-time-bg


@pytest.mark.parametrize("width", [1440, 390])
def test_a_leader_lands_on_the_first_screen_on_a_desk_and_on_a_phone(
        site: Site, page: Any, width: int) -> None:
    ids = build_home_dataset(site.web.app.engine, site.web.park, site.web.clock,
                             site.web.people)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site, "leader", then=None)
    assert page.locator("h1").inner_text() == "首页"
    assert page.locator(".mainnav a[aria-current=page]").inner_text() == "首页"
    visits = page.locator(".month-figure[data-figure=visit]")
    assert visits.locator(".this-month").inner_text() == "1"
    assert visits.locator(".last-month").inner_text() == "3"
    colours = {group: page.locator(f".light[data-group={group}]").evaluate(
        "el => getComputedStyle(el).backgroundColor") for group in ("project", "finance",
                                                                    "platform")}
    assert colours == {"project": LIGHTS["red"], "finance": LIGHTS["amber"],
                       "platform": LIGHTS["green"]}
    assert page.locator(f".todo-item[data-approval='{ids['A1']}'] .days").inner_text() \
        == "逾期 2 天"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways"
    screenshot(page, f"home-{width}")

    page.locator(".light[data-group=project] a").click()  # the list behind the red group
    page.wait_for_url(re.compile(r".*/projects\?group=project&overdue=1$"))
    for key in ("P3", "P7", "P11"):
        assert page.locator(f"a[href='/projects/{ids[key]}']").count() == 1


@pytest.mark.parametrize("width", [1440, 390])
def test_a_member_lands_on_the_to_do_list_on_a_desk_and_on_a_phone(
        site: Site, page: Any, width: int) -> None:
    ids = build_home_dataset(site.web.app.engine, site.web.park, site.web.clock,
                             site.web.people)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site, "alice", then=None)
    assert page.locator("h1").inner_text() == "我的待办"
    days = {section: page.locator(f"#{section} .days").all_inner_texts()
            for section in ("overdue", "due-soon", "follow-ups", "returned")}
    assert days == {"overdue": ["逾期 11 天"], "due-soon": ["今天到期", "剩 3 天"],
                    "follow-ups": ["逾期 3 天"], "returned": ["逾期 11 天"]}
    overdue = page.locator("#overdue .days").first
    assert overdue.evaluate("el => getComputedStyle(el).backgroundColor") == OVERDUE_RED
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways"
    screenshot(page, f"todo-{width}")

    page.locator(f"#returned a[href='/inbox#approval-{ids['A3']}']").click()
    page.wait_for_url(f"{site.base}/inbox#approval-{ids['A3']}")
    assert page.locator(f"#approval-{ids['A3']} textarea[name=note]").is_visible()


def test_the_progress_bar_lays_out_the_five_stages_on_a_desk_and_a_phone(
        site: Site, page: Any) -> None:
    from tests.support.web import WEB_FIELDS
    from workflow.projects import add_project, advance
    web = site.web
    with writing(web.app.engine) as session:
        project = add_project(session, web.park, name="量子测量", category="tech_transfer",
                              owner=web.people["alice"], actor=web.people["alice"],
                              intake="2026-11-02")
        for event, day in (("visit", "2026-11-05"), ("register", "2026-11-10")):
            advance(session, web.park, project_id=project.id, event=event,
                    actor=web.people["alice"], at=f"{day}T10:00:00+08:00",
                    fields=WEB_FIELDS[event])
    sign_in(page, site, "alice", then=f"/projects/{project.id}")
    stages = page.locator(".stages .stage")
    assert stages.count() == 5
    assert [stages.nth(i).get_attribute("data-status") for i in range(5)] == [
        "done", "done", "done", "current", "todo"]
    assert "用时 5 天" in stages.nth(2).inner_text() and "限 27 天" in stages.nth(2).inner_text()
    assert page.locator(".stage[aria-current=step]").get_attribute("data-milestone") == "sign"
    tops = {round(stages.nth(i).bounding_box()["y"]) for i in range(5)}
    assert len(tops) == 1  # one row on a desk
    screenshot(page, "progress-bar-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # the bar itself fits a phone (the page as a whole is issue 10 §1's phone work)
    assert page.evaluate("[...document.querySelectorAll('.stages')].every("
                         "e => e.scrollWidth <= e.clientWidth)")
    # five abreast, the dates ran into each other: on a phone the stages are a column, and
    # each stage's texts stay inside its own line
    boxes = [stages.nth(i).bounding_box() for i in range(5)]
    assert all(above["y"] + above["height"] <= below["y"] + 1
               for above, below in pairwise(boxes)), boxes
    assert page.evaluate("""[...document.querySelectorAll('.stages .stage')].every(stage => {
        const outer = stage.getBoundingClientRect();
        return [...stage.querySelectorAll(":scope > :not(.stage-mark)")].every(child => {
            const box = child.getBoundingClientRect();
            return box.left >= outer.left - 1 && box.right <= outer.right + 1
                && box.bottom <= outer.bottom + 1;
        });
    })"""), "a stage's text runs out of its line"
    screenshot(page, "progress-bar-390")
