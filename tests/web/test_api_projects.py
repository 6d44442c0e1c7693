"""REST API v1, projects: the CLI's names, shapes and error codes over HTTP, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from db.engine import reading
from db.models import ApiToken
from tests.factories import ERROR_KEYS, HISTORY_KEYS, PROJECT_KEYS
from tests.support.web import FORM_VISIT, Web

SUMMARY_KEYS = {"id", "name", "category", "state", "owner", "group", "stars", "due_date",
                "due_at", "deadline_status"}


def error_of(response: object) -> dict[str, str | None]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    return body["error"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- authentication

def test_no_token_is_a_401_with_the_cli_error_body(web: Web) -> None:
    response = web.client().get("/api/v1/projects")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert error_of(response)["kind"] == "unauthenticated"


def test_a_bad_or_malformed_token_is_a_401(web: Web) -> None:
    client = web.client()
    for value in ("Bearer pf_not-a-real-token", "Bearer nonsense", "Basic YWxpY2U6eA==",
                  "Bearer " + "pf_" + "x" * 500):
        response = client.get("/api/v1/projects", headers={"Authorization": value})
        assert response.status_code == 401, value


def test_a_revoked_token_stops_working(web: Web) -> None:
    from db.engine import writing
    from workflow.tokens import revoke_token
    headers = web.token("alice")
    client = web.client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with writing(web.app.engine) as session:
        token_id = session.exec(select(ApiToken.id)).one()
        assert token_id is not None
        revoke_token(session, token_id=token_id, actor=web.people["alice"],
                     now=web.clock.now())
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_records_when_it_was_last_used_at_most_once_a_minute(web: Web) -> None:
    headers = web.token("alice")
    client = web.client()
    client.get("/api/v1/me", headers=headers)
    with reading(web.app.engine) as session:
        first = session.exec(select(ApiToken.last_used_at)).one()
    assert first == web.clock.now()
    web.clock.advance(timedelta(seconds=30))
    client.get("/api/v1/me", headers=headers)
    with reading(web.app.engine) as session:
        assert session.exec(select(ApiToken.last_used_at)).one() == first
    web.clock.advance(timedelta(minutes=1))
    client.get("/api/v1/me", headers=headers)
    with reading(web.app.engine) as session:
        assert session.exec(select(ApiToken.last_used_at)).one() == web.clock.now()


def test_the_api_ignores_the_session_cookie(web: Web) -> None:
    client = web.signed_in("alice")
    assert client.get("/api/v1/projects").status_code == 401


# ---------------------------------------------------------------- projects

def test_a_project_is_added_and_shown_with_the_shape_of_project_show(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    response = client.post("/api/v1/projects", headers=headers, json={
        "name": "量子测量", "category": "tech_transfer", "owner": web.people["alice"],
        "intake_date": "2026-11-16"})
    assert response.status_code == 201
    created = response.json()
    assert set(created) >= PROJECT_KEYS
    assert created["state"] == "intake" and created["owner"] == {
        "email": web.people["alice"], "name": "李爱丽"}
    assert created["deadline"]["due_date"] == "2026-11-23"
    assert created["deadline"]["due_at"] == "2026-11-24T00:00:00+08:00"
    assert created["history"][0]["event"] == "intake" and created["history"][0]["from"] is None
    assert response.headers["location"] == f"http://testserver/api/v1/projects/{created['id']}"
    shown = client.get(response.headers["location"], headers=headers).json()
    assert shown == created


def test_projects_are_listed_with_filters(web: Web) -> None:
    late = web.project("迟", intake="2026-11-05")
    web.project("早", owner="bob", intake="2026-11-20")
    client, headers = web.client(), web.token("bob")
    rows = client.get("/api/v1/projects", headers=headers).json()
    assert len(rows) == 2 and all(set(r) >= SUMMARY_KEYS for r in rows)
    overdue = client.get("/api/v1/projects?overdue=true", headers=headers).json()
    assert [r["id"] for r in overdue] == [late] and overdue[0]["deadline_status"] == "overdue"
    mine = client.get(f"/api/v1/projects?owner={web.people['bob']}", headers=headers).json()
    assert [r["name"] for r in mine] == ["早"]
    assert client.get("/api/v1/projects?group=finance", headers=headers).json() == mine
    assert client.get("/api/v1/projects?state=visited", headers=headers).json() == []
    assert client.get("/api/v1/projects?search=C", headers=headers).json() == [overdue[0]]


def test_an_unknown_state_filter_names_the_field(web: Web) -> None:
    response = web.client().get("/api/v1/projects?state=nowhere", headers=web.token("alice"))
    assert response.status_code == 422 and error_of(response)["field"] == "state"


def test_the_events_endpoint_says_what_the_caller_may_fire_now_and_why_not(web: Web) -> None:
    pid = web.project(events=("visit",))
    client = web.client()
    mine = client.get(f"/api/v1/projects/{pid}/events", headers=web.token("alice"))
    assert mine.status_code == 200
    choices = mine.json()
    assert [(c["event"], c["available"]) for c in choices] == [
        ("visit", False), ("register", True), ("sign", False), ("open", False),
        ("exit", True), ("equity_change", False), ("address_change", False),
        ("indicators", False), ("need", False), ("reactivate", False)]
    assert choices[0]["reason"] == {"code": "invalid_transition",
                                    "params": {"event": "visit", "state": "visited"}}
    assert choices[1]["reason"] is None
    assert choices[-1]["reason"]["code"] == "not_allowed_role"
    assert choices[-1]["reason"]["params"]["roles"] == ["leader"]  # leaders only
    theirs = client.get(f"/api/v1/projects/{pid}/events", headers=web.token("bob")).json()
    assert [c["reason"]["code"] for c in theirs] == ["not_allowed_role"] * 10
    missing = client.get("/api/v1/projects/999/events", headers=web.token("alice"))
    assert missing.status_code == 404 and error_of(missing)["kind"] == "not_found"
    shown = client.get(f"/api/v1/projects/{pid}", headers=web.token("alice")).json()
    assert "available_events" not in shown  # the project's shape is unchanged


def test_firing_a_visit_rates_the_project_and_moves_its_deadline(web: Web) -> None:
    pid = web.project(intake="2026-11-16")
    response = web.client().post(f"/api/v1/projects/{pid}/events", headers=web.token("alice"),
                                 json={"event": "visit", "at": "2026-11-18",
                                       "fields": {**FORM_VISIT, "team": 4}})
    assert response.status_code == 200
    view = response.json()
    assert view["state"] == "visited" and view["stars"] == 3
    assert view["deadline"]["due_date"] == "2026-12-16"
    assert view["history"][-1]["fields"]["needs"] == ["funding", "space"]
    assert view["history"][-1]["occurred_at"] == "2026-11-18T00:00:00+08:00"


def test_the_history_has_the_shape_of_project_history(web: Web) -> None:
    pid = web.project(events=("visit",))
    rows = web.client().get(f"/api/v1/projects/{pid}/history", headers=web.token("bob")).json()
    assert [r["event"] for r in rows] == ["intake", "visit"]
    assert all(set(r) == HISTORY_KEYS for r in rows)
    assert rows[1]["from"] == "intake" and rows[1]["to"] == "visited"


def test_a_follow_up_is_logged(web: Web) -> None:
    pid = web.project(events=("visit",))
    response = web.client().post(f"/api/v1/projects/{pid}/follow-ups",
                                 headers=web.token("alice"), json={"note": "融资顺利"})
    assert response.status_code == 201
    assert response.json()["history"][-1]["event"] == "follow_up"


# ---------------------------------------------------------------- errors, as the CLI's codes

def test_invalid_input_is_422_naming_the_field(web: Web) -> None:
    pid = web.project()
    client, headers = web.client(), web.token("alice")
    bad_score = client.post(f"/api/v1/projects/{pid}/events", headers=headers,
                            json={"event": "visit", "fields": {**FORM_VISIT, "team": 9}})
    assert bad_score.status_code == 422
    error = error_of(bad_score)
    assert (error["kind"], error["field"]) == ("invalid", "team")
    assert "团队人才层次" in str(error["message"]) and "1–5" in str(error["message"])
    missing = client.post(f"/api/v1/projects/{pid}/events", headers=headers,
                          json={"event": "visit", "fields": {"team": 3}})
    assert missing.status_code == 422 and error_of(missing)["field"] == "visitors"
    future = client.post(f"/api/v1/projects/{pid}/events", headers=headers,
                         json={"event": "visit", "at": "2026-12-01", "fields": FORM_VISIT})
    assert error_of(future)["field"] == "at"
    unknown = client.post(f"/api/v1/projects/{pid}/events", headers=headers,
                          json={"event": "teleport"})
    assert unknown.status_code == 422 and error_of(unknown)["field"] == "event"
    category = client.post("/api/v1/projects", headers=headers,
                           json={"name": "x", "category": "nope", "owner": web.people["alice"]})
    assert error_of(category)["field"] == "category"


def test_an_event_field_of_the_wrong_json_type_is_refused_by_its_own_name(web: Web) -> None:
    """JSON's true is no score (it was read as 1 and rated the project); 3.5, an object or a
    list of numbers name the field with its label, once, not a schema union's "fields"."""
    pid = web.project()
    client, headers = web.client(), web.token("alice")
    before = client.get(f"/api/v1/projects/{pid}/history", headers=headers).json()
    for field, value, label in (("technology", True, "技术先进性"),
                                ("market", 3.5, "市场前景"),
                                ("market", {"score": 4}, "市场前景"),
                                ("visitors", True, "走访人员"),
                                ("visitors", [1, 2], "走访人员"),
                                ("needs", ["funding"] * 51, "项目需求")):
        response = client.post(f"/api/v1/projects/{pid}/events", headers=headers, json={
            "event": "visit", "fields": {**FORM_VISIT, field: value}})
        assert response.status_code == 422, (field, value)
        error = error_of(response)
        assert (error["kind"], error["field"]) == ("invalid", field), (field, value)
        message = str(error["message"])
        assert message.startswith(label) and message.count(label) == 1, message
        assert "Fields" not in message and "fields" not in message
        assert "True" not in message  # JSON's true, as it was sent
    assert client.get(f"/api/v1/projects/{pid}/history", headers=headers).json() == before
    # a field sent as null is one left out: a required one is then missing
    missing = client.post(f"/api/v1/projects/{pid}/events", headers=headers, json={
        "event": "visit", "fields": {**FORM_VISIT, "market": None}})
    assert missing.status_code == 422 and error_of(missing)["field"] == "market"
    assert "缺少" in str(error_of(missing)["message"])
    # numbers still come as numbers or as text
    fired = client.post(f"/api/v1/projects/{pid}/events", headers=headers, json={
        "event": "visit", "fields": {**FORM_VISIT, "team": 4, "market": "4"}})
    assert fired.status_code == 200, fired.text
    assert fired.json()["history"][-1]["fields"]["market"] == 4


def test_a_body_the_schema_refuses_is_422_with_the_cli_body(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    missing = client.post("/api/v1/projects", headers=headers, json={"name": "缺类别"})
    assert missing.status_code == 422
    assert error_of(missing)["kind"] == "invalid" and error_of(missing)["field"] == "category"
    extra = client.post("/api/v1/projects", headers=headers,
                        json={"name": "x", "category": "alumni", "owner": web.people["alice"],
                              "colour": "red"})
    assert extra.status_code == 422 and error_of(extra)["field"] == "colour"
    nul = client.post("/api/v1/projects", headers=headers,
                      json={"name": "a\x00b", "category": "alumni",
                            "owner": web.people["alice"]})
    assert nul.status_code == 422 and error_of(nul)["field"] == "name"


def test_a_malformed_body_is_a_401_before_a_valid_token_and_a_422_after(web: Web) -> None:
    # FastAPI reads the JSON before the token: an anonymous caller must still get only 401
    client, headers = web.client(), web.token("alice")
    json_type = {"Content-Type": "application/json"}
    for refused in ({}, {"Authorization": "Bearer pf_not-a-real-token"}):
        anonymous = client.post("/api/v1/projects", headers=refused | json_type,
                                content=b'{"name": ')
        assert anonymous.status_code == 401
        assert error_of(anonymous)["kind"] == "unauthenticated"
        assert anonymous.headers["www-authenticate"] == "Bearer"
    signed = client.post("/api/v1/projects", headers=headers | json_type,
                         content=b'{"name": ')
    assert signed.status_code == 422 and error_of(signed)["kind"] == "invalid"


def test_messages_follow_the_token_owners_language(web: Web) -> None:
    from db.engine import writing
    from workflow.accounts import set_language
    with writing(web.app.engine) as session:
        set_language(session, actor=web.people["bob"], lang="en")
    response = web.client().get("/api/v1/projects/42", headers=web.token("bob"))
    assert error_of(response)["message"] == "Project 42 not found"


def test_an_accept_language_the_client_sends_wins_over_the_token_owners(web: Web) -> None:
    """Errors and labels alike: before, a refused body answered in the header's language and
    a refused event in the owner's, in one conversation."""
    pid = web.project()
    client, headers = web.client(), web.token("alice")  # alice reads Chinese
    english = {**headers, "Accept-Language": "en-US,en;q=0.9"}
    unknown = client.post(f"/api/v1/projects/{pid}/events", headers=english,
                          json={"event": "fly"})
    assert str(error_of(unknown)["message"]).startswith("Unknown event")
    shown = client.get(f"/api/v1/projects/{pid}", headers=english).json()
    assert shown["state_label"] == "In library · visit due"
    # a language we do not have, or none, leaves the owner's
    for other in ({**headers, "Accept-Language": "fr"}, headers):
        assert client.get(f"/api/v1/projects/{pid}", headers=other).json()[
            "state_label"] == "已入库·待走访"


def test_a_method_the_address_does_not_answer_is_405_with_the_ones_it_does(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    for method, path, allowed in (("PUT", "/api/v1/me", "GET"),
                                  ("DELETE", "/api/v1/projects", "GET, POST"),
                                  ("PUT", "/api/v1/projects/1", "GET")):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allowed, (method, path)


def test_not_permitted_is_403(web: Web) -> None:
    pid = web.project(owner="alice")
    response = web.client().post(f"/api/v1/projects/{pid}/events", headers=web.token("bob"),
                                 json={"event": "visit", "fields": FORM_VISIT})
    assert response.status_code == 403 and error_of(response)["kind"] == "not_permitted"
    admin = web.client().post("/api/v1/projects", headers=web.token("admin"), json={
        "name": "管理员不入库", "category": "alumni", "owner": web.people["alice"]})
    assert admin.status_code == 403


def test_not_found_is_404(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    for path in ("/api/v1/projects/42", "/api/v1/projects/42/history"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and error_of(response)["kind"] == "not_found"
    assert client.get("/api/v1/nothing-here", headers=headers).status_code == 404


def test_an_event_not_allowed_in_the_state_is_409(web: Web) -> None:
    pid = web.project()
    response = web.client().post(f"/api/v1/projects/{pid}/events", headers=web.token("alice"),
                                 json={"event": "open", "fields": {"premises": "B2"}})
    assert response.status_code == 409 and error_of(response)["kind"] == "conflict"


def test_ids_out_of_range_are_refused_not_crashed(web: Web) -> None:
    client, headers = web.client(), web.token("alice")
    assert client.get(f"/api/v1/projects/{2**63}", headers=headers).status_code == 422
    assert client.get("/api/v1/projects/0", headers=headers).status_code == 422
    absurd = client.post("/api/v1/projects", headers=headers, json={
        "name": "x", "category": "alumni", "owner": web.people["alice"],
        "intake_date": "0001-01-01T00:00:00+14:00"})
    assert absurd.status_code == 422 and error_of(absurd)["field"] == "intake_date"


def test_the_openapi_document_describes_every_endpoint(web: Web) -> None:
    document = web.client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path, methods in {"/api/v1/projects": {"get", "post"},
                          "/api/v1/projects/{project_id}": {"get"},
                          "/api/v1/projects/{project_id}/events": {"post"},
                          "/api/v1/projects/{project_id}/history": {"get"},
                          "/api/v1/approvals": {"get"},
                          "/api/v1/approvals/{approval_id}/decision": {"post"},
                          "/api/v1/space/listings": {"get", "post"},
                          "/api/v1/space/requests": {"get", "post"}}.items():
        assert methods <= set(paths[path]), path
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert not [p for p in paths if not p.startswith("/api/v1/")]
    assert "ErrorBody" in document["components"]["schemas"]


def test_the_openapi_document_lists_the_definitions_states_categories_and_events(
        web: Web) -> None:
    """An integrator learns the vocabulary there, from the definition the server runs."""
    description = web.client().get("/api/v1/openapi.json").json()["info"]["description"]
    lifecycle = web.park.lifecycle
    for name in [*lifecycle.states, *lifecycle.categories]:
        assert f"`{name}`" in description, name
    rows = {line.split("`")[1]: line for line in description.splitlines()
            if line.startswith("| `")}
    assert set(rows) == set(lifecycle.events)
    for event in lifecycle.events.values():
        for field in event.fields:
            assert f"`{field}`" in rows[event.name], (event.name, field)
    assert "`team`* 团队人才层次" in rows["visit"] and "an integer 1–5" in rows["visit"]
    assert "one of `relocated`" in rows["exit"]
    assert "the state it exited from" in rows["reactivate"]


def test_healthz_answers_for_monitoring(web: Web) -> None:
    response = web.client().get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_the_api_refuses_in_its_own_words(web: Web) -> None:
    """Each message says what was wrong with what was sent, in the caller's language, by the
    input's label: not a file for a JSON body, not "less than 0" for an area of 0, no page."""
    pid = web.project()
    client, headers = web.client(), web.token("alice")
    area = client.post("/api/v1/space/requests", headers=headers, json={
        "project_id": pid, "type": "office", "area": 0, "needed_by": "2026-12-31"})
    assert area.status_code == 422
    assert error_of(area)["message"] == "面积 须大于 0，而不是“0”"
    nothing = client.post(f"/api/v1/projects/{pid}/events", headers=headers, json={
        "event": "visit", "fields": {**FORM_VISIT, "needs": []}})
    assert (error_of(nothing)["field"], error_of(nothing)["message"]) == (
        "needs", "项目需求不能为空")
    for query, label in (("overdue=maybe", "仅逾期"), ("pending=maybe", "仅待审批")):
        path = "/api/v1/projects" if "overdue" in query else "/api/v1/approvals"
        message = str(error_of(client.get(f"{path}?{query}", headers=headers))["message"])
        assert message.startswith(label), message
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404
    assert "/api/v1/openapi.json" in str(error_of(missing)["message"])
    huge = client.post(f"/api/v1/projects/{pid}/follow-ups", headers=headers,
                       content=b'{"note": "' + b"x" * 6_000_000 + b'"}')
    assert huge.status_code == 413
    assert error_of(huge)["message"] == "请求内容超过 5 MB 的上限。"
