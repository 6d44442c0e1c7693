"""The browser fixtures: Debian's chromium driven by Playwright (`browser`, once a module),
the app served by uvicorn on a free loopback port (`site`) and a fresh page at 1440×900 that
fails the test on any error in the browser (`page`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Site
from tests.support.serving import serving
from tests.support.web import Web

# chromium logs every 4xx answer; a form refused in place (422, 403) is expected there
EXPECTED_REFUSAL = re.compile(r"Failed to load resource: .* status of 4\d\d")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(web: Web) -> Iterator[Site]:
    """The app served by uvicorn in a thread on a free loopback port."""
    with serving(web.asgi) as port:
        yield Site(f"http://127.0.0.1:{port}", web)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not EXPECTED_REFUSAL.match(msg.text) else None)
    yield page
    context.close()
    assert not errors, f"errors in the browser: {errors}"
