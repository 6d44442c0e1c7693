"""REST API v1, approvals and space: leaders decide, members file, on both databases."""

from __future__ import annotations

import pytest

from tests.factories import APPROVAL_KEYS
from tests.support.web import Web

LISTING = {"carrier": "中安创谷", "building": "B2", "unit": "301", "area": 1500,
           "type": "office"}


@pytest.fixture
def large_request(web: Web) -> dict[str, object]:
    """A 1,500 m² office request filed by alice over the API (it needs a leader)."""
    pid = web.project(events=("visit",))
    response = web.client().post("/api/v1/space/requests", headers=web.token("alice"), json={
        "project_id": pid, "type": "office", "area": 1500, "needed_by": "2026-12-31",
        "carrier": "中安创谷", "note": "研发扩张"})
    assert response.status_code == 201
    filed: dict[str, object] = response.json()
    return filed


def test_a_large_request_needs_a_leader_and_says_why(large_request: dict[str, object]) -> None:
    assert set(large_request) == {"id", "needs_approval", "approval_id", "reason"}
    assert large_request["needs_approval"] is True
    assert "1,500 m² ≥ 1,000 m²" in str(large_request["reason"])


def test_a_small_request_goes_straight_to_matching(web: Web) -> None:
    pid = web.project(events=("visit",))
    filed = web.client().post("/api/v1/space/requests", headers=web.token("alice"), json={
        "project_id": pid, "type": "lab", "area": 200, "needed_by": "2026-12-31"}).json()
    assert filed["needs_approval"] is False and filed["approval_id"] is None


def test_approvals_are_listed_with_the_cli_row_shape(web: Web,
                                                     large_request: dict[str, object]) -> None:
    client = web.client()
    rows = client.get("/api/v1/approvals?pending=true", headers=web.token("leader")).json()
    assert len(rows) == 1 and set(rows[0]) >= APPROVAL_KEYS
    assert rows[0]["kind"] == "space" and rows[0]["state"] == "submitted"
    assert rows[0]["requested_by"] == web.people["alice"]
    assert rows[0]["subject_id"] == large_request["id"]
    mine = client.get("/api/v1/approvals?mine=true", headers=web.token("alice")).json()
    assert [r["id"] for r in mine] == [large_request["approval_id"]]
    assert client.get("/api/v1/approvals", headers=web.token("bob")).json() == []


def test_a_member_calling_the_approve_endpoint_gets_403(web: Web,
                                                        large_request: dict[str, object]) -> None:
    response = web.client().post(f"/api/v1/approvals/{large_request['approval_id']}/decision",
                                 headers=web.token("carol"), json={"decision": "approve"})
    assert response.status_code == 403
    assert response.json()["error"]["kind"] == "not_permitted"
    state = web.client().get(f"/api/v1/approvals/{large_request['approval_id']}",
                             headers=web.token("leader")).json()["state"]
    assert state == "submitted"


def test_a_leader_approves_and_deciding_twice_is_a_conflict(
        web: Web, large_request: dict[str, object]) -> None:
    client, headers = web.client(), web.token("leader")
    path = f"/api/v1/approvals/{large_request['approval_id']}/decision"
    decided = client.post(path, headers=headers, json={"decision": "approve", "comment": "同意"})
    assert decided.status_code == 200
    assert decided.json()["state"] == "approved"
    assert decided.json()["decided_by"] == web.people["leader"]
    again = client.post(path, headers=headers, json={"decision": "reject", "comment": "不"})
    assert again.status_code == 409
    requests = client.get("/api/v1/space/requests", headers=headers).json()
    assert requests[0]["status"] == "approved"


def test_nobody_decides_a_request_they_filed(web: Web) -> None:
    pid = web.project(owner="alice", events=("visit",))
    filed = web.client().post("/api/v1/space/requests", headers=web.token("leader"), json={
        "project_id": pid, "type": "plant", "area": 500, "needed_by": "2026-12-31"}).json()
    response = web.client().post(f"/api/v1/approvals/{filed['approval_id']}/decision",
                                 headers=web.token("leader"), json={"decision": "approve"})
    assert response.status_code == 403


def test_a_decision_must_be_one_of_three(web: Web, large_request: dict[str, object]) -> None:
    response = web.client().post(f"/api/v1/approvals/{large_request['approval_id']}/decision",
                                 headers=web.token("leader"), json={"decision": "maybe"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "decision"
    missing = web.client().post("/api/v1/approvals/999/decision",
                                headers=web.token("leader"), json={"decision": "approve"})
    assert missing.status_code == 404


def test_listings_are_added_by_admins_and_filtered(web: Web) -> None:
    client = web.client()
    assert client.post("/api/v1/space/listings", headers=web.token("alice"),
                       json=LISTING).status_code == 403
    created = client.post("/api/v1/space/listings", headers=web.token("admin"), json=LISTING)
    assert created.status_code == 201
    assert created.json() | {"id": 0} == {**LISTING, "id": 0, "status": "available",
                                          "type_label": "办公用房", "reserved_for": None}
    client.post("/api/v1/space/listings", headers=web.token("admin"),
                json={**LISTING, "type": "lab", "area": 300, "unit": "302"})
    headers = web.token("bob")
    assert len(client.get("/api/v1/space/listings", headers=headers).json()) == 2
    labs = client.get("/api/v1/space/listings?type=lab", headers=headers).json()
    assert [row["unit"] for row in labs] == ["302"]
    big = client.get("/api/v1/space/listings?min_area=1000&available=true",
                     headers=headers).json()
    assert [row["unit"] for row in big] == ["301"]
    bad = client.get("/api/v1/space/listings?type=castle", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "type"


def test_space_requests_are_listed_per_project(web: Web,
                                               large_request: dict[str, object]) -> None:
    client, headers = web.client(), web.token("bob")
    rows = client.get("/api/v1/space/requests", headers=headers).json()
    assert rows[0]["id"] == large_request["id"] and rows[0]["status"] == "pending"
    assert rows[0]["approval_id"] == large_request["approval_id"]
    project = rows[0]["project_id"]
    assert len(client.get(f"/api/v1/space/requests?project={project}",
                          headers=headers).json()) == 1
    assert client.get(f"/api/v1/space/requests?project={project + 1}",
                      headers=headers).json() == []


def test_a_space_request_in_the_past_names_the_field(web: Web) -> None:
    pid = web.project(events=("visit",))
    response = web.client().post("/api/v1/space/requests", headers=web.token("alice"), json={
        "project_id": pid, "type": "office", "area": 100, "needed_by": "2026-01-01"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "needed_by"
