"""After opening on the web: the move out of the zone on 首页 until a leader acknowledges it,
the figures' trend on the project page, and a space need that opens a prefilled request."""

from __future__ import annotations

import json
import re
from html import unescape

from db.engine import writing
from tests.factories import SQLITE_ONLY
from tests.support.after_opening import FIGURES, OUTSIDE
from tests.support.web import Web, post_form
from workflow.projects import advance

pytestmark = SQLITE_ONLY


def opened_project(web: Web) -> int:
    return web.project("已开业项目", events=("visit", "register", "sign", "open"))


def record(web: Web, pid: int, event: str, fields: dict[str, str]) -> None:
    with writing(web.app.engine) as session:
        advance(session, web.park, project_id=pid, event=event, actor=web.people["alice"],
                fields=fields)


def test_a_move_out_of_the_zone_shows_on_home_until_a_leader_acknowledges_it(web: Web) -> None:
    pid = opened_project(web)
    record(web, pid, "address_change", {"address": OUTSIDE})
    leader = web.signed_in("leader")
    home = leader.get("/home").text
    assert "迁出预警" in home and OUTSIDE in home and f'href="/projects/{pid}"' in home
    [warning_id] = [int(part.split('"')[1]) for part in home.split("data-relocation=")[1:]]
    refused = post_form(web.signed_in("alice"), f"/relocations/{warning_id}/ack", {},
                        htmx=False)
    assert refused.status_code in (303, 403)
    assert OUTSIDE in leader.get("/home").text
    done = post_form(leader, f"/relocations/{warning_id}/ack", {}, htmx=False)
    assert done.status_code == 303
    assert OUTSIDE not in leader.get("/home").text
    assert "迁出预警已确认" in leader.get(f"/projects/{pid}").text


def test_the_project_page_charts_the_figures_and_offers_a_space_request_for_a_space_need(
        web: Web) -> None:
    pid = opened_project(web)
    record(web, pid, "indicators", {**FIGURES, "quarter": "2026-Q2", "revenue": "900"})
    record(web, pid, "indicators", FIGURES)
    record(web, pid, "need", {"kind": "space", "note": "需新增 800 m² 实验室"})
    page = web.signed_in("alice").get(f"/projects/{pid}").text
    [spec] = re.findall(r'class="chart figures-chart" data-chart="([^"]+)"', page)
    chart = json.loads(unescape(spec))  # the chart's data is in an attribute (CSP)
    assert chart["categories"] == ["2026-Q2", "2026-Q3"]
    assert chart["series"][0] == {"name": "营业收入（万元）", "kind": "line",
                                  "values": [900, 1250.5]}
    assert "<script>" not in page
    assert 'id="form-space" ' in page
    assert "需新增 800 m² 实验室</textarea>" in page
