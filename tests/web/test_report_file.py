"""The standalone report file (`parkflow report … --html FILE`): the page's report body in one
HTML document that fetches nothing: styles, ECharts and the chart script inlined."""

from __future__ import annotations

import re

import pytest

from db.engine import reading
from reports.compute import compute
from reports.periods import period_containing
from reports.present import View, present
from tests.factories import SQLITE_ONLY, D
from tests.support.web import Web
from web.report_file import _escaped, standalone_html

BASE = "https://park.example"


def november(web: Web, lang: str = "zh-CN") -> View:
    """Two projects taken in in November, one visited (the visit late: due 11-12)."""
    web.project("量子精密测量", owner="alice", intake="2026-11-05", events=("visit",))
    web.project("高端数控机床", owner="bob", intake="2026-11-10")
    period = period_containing("monthly", D("2026-11-01"))
    with reading(web.app.engine) as session:
        report = compute(session, web.park, period)
    return present(web.park, report, period, lang)


def article(html: str) -> str:
    match = re.search(r'<article class="report".*?</article>', html, re.S)
    assert match
    return match.group(0)


@SQLITE_ONLY
def test_the_file_holds_its_styles_and_scripts_and_fetches_nothing(web: Web) -> None:
    html = standalone_html(november(web), "zh-CN", BASE)
    assert html.startswith("<!doctype html>") and '<html lang="zh-CN">' in html
    [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
    markup = html.replace(script, "")
    assert not re.search(r"<(script|img|link|iframe)\b[^>]*\b(src|href)=", markup)
    assert 't.version="6.1.0"' in script and "data-chart" in script  # ECharts + ours
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert "@media print" in style and "size: A4" in style and ".report-section" in style
    assert markup.count('class="chart"') == 4  # funnel, days per stage, on time, overdue


@SQLITE_ONLY
def test_the_file_draws_the_same_report_body_as_the_page_with_links_to_the_workspace(
        web: Web) -> None:
    view = november(web)
    page = web.signed_in("leader").get("/reports/monthly/2026-11").text
    assert article(standalone_html(view, "zh-CN", "")) == article(page)  # one set of templates
    html = standalone_html(view, "zh-CN", BASE + "/")
    assert f'href="{BASE}/reports/monthly/2026-11/projects?figure=intakes">2</a>' in html
    assert f'<a href="{BASE}/projects/' not in html  # the monthly links figures, not projects
    assert f'href="{BASE}/reports/monthly/2026-11"' in html  # open it in the workspace


@SQLITE_ONLY
def test_the_file_speaks_the_readers_language(web: Web) -> None:
    html = standalone_html(november(web, "en"), "en", BASE)
    assert '<html lang="en">' in html and "Monthly dispatch · November 2026" in html


@pytest.mark.parametrize(("text", "inline"), [
    ('a="</script>"', 'a="<\\/script>"'), ("x</STYLE>", "x<\\/STYLE>"),
    ("<!-- c", "<\\!-- c"), ("a < b && c / d", "a < b && c / d")])
def test_inlined_text_cannot_close_its_element(text: str, inline: str) -> None:
    assert _escaped(text) == inline
