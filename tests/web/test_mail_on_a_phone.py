"""The mails as a phone shows them (390 px, as the WeCom or DingTalk mail view): the HTML part
of each report mail, rendered from a park with data, fits the screen without sliding sideways.
Before, the headline figures were one table row that could not wrap (the 周例会 greeting was
cut after 议, the right-hand columns off the screen)."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.render import render_message
from tests.factories import SQLITE_ONLY
from tests.support.browser import NEEDS_CHROMIUM, NO_SIDEWAYS_SCROLL
from tests.support.phone_park import park
from tests.support.web import Web
from tests.web.test_mail_links import mail_context

pytestmark = [NEEDS_CHROMIUM, SQLITE_ONLY]


@pytest.mark.parametrize("kind", ["agenda", "monthly_report", "quarterly_report", "digest"])
def test_a_report_mail_fits_a_phone(web: Web, browser: Any, kind: str) -> None:
    park(web)
    slot = web.clock.now().isoformat()
    message = render_message(kind, mail_context(web, kind, "leader", slot=slot))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_content(message.html)
        assert page.evaluate("document.querySelectorAll('table tr').length") > 3  # data shown
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
            "document.documentElement.scrollWidth")
    finally:
        context.close()
