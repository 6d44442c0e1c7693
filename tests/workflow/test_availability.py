"""What may I do now: `available_events` for each role, state and a suspended project, and the
promise that its reason is exactly what `advance` would raise."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db.engine import reading, writing
from db.models import User
from tests.factories import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    LEADER,
    LIFECYCLE_EVENTS,
    NOW,
    SQLITE_ONLY,
    VISIT,
)
from workflow.approvals import decide, file_suspension
from workflow.availability import EventChoice, available_events
from workflow.errors import NotPermitted, WorkflowError
from workflow.park import Park
from workflow.projects import Snapshot, add_project, advance, load_snapshot

# the users by what they are to a project owned by alice (group "project")
USERS = {
    "owner": User(id=1, email=ALICE, name="李爱丽", role="member", group="project",
                  lang="zh-CN", created_at=NOW),
    "colleague": User(id=2, email=CAROL, name="陈卡罗", role="member",
                      group="project", is_group_lead=True, lang="zh-CN", created_at=NOW),
    "other group": User(id=3, email=BOB, name="赵博", role="member",
                        group="finance", lang="zh-CN", created_at=NOW),
    "leader": User(id=4, email=LEADER, name="王主任", role="leader", lang="zh-CN",
                   created_at=NOW),
    "admin": User(id=5, email=ADMIN, name="周管理", role="admin", lang="zh-CN",
                  created_at=NOW),
    "nobody said": None,
}

OK, STATE, ROLE, PAUSED = None, "invalid_transition", "not_allowed_role", "suspended"
# the rules are pure: the tests on plain snapshots (SQLITE_ONLY) need no second backend


def project(state: str, *, exited_from: str | None = None,
            suspended: bool = False) -> Snapshot:
    """alice's project in `state`, as the engine reads it."""
    return Snapshot(id=7, name="量子精密测量", category="tech_transfer", state=state, owner_id=1,
                    group="project", stars=0, milestones={"intake": "2026-11-16"},
                    adjustments=(), exited_from=exited_from, due_at=None, stage_entry_id=1,
                    last_event_at=NOW, last_follow_up_at=None,
                    suspended_at=NOW if suspended else None, version=1)


def codes(choices: list[EventChoice]) -> dict[str, str | None]:
    return {c.event: c.reason.code if c.reason else None for c in choices}


@SQLITE_ONLY
@pytest.mark.parametrize(("who", "snapshot", "expected"), [
    ("owner", project("intake"),
     (OK, STATE, STATE, STATE, OK, ROLE)),
    ("colleague", project("visited"),
     (STATE, OK, STATE, STATE, OK, ROLE)),
    ("other group", project("visited"),
     (ROLE, ROLE, ROLE, ROLE, ROLE, ROLE)),
    ("admin", project("signed"),
     (ROLE, ROLE, ROLE, ROLE, ROLE, ROLE)),
    ("leader", project("signed"),
     (STATE, STATE, STATE, OK, OK, STATE)),
    ("leader", project("exited", exited_from="registered"),
     (STATE, STATE, STATE, STATE, STATE, OK)),
    ("owner", project("exited", exited_from="registered"),
     (STATE, STATE, STATE, STATE, STATE, ROLE)),
    ("owner", project("visited", suspended=True),
     (STATE, PAUSED, STATE, STATE, OK, ROLE)),
    ("leader", project("opened", suspended=True),
     (STATE, STATE, STATE, STATE, OK, STATE)),
    ("nobody said", project("intake"),
     (OK, STATE, STATE, STATE, OK, STATE)),
    ("nobody said", project("registered", suspended=True),
     (STATE, STATE, PAUSED, STATE, OK, STATE)),
], ids=["owner-intake", "colleague-visited", "other-group", "admin", "leader-signed",
        "leader-exited", "owner-exited", "owner-suspended", "leader-suspended",
        "no-user-intake", "no-user-suspended"])
def test_each_event_is_available_or_refused_with_the_rule_that_stops_it(
        engine: Engine, park: Park, who: str, snapshot: Snapshot,
        expected: tuple[str | None, ...]) -> None:
    with reading(engine) as session:
        choices = available_events(session, park, snapshot, USERS[who])
    lifecycle = {c.event: c for c in choices if c.event in LIFECYCLE_EVENTS}
    assert codes(list(lifecycle.values())) == dict(zip(LIFECYCLE_EVENTS, expected, strict=True))
    assert [c.available for c in lifecycle.values()] == [code is None for code in expected]


@SQLITE_ONLY
def test_reactivating_is_for_leaders_and_the_reason_says_so_in_the_readers_language(
        engine: Engine, park: Park) -> None:
    with reading(engine) as session:
        choices = available_events(session, park, project("exited", exited_from="visited"),
                                   USERS["owner"])
    [reactivate] = [c for c in choices if c.event == "reactivate"]
    assert isinstance(reactivate.reason, NotPermitted)
    assert reactivate.as_json() == {"event": "reactivate", "available": False, "reason": {
        "code": "not_allowed_role",
        "params": {"actor": "alice@park.test", "project": 7, "event": "reactivate",
                   "roles": ["leader"]}}}  # ids; the labels come when it is shown
    assert "执行“恢复入库”（仅限：分管领导）" in reactivate.reason.message("zh-CN")
    assert "Reactivate" in reactivate.reason.message("en")


@SQLITE_ONLY
def test_an_available_event_has_no_reason_in_json(engine: Engine, park: Park) -> None:
    with reading(engine) as session:
        [visit, *_] = available_events(session, park, project("intake"), USERS["owner"])
    assert visit.as_json() == {"event": "visit", "available": True, "reason": None}


def test_an_unknown_person_is_refused_and_a_project_is_read_by_its_id(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        pid = add_project(session, park, name="量子精密测量", category="tech_transfer",
                          owner=people["alice"], actor=people["alice"]).id
    with reading(engine) as session, pytest.raises(NotPermitted) as refused:
        available_events(session, park, pid, "nobody@park.test")
    assert (refused.value.code, refused.value.field) == ("unknown_actor", "by")
    with reading(engine) as session:
        by_email = available_events(session, park, pid, people["alice"])
    assert codes(by_email) == {**dict.fromkeys(codes(by_email), STATE),
                               **dict(zip(LIFECYCLE_EVENTS, (OK, STATE, STATE, STATE, OK, ROLE),
                                          strict=True))}


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "leader", "admin"])
def test_every_refusal_is_what_advance_raises_on_a_suspended_project(
        engine: Engine, park: Park, people: dict[str, str], who: str) -> None:
    """The answer and the use case cannot drift apart: firing each refused event fails with
    the very code `available_events` gave, and changes nothing."""
    alice, leader = people["alice"], people["leader"]
    with writing(engine) as session:
        pid = add_project(session, park, name="量子精密测量", category="tech_transfer",
                          owner=alice, actor=alice).id
        advance(session, park, project_id=pid, event="visit", actor=alice, fields=VISIT)
        approval = file_suspension(session, park, project_id=pid, reason="等待", actor=alice)
        assert approval.id is not None
        decide(session, park, approval_id=approval.id, decision="approve", actor=leader)
    with reading(engine) as session:
        before = load_snapshot(session, pid)
        choices = available_events(session, park, pid, people[who])
    assert before.suspended_at is not None
    for choice in choices:
        if choice.available:
            continue
        with writing(engine) as session, pytest.raises(WorkflowError) as raised:
            advance(session, park, project_id=pid, event=choice.event, actor=people[who])
        assert choice.reason is not None and type(raised.value) is type(choice.reason)
        assert (raised.value.code, raised.value.params) == (choice.reason.code,
                                                            choice.reason.params)
    with reading(engine) as session:
        assert load_snapshot(session, pid) == before
    only_exit = ["exit"] if who in ("alice", "carol", "leader") else []
    assert [c.event for c in choices if c.available] == only_exit
