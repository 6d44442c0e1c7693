"""The sweep runs once across processes (issue 11 §2): a transaction-scoped advisory lock on
PostgreSQL; the sweep that does not get it skips that run. Delivery stays shared (SKIP LOCKED,
tests/notifications/test_exactly_once.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from db.engine import reading, writing
from db.locks import SWEEP, lock_key, try_job_lock
from db.models import OutboxMessage, columns
from notifications import delivery
from notifications.reminders import SweepResult
from tests.factories import NOW, SQLITE_ONLY
from workflow.park import Park

PG_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
LATER = NOW + timedelta(days=10)  # the next week's agenda and digest are due by then


def outbox_keys(engine: Engine) -> Counter[str]:
    with reading(engine) as session:
        return Counter(session.connection().execute(
            select(columns(OutboxMessage).dedupe_key)).scalars())


def test_lock_keys_are_stable_and_distinct() -> None:
    assert lock_key(SWEEP) == lock_key("parkflow:sweep")
    assert lock_key(SWEEP) != lock_key("parkflow:other")
    assert -2**63 <= lock_key(SWEEP) < 2**63


@PG_ONLY
def test_a_sweep_while_another_holds_the_lock_skips_that_run(
        engine: Engine, live: Park, task_force: dict[str, str]) -> None:
    with writing(engine) as holder:
        assert try_job_lock(holder, SWEEP)
        assert delivery.sweep_once(engine, live, now=LATER) is None
    ran = delivery.sweep_once(engine, live, now=LATER)  # the lock went with the transaction
    assert ran is not None and ran.planned > 0


@PG_ONLY
def test_two_sweeps_started_at_once_one_runs_one_skips_no_duplicate_rows(
        engine: Engine, live: Park, task_force: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    start, loser_done = threading.Barrier(2), threading.Event()
    results: list[SweepResult | None] = []
    real_sweep = delivery.sweep

    def slow_sweep(session: Session, park: Park, *, now: object) -> SweepResult:
        # the winner keeps its lock until the other sweep has been turned away
        assert loser_done.wait(timeout=30), "the second sweep never returned"
        return real_sweep(session, park, now=now)  # type: ignore[arg-type]
    monkeypatch.setattr(delivery, "sweep", slow_sweep)

    def run() -> None:
        start.wait(timeout=30)
        result = delivery.sweep_once(engine, live, now=LATER)
        if result is None:
            loser_done.set()
        results.append(result)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    [ran] = [r for r in results if r is not None]
    assert results.count(None) == 1 and ran.planned > 0
    keys = outbox_keys(engine)
    assert sum(keys.values()) == ran.planned and set(keys.values()) == {1}

    monkeypatch.setattr(delivery, "sweep", real_sweep)
    again = delivery.sweep_once(engine, live, now=LATER)
    assert again is not None and again.planned == 0 and outbox_keys(engine) == keys


@SQLITE_ONLY
def test_on_sqlite_the_writer_transaction_is_the_lock(
        engine: Engine, live: Park, task_force: dict[str, str]) -> None:
    with writing(engine) as session:  # BEGIN IMMEDIATE: no other writer until it ends
        assert try_job_lock(session, SWEEP) and try_job_lock(session, SWEEP)
    ran = delivery.sweep_once(engine, live, now=LATER)
    assert ran is not None and ran.planned == sum(outbox_keys(engine).values()) > 0
