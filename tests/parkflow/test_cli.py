"""The `parkflow` command end to end, as a subprocess, on SQLite and on PostgreSQL.

Every command runs at the fixed moment NOW (PARKFLOW_TEST_NOW, the test-only clock setting),
so the expected deadlines are written out by hand. People and background projects are put in
place through the use cases (fast); what is under test always goes through the command. Calls
that do not depend on each other run side by side to keep the suite quick (each call costs
~0.7 s of CPU), and the tests of pure command-line logic run on SQLite only.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import User, columns
from tests.factories import (
    CJK,
    HISTORY_KEYS,
    NOW,
    PROJECT_KEYS,
    REGISTER,
    SQLITE_ONLY,
    VISIT,
    seed_project,
    snapshot,
)
from tests.support.command import Cli, With, assert_error, sets
from workflow.calendar_store import covered_years
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import advance
from workflow.space import list_listings
from workflow.users import add_user
from workflow.views import history

DEADLINE_KEYS = {"due_date", "due_at", "explanation", "warnings"}


# ---------------------------------------------------------------- dates as the command prints them

def days_ago(today: date, n: int) -> str:
    return (today - timedelta(days=n)).isoformat()


def end_of(day: date) -> str:
    """ISO 24:00 park time of `day`, as the command prints it."""
    return f"{(day + timedelta(days=1)).isoformat()}T00:00:00+08:00"


def offset_of(moment: str) -> timedelta | None:
    return datetime.fromisoformat(moment).utcoffset()


# ---------------------------------------------------------------- users

def test_user_add_creates_a_person_and_refuses_bad_roles_groups_and_duplicates(
        cli: Cli, engine: Engine, people: dict[str, str]) -> None:
    add = ["user", "add", "--json"]
    good, role, group, duplicate = cli.all(
        [*add, "dora@park.test", "--name", "朵拉", "--role", "member", "--group", "general",
         "--group-lead", "--lang", "en"],
        [*add, "x1@park.test", "--name", "X", "--role", "boss", "--group", "general"],
        [*add, "x2@park.test", "--name", "X", "--role", "member", "--group", "marketing"],
        [*add, people["alice"].upper(), "--name", "X", "--role", "leader"],
    )
    assert good.code == 0, good
    assert good.json() == {"id": good.json()["id"], "email": "dora@park.test", "name": "朵拉",
                           "role": "member", "group": "general", "group_lead": True,
                           "lang": "en", "active": True}
    assert_error(role, 2, "invalid", "role")
    assert_error(group, 2, "invalid", "group")
    assert_error(duplicate, 5, "conflict", "email")
    with reading(engine) as session:
        emails = set(session.execute(select(columns(User).email)).scalars())
    assert emails == {*people.values(), "dora@park.test"}


# ---------------------------------------------------------------- projects

def test_a_project_goes_through_the_whole_lifecycle_from_the_command_line(
        cli: Cli, engine: Engine, people: dict[str, str], today: date) -> None:
    alice, leader = people["alice"], people["leader"]
    with reading(engine) as session:
        loaded = covered_years(session)
    intake, visit, register, sign, opened = (days_ago(today, n) for n in (20, 18, 15, 10, 5))
    plain, as_json = cli.all(
        ["project", "add", "量子精密测量", "--category", "tech_transfer", "--owner", alice,
         "--by", alice, "--intake-date", intake],
        ["project", "add", "校友芯片", "--category", "alumni", "--owner", alice, "--by", alice,
         "--json"])
    assert plain.code == 0 and as_json.code == 0, (plain, as_json)
    assert re.fullmatch(r"\d+\n", plain.out)
    pid, other = plain.out.strip(), str(as_json.json()["id"])
    added = as_json.json()
    assert set(added) >= PROJECT_KEYS
    assert (added["state"], added["category"], added["group"], added["stars"]) == (
        "intake", "alumni", "project", 0)
    assert added["owner"] == {"email": alice, "name": "李爱丽"}
    assert [(h["event"], h["from"], h["to"]) for h in added["history"]] == [
        ("intake", None, "intake")]
    due = date(2026, 11, 27)  # intake Friday 11-20 + 7 days, a Friday
    assert set(added["deadline"]) == DEADLINE_KEYS
    assert added["deadline"]["due_date"] == due.isoformat()
    assert added["deadline"]["due_at"] == end_of(due)
    assert (added["deadline"]["warnings"] == []) == (due.year in loaded)
    assert f"入库 {today.isoformat()} + 7天" in added["deadline"]["explanation"]
    assert f"{due.isoformat()} 24:00" in added["deadline"]["explanation"]

    visited, exited = cli.all(
        ["project", "advance", pid, "visit", "--by", alice, "--at", visit, *sets(VISIT),
         "--json"],
        ["project", "advance", other, "exit", "--by", alice, "--set", "reason=not_qualified",
         "--set", "note=不符合条件", "--json"])
    assert visited.code == 0, visited
    view = visited.json()
    assert (view["state"], view["stars"]) == ("visited", 2)
    assert view["deadline"]["due_date"] == "2026-11-30"  # intake 10-31 + 1 month, a Monday
    assert exited.json()["state"] == "exited"
    assert exited.json()["deadline"] is None

    registered, back = cli.all(
        ["project", "advance", pid, "register", "--by", people["carol"], "--at", register,
         *sets(REGISTER)],
        ["project", "advance", other, "reactivate", "--by", leader, "--set", "note=复核通过",
         "--json"])
    assert registered.code == 0, registered
    assert "已注册·待签约" in registered.out
    assert "2026-12-07" in registered.out  # 11-05 + 1 month is Saturday 12-05: Monday
    assert back.json()["state"] == "intake"
    assert back.json()["history"][-1]["to"] == "intake"

    signed = cli("project", "advance", pid, "sign", "--by", leader, "--at", sign,
                 "--set", "agreement_no=HT-2026-017", "--json")
    assert signed.json()["deadline"]["due_date"] == "2026-12-10"  # 11-10 + 1 month
    opened_view = cli("project", "advance", pid, "open", "--by", alice, "--at", opened,
                      "--set", "premises=A3 栋 5 层", "--json").json()
    assert opened_view["state"] == "opened"
    assert opened_view["deadline"] is None

    shown, listed = cli.all(["project", "show", pid, "--json"],
                            ["project", "history", pid, "--json"])
    view = shown.json()
    assert set(view) >= PROJECT_KEYS
    assert (view["state"], view["stars"], view["deadline"]) == ("opened", 2, None)
    entries = view["history"]
    assert entries == listed.json()
    assert all(set(entry) >= HISTORY_KEYS for entry in entries)
    assert [(e["event"], e["from"], e["to"], e["actor"]) for e in entries] == [
        ("intake", None, "intake", alice), ("visit", "intake", "visited", alice),
        ("register", "visited", "registered", people["carol"]),
        ("sign", "registered", "signed", leader), ("open", "signed", "opened", alice)]
    assert [e["occurred_at"] for e in entries] == [
        f"{day}T00:00:00+08:00" for day in (intake, visit, register, sign, opened)]
    assert all(offset_of(e["recorded_at"]) == timedelta(hours=8) for e in entries)
    assert entries[1]["fields"] == {"visitors": ["张三", "李四"], "needs": ["funding", "space"],
                                    "team": 4, "technology": 4, "capital": 4, "market": 3}
    assert entries[2]["fields"]["uscc"] == REGISTER["uscc"]
    assert entries[4]["fields"] == {"premises": "A3 栋 5 层"}


def test_list_filters_by_state_overdue_and_owner(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str],
        today: date) -> None:
    late = seed_project(engine, park, people["alice"], intake=days_ago(today, 30),
                        name="逾期项目")
    fresh = seed_project(engine, park, people["carol"], name="新项目")
    visited = seed_project(engine, park, people["alice"], intake=days_ago(today, 2),
                           name="已走访项目")
    with writing(engine) as session:
        advance(session, park, project_id=visited, event="visit", actor=people["alice"],
                fields=VISIT)
    by_state, overdue, by_owner, missing = cli.all(
        ["project", "list", "--state", "visited", "--json"],
        ["project", "list", "--overdue", "--json"],
        ["project", "list", "--owner", people["alice"], "--json"],
        ["project", "show", "999", "--json"])
    assert_error(missing, 4, "not_found", "id")
    assert [row["id"] for row in by_state.json()] == [visited]
    assert [row["id"] for row in overdue.json()] == [late]
    assert [row["id"] for row in by_owner.json()] == [late, visited]
    assert fresh not in {row["id"] for row in by_owner.json()}
    late_row = overdue.json()[0]
    assert (late_row["name"], late_row["state"]) == ("逾期项目", "intake")
    assert late_row["owner"] == {"email": people["alice"], "name": "李爱丽"}
    assert late_row["deadline_status"] == "overdue"
    due = date(2026, 10, 28)  # intake 10-21 + 7 days, a Wednesday
    assert (late_row["due_date"], late_row["due_at"]) == (due.isoformat(), end_of(due))
    assert by_state.json()[0]["stars"] == 2


def test_the_command_line_takes_a_choice_by_the_label_its_errors_offer(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    visited = seed_project(engine, park, people["alice"], name="已走访项目")
    with writing(engine) as session:
        advance(session, park, project_id=visited, event="visit", actor=people["alice"],
                fields=VISIT)
    wrong, added, by_state, listing, by_status = cli.all(
        ["project", "add", "量子测量", "--category", "不存在的类", "--owner", people["alice"],
         "--by", people["alice"], "--json"],
        ["project", "add", "量子测量", "--category", "校友产业化类", "--owner", people["alice"],
         "--by", people["alice"], "--json"],
        ["project", "list", "--state", "已走访 · 待注册", "--json"],
        ["space", "listing", "add", "--carrier", "中安创谷", "--building", "B1", "--unit", "501",
         "--area", "300", "--type", "生产性厂房", "--by", people["leader"], "--json"],
        ["outbox", "list", "--status", "已发送", "--json"])

    assert_error(wrong, 2, "invalid", "category")
    assert "校友产业化类" in wrong.json()["error"]["message"]  # what it offers…
    assert added.code == 0 and added.json()["category"] == "alumni"  # …is taken, kept as its id
    assert [row["id"] for row in by_state.json()] == [visited]
    assert listing.code == 0 and listing.json()["type"] == "plant"
    assert by_status.code == 0 and by_status.json() == []


def test_a_project_name_is_one_line(cli: Cli, people: dict[str, str]) -> None:
    result = cli("project", "add", "带\n换行", "--category", "tech_transfer", "--owner",
                 people["alice"], "--by", people["alice"], "--json")

    assert_error(result, 2, "invalid", "name")
    assert cli("project", "list", "--json").json() == []


def test_list_searches_by_pinyin_initials_and_keeps_the_json_shape(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    quantum = seed_project(engine, park, people["alice"], "量子精密测量仪器",
                           intake="2026-11-16")
    seed_project(engine, park, people["bob"], "合肥智能语音平台", intake="2026-11-16")
    initials, chinese, owner, nothing, everything = cli.all(
        ["project", "list", "--search", "lzjm", "--json"],
        ["project", "list", "--search", "精密", "--state", "intake", "--json"],
        ["project", "list", "--search", "赵博", "--json"],
        ["project", "list", "--search", "lzjx", "--json"],
        ["project", "list", "--search", " ", "--json"])
    assert [row["id"] for row in initials.json()] == [quantum]
    assert initials.json() == chinese.json()
    assert set(initials.json()[0]) == set(everything.json()[0])  # the same shape as a list
    assert [row["name"] for row in owner.json()] == ["合肥智能语音平台"]
    assert nothing.json() == []
    assert len(everything.json()) == 2


# ---------------------------------------------------------------- failures

@SQLITE_ONLY  # each exit code is also met on PostgreSQL in the other tests
def test_every_failure_has_its_exit_code_one_line_on_stderr_and_an_error_object(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str], today: date,
        subtests: pytest.Subtests) -> None:
    alice = people["alice"]
    pid = str(seed_project(engine, park, alice, intake=days_ago(today, 3)))
    visit = ["project", "advance", pid, "visit", "--json"]
    tomorrow = (today + timedelta(days=1)).isoformat()
    cases: list[tuple[str, list[str], int, str, str | None]] = [
        ("a score of 9", [*visit, "--by", alice, *sets({**VISIT, "team": "9"})],
         2, "invalid", "team"),
        ("an unknown event", ["project", "advance", pid, "fly", "--by", alice, "--json"],
         2, "invalid", "event"),
        ("a date that is not a date", [*visit, "--by", alice, "--at", "2026-02-30",
                                       *sets(VISIT)], 2, "invalid", "at"),
        ("a date in the future", [*visit, "--by", alice, "--at", tomorrow, *sets(VISIT)],
         2, "invalid", "at"),
        ("an unknown --by", [*visit, "--by", "nobody@park.test", *sets(VISIT)],
         3, "not_permitted", "by"),
        ("a member of another group", [*visit, "--by", people["bob"], *sets(VISIT)],
         3, "not_permitted", "by"),
        ("an unknown project", ["project", "advance", "999", "visit", "--by", alice,
                                *sets(VISIT), "--json"], 4, "not_found", "id"),
        ("an event the state does not allow", ["project", "advance", pid, "register",
                                               "--by", alice, *sets(REGISTER), "--json"],
         5, "conflict", "event"),
    ]
    plain = ["project", "show", "999"]
    *results, without_json = cli.all(*(args for _, args, *_ in cases), plain)
    for (what, _, code, kind, field), result in zip(cases, results, strict=True):
        with subtests.test(what):
            assert_error(result, code, kind, field)
            if kind == "invalid" and field and field != "event":  # 未知事件 names it in words
                assert Labels.default("zh-CN").field(field) in result.err  # by its label
    assert without_json.code == 4
    assert without_json.out == ""
    assert len(without_json.err.strip().splitlines()) == 1
    project = snapshot(engine, int(pid))
    assert (project.state, project.version) == ("intake", 1)
    with reading(engine) as session:
        assert len(history(session, park, int(pid))) == 1
        assert len(session.execute(select(columns(User).id)).all()) == len(people)


@SQLITE_ONLY
def test_messages_are_in_english_for_an_english_user_and_parkflow_user_names_the_actor(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    with writing(engine) as session:  # `user add --lang en` itself is tested above
        add_user(session, park.lifecycle, email="eve@park.test", name="Eve",
                 role="member", group="project", lang="en", now=NOW)
    first = seed_project(engine, park, people["alice"])
    second = seed_project(engine, park, people["alice"])
    missing = {k: v for k, v in VISIT.items() if k != "market"}
    refused, moved, by_env, nobody = cli.all(
        ["project", "advance", str(first), "visit", "--by", "eve@park.test", *sets(missing),
         "--json"],
        With({"PARKFLOW_USER": "eve@park.test"},
             ["project", "advance", str(second), "visit", *sets(VISIT)]),
        With({"PARKFLOW_USER": people["carol"]},
             ["project", "add", "环境变量项目", "--category", "platform", "--owner",
              people["carol"]]),
        ["project", "add", "无人项目", "--category", "platform", "--owner", people["carol"],
         "--json"])
    assert_error(refused, 2, "invalid", "market")
    message = refused.json()["error"]["message"]
    assert message == "Missing field: market prospects"
    assert not CJK.search(message) and not CJK.search(refused.err), refused.err
    assert moved.code == 0, moved
    assert "Visited · registration due" in moved.out
    assert "+ 1 month" in moved.out
    assert by_env.code == 0, by_env
    assert_error(nobody, 2, "invalid", "by")  # a missing field, as CLI.md's exit 2 has it
    with reading(engine) as session:
        made = history(session, park, int(by_env.out))
        assert made[0]["actor"] == people["carol"]
        assert history(session, park, second)[-1]["actor"] == "eve@park.test"


# ---------------------------------------------------------------- who may act

@SQLITE_ONLY
def test_space_listing_add_checks_who_acts_like_the_web_admins_and_leaders_only(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    def listing(unit: str) -> list[str]:
        return ["space", "listing", "add", "--carrier", "中安创谷", "--building", "B1",
                "--unit", unit, "--area", "300", "--type", "office", "--json"]
    leader, admin_by_env, member, member_by_env, unknown, nobody = cli.all(
        [*listing("501"), "--by", people["leader"]],
        With({"PARKFLOW_USER": people["admin"]}, listing("502")),
        [*listing("503"), "--by", people["alice"]],
        With({"PARKFLOW_USER": people["carol"]}, listing("504")),  # a group lead, still a member
        [*listing("505"), "--by", "nobody@park.test"],
        listing("506"))
    assert leader.code == 0 and leader.json()["unit"] == "501", leader
    assert admin_by_env.code == 0 and admin_by_env.json()["unit"] == "502", admin_by_env
    for refused in (member, member_by_env, unknown):
        assert_error(refused, 3, "not_permitted", "by")
    assert_error(nobody, 2, "invalid", "by")  # nobody named: a missing field
    assert "分管领导" in member.err and "管理员" in member.err  # who may, named by label
    with reading(engine) as session:
        units = [row["unit"] for row in list_listings(session, park)]
    assert sorted(units) == ["501", "502"]  # the two ran side by side
    again = cli(*listing("501"), "--by", people["leader"])
    assert_error(again, 5, "conflict", "unit")  # one unit listed twice: offered twice
    first = leader.json()["id"]
    assert again.json()["error"]["message"] == f"中安创谷 B1 501 已在房源中（房源 {first}）"


@SQLITE_ONLY
def test_project_show_lists_the_events_the_asker_may_fire_and_why_not_the_others(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    pid = str(seed_project(engine, park, people["alice"]))
    anyone, owner, other_group, leader_by_env, unknown = cli.all(
        ["project", "show", pid],
        ["project", "show", pid, "--by", people["alice"]],
        ["project", "show", pid, "--by", people["bob"], "--json"],
        With({"PARKFLOW_USER": people["leader"]}, ["project", "show", pid, "--json"]),
        ["project", "show", pid, "--by", "nobody@park.test", "--json"])
    assert anyone.code == owner.code == 0, (anyone, owner)
    assert "可执行的事件（未指明操作人，仅按项目状态）：走访、退库" in anyone.out
    assert "可执行的事件（alice@park.test）：走访、退库" in owner.out
    flat = owner.out.replace("\n", "")
    assert "恢复入库：alice@park.test 无权" in flat and "仅限：分管领导" in flat  # leaders only
    assert "签约：项目处于“已入库·待走访”，不能“签约”" in flat  # the state's rule, for anyone
    assert "仅限" not in anyone.out.replace("\n", "")  # nobody asked: no role checked

    shown = other_group.json()
    assert set(shown) >= PROJECT_KEYS | {"available_events"}
    assert [(c["event"], c["available"], c["reason"]["code"])
            for c in shown["available_events"]] == [
        (event, False, "not_allowed_role")
        for event in ("visit", "register", "sign", "open", "exit", "equity_change",
                      "address_change", "indicators", "need", "reactivate")]
    led = {c["event"]: c for c in leader_by_env.json()["available_events"]}
    assert [event for event, c in led.items() if c["available"]] == ["visit", "exit"]
    assert led["visit"]["reason"] is None
    assert led["reactivate"]["reason"] == {
        "code": "invalid_transition", "params": {"event": "reactivate", "state": "intake"}}
    assert_error(unknown, 3, "not_permitted", "by")


# ---------------------------------------------------------------- concurrency

def test_two_people_advancing_one_project_at_once_one_wins_and_the_other_gets_exit_5(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    pid = str(seed_project(engine, park, people["alice"]))
    results = cli.all(
        ["project", "advance", pid, "visit", "--by", people["alice"], *sets(VISIT), "--json"],
        ["project", "advance", pid, "visit", "--by", people["carol"],
         *sets({**VISIT, "team": "1"}), "--json"])
    assert sorted(r.code for r in results) == [0, 5], results
    winner = next(r for r in results if r.code == 0)
    loser = next(r for r in results if r.code == 5)
    assert loser.json()["error"]["kind"] == "conflict"
    with reading(engine) as session:
        entries = history(session, park, int(pid))
    assert [e["event"] for e in entries] == ["intake", "visit"]
    assert entries[-1]["actor"] == winner.json()["history"][-1]["actor"]
    assert snapshot(engine, int(pid)).version == 2


def test_listing_by_an_owner_who_is_no_user_says_so(cli: Cli) -> None:
    # a typo in the address listed nothing, as if the person had no projects
    result = cli("project", "list", "--owner", "nobody@park.test", "--json")

    assert_error(result, 2, "invalid", "owner")
    assert "nobody@park.test" in result.json()["error"]["message"]


def test_a_follow_up_note_is_held_to_the_length_every_text_keeps(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    pid = seed_project(engine, park, people["alice"])
    long, fits = cli.all(
        ["project", "follow-up", str(pid), "--by", people["alice"], "--note", "问" * 2001],
        ["project", "follow-up", str(pid), "--by", people["alice"], "--note", "问" * 2000])

    assert long.code == 2 and long.err.startswith("错误 跟进情况"), long  # its form's label
    assert fits.code == 0, fits
    with reading(engine) as session:
        notes = [h["fields"]["note"] for h in history(session, park, pid)
                 if h["event"] == "follow_up"]
    assert notes == ["问" * 2000]
