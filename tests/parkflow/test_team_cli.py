"""`parkflow inbox`, `user update|deactivate` and `project reassign` as subprocesses."""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import reading, writing
from notifications.inbox import mark_read, messages_for
from tests.factories import NOW, PARK_TZ, SQLITE_ONLY, history_rows, new_project
from tests.support.command import Cli, assert_error
from workflow.labels import Labels
from workflow.park import Park

pytestmark = SQLITE_ONLY  # the command's plumbing; the use cases run on both backends

INBOX_KEYS = {"id", "kind", "subject", "project_id", "created_at", "read"}


def test_the_inbox_lists_the_outbox_rows_of_the_person_as_json(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice = people["alice"]
    project = new_project(engine, live, alice)  # intake Mon 11-02: due Mon 11-09, all passed
    rows = cli("inbox", "--by", alice, "--json")
    assert rows.code == 0, rows
    listed = rows.json()
    assert all(set(row) == INBOX_KEYS for row in listed)
    assert [(r["kind"], r["created_at"], r["read"]) for r in listed] == [
        ("warning", "2026-11-10T09:00:00+08:00", False),
        ("reminder", "2026-11-09T09:00:00+08:00", False),
        ("reminder", "2026-11-06T09:00:00+08:00", False)]
    assert {r["project_id"] for r in listed} == {project}
    with reading(engine) as session:  # the same rows as the web's list
        web = messages_for(session, alice, now=NOW, labels=Labels.of(live, "zh-CN"),
                           tz=PARK_TZ)
    assert [{k: r[k] for k in INBOX_KEYS} for r in web] == listed
    with writing(engine) as session:
        mark_read(session, alice, message_id=listed[0]["id"], now=NOW)
    unread = cli("inbox", "--by", alice, "--unread", "--json").json()
    assert [r["id"] for r in unread] == [listed[1]["id"], listed[2]["id"]]
    text = cli("inbox", "--by", alice)
    assert text.code == 0 and "量子精密测量" in text.out
    assert_error(cli("inbox", "--by", "nobody@park.test", "--json"), 3, "not_permitted", "by")


def test_an_admin_updates_a_user_and_nobody_else_may(cli: Cli, people: dict[str, str]) -> None:
    bob = people["bob"]
    updated = cli("user", "update", bob, "--by", people["admin"], "--group", "project",
                  "--group-lead", "--json")
    assert updated.code == 0, updated
    assert {k: updated.json()[k] for k in ("role", "group", "group_lead", "active")} == {
        "role": "member", "group": "project", "group_lead": True, "active": True}
    again = cli("user", "update", bob, "--by", people["admin"], "--no-group-lead", "--json")
    assert again.json()["group_lead"] is False
    assert_error(cli("user", "update", bob, "--by", people["alice"], "--role", "leader",
                     "--json"), 3, "not_permitted", "by")
    assert_error(cli("user", "update", bob, "--by", people["admin"], "--role", "boss",
                     "--json"), 2, "invalid", "role")
    assert_error(cli("user", "update", "nobody@park.test", "--by", people["admin"],
                     "--json"), 4, "not_found", "email")


def test_deactivation_waits_for_the_reassign_of_the_active_projects(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice, bob, admin = people["alice"], people["bob"], people["admin"]
    project = new_project(engine, live, alice)
    refused = cli("user", "deactivate", alice, "--by", admin, "--json")
    assert_error(refused, 5, "conflict", "email")
    assert "1" in refused.json()["error"]["message"]
    assert_error(cli("user", "deactivate", alice, "--by", people["leader"], "--json"), 3,
                 "not_permitted", "by")
    assert_error(cli("project", "reassign", "--from", alice, "--to", bob, "--by", bob,
                     "--json"), 3, "not_permitted", "by")
    moved = cli("project", "reassign", "--from", alice, "--to", bob, "--by", people["leader"],
                "--json")
    assert moved.code == 0, moved
    assert moved.json() == [{"id": project, "name": "量子精密测量", "from": alice, "to": bob,
                             "group": "finance"}]
    assert history_rows(engine, project)[-1]["event"] == "reassign"
    done = cli("user", "deactivate", alice, "--by", admin, "--json")
    assert done.code == 0, done
    assert done.json()["active"] is False
    # a deactivated person no longer acts; their history stays
    assert_error(cli("inbox", "--by", alice, "--json"), 3, "not_permitted", "by")
    shown = cli("project", "show", str(project), "--json")
    assert shown.code == 0
