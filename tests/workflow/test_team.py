"""Admins keep the team: role and group changes, deactivation, projects handed over."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import OutboxMessage
from notifications.reminders import leader_emails
from tests.factories import NOW, history_rows, seed_project, snapshot
from workflow.errors import Conflict, NotFound, NotPermitted, ValidationError, WorkflowError
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.reassign import reassign_projects
from workflow.tokens import create_token, verify_token
from workflow.users import deactivate_user, find_user, require_actor, update_user


def reassign(engine: Engine, park: Park, old: str, new: str, by: str) -> list[dict]:
    with writing(engine) as session:
        return reassign_projects(session, park, from_email=old, to_email=new, actor=by)


def deactivate(engine: Engine, park: Park, email: str, by: str) -> None:
    with writing(engine) as session:
        deactivate_user(session, park.lifecycle, actor=by, email=email, now=NOW)


def pending(engine: Engine, project_id: int) -> list[tuple[str, str, str]]:
    o = OutboxMessage
    with reading(engine) as session:
        rows = session.execute(select(o.kind, o.recipient, o.status)  # type: ignore[call-overload]
                               .where(o.project_id == project_id)
                               .order_by(o.send_at, o.recipient)).all()
    return [tuple(row) for row in rows]


def test_an_admin_changes_a_persons_role_group_and_group_lead(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        update_user(session, park.lifecycle, actor=people["admin"], email=people["bob"],
                    group="project", group_lead=True)
        update_user(session, park.lifecycle, actor=people["admin"], email=people["carol"],
                    role="leader", group_lead=False, clear_group=True)
    with reading(engine) as session:
        bob, carol = find_user(session, people["bob"]), find_user(session, people["carol"])
        assert bob is not None and carol is not None
        assert (bob.role, bob.group, bob.is_group_lead) == ("member", "project", True)
        assert (carol.role, carol.group, carol.is_group_lead) == ("leader", None, False)


@pytest.mark.parametrize(("who", "change", "error", "field"), [
    ("alice", {"role": "leader"}, NotPermitted, "by"),
    ("admin", {"role": "boss"}, ValidationError, "role"),
    ("admin", {"group": "nowhere"}, ValidationError, "group"),
    ("admin", {"clear_group": True}, ValidationError, "group"),  # a member has a group
])
def test_a_change_that_does_not_fit_is_refused_naming_the_field(
        engine: Engine, park: Park, people: dict[str, str], who: str, change: dict,
        error: type[WorkflowError], field: str) -> None:
    with writing(engine) as session, pytest.raises(error) as refused:
        update_user(session, park.lifecycle, actor=people[who], email=people["bob"], **change)
    assert refused.value.field == field


def test_reassigning_writes_a_history_entry_per_project_and_the_group_follows(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice, bob, leader = people["alice"], people["bob"], people["leader"]
    first = seed_project(engine, live, alice, "量子精密测量")
    second = seed_project(engine, live, alice, "校友芯片")
    gone = seed_project(engine, live, alice, "已退库项目")
    with writing(engine) as session:
        advance(session, live, project_id=gone, event="exit", actor=alice,
                fields={"reason": "relocated", "note": "迁往他市"})
    moved = reassign(engine, live, alice, bob, leader)
    assert [m["id"] for m in moved] == [first, second]  # the exited one keeps its owner
    for project_id in (first, second):
        after = snapshot(engine, project_id)
        assert (after.group, after.state, after.version) == ("finance", "intake", 2)
        last = history_rows(engine, project_id)[-1]
        assert (last["event"], last["from_state"], last["to_state"]) == \
            ("reassign", "intake", "intake")
        assert last["fields"] == {"from": alice, "to": bob}
    assert snapshot(engine, gone).group == "project"


def test_the_reminders_of_a_reassigned_project_go_to_the_new_owner_and_group(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice, bob, carol, leader = (people[k] for k in ("alice", "bob", "carol", "leader"))
    project = seed_project(engine, live, alice)  # due Fri 11-27: 11-24, 11-27, warning 11-28
    reassign(engine, live, alice, bob, leader)
    rows = pending(engine, project)
    assert {(k, r) for k, r, s in rows if s == "pending"} == {
        ("reminder", bob), ("warning", bob), ("warning", leader)}
    # alice's ladder and her group lead's warning are withdrawn, not sent
    assert {(k, r) for k, r, s in rows if s == "cancelled"} == {
        ("reminder", alice), ("warning", alice), ("warning", carol)}


def test_only_admins_and_leaders_reassign_and_never_to_an_admin_or_the_same_person(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice, bob = people["alice"], people["bob"]
    seed_project(engine, live, alice)
    with pytest.raises(NotPermitted):
        reassign(engine, live, alice, bob, bob)
    with pytest.raises(ValidationError):
        reassign(engine, live, alice, alice, people["admin"])
    with pytest.raises(ValidationError):
        reassign(engine, live, alice, people["admin"], people["admin"])
    with pytest.raises(NotFound):
        reassign(engine, live, "nobody@park.test", bob, people["admin"])


def test_a_person_with_active_projects_is_deactivated_only_after_a_reassign(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice, bob, admin = people["alice"], people["bob"], people["admin"]
    seed_project(engine, live, alice)
    seed_project(engine, live, alice, "校友芯片")
    with pytest.raises(Conflict) as refused:
        deactivate(engine, live, alice, admin)
    assert refused.value.params["count"] == 2
    with pytest.raises(NotPermitted):
        deactivate(engine, live, bob, people["leader"])  # admins only
    reassign(engine, live, alice, bob, admin)
    deactivate(engine, live, alice, admin)
    with pytest.raises(Conflict):
        deactivate(engine, live, alice, admin)  # once


def test_a_deactivated_person_no_longer_acts_owns_nor_holds_a_working_token(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    bob, admin = people["bob"], people["admin"]
    with writing(engine) as session:
        token = create_token(session, actor=bob, now=NOW)
    deactivate(engine, live, bob, admin)
    with reading(engine) as session:
        assert verify_token(session, token.secret, now=NOW) is None
        with pytest.raises(NotPermitted):
            require_actor(session, bob)
        assert find_user(session, bob) is not None  # the person stays, with their history
    with writing(engine) as session, pytest.raises(ValidationError) as refused:
        add_project(session, live, name="新项目", category="tech_transfer", owner=bob,
                    actor=people["alice"])
    assert refused.value.field == "owner"


def test_a_deactivated_leader_receives_no_new_mail(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:
        update_user(session, live.lifecycle, actor=people["admin"], email=people["carol"],
                    role="leader", group_lead=False, clear_group=True)
    deactivate(engine, live, people["carol"], people["admin"])
    with reading(engine) as session:
        assert leader_emails(session) == [people["leader"]]
