"""The park every page is looked at in, on a phone and on a desk: the one of 首页 and 我的待办
(tests/support/home_dataset.py: twelve projects, three approvals) with two units of space and
two space requests, a large one waiting for a leader, a small one offered a unit."""

from __future__ import annotations

from db.engine import writing
from reports.periods import Kind, last_full
from tests.factories import NOW
from tests.support.home_dataset import build as build_home_dataset
from tests.support.web import Web
from workflow.space import add_listing, offer, request_space


def park(web: Web) -> dict[str, int]:
    """The 首页 park, two units of space and two space requests; ids by key."""
    ids = build_home_dataset(web.app.engine, web.park, web.clock, web.people)
    with writing(web.app.engine) as session:
        add_listing(session, web.park, carrier="中安创谷科技园", building="B2 栋", unit="1203",
                    area=320, type="office", actor=web.people["admin"], now=NOW)
        unit = add_listing(session, web.park, carrier="科大硅谷创新中心", building="A1 栋",
                           unit="0501", area=180, type="office", actor=web.people["admin"],
                           now=NOW)
        request_space(session, web.park, project_id=ids["P2"], type="office", area=1500,
                      needed_by="2026-12-31", actor=web.people["alice"], carrier="中安创谷",
                      note="研发团队扩张，需要整层")
        small = request_space(session, web.park, project_id=ids["P1"], type="office",
                              area=150, needed_by="2026-12-15", actor=web.people["alice"])
        assert unit.id is not None
        offer(session, web.park, request_id=small["id"], listing_id=unit.id,
              actor=web.people["leader"], note="可于十二月一日入驻")
    return ids


def pages(who: str, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(name, path) of every page `who` can open."""
    kind: Kind = "weekly" if who == "alice" else "monthly"  # what /reports opens for them
    period = last_full(kind, NOW.date())
    common = [("board", "/board"), ("my-projects", "/board?mine=1"), ("projects", "/projects"),
              ("project", f"/projects/{ids['P2']}"), ("project-new-intake",
                                                        f"/projects/{ids['P3']}"),
              ("inbox", "/inbox"), ("space", "/space"), ("reports", "/reports"),
              ("report-figure", f"/reports/{kind}/{period.key}/projects?figure=intakes"),
              ("account", "/account"), ("messages", "/messages"),
              ("search", "/projects?q=%E5%90%88%E8%82%A5")]
    own = {"alice": [("todo", "/todo"), ("new-project", "/projects/new")],
           "leader": [("home", "/home"), ("todo", "/todo"), ("new-project", "/projects/new"),
                      ("import", "/import")],
           "admin": [("import", "/import"), ("admin", "/admin")]}
    return own[who] + common
