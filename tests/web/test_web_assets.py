"""The scripts the workspace serves itself: the vendored Apache ECharts is the version and
the file recorded beside it (web/static/vendor/echarts/README.md), with its licences."""

from __future__ import annotations

import hashlib
import re

from tests.factories import ROOT

ECHARTS = ROOT / "web" / "static" / "vendor" / "echarts"


def test_the_vendored_echarts_is_the_recorded_version_and_hash() -> None:
    recorded, name = (ECHARTS / "echarts.min.js.sha256").read_text().split()
    content = (ECHARTS / name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == recorded
    version = re.search(r'\.version="([\d.]+)"', content[-4000:].decode())
    make_version = re.search(r"^ECHARTS_VERSION := (\S+)$", (ROOT / "Makefile").read_text(),
                             re.M)
    assert version and make_version and version.group(1) == make_version.group(1) == "6.1.0"
    readme = (ECHARTS / "README.md").read_text()
    assert recorded in readme and f"| version | {version.group(1)} |" in readme
    for licence in ("LICENSE", "NOTICE", "LICENSE-d3"):
        assert (ECHARTS / licence).stat().st_size > 0
