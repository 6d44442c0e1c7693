"""The space inventory (全区一张图) and space requests, on SQLite and on PostgreSQL.

Everything goes through the use cases with a fixed clock (2026-11-20 10:00, a Friday) and a
park wired with its observers, so the outbox rows written with each change can be checked.
Every refusal is checked to leave every table exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from db.models import Approval
from parkflow.wiring import make_park
from tests.factories import NOW, listing, listing_row, request, request_row
from tests.support.checks import outbox_rows, refused
from workflow.approvals import decide
from workflow.clock import FixedClock
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.space import (
    add_listing,
    list_listings,
    list_requests,
    offer,
    request_space,
    withdraw_request,
)

# ---------------------------------------------------------------- the inventory

def test_listings_are_added_available_and_the_list_filters_by_status_type_and_area(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    office = listing(engine, live, area="1200.5", unit="501")
    lab = listing(engine, live, area=300, type="lab", unit="L2")
    plant = listing(engine, live, area=5000, type="plant", unit="厂房1")
    small = listing(engine, live, area=80, unit="502")
    cleared = request(engine, live, project, people["alice"], area=60)
    with writing(engine) as session:
        offer(session, live, request_id=cleared["id"], listing_id=small, actor=people["alice"])

    with reading(engine) as session:
        every = list_listings(session, live)
        available = list_listings(session, live, available=True)
        offices = list_listings(session, live, type="office")
        large = list_listings(session, live, min_area="1000")
        english = list_listings(session, live, type="plant", lang="en")
    assert [r["id"] for r in every] == [office, lab, plant, small]
    assert every[0] == {"id": office, "carrier": "合肥创新产业园", "building": "B3",
                        "unit": "501", "area": 1200.5, "type": "office",
                        "type_label": "办公用房", "status": "available", "reserved_for": None}
    assert [r["id"] for r in available] == [office, lab, plant]
    assert [r["id"] for r in offices] == [office, small]
    assert [r["id"] for r in large] == [office, plant]
    assert english[0]["type_label"] == "production plant"
    assert (every[3]["status"], every[3]["reserved_for"]) == ("reserved", cleared["id"])


BAD_LISTING_FIELDS = [
    ("area", "-5"), ("area", "0"), ("area", "NaN"), ("area", "nan"), ("area", "inf"),
    ("area", "1000000.5"), ("area", "1e9"), ("area", "十平米"), ("area", ""),
    ("type", "house"), ("type", "offices"), ("carrier", "  "), ("unit", ""),
]


def test_a_listing_with_a_bad_field_is_refused_naming_the_field_and_nothing_is_written(
        engine: Engine, live: Park, people: dict[str, str], subtests: pytest.Subtests) -> None:
    listing(engine, live)  # something to keep
    for field, value in BAD_LISTING_FIELDS:
        fields: dict[str, Any] = {"carrier": "合肥创新产业园", "building": "B3", "unit": "501",
                                  "area": "1200", "type": "office", field: value}
        with subtests.test(f"{field}={value!r}"):
            refused(engine, ValidationError, field, add_listing, live, now=live.now(),
                    actor=people["leader"], **fields)


def test_the_largest_allowed_area_is_accepted_and_a_bad_min_area_filter_is_refused(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    biggest = listing(engine, live, area="1000000", type="plant")
    assert listing_row(engine, biggest).area_m2 == 1_000_000
    with pytest.raises(ValidationError) as caught, reading(engine) as session:
        list_listings(session, live, min_area="-1")
    assert caught.value.field == "min_area"


# ---------------------------------------------------------------- requests: which path

PATHS = [
    ("office", 1200, True, "办公用房 1,200 m² ≥ 1,000 m²，须先报分管领导审批"),
    ("office", 1000, True, "办公用房 1,000 m² ≥ 1,000 m²，须先报分管领导审批"),
    ("office", 300, False, "办公用房 300 m² < 1,000 m²，直接进入匹配"),
    ("lab", 1000, True, "实验室 1,000 m² ≥ 1,000 m²，须先报分管领导审批"),
    ("lab", 999, False, "实验室 999 m² < 1,000 m²，直接进入匹配"),
    ("plant", 50, True, "生产性厂房不论面积均须先报分管领导审批"),
    ("plant", 0.5, True, "生产性厂房不论面积均须先报分管领导审批"),
]


def test_a_space_request_says_which_path_it_took_and_why(
        engine: Engine, live: Park, people: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    for type, area, needs, reason in PATHS:
        with subtests.test(f"{type} {area} m²"):
            requested_before = len(outbox_rows(engine, kind="approval_requested"))
            filed = request(engine, live, project, people["alice"], type=type, area=area,
                            carrier="合肥创新产业园", note="研发团队扩编")
            assert set(filed) == {"id", "needs_approval", "approval_id", "reason"}
            assert filed["needs_approval"] is needs
            assert filed["reason"] == reason
            row = request_row(engine, filed["id"])
            assert (row.status, row.needs_approval, row.area_m2, row.carrier, row.note) == (
                "pending" if needs else "open", needs, area, "合肥创新产业园", "研发团队扩编")
            requested = outbox_rows(engine, kind="approval_requested")[requested_before:]
            with reading(engine) as session:
                listed = {r["id"]: r for r in list_requests(session, live, project_id=project)}
            assert listed[filed["id"]]["approval_id"] == filed["approval_id"]
            if needs:
                assert filed["approval_id"] is not None
                # told at once, and reminded on the day the decision is due
                assert sorted((r.recipient, r.send_at.astimezone(NOW.tzinfo).isoformat())
                              for r in requested) == [
                    (people["leader"], "2026-11-20T10:00:00+08:00"),
                    (people["leader"], "2026-11-25T09:00:00+08:00")]
            else:
                assert filed["approval_id"] is None
                assert requested == []


def test_the_reason_shows_a_fractional_area_as_typed_not_rounded_up_to_the_threshold(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    """999.5 m² goes straight to matching; the reason must not read “1,000 m² < 1,000 m²”."""
    filed = request(engine, live, project, people["alice"], area=999.5)
    assert filed["needs_approval"] is False
    assert filed["reason"] == "办公用房 999.5 m² < 1,000 m²，直接进入匹配"


def test_the_reason_is_in_english_for_an_english_reader(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    big = request(engine, live, project, people["alice"], area=2500, lang="en")
    plant = request(engine, live, project, people["alice"], type="plant", area=50, lang="en")
    assert big["reason"] == ("office of 2,500 m² ≥ 1,000 m²: needs a leader's approval first")
    assert plant["reason"] == "a production plant of any size needs a leader's approval first"


def test_needed_by_today_is_accepted_and_the_request_list_filters_by_project(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    with writing(engine) as session:
        other = add_project(session, live, name="校友芯片", category="alumni",
                            owner=people["carol"], actor=people["carol"]).id
    mine = request(engine, live, project, people["alice"], needed_by="2026-11-20")
    theirs = request(engine, live, other, people["carol"], type="plant", area=50,
                     needed_by="2026-11-20T23:59:00+08:00")
    with reading(engine) as session:
        everything = list_requests(session, live)
        only = list_requests(session, live, project_id=other)
    assert [r["id"] for r in everything] == [mine["id"], theirs["id"]]
    assert [r["id"] for r in only] == [theirs["id"]]
    assert only[0] | {"reason": None} == {
        "id": theirs["id"], "project_id": other, "project_name": "校友芯片", "type": "plant",
        "area": 50, "needed_by": "2026-11-20", "carrier": None, "note": None,
        "requested_by": people["carol"], "needs_approval": True,
        "approval_id": theirs["approval_id"], "status": "pending", "listing_id": None,
        "reason": None}


BAD_REQUESTS: list[tuple[str, dict[str, Any], type[WorkflowError], str]] = [
    ("a negative area", {"area": "-100"}, ValidationError, "area"),
    ("a zero area", {"area": 0}, ValidationError, "area"),
    ("a NaN area", {"area": "NaN"}, ValidationError, "area"),
    ("an infinite area", {"area": "Infinity"}, ValidationError, "area"),
    ("an absurd area", {"area": 1_000_001}, ValidationError, "area"),
    ("an area in words", {"area": "一千"}, ValidationError, "area"),
    ("needed by yesterday", {"needed_by": "2026-11-19"}, ValidationError, "needed_by"),
    ("needed by long ago", {"needed_by": "2020-01-01"}, ValidationError, "needed_by"),
    ("needed by a day that does not exist", {"needed_by": "2026-02-30"}, ValidationError,
     "needed_by"),
    ("a bad type", {"type": "warehouse"}, ValidationError, "type"),
    ("an unknown person", {"by": "nobody@park.test"}, NotPermitted, "by"),
    ("nobody named", {"by": ""}, ValidationError, "by"),
    ("a member of another group", {"by": "bob@park.test"}, NotPermitted, "by"),
    ("an admin", {"by": "admin@park.test"}, NotPermitted, "by"),
    ("an unknown project", {"project_id": 999}, NotFound, "id"),
]


def test_a_bad_space_request_is_refused_and_nothing_is_written(
        engine: Engine, live: Park, people: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    request(engine, live, project, people["alice"], area=1500)  # something to keep
    for what, changes, kind, field in BAD_REQUESTS:
        args: dict[str, Any] = {"project_id": project, "type": "office", "area": 1500,
                                "needed_by": "2026-12-31", "by": people["alice"], **changes}
        by = args.pop("by")
        with subtests.test(what):
            refused(engine, kind, field, request_space, live, actor=by, **args)


def test_a_project_that_left_the_library_cannot_ask_for_space(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    with writing(engine) as session:
        advance(session, live, project_id=project, event="exit", actor=people["alice"],
                fields={"reason": "relocated", "note": "迁往外地"})
    refused(engine, Conflict, "project",
            lambda s: request_space(s, live, project_id=project, type="office", area=100,
                                    needed_by="2026-12-31", actor=people["alice"]))


def test_text_longer_than_the_database_keeps_is_refused_as_invalid_naming_the_field(
        engine: Engine, live: Park, people: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    """The columns are VARCHAR(n): PostgreSQL would raise a DataError (exit 1, “internal”)
    and SQLite would silently keep what PostgreSQL refuses. Both must say which field."""
    pending = request(engine, live, project, people["alice"], area=1500)["approval_id"]
    listing_fields = {"carrier": "合肥创新产业园", "building": "B3", "unit": "501",
                      "area": "100", "type": "office", "actor": people["leader"]}
    cases: list[tuple[str, Callable[..., object], dict[str, Any]]] = [
        ("carrier", add_listing, {**listing_fields, "carrier": "载" * 101, "now": NOW}),
        ("building", add_listing, {**listing_fields, "building": "B" * 51, "now": NOW}),
        ("unit", add_listing, {**listing_fields, "unit": "U" * 51, "now": NOW}),
        ("carrier", request_space, {"project_id": project, "type": "office", "area": 10,
                                    "needed_by": "2026-12-31", "actor": people["alice"],
                                    "carrier": "载" * 101}),
        ("note", request_space, {"project_id": project, "type": "office", "area": 10,
                                 "needed_by": "2026-12-31", "actor": people["alice"],
                                 "note": "说" * 2001}),
        ("comment", decide, {"approval_id": pending, "decision": "reject",
                             "actor": people["leader"], "comment": "意" * 2001}),
    ]
    for field, action, kwargs in cases:
        with subtests.test(f"{action.__name__}: {field}"):
            refused(engine, ValidationError, field, action, live, **kwargs)


def test_the_request_clock_reads_the_park_day_not_utc(
        engine: Engine, people: dict[str, str]) -> None:
    """At 07:00 in Hefei it is still yesterday in UTC: needed-by today must be accepted."""
    morning = NOW.replace(hour=7)
    park = make_park(clock=FixedClock(morning))
    with writing(engine) as session:
        pid = add_project(session, park, name="清晨项目", category="platform",
                          owner=people["alice"], actor=people["alice"]).id
    filed = request(engine, park, pid, people["alice"], needed_by=morning.date().isoformat())
    assert filed["needs_approval"] is False
    refused(engine, ValidationError, "needed_by",
            lambda s: request_space(s, park, project_id=pid, type="office", area=10,
                                    needed_by=(morning - timedelta(days=1)).date().isoformat(),
                                    actor=people["alice"]))


def test_only_those_who_keep_the_inventory_may_add_a_listing(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    fields: dict[str, Any] = {"carrier": "合肥创新产业园", "building": "B3", "unit": "501",
                              "area": "1200", "type": "office"}
    for who in ("alice", "carol"):  # a member, a group lead
        refused(engine, NotPermitted, "by", add_listing, live, now=live.now(),
                actor=people[who], **fields)
    refused(engine, NotPermitted, "by", add_listing, live, now=live.now(),
            actor="nobody@park.test", **fields)
    for who, unit in (("leader", "501"), ("admin", "502")):
        with writing(engine) as session:
            assert add_listing(session, live, now=live.now(), actor=people[who],
                               **{**fields, "unit": unit}).id is not None


def test_a_request_is_withdrawn_by_its_requester_with_its_approval_and_only_while_open(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    small = request(engine, live, project, people["alice"], area=100)
    large = request(engine, live, project, people["alice"], area=1500)  # to a leader first
    refused(engine, NotPermitted, "by", withdraw_request, live, request_id=small["id"],
            actor=people["carol"])
    refused(engine, NotFound, "request", withdraw_request, live, request_id=999,
            actor=people["alice"])
    for filed in (small, large):
        with writing(engine) as session:
            withdraw_request(session, live, request_id=filed["id"], actor=people["alice"])

    assert [request_row(engine, f["id"]).status for f in (small, large)] == ["withdrawn"] * 2
    with reading(engine) as session:
        approval = session.get(Approval, large["approval_id"])
        assert approval is not None and approval.state == "withdrawn"
    refused(engine, Conflict, "request", withdraw_request, live, request_id=small["id"],
            actor=people["alice"])
