"""Every refusal of the space and approval commands: its exit code, one line on stderr, the
error object on stdout, and not one row changed; on SQLite and on PostgreSQL.

The matrix runs the command in-process (typer's CliRunner: the same parsing, use cases and
exit-code mapping, without a second's start-up per call).
"""

from __future__ import annotations

import gc
import os
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from db.engine import writing
from parkflow.cli import app as parkflow_app
from tests.factories import LEADER2, NOW, REGISTER, VISIT, seed_project
from tests.support.checks import fingerprint
from tests.support.command import Result, assert_error
from workflow.approvals import decide, file_extension
from workflow.park import Park
from workflow.projects import advance
from workflow.space import add_listing, offer, request_space

# ---------------------------------------------------------------- running the command

def in_process(db_url: str, *args: str) -> Result:
    """The same command in this process (CliRunner), for the many quick refusals."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PARKFLOW_")}
    env.update(PARKFLOW_DATABASE_URL=db_url, PARKFLOW_TEST_NOW=NOW.isoformat())
    done = CliRunner().invoke(parkflow_app, list(args), env=env, catch_exceptions=False)
    return Result(done.exit_code, done.stdout, done.stderr)


# ---------------------------------------------------------------- every refusal

def test_every_refusal_has_its_exit_code_and_changes_nothing(
        db_url: str, engine: Engine, live: Park, staff: dict[str, str], today: date,
        subtests: pytest.Subtests) -> None:
    alice, carol, leader = staff["alice"], staff["carol"], staff["leader"]
    park = live
    project = seed_project(engine, park, alice, "量子精密测量")
    done = seed_project(engine, park, alice, "已开业项目",
                        intake=(today - timedelta(days=10)).isoformat())
    needed = (today + timedelta(days=30)).isoformat()
    with writing(engine) as session:
        for n, (event, fields) in enumerate([
                ("visit", VISIT), ("register", REGISTER), ("sign", {"agreement_no": "HT-1"}),
                ("open", {"premises": "A3 栋"})]):
            advance(session, park, project_id=done, event=event, actor=alice,
                    at=(today - timedelta(days=9 - n)).isoformat(), fields=fields)

        def ask(area: float, by: str = alice, type: str = "office") -> dict[str, Any]:
            return request_space(session, park, project_id=project, type=type, area=area,
                                 needed_by=needed, actor=by)

        def unit(area: float, type: str = "office") -> int:
            listing = add_listing(session, park, carrier="合肥创新产业园", building="B3",
                                  unit=f"{type}-{area}", area=area, type=type, actor=leader,
                                  now=park.now())
            assert listing.id is not None
            return listing.id

        ext = file_extension(session, park, project_id=project, days=10, reason="等待",
                             actor=alice).id
        own = ask(50, by=leader, type="plant")["approval_id"]  # filed by the leader
        cleared = ask(2000)
        decide(session, park, approval_id=cleared["approval_id"], decision="approve",
               actor=leader)
        pending = ask(1500)
        rejected = ask(1300)
        decide(session, park, approval_id=rejected["approval_id"], decision="reject",
               actor=leader, comment="过大")
        returned = ask(1200)["approval_id"]
        decide(session, park, approval_id=returned, decision="return", actor=leader,
               comment="补材料")
        big, small, lab, taken = unit(3000), unit(500), unit(3000, "lab"), unit(3100)
        offer(session, park, request_id=ask(100)["id"], listing_id=taken, actor=alice)
    cleared_id, decided_aid = str(cleared["id"]), str(cleared["approval_id"])

    decide_ = ["approvals", "decide"]
    def request(**changes: str) -> list[str]:
        options = {"type": "office", "area": "1500", "needed-by": needed, "by": alice,
                   **{k.replace("_", "-"): v for k, v in changes.items()}}
        target = options.pop("project", str(project))
        return ["space", "request", target,
                *[a for k, v in options.items() for a in (f"--{k}", v)], "--json"]

    listing = ["space", "listing", "add", "--carrier", "C", "--building", "B", "--unit", "U",
               "--by", leader, "--type", "office", "--json"]
    extend = ["extension", "request", str(project), "--reason", "理由", "--by", alice,
              "--json"]
    cases: list[tuple[str, list[str], int, str, str | None]] = [
        ("self-approval", [*decide_, str(own), "approve", "--by", leader, "--json"],
         3, "not_permitted", "by"),
        ("a member deciding", [*decide_, str(ext), "approve", "--by", alice, "--json"],
         3, "not_permitted", "by"),
        ("a group lead deciding", [*decide_, str(ext), "approve", "--by", carol, "--json"],
         3, "not_permitted", "by"),
        ("an unknown --by", [*decide_, str(ext), "approve", "--by", "nobody@park.test",
                             "--json"], 3, "not_permitted", "by"),
        ("no --by at all", [*decide_, str(ext), "approve", "--json"], 2, "invalid",
         "by"),
        ("deciding a decided request", [*decide_, decided_aid, "approve", "--by", LEADER2,
                                        "--json"], 5, "conflict", "id"),
        ("deciding twice", [*decide_, decided_aid, "return", "--by", leader, "--comment",
                            "再看看", "--json"], 5, "conflict", "id"),
        ("a rejection without comment", [*decide_, str(ext), "reject", "--by", leader,
                                         "--json"], 2, "invalid", "comment"),
        ("a return with a blank comment", [*decide_, str(ext), "return", "--by", leader,
                                           "--comment", "  ", "--json"], 2, "invalid",
         "comment"),
        ("an unknown decision word", [*decide_, str(ext), "approved", "--by", leader,
                                      "--json"], 2, "invalid", "decision"),
        ("an unknown approval", [*decide_, "999", "approve", "--by", leader, "--json"],
         4, "not_found", "id"),
        ("reserving a reserved listing", ["space", "offer", cleared_id, str(taken), "--by",
                                          alice, "--json"], 5, "conflict", "listing"),
        ("offering for a pending request", ["space", "offer", str(pending["id"]), str(big),
                                            "--by", alice, "--json"], 5, "conflict",
         "request"),
        ("offering for a rejected request", ["space", "offer", str(rejected["id"]),
                                             str(big), "--by", alice, "--json"], 5,
         "conflict", "request"),
        ("a smaller listing without --note", ["space", "offer", cleared_id, str(small),
                                              "--by", alice, "--json"], 2, "invalid",
         "note"),
        ("a listing of another type", ["space", "offer", cleared_id, str(lab), "--by",
                                       alice, "--json"], 2, "invalid", "listing"),
        ("an unknown listing", ["space", "offer", cleared_id, "999", "--by", alice,
                                "--json"], 4, "not_found", "listing"),
        ("a negative area", request(area="-5"), 2, "invalid", "area"),
        ("a zero area", request(area="0"), 2, "invalid", "area"),
        ("a NaN area", request(area="NaN"), 2, "invalid", "area"),
        ("an absurd area", request(area="1000001"), 2, "invalid", "area"),
        ("needed by yesterday", request(
            needed_by=(today - timedelta(days=1)).isoformat()), 2, "invalid", "needed_by"),
        ("needed by no real day", request(needed_by="2026-13-01"), 2, "invalid",
         "needed_by"),
        ("a bad type", request(type="warehouse"), 2, "invalid", "type"),
        ("a member of another group asking", request(by=staff["bob"]), 3,
         "not_permitted", "by"),
        ("an unknown project", request(project="999"), 4, "not_found",
         "id"),
        ("a listing with a negative area", [*listing, "--area", "-1"], 2, "invalid", "area"),
        ("a listing with a NaN area", [*listing, "--area", "nan"], 2, "invalid", "area"),
        ("a listing with an absurd area", [*listing, "--area", "2000000"], 2, "invalid",
         "area"),
        ("a listing of a bad type", [*listing[:-3], "--type", "villa", "--area", "10",
                                     "--json"], 2, "invalid", "type"),
        ("a member adding a listing", [*listing[:-5], "--by", alice, "--area", "10",
                                       "--type", "office", "--json"], 3, "not_permitted",
         "by"),
        ("extension days 0", [*extend, "--days", "0"], 2, "invalid", "days"),
        ("extension days -3", [*extend, "--days", "-3"], 2, "invalid", "days"),
        ("extension days 9999", [*extend, "--days", "9999"], 2, "invalid", "days"),
        ("extension days x", [*extend, "--days", "x"], 2, "invalid", "days"),
        ("a second pending extension", [*extend, "--days", "5"], 5, "conflict", "project"),
        ("an extension without a deadline", ["extension", "request", str(done), "--days",
                                             "5", "--reason", "r", "--by", alice, "--json"],
         5, "conflict", "project"),
        ("a suspension without reason", ["project", "suspend", str(project), "--reason", " ",
                                         "--by", alice, "--json"], 2, "invalid", "reason"),
        ("resubmitting someone else's", ["approvals", "resubmit", str(returned), "--by",
                                         carol, "--json"], 3, "not_permitted", "by"),
        ("resubmitting a pending one", ["approvals", "resubmit", str(ext), "--by", alice,
                                        "--json"], 5, "conflict", "id"),
        ("withdrawing someone else's", ["approvals", "withdraw", str(ext), "--by", leader,
                                        "--json"], 3, "not_permitted", "by"),
        ("withdrawing a decided one", ["approvals", "withdraw", decided_aid, "--by", alice,
                                       "--json"], 5, "conflict", "id"),
    ]
    before = fingerprint(engine)
    for what, args, code, kind, field in cases:
        with subtests.test(what):
            assert_error(in_process(db_url, *args), code, kind, field)
    with subtests.test("resuming a project that is not suspended"):
        result = in_process(db_url, "project", "resume", str(project), "--by", alice)
        assert result.code == 5, result
        assert "未处于暂停状态" in result.err
    gc.collect()  # each in-process call built an engine; let their connections go
    assert fingerprint(engine) == before

    # what the refusals stood in for is allowed once it is said or done right
    noted = in_process(db_url, "space", "offer", cleared_id, str(small), "--by", alice,
                       "--note", "企业同意先用 500 m²", "--json")
    assert noted.code == 0, noted
    assert noted.json()["note"] == "企业同意先用 500 m²"
    gone = in_process(db_url, "approvals", "withdraw", str(ext), "--by", alice, "--json")
    assert gone.code == 0 and gone.json()["state"] == "withdrawn", gone
    again = in_process(db_url, *extend, "--days", "365")
    assert again.code == 0 and again.json()["state"] == "submitted", again
    gc.collect()
