"""Dates in running text keep their digits on one line (web.rendering.Dates.unbroken)."""

from __future__ import annotations

import pytest

from tests.factories import PARK_TZ
from web.rendering import Dates


@pytest.mark.parametrize("text, html", [
    ("注册 2026-11-06 + 1个月 = 2026-12-06", '注册 <span class="date">2026-11-06</span> + 1个月 = '
                                            '<span class="date">2026-12-06</span>'),
    ("截止 2026-11-18 24:00 前", '截止 <span class="date">2026-11-18 24:00</span> 前'),
    ("<b>没有日期</b> 2026-1-6", "&lt;b&gt;没有日期&lt;/b&gt; 2026-1-6"),
])
def test_dates_in_running_text_are_kept_whole_and_the_rest_escaped(text: str, html: str) -> None:
    assert str(Dates(PARK_TZ, "zh-CN").unbroken(text)) == html
