"""A person's messages in the app are the outbox rows addressed to them: listed, counted, read."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import OutboxMessage
from notifications.inbox import mark_all_read, mark_read, messages_for, unread_count
from tests.factories import NOW, PARK_TZ, at, fire
from workflow.errors import NotFound
from workflow.labels import Labels
from workflow.park import Park

# alice's project is entered at NOW (Fri 2026-11-20); the visit is due Fri 11-27:
# reminders to alice on Tue 11-24 and Fri 11-27 at 09:00, the early warning on 11-28
AFTER_FIRST = at(11, 24, 10)
AFTER_WARNING = at(11, 28, 10)


def listed(engine: Engine, park: Park, email: str, now, lang: str = "zh-CN",
           unread: bool = False) -> list[dict]:
    with reading(engine) as session:
        return messages_for(session, email, now=now, labels=Labels.of(park, lang),
                            tz=PARK_TZ, unread=unread)


def counted(engine: Engine, email: str, now) -> int:
    with reading(engine) as session:
        return unread_count(session, email, now=now)


def test_nothing_is_in_the_list_before_it_is_due(engine: Engine, live: Park,
                                                 people: dict[str, str], project: int) -> None:
    assert listed(engine, live, people["alice"], NOW) == []
    assert counted(engine, people["alice"], NOW) == 0


def test_the_in_app_list_is_the_outbox_rows_of_the_recipient_that_are_due(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    rows = listed(engine, live, people["alice"], AFTER_WARNING)
    with reading(engine) as session:
        outbox = session.execute(
            select(OutboxMessage.id, OutboxMessage.kind)  # type: ignore[call-overload]
            .where(OutboxMessage.recipient == people["alice"],
                   OutboxMessage.send_at <= AFTER_WARNING)
            .order_by(OutboxMessage.send_at.desc())).all()  # type: ignore[attr-defined]
    assert [(r["id"], r["kind"]) for r in rows] == [tuple(o) for o in outbox]
    assert [r["kind"] for r in rows] == ["warning", "reminder", "reminder"]
    assert {r["project_id"] for r in rows} == {project}
    assert rows[-1]["created_at"] == "2026-11-24T09:00:00+08:00"
    assert rows[0]["link"] == f"/projects/{project}"
    assert not any(r["read"] for r in rows)
    # the group lead and the leader read the early warning, not the owner's reminders
    assert [r["kind"] for r in listed(engine, live, people["carol"], AFTER_WARNING)] == \
        ["warning"]
    assert listed(engine, live, people["bob"], AFTER_WARNING) == []


def test_the_subject_is_in_the_readers_language(engine: Engine, live: Park,
                                                people: dict[str, str], project: int) -> None:
    zh = listed(engine, live, people["alice"], AFTER_FIRST)
    en = listed(engine, live, people["alice"], AFTER_FIRST, lang="en")
    assert len(zh) == len(en) == 1
    assert en[0]["subject"] == "Reminder 3 days before the deadline (due Nov 27, 2026)"
    assert zh[0]["subject"] == "截止前 3 天提醒（截止 2026年11月27日）"


def test_the_bell_counts_unread_messages_and_marking_them_read_empties_it(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    alice = people["alice"]
    assert counted(engine, alice, AFTER_WARNING) == 3
    first = listed(engine, live, alice, AFTER_WARNING)[-1]["id"]
    with writing(engine) as session:
        mark_read(session, alice, message_id=first, now=AFTER_WARNING)
        mark_read(session, alice, message_id=first, now=AFTER_WARNING)  # again: no change
    assert counted(engine, alice, AFTER_WARNING) == 2
    assert [r["read"] for r in listed(engine, live, alice, AFTER_WARNING)] == \
        [False, False, True]
    assert len(listed(engine, live, alice, AFTER_WARNING, unread=True)) == 2
    with writing(engine) as session:
        assert mark_all_read(session, alice, now=AFTER_WARNING) == 2
    assert counted(engine, alice, AFTER_WARNING) == 0
    # the warning carol reads is her own row: still unread
    assert counted(engine, people["carol"], AFTER_WARNING) == 1


def test_nobody_marks_another_persons_message(engine: Engine, live: Park,
                                              people: dict[str, str], project: int) -> None:
    mine = listed(engine, live, people["alice"], AFTER_FIRST)[0]["id"]
    with writing(engine) as session, pytest.raises(NotFound):
        mark_read(session, people["bob"], message_id=mine, now=AFTER_FIRST)


def test_a_message_cancelled_before_it_was_due_never_shows(
        engine: Engine, live: Park, people: dict[str, str], project: int) -> None:
    fire(engine, live, project, "visit", people["alice"])  # the intake's reminders cancelled
    assert listed(engine, live, people["alice"], AFTER_FIRST) == []
    assert counted(engine, people["alice"], AFTER_FIRST) == 0
