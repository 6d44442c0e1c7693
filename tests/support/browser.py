"""Driving Debian's chromium with Playwright against the app served by uvicorn: where the
browser is, how a person signs in, where screenshots go. The fixtures (`browser`, `site`,
`page`) are in tests/web/conftest.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ROOT
from tests.support.web import PASSWORD, Web

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() or (shutil.which("chromium") is None and not CHROMIUM.exists()),
    reason="browser tests need Debian's chromium at /usr/bin/chromium "
           "(apt-get install chromium; .ci/run does it)")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

# where signing in lands: leaders on 首页, members on 我的待办, admins on the board
LANDING = {"leader": "/home", "alice": "/todo", "carol": "/todo", "bob": "/todo",
           "admin": "/board"}


@dataclass
class Site:
    base: str
    web: Web


def sign_in(page: Any, site: Site, who: str, then: str | None = "/board") -> None:
    """Sign in through the form, land on the person's first page, then open `then`."""
    page.goto(f"{site.base}/login")
    page.fill("#email", site.web.people[who])
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{site.base}{LANDING[who]}")
    if then is not None:
        page.goto(f"{site.base}{then}")


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
