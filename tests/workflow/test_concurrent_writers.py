"""Concurrent writers on PostgreSQL (issue 11, the small version of `make stress`).

Four threads, each with connections of its own from the pool, fire random events at a few
projects through `workflow.projects.advance`, as `bench/stress.py`'s processes do (the same
request and the same checks): every accepted request is in the history, every refused one got
a Conflict, the counts add up, and every project's state and version equal the replay of its
history. A fixed number of requests per thread, not a duration: nothing here is timed.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import Engine

from bench.stress import events_by_state, history_since, one_request, replay_mismatches
from db.engine import writing
from tests.factories import LEADER
from workflow.park import Park
from workflow.projects import add_project

PG_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
THREADS, REQUESTS, PROJECTS = 4, 40, 12


@PG_ONLY
def test_concurrent_writers_lose_nothing_and_the_history_replays(
        engine: Engine, live: Park, people: dict[str, str], db_url: str) -> None:
    with writing(engine) as session:
        ids = [add_project(session, live, name=f"并发项目 {i}", category="tech_transfer",
                           owner=people["alice"], actor=LEADER, allow_duplicate=True).id
               for i in range(PROJECTS)]
    first_id = max(history_since(db_url, 0)) + 1
    by_state, start = events_by_state(), threading.Barrier(THREADS)
    outcomes: list[dict[str, Any]] = []
    failures: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait(timeout=30)
            for _ in range(REQUESTS):
                outcomes.append(one_request(engine, live, rng, ids, by_state, actor=LEADER))
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == [] and not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == THREADS * REQUESTS
    by_outcome = {kind: [o for o in outcomes if o["outcome"] == kind]
                  for kind in ("accepted", "conflict")}
    assert len(by_outcome["accepted"]) + len(by_outcome["conflict"]) == len(outcomes), \
        [o for o in outcomes if o["outcome"] not in by_outcome]
    history = history_since(db_url, first_id)
    assert {o["history_id"]: (o["project"], o["event"]) for o in by_outcome["accepted"]} \
        == history  # every accepted request, and nothing else, is in the history
    assert {o["code"] for o in by_outcome["conflict"]} <= {"concurrent_change",
                                                          "invalid_transition"}
    assert replay_mismatches(db_url) == []
