"""Schemathesis with every one of its checks against the API served by a real uvicorn.

`schemathesis run --checks all` (the command, as CI would run it) drives the API over TCP on
a free loopback port: positive and negative examples of every operation, the stateful links
between them, and the checks that need a running server (unsupported methods and their
`Allow` header, ignored authentication, missing required headers, use after free, resource
availability, positive data accepted and negative data rejected). The run passes only with
no failure. Examples per operation: PARKFLOW_FUZZ_EXAMPLES (default 20), seeded and
deterministic. Its config (tests/security/schemathesis.toml) says which answers positive data
may get besides 2xx: the business rules schemas cannot express (a state that does not allow
the event, a person who may not decide, a second request) answer 403, 404, 409 or 422.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import writing
from tests.support.abuse import table_counts
from tests.support.serving import serving
from tests.support.web import Web
from workflow.space import add_listing, request_space

EXAMPLES = os.environ.get("PARKFLOW_FUZZ_EXAMPLES", "20")
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture
def served(web: Web) -> Iterator[str]:
    """The workspace of `web` served by uvicorn in a thread on a free loopback port."""
    with serving(web.asgi) as port:
        yield f"http://127.0.0.1:{port}"


def park_with_something_in_it(web: Web) -> None:
    """Projects, a listing and a pending approval, so ids like 1 and 2 lead somewhere."""
    pid = web.project("样例项目", events=("visit",))
    web.project("另一个", owner="bob")
    with writing(web.app.engine) as session:
        add_listing(session, web.park, carrier="中安创谷", building="B2", unit="301", area=400,
                    type="office", actor=web.people["leader"], now=web.clock.now())
        request_space(session, web.park, project_id=pid, type="plant", area=800,
                      needed_by="2026-12-31", actor=web.people["alice"])


def test_schemathesis_with_all_its_checks_finds_nothing_on_the_running_server(
        web: Web, served: str, tmp_path: Path) -> None:
    park_with_something_in_it(web)
    token = web.token("leader")["Authorization"]
    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
         f"{served}/api/v1/openapi.json", "--checks", "all", "--max-examples", EXAMPLES,
         "--seed", "20261120", "--generation-deterministic", "--header",
         f"Authorization: {token}", "--workers", "1", "--report", "junit",
         "--report-dir", str(tmp_path), "--no-color"],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
    assert "No issues found" in run.stdout or "passed" in run.stdout, run.stdout[-3000:]
    assert table_counts(web.app.engine)["projects"] >= 2
