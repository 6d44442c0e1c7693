"""Every page on a phone (390×844, the WeCom or DingTalk in-app browser) and on a desk
(1440 wide), as a member, a leader and an admin, in Debian's chromium: nothing scrolls
sideways, and a screenshot of each page is kept in test-artifacts/ (git-ignored).

The park is the one of 首页 and 我的待办 (tests/support/home_dataset.py: twelve projects, three
approvals) with two units of space and two space requests: a large one waiting for a leader,
a small one offered a unit.
"""

from __future__ import annotations

from typing import Any

import pytest

from db.engine import writing
from reports.periods import Kind, last_full
from tests.factories import NOW, SQLITE_ONLY
from tests.support.browser import NO_SIDEWAYS_SCROLL, Site, screenshot, sign_in
from tests.support.home_dataset import build as build_home_dataset
from workflow.space import add_listing, offer, request_space

pytestmark = [SQLITE_ONLY]

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


def park(site: Site) -> dict[str, int]:
    """The 首页 park, two units of space and two space requests; ids by key."""
    web = site.web
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
              ("account", "/account"), ("search", "/projects?q=%E5%90%88%E8%82%A5")]
    own = {"alice": [("todo", "/todo"), ("new-project", "/projects/new")],
           "leader": [("home", "/home"), ("todo", "/todo"), ("new-project", "/projects/new"),
                      ("import", "/import")],
           "admin": [("import", "/import"), ("admin", "/admin")]}
    return own[who] + common


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("who", ["alice", "leader", "admin"])
def test_every_page_fits_the_screen_without_sliding_sideways(
        site: Site, page: Any, who: str, width: int) -> None:
    ids = park(site)
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
