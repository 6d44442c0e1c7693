"""Offering a listing for a space request: it is reserved once, requester and owner are told,
and every refused offer changes nothing; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from tests.factories import listing, listing_row, request, request_row
from tests.support.checks import outbox_rows, refused
from workflow.approvals import decide, withdraw
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.space import list_requests, offer

# ---------------------------------------------------------------- offers

def test_offering_a_listing_for_a_small_request_reserves_it_and_tells_requester_and_owner(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    unit = listing(engine, live, area=320)
    filed = request(engine, live, project, people["carol"], area=300)  # the group lead files
    with writing(engine) as session:
        result = offer(session, live, request_id=filed["id"], listing_id=unit,
                       actor=people["leader"])
    assert result == {"request_id": filed["id"], "listing_id": unit, "status": "offered",
                      "note": None}
    row = listing_row(engine, unit)
    assert (row.status, row.reserved_for, row.version) == ("reserved", filed["id"], 2)
    assert request_row(engine, filed["id"]).status == "offered"
    offered = outbox_rows(engine, kind="listing_offered")
    assert sorted(r.recipient for r in offered) == [people["alice"], people["carol"]]
    assert all(r.project_id == project and r.status == "pending" for r in offered)
    assert all(r.payload["listing_id"] == unit for r in offered)
    with reading(engine) as session:
        [listed] = list_requests(session, live)
    assert (listed["status"], listed["listing_id"]) == ("offered", unit)


def test_an_approved_large_request_can_be_offered_and_a_smaller_listing_needs_a_note(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    smaller = listing(engine, live, area=900)
    filed = request(engine, live, project, people["alice"], area=1200)
    with writing(engine) as session:
        decide(session, live, approval_id=filed["approval_id"], decision="approve",
               actor=people["leader"])
    assert request_row(engine, filed["id"]).status == "approved"

    error = refused(engine, ValidationError, "note",
                    lambda s: offer(s, live, request_id=filed["id"], listing_id=smaller,
                                    actor=people["alice"], note="   "))
    assert "900" in error.message() and "1,200" in error.message()
    with writing(engine) as session:
        result = offer(session, live, request_id=filed["id"], listing_id=smaller,
                       actor=people["alice"], note="企业同意先入驻 900 m²，二期再扩")
    assert result["note"] == "企业同意先入驻 900 m²，二期再扩"
    assert listing_row(engine, smaller).status == "reserved"
    [first, *_] = outbox_rows(engine, kind="listing_offered")
    assert first.payload["note"] == "企业同意先入驻 900 m²，二期再扩"


def test_every_refused_offer_changes_nothing(
        engine: Engine, live: Park, people: dict[str, str], project: int,
        subtests: pytest.Subtests) -> None:
    alice, leader = people["alice"], people["leader"]
    office, lab, taken = (listing(engine, live, area=2000, unit="A"),
                          listing(engine, live, area=2000, type="lab", unit="B"),
                          listing(engine, live, area=2000, unit="C"))
    pending = request(engine, live, project, alice, area=1500)
    rejected = request(engine, live, project, alice, area=1600)
    withdrawn = request(engine, live, project, alice, area=1700)
    cleared = request(engine, live, project, alice, area=100)
    done = request(engine, live, project, alice, area=200)
    with writing(engine) as session:
        decide(session, live, approval_id=rejected["approval_id"], decision="reject",
               actor=leader, comment="面积过大，请压缩")
        withdraw(session, live, approval_id=withdrawn["approval_id"], actor=alice)
        offer(session, live, request_id=done["id"], listing_id=taken, actor=alice)
    cases: list[tuple[str, int, int, str, type[WorkflowError], str]] = [
        ("a request still pending approval", pending["id"], office, alice, Conflict,
         "request"),
        ("a rejected request", rejected["id"], office, alice, Conflict, "request"),
        ("a withdrawn request", withdrawn["id"], office, alice, Conflict, "request"),
        ("a request already offered a listing", done["id"], office, alice, Conflict,
         "request"),
        ("a listing already reserved", cleared["id"], taken, alice, Conflict, "listing"),
        ("a listing of another type", cleared["id"], lab, alice, ValidationError, "listing"),
        ("an unknown listing", cleared["id"], 999, alice, NotFound, "listing"),
        ("an unknown request", 999, office, alice, NotFound, "request"),
        ("a member of another group", cleared["id"], office, people["bob"], NotPermitted,
         "by"),
        ("an unknown person", cleared["id"], office, "nobody@park.test", NotPermitted, "by"),
    ]
    for what, request_id, listing_id, by, kind, field in cases:
        with subtests.test(what):
            refused(engine, kind, field, offer, live, request_id=request_id,
                    listing_id=listing_id, actor=by)
    assert request_row(engine, rejected["id"]).status == "rejected"
    assert request_row(engine, withdrawn["id"]).status == "withdrawn"


def test_two_offers_of_one_listing_at_the_same_moment_reserve_it_once(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    unit = listing(engine, live, area=500)
    first = request(engine, live, project, people["alice"], area=400)
    second = request(engine, live, project, people["carol"], area=450)
    outcome: dict[str, object] = {}

    def rival() -> None:
        try:
            with writing(engine) as session:
                outcome["second"] = offer(session, live, request_id=second["id"],
                                          listing_id=unit, actor=people["carol"])
        except WorkflowError as exc:
            outcome["second"] = exc

    with writing(engine) as session:
        offer(session, live, request_id=first["id"], listing_id=unit, actor=people["alice"])
        thread = threading.Thread(target=rival)
        thread.start()  # blocks on the open transaction (row lock / BEGIN IMMEDIATE)
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the rival offer did not wait for the first one"
    thread.join(timeout=30)
    assert isinstance(outcome["second"], Conflict), outcome
    assert outcome["second"].field == "listing"
    row = listing_row(engine, unit)
    assert (row.status, row.reserved_for) == ("reserved", first["id"])
    assert request_row(engine, second["id"]).status == "open"
    assert {r.payload["request_id"] for r in outbox_rows(engine, kind="listing_offered")} == {
        first["id"]}
