"""Every event's fields under arbitrary values, through the engine and through the REST API.

For each event of the shipped lifecycle a new project is brought to the event's source
state, then the event is fired with fields drawn per field: a valid value of the field's
type, an arbitrary one (any JSON value, NaN, huge numbers, controls, NUL, lone surrogates,
markup, oversized text) or none, sometimes with a field the event does not have. The
answer is either accepted (the project moves, one history row) or a ValidationError / 422
naming a field that was sent or is required, with a message, and then nothing at all was
written: every table keeps its row count and the project its version. Never another error,
a 500 or a half write. When every value drawn is valid the event must be accepted.

Examples per event: PARKFLOW_FUZZ_EXAMPLES (default 40), derandomized, on SQLite and on
PostgreSQL (which refuses what SQLite swallows: NUL, lone surrogates).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from db.engine import reading, writing
from states.definition import EventDef, FieldDef, load_lifecycle
from tests.support.abuse import ANY_JSON, NASTY_TEXT, PATH_TO, table_counts
from tests.support.web import WEB_FIELDS, Web
from workflow.errors import ValidationError
from workflow.fields import USCC_ALPHABET, uscc_check_char
from workflow.park import Park
from workflow.projects import add_project, advance, load_snapshot

EXAMPLES = int(os.environ.get("PARKFLOW_FUZZ_EXAMPLES", "40"))
LIFECYCLE = load_lifecycle()
EVENTS = sorted(LIFECYCLE.events)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

# text a person could type: no controls, no surrogates, something besides blanks
_TYPED = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
                 ).filter(lambda s: s.strip() != "")
_ITEM = _TYPED.filter(lambda s: not any(sep in s for sep in ",，、;；"))


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def valid_value(spec: FieldDef) -> st.SearchStrategy[Any]:
    """A value of the field's type that the engine must accept."""
    if spec.type == "score":
        return st.integers(1, 5) | st.integers(1, 5).map(str)
    if spec.type == "uscc":
        return st.text(USCC_ALPHABET, min_size=17, max_size=17).map(_uscc)
    if spec.type == "choices":
        names = list(spec.choices)
        if spec.single:
            return st.sampled_from(names)
        return st.lists(st.sampled_from(names), min_size=1, unique=True)
    if spec.type in ("count", "integer"):
        low = 1 if spec.type == "integer" else 0
        return st.integers(low, 10**6) | st.integers(low, 10**6).map(str)
    if spec.type == "number":
        return st.integers(0, 10**9) | st.floats(0, 1e9).map(lambda f: round(f, 2))
    if spec.type == "quarter":
        return st.builds(lambda y, q: f"{y}-Q{q}", st.integers(1990, 2100), st.integers(1, 4))
    if spec.type == "phone":
        return st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
    if spec.type == "list":
        return st.lists(_ITEM, min_size=1, max_size=3)
    return _TYPED


@dataclass(frozen=True)
class Draw:
    fields: dict[str, Any]
    all_valid: bool


def draws(event: EventDef) -> st.SearchStrategy[Draw]:
    """Per field: valid, arbitrary or left out; now and then a field the event lacks."""
    def one(spec: FieldDef) -> st.SearchStrategy[tuple[str, Any]]:
        return st.one_of(valid_value(spec).map(lambda v: ("valid", v)),
                         st.one_of(ANY_JSON, NASTY_TEXT).map(lambda v: ("arbitrary", v)),
                         st.just(("missing", None)))

    @st.composite
    def build(draw: st.DrawFn) -> Draw:
        fields: dict[str, Any] = {}
        all_valid = True
        for name, spec in event.fields.items():
            kind, value = draw(one(spec))
            if kind == "missing":
                all_valid = all_valid and not spec.required
                continue
            all_valid = all_valid and kind == "valid"
            fields[name] = value
        if draw(st.integers(0, 9)) == 0:
            # unknown to this event, or a known one overwritten with a bad value
            fields[draw(st.sampled_from(["colour", "uscc", "state", "__proto__"]))] = "x"
            all_valid = False
        return Draw(fields, all_valid)
    return build()


def project_before(engine: Engine, park: Park, event: EventDef, owner: str) -> int:
    """A new project in the event's (first) source state, by its owner."""
    with writing(engine) as session:
        project = add_project(session, park, name="模糊测试项目", category="tech_transfer",
                              owner=owner, actor=owner, intake="2026-11-02",
                              allow_duplicate=True)
        for step in PATH_TO[event.sources[0]]:
            advance(session, park, project_id=project.id, event=step, actor=owner,
                    fields=WEB_FIELDS[step], allow_duplicate=True)
        return int(project.id)


def actor_of(event: EventDef, people: dict[str, str]) -> str:
    return people["leader"] if "owner" not in event.roles else people["alice"]


def assert_names_a_field(field: str | None, event: EventDef, sent: dict[str, Any]) -> None:
    assert field is not None and (field in event.fields or field in sent), field


@pytest.mark.parametrize("name", EVENTS)
def test_any_fields_through_the_engine_are_accepted_or_refused_naming_one_with_nothing_written(
        engine: Engine, live: Park, people: dict[str, str], name: str) -> None:
    event = LIFECYCLE.events[name]
    actor = actor_of(event, people)

    @FUZZ
    @given(drawn=draws(event))
    def fire(drawn: Draw) -> None:
        project_id = project_before(engine, live, event, people["alice"])
        before = table_counts(engine)
        try:
            with writing(engine) as session:
                advance(session, live, project_id=project_id, event=name, actor=actor,
                        fields=drawn.fields, allow_duplicate=True)
        except ValidationError as refused:
            assert not drawn.all_valid, f"valid fields refused: {refused.code} {refused.params}"
            assert_names_a_field(refused.field, event, drawn.fields)
            assert refused.message("zh-CN", None)
            assert table_counts(engine) == before
            with reading(engine) as session:
                assert load_snapshot(session, project_id).state == event.sources[0]
            return
        with reading(engine) as session:
            after = load_snapshot(session, project_id)
        # reactivate ("@previous") returns to the state the path left: intake
        assert after.state == (event.dest if event.dest in LIFECYCLE.states else "intake")
        assert table_counts(engine)["project_events"] == before["project_events"] + 1

    fire()


@pytest.mark.parametrize("name", EVENTS)
def test_any_fields_through_the_api_are_201_or_422_naming_one_with_nothing_written(
        web: Web, name: str) -> None:
    event = LIFECYCLE.events[name]
    engine = web.app.engine
    who = "leader" if "owner" not in event.roles else "alice"
    headers = {**web.token(who), "Content-Type": "application/json"}
    client = web.client()

    @FUZZ
    @given(drawn=draws(event))
    def fire(drawn: Draw) -> None:
        project_id = project_before(engine, web.park, event, web.people["alice"])
        before = table_counts(engine)
        # NaN and ∞ as Python's json writes them: a client may send them, the server reads them
        body = json.dumps({"event": name, "fields": drawn.fields}, allow_nan=True)
        response = client.post(f"/api/v1/projects/{project_id}/events", content=body,
                               headers=headers)
        if response.status_code == 200:
            assert response.json()["id"] == project_id
            assert table_counts(engine)["project_events"] == before["project_events"] + 1
            return
        error = response.json()["error"]
        if response.status_code == 409:  # the API cannot confirm a second project's code
            assert (error["kind"], error["field"]) == ("conflict", "uscc"), error
            assert table_counts(engine) == before
            return
        assert response.status_code == 422, response.text
        assert not drawn.all_valid, response.text
        assert error["kind"] == "invalid" and error["message"]
        assert error["field"] in ("fields", *event.fields, *drawn.fields), error
        assert table_counts(engine) == before

    fire()


NUMERIC = [(name, field) for name in EVENTS for field, spec in LIFECYCLE.events[name].fields.items()
           if spec.type in ("number", "count", "integer")]


@pytest.mark.parametrize(("name", "field"), NUMERIC)
@pytest.mark.parametrize("huge", ["9" * 400, 10**400, "1" * 16])
def test_a_figure_beyond_any_firm_is_refused_not_stored_as_infinity(
        engine: Engine, live: Park, people: dict[str, str], name: str, field: str,
        huge: str | int) -> None:
    event = LIFECYCLE.events[name]
    project_id = project_before(engine, live, event, people["alice"])
    fields = {"quarter": "2026-Q3", "revenue": 1, "tax": 1, "rnd": 1, "employees": 1, "ip": 1,
              field: huge}
    before = table_counts(engine)
    with pytest.raises(ValidationError) as refused, writing(engine) as session:
        advance(session, live, project_id=project_id, event=name, actor=people["alice"],
                fields=fields)
    assert (refused.value.code, refused.value.field) == ("number_too_large", field)
    assert table_counts(engine) == before
