"""The reports page: tabs, the period picker, figures that open the projects behind them,
the as-recorded toggle, the workbook's address and the CSP.

October 2026, built at the moments it happened (the clock is moved, then put back at NOW):
    P1 量子精密测量   alice (project group)  in 10-09, visited 10-15 (recorded then)
    P2 高端数控机床   bob (finance group)    in 10-20, never visited (visit due 10-27)
    P3 工业互联网网关 alice (project group)  in 10-12, visited 10-28, recorded only 11-03
Worked out by hand, the October report counts (as occurred / as recorded by 10-31 24:00):
    intakes 3 / 3; visits 2 (P1, P3) / 1 (P1); entered the intake stage 3 / 3;
    on time, project group: left 2, on time 1 (P3's visit was due 10-19) / left 1, on time 1;
    overdue at the month's end: finance 1 (P2) / finance 1, project 1 (P3 not yet visited).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest
from sqlalchemy import update

from db.engine import writing
from db.models import User
from tests.factories import NOW, SQLITE_ONLY, on
from tests.support.web import WEB_FIELDS, Web
from workflow.projects import add_project, advance

pytestmark = SQLITE_ONLY  # the page draws what reports/ computes; its tests cover both backends

MONTHLY = "/reports/monthly/2026-10"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def at(web: Web, moment: str, clock: str = "10:00") -> None:
    web.clock.set(on(moment, clock))


def october(web: Web) -> dict[str, int]:
    """The three projects of the module docstring, recorded when it says."""
    ids = {}
    with writing(web.app.engine) as session:
        for key, name, owner, intake in (("P1", "量子精密测量", "alice", "2026-10-09"),
                                         ("P3", "工业互联网网关", "alice", "2026-10-12"),
                                         ("P2", "高端数控机床", "bob", "2026-10-20")):
            at(web, intake)
            ids[key] = add_project(session, web.park, name=name, category="tech_transfer",
                                   owner=web.people[owner], actor=web.people[owner],
                                   intake=intake).id
            session.commit()
            if key == "P1":
                at(web, "2026-10-15", "16:00")
                advance(session, web.park, project_id=ids["P1"], event="visit",
                        actor=web.people["alice"], at="2026-10-15", fields=WEB_FIELDS["visit"])
                session.commit()
        at(web, "2026-11-03")  # P3's visit of 10-28, recorded late
        advance(session, web.park, project_id=ids["P3"], event="visit",
                actor=web.people["alice"], at="2026-10-28", fields=WEB_FIELDS["visit"])
    web.clock.set(NOW)
    return ids


def speaks_english(web: Web, who: str) -> None:
    """Labels checked in English: the msgids, whatever the Chinese catalogue holds yet."""
    with writing(web.app.engine) as session:
        session.execute(update(User).where(User.email == web.people[who])  # type: ignore[arg-type]
                        .values(lang="en"))


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def figure(html: str, key: str) -> str:
    """The number linked to the projects behind figure `key`."""
    match = re.search(r'href="[^"]*\?figure=' + re.escape(key) + r'(?:&amp;as_recorded=1)?">'
                      r"([^<]+)</a>", html)
    assert match, key
    return match.group(1)


def section(html: str, key: str) -> str:
    """One section of a report page (`<section … id="section-overdue">…</section>`)."""
    match = re.search(rf'id="section-{key}">(.*?)</section>', html, re.S)
    assert match, key
    return match.group(1)


def project_names(html: str) -> set[str]:
    return set(re.findall(r'<a href="/projects/\d+">([^<]+)</a>', html))


# ---------------------------------------------------------------- who lands where

def test_a_leader_lands_on_last_months_dispatch_a_member_on_last_weeks_meeting(
        web: Web) -> None:
    leader = web.signed_in("leader").get("/reports")
    assert (leader.status_code, leader.headers["location"]) == (303, MONTHLY)
    member = web.signed_in("alice").get("/reports")  # NOW is Friday 2026-11-20, in W47
    assert member.headers["location"] == "/reports/weekly/2026-W46"
    assert web.signed_in("admin").get("/reports").headers["location"] == MONTHLY


def test_members_see_the_weekly_report_and_not_the_leaders_reports(web: Web) -> None:
    member = web.signed_in("alice")
    assert member.get("/reports/weekly/2026-W46").status_code == 200
    for path in (MONTHLY, "/reports/quarterly/2026-Q3", f"{MONTHLY}/projects?figure=intakes"):
        assert member.get(path).status_code == 403, path
    page = member.get("/reports/weekly/2026-W46").text
    assert 'href="/reports/monthly/' not in page and 'href="/reports/quarterly/' not in page


def test_the_header_links_the_reports(web: Web) -> None:
    html = web.signed_in("alice").get("/board").text
    assert '<a href="/reports" >' in html or '<a href="/reports"' in html
    html = web.signed_in("leader").get(MONTHLY).text
    assert re.search(r'<a href="/reports" aria-current="page">', html)


# ---------------------------------------------------------------- tabs and the picker

def test_the_tabs_and_the_picker_go_to_each_periods_address(web: Web) -> None:
    leader = web.signed_in("leader")
    html = leader.get(MONTHLY).text
    tabs = re.search(r'<nav class="report-tabs".*?</nav>', html, re.S)
    assert tabs
    assert links(tabs.group(0)) == ["/reports/weekly/2026-W46", MONTHLY,
                                    "/reports/quarterly/2026-Q3"]
    assert '<a href="/reports/monthly/2026-10" aria-current="page">' in tabs.group(0)
    assert '<form method="get" action="/reports/monthly"' in html
    assert 'name="period" type="month" value="2026-10"' in html
    assert 'href="/reports/monthly/2026-09" rel="prev"' in html
    assert 'href="/reports/monthly/2026-11" rel="next"' in html
    assert 'rel="next"' not in leader.get("/reports/monthly/2026-11").text  # this month: last

    picked = leader.get("/reports/monthly?period=2026-07")
    assert (picked.status_code, picked.headers["location"]) == (303, "/reports/monthly/2026-07")
    picked = leader.get("/reports/weekly?period=2026-W45&as_recorded=1")
    assert picked.headers["location"] == "/reports/weekly/2026-W45?as_recorded=1"
    assert leader.get("/reports/quarterly?period=2026-q2").headers["location"] == \
        "/reports/quarterly/2026-Q2"
    # a day names its week; a loose key goes to the period's own address
    assert leader.get("/reports/weekly/2026-11-18").headers["location"] == \
        "/reports/weekly/2026-W47"
    assert leader.get("/reports/monthly/2026-1").headers["location"] == "/reports/monthly/2026-01"
    html = leader.get("/reports/weekly/2026-W47").text
    assert 'name="period" type="week" value="2026-W47"' in html
    assert 'href="/reports/weekly/2026-W46" rel="prev"' in html


@pytest.mark.parametrize("path", ["/reports/monthly/2026-13", "/reports/monthly/october",
                                  "/reports/weekly/2026-W54", "/reports/quarterly/2026-Q5",
                                  "/reports/monthly/0000-01", "/reports/monthly?period=2026-13"])
def test_a_period_that_does_not_exist_is_not_found_and_says_so(web: Web, path: str) -> None:
    response = web.signed_in("leader").get(path)
    assert response.status_code == 404
    key = path.rsplit("/", 1)[-1].split("=")[-1]
    assert f"“{key}”" in response.text  # the page names what was asked for
    assert "error-panel" in response.text


def test_an_unknown_kind_of_report_is_not_found(web: Web) -> None:
    assert web.signed_in("leader").get("/reports/daily/2026-10").status_code == 404


# ---------------------------------------------------------------- figures and drill-down

def test_the_monthly_page_shows_the_figures_each_linked_to_its_projects(web: Web) -> None:
    october(web)
    speaks_english(web, "leader")
    html = web.signed_in("leader").get(MONTHLY).text
    assert "Monthly dispatch · October 2026" in html
    assert figure(html, "intakes") == "3"
    assert figure(html, "events.visit") == "2"
    assert figure(html, "stages.intake.entered") == "3"
    assert figure(html, "on_time.groups.project.left") == "2"
    assert figure(html, "on_time.groups.project.on_time") == "1"
    assert figure(html, "overdue_at_end.groups.finance") == "1"
    assert "overdue_at_end.groups.project" not in html
    assert '<td data-label="Rate" class="num">50%</td>' in html  # the project group's on-time rate
    assert html.count('class="chart"') == 4  # the funnel, days per stage, on time, overdue
    weekly = web.signed_in("leader").get("/reports/weekly/2026-W44").text  # 10-26 … 11-01
    assert re.search(r'id="section-pending_approvals">\s*<h2>[^<]+</h2>\s*'
                     r'<p class="empty">None</p>', weekly)  # an empty section says so


def test_a_figure_opens_the_list_of_the_projects_behind_it(web: Web) -> None:
    october(web)
    speaks_english(web, "leader")
    leader = web.signed_in("leader")
    page = leader.get(f"{MONTHLY}/projects?figure=events.visit")
    assert page.status_code == 200
    assert project_names(page.text) == {"量子精密测量", "工业互联网网关"}
    assert "<h1>Visit</h1>" in page.text  # a headline figure: its label
    assert f'href="{MONTHLY}"' in page.text  # the way back
    assert 'class="table"' in page.text  # the project list's table

    page = leader.get(f"{MONTHLY}/projects?figure=stages.intake.entered")
    assert project_names(page.text) == {"量子精密测量", "工业互联网网关", "高端数控机床"}
    title = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert title and unescape(title.group(1)) == \
        "Stages: funnel and time spent · In library · visit due · Entered"
    page = leader.get(f"{MONTHLY}/projects?figure=overdue_at_end.groups.finance")
    assert project_names(page.text) == {"高端数控机床"}


def test_a_figure_of_stages_says_it_counts_stages_beside_its_fewer_projects(web: Web) -> None:
    # 李娜's 3 stages completed opened "2 个项目": the same project finished two of them
    with writing(web.app.engine) as session:
        at(web, "2026-10-09")
        pid = add_project(session, web.park, name="量子精密测量", category="tech_transfer",
                          owner=web.people["alice"], actor=web.people["alice"],
                          intake="2026-10-09").id
        session.commit()
        for event, day in (("visit", "2026-10-12"), ("register", "2026-10-20")):
            at(web, day)
            advance(session, web.park, project_id=pid, event=event, actor=web.people["alice"],
                    at=day, fields=WEB_FIELDS[event])
            session.commit()
    web.clock.set(NOW)
    html = web.signed_in("leader").get(MONTHLY).text
    key = re.search(r"figure=(on_time\.owners\.[^&\"]+\.left)", html)
    assert key and figure(html, key.group(1)) == "2"

    page = web.signed_in("leader").get(f"{MONTHLY}/projects?figure={key.group(1)}").text
    assert project_names(page) == {"量子精密测量"}
    assert "2 个阶段，涉及 1 个项目" in page and "1 个项目" not in page.split("涉及")[0]


@pytest.mark.parametrize("figure_key", ["nonsense", "overdue_at_end.groups.project", ""])
def test_a_figure_the_report_does_not_have_is_not_found(web: Web, figure_key: str) -> None:
    october(web)
    response = web.signed_in("leader").get(f"{MONTHLY}/projects?figure={figure_key}")
    assert response.status_code == 404
    assert "error-panel" in response.text


def test_as_recorded_counts_only_what_was_recorded_by_the_months_end(web: Web) -> None:
    october(web)
    leader = web.signed_in("leader")
    recorded = leader.get(f"{MONTHLY}?as_recorded=1").text
    assert figure(recorded, "events.visit") == "1"  # P3's visit was recorded in November
    assert figure(recorded, "overdue_at_end.groups.project") == "1"
    assert f"{MONTHLY}/projects?figure=events.visit&amp;as_recorded=1" in recorded
    assert f'href="{MONTHLY}?as_recorded=1" aria-current="true"' in recorded
    assert f'href="{MONTHLY}.xlsx?as_recorded=1"' in recorded
    assert 'name="as_recorded" value="1"' in recorded  # the picker keeps the toggle
    page = leader.get(f"{MONTHLY}/projects?figure=events.visit&as_recorded=1")
    assert project_names(page.text) == {"量子精密测量"}
    occurred = leader.get(MONTHLY).text
    assert figure(occurred, "events.visit") == "2"
    assert f'href="{MONTHLY}" aria-current="true"' in occurred


# ---------------------------------------------------------------- a period in progress

def test_the_month_and_the_week_in_progress_are_shown_as_of_now(web: Web) -> None:
    """NOW is Friday 11-20, 10:00: of three visits due 11-19, 11-20 and 11-23, one is late."""
    for name, intake in (("昨日到期", "2026-11-12"), ("今日到期", "2026-11-13"),
                         ("下周到期", "2026-11-16")):
        web.project(name, owner="alice", intake=intake)
    leader = web.signed_in("leader")
    month = leader.get("/reports/monthly/2026-11").text
    assert '<p class="as-of">截至 2026年11月20日 10:00（本期尚未结束） · ' in month
    assert figure(month, "overdue_at_end.groups.project") == "1"
    page = leader.get("/reports/monthly/2026-11/projects?figure=overdue_at_end.groups.project")
    assert project_names(page.text) == {"昨日到期"}
    week = leader.get("/reports/weekly/2026-W47").text
    assert "截至 2026年11月20日 10:00（本期尚未结束）" in week
    assert project_names(section(week, "overdue")) == {"昨日到期"}
    assert project_names(section(week, "visits_due")) == {"今日到期", "下周到期"}
    page = leader.get("/reports/weekly/2026-W47/projects?figure=overdue")
    assert project_names(page.text) == {"昨日到期"}
    finished = leader.get("/reports/weekly/2026-W46").text  # 11-09 … 11-15: as before
    assert "截至" not in finished
    assert project_names(section(finished, "visits_due")) == {"昨日到期", "今日到期"}


# ---------------------------------------------------------------- the workbook

def test_the_excel_button_downloads_the_workbook_with_its_name(web: Web) -> None:
    october(web)
    html = web.signed_in("leader").get(MONTHLY).text
    assert f'href="{MONTHLY}.xlsx" download' in html
    response = web.signed_in("leader").get(f"{MONTHLY}.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="parkflow-monthly-2026-10.xlsx"')
    assert disposition.endswith("; filename*=UTF-8''" + quote("月调度-2026-10.xlsx"))
    assert response.content[:2] == b"PK"  # a zip: the xlsx container
    assert web.signed_in("alice").get(f"{MONTHLY}.xlsx").status_code == 403


# ---------------------------------------------------------------- the CSP

def test_the_reports_page_keeps_the_strict_csp_and_has_no_inline_script(web: Web) -> None:
    october(web)
    response = web.signed_in("leader").get(MONTHLY)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    html = response.text
    scripts = SCRIPT_TAG.findall(html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "<style" not in html and " style=" not in html and " on" + "click=" not in html
    for asset in ("/static/vendor/echarts/echarts.min.js", "/static/parkflow-charts.js",
                  "/static/reports.css"):
        assert f'"{asset}"' in html
        assert web.client().get(asset).status_code == 200
    board = web.signed_in("leader").get("/board").text
    assert "echarts" not in board  # loaded on the reports page only
