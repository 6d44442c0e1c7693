"""Group commit on SQLite: concurrent writers share a commit, a failed one rolls back alone.

The first writer holds its unit open until every other thread is queued behind it, so the
next transaction carries all of them for certain (no reliance on timing); commits are
counted with the engine's "commit" event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from db.engine import committer, reading, writing
from db.models import OutboxMessage, ProjectEvent, columns
from tests.factories import SQLITE_ONLY, VALID, seed_project, snapshot
from workflow.errors import ValidationError
from workflow.park import Park
from workflow.projects import advance
from workflow.users import find_user

pytestmark = SQLITE_ONLY  # PostgreSQL keeps one transaction per event

WRITERS = 8
BAD_FIELDS = 3  # this writer's visit fails validation
BAD_AFTER_WRITE = 5  # this writer raises after its event's rows are written


def _count_commits(engine: Engine) -> list[int]:
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    return commits


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the other writers never queued")
        time.sleep(0.005)


def _history(engine: Engine, project_id: int) -> list[str]:
    e = columns(ProjectEvent)
    with engine.connect() as conn:
        return list(conn.execute(select(e.event).where(e.project_id == project_id)
                                 .order_by(e.id)).scalars())


def _outbox_rows(engine: Engine, project_id: int) -> int:
    o = columns(OutboxMessage)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(o.project_id == project_id))
                   .scalar_one())


def test_concurrent_events_share_one_commit_and_a_failed_one_takes_nothing_with_it(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice = people["alice"]
    projects = [seed_project(engine, live, alice, f"项目{i}") for i in range(WRITERS)]
    outbox_before = {pid: _outbox_rows(engine, pid) for pid in projects}
    group = committer(engine)
    assert group is not None
    commits = _count_commits(engine)
    outcome: dict[int, Any] = {}
    inside = threading.Event()  # the first writer is in its unit

    def writer(i: int) -> None:
        fields = {**VALID["visit"], "team": "many"} if i == BAD_FIELDS else VALID["visit"]
        try:
            with writing(engine) as session:
                advance(session, live, project_id=projects[i], event="visit", actor=alice,
                        fields=fields)
                if i == 0:  # hold the batch open until everyone else queues behind it
                    inside.set()
                    _wait_until(lambda: group.queued == WRITERS - 1)
                if i == BAD_AFTER_WRITE:
                    raise RuntimeError("the caller fails after its rows are written")
            outcome[i] = "ok"
        except (ValidationError, RuntimeError) as exc:
            outcome[i] = exc

    first = threading.Thread(target=writer, args=(0,))
    first.start()
    assert inside.wait(timeout=10)
    others = [threading.Thread(target=writer, args=(i,)) for i in range(1, WRITERS)]
    for thread in others:
        thread.start()
    for thread in (first, *others):
        thread.join(timeout=30)

    assert isinstance(outcome[BAD_FIELDS], ValidationError)
    assert outcome[BAD_FIELDS].field == "team"
    assert isinstance(outcome[BAD_AFTER_WRITE], RuntimeError)
    failed = {BAD_FIELDS, BAD_AFTER_WRITE}
    assert {i for i, result in outcome.items() if result == "ok"} == \
        set(range(WRITERS)) - failed
    # one transaction carried them all: the six that succeeded, the two failed ones rolled
    # back to their savepoints in the middle of it
    assert len(commits) == 1
    for i, project_id in enumerate(projects):
        if i in failed:
            assert _history(engine, project_id) == ["intake"]
            assert snapshot(engine, project_id).state == "intake"
            assert snapshot(engine, project_id).version == 1
            assert _outbox_rows(engine, project_id) == outbox_before[project_id]
        else:
            assert _history(engine, project_id) == ["intake", "visit"]
            assert snapshot(engine, project_id).state == "visited"
            assert _outbox_rows(engine, project_id) > outbox_before[project_id]


def test_a_failed_unit_of_prepared_statements_only_rolls_back_to_its_own_savepoint(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    # the API's event: the actor is the row read with the token, so the unit runs prepared
    # statements only and its session never begins a transaction (nor a savepoint) of its own
    with reading(engine) as session:
        alice = find_user(session, people["alice"])
    assert alice is not None
    kept, failed = (seed_project(engine, live, people["alice"], f"项目{i}") for i in range(2))
    outbox_before = _outbox_rows(engine, failed)
    group = committer(engine)
    assert group is not None
    commits = _count_commits(engine)
    inside = threading.Event()
    outcome: list[BaseException] = []

    def first() -> None:
        with writing(engine) as session:
            advance(session, live, project_id=kept, event="visit", actor=alice,
                    fields=VALID["visit"])
            inside.set()
            _wait_until(lambda: group.queued == 1)  # the second unit goes into this batch

    def second() -> None:
        try:
            with writing(engine) as session:
                advance(session, live, project_id=failed, event="visit", actor=alice,
                        fields=VALID["visit"])
                raise RuntimeError("the caller fails after its rows are written")
        except RuntimeError as exc:
            outcome.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inside.wait(timeout=10)
    threads[1].start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcome) == 1 and len(commits) == 1
    assert _history(engine, kept) == ["intake", "visit"]
    assert _history(engine, failed) == ["intake"]
    assert snapshot(engine, failed).version == 1
    assert _outbox_rows(engine, failed) == outbox_before


def test_a_lone_failed_event_leaves_the_committer_ready_for_the_next(
        engine: Engine, live: Park, people: dict[str, str]) -> None:
    alice = people["alice"]
    project_id = seed_project(engine, live, alice)
    with pytest.raises(ValidationError), writing(engine) as session:
        advance(session, live, project_id=project_id, event="visit", actor=alice,
                fields={**VALID["visit"], "team": "many"})
    with writing(engine) as session:
        advance(session, live, project_id=project_id, event="visit", actor=alice,
                fields=VALID["visit"])
    assert _history(engine, project_id) == ["intake", "visit"]


def test_writing_inside_writing_on_one_thread_is_refused(engine: Engine) -> None:
    with writing(engine), pytest.raises(RuntimeError, match="nested"), writing(engine):
        pass
