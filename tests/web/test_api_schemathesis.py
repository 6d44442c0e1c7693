"""Schemathesis against /api/v1/openapi.json, in process: no input makes the API answer 500,
and every answer matches the document (status codes, content types, bodies).

Valid and invalid requests alike; examples per operation are bounded (PARKFLOW_FUZZ_EXAMPLES,
default 30) so the suite stays quick; raise it for a longer hunt. Runs on SQLite and on
PostgreSQL, which refuses what SQLite swallows (NUL characters, oversized strings, big ints).
Every one of schemathesis's checks, the stateful ones included, runs against a real server
in tests/security/test_api_running_server.py.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from db.engine import writing
from tests.support.web import Web
from workflow.space import add_listing, request_space

EXAMPLES = int(os.environ.get("PARKFLOW_FUZZ_EXAMPLES", "30"))


OPERATIONS = [("GET", "/api/v1/me"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects"),
              ("GET", "/api/v1/projects/{project_id}"),
              ("GET", "/api/v1/projects/{project_id}/events"),
              ("POST", "/api/v1/projects/{project_id}/events"),
              ("GET", "/api/v1/projects/{project_id}/history"),
              ("POST", "/api/v1/projects/{project_id}/follow-ups"),
              ("GET", "/api/v1/approvals"), ("GET", "/api/v1/approvals/{approval_id}"),
              ("POST", "/api/v1/approvals/{approval_id}/decision"),
              ("GET", "/api/v1/space/listings"), ("POST", "/api/v1/space/listings"),
              ("GET", "/api/v1/space/requests"), ("POST", "/api/v1/space/requests")]
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance,
          content_type_conformance, response_schema_conformance]


def park_with_something_in_it(web: Web) -> None:
    """Projects, a listing and a pending approval, so ids like 1 and 2 lead somewhere."""
    pid = web.project("样例项目", events=("visit",))
    web.project("另一个", owner="bob")
    with writing(web.app.engine) as session:
        add_listing(session, web.park, carrier="中安创谷", building="B2", unit="301", area=400,
                    type="office", actor=web.people["leader"], now=web.clock.now())
        request_space(session, web.park, project_id=pid, type="plant", area=800,
                      needed_by="2026-12-31", actor=web.people["alice"])


def test_the_document_lists_the_operations_fuzzed_here(web: Web) -> None:
    document = web.client().get("/api/v1/openapi.json").json()
    found = {(method.upper(), path) for path, methods in document["paths"].items()
             for method in methods}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_makes_the_api_fail_or_break_its_document(
        web: Web, method: str, path: str) -> None:
    park_with_something_in_it(web)
    # a leader (who may decide) and a member (who may not) take turns
    tokens = [web.token("leader"), web.token("alice")]
    calls = [0]
    operation = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.asgi)[path][method]

    @given(case=st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), database=None)
    def call(case: Any) -> None:
        calls[0] += 1
        response = case.call(headers=tokens[calls[0] % 2])
        case.validate_response(response, checks=CHECKS)

    call()
