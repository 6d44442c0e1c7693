"""What an event over the API sends to the database (issue 11: the event request's work cut
to the database work it needs). On PostgreSQL every statement is a round trip the worker
waits for: the token, the write (BEGIN, its six statements, COMMIT) and the answer (the
project with its owner and record, then its history). On SQLite the same statements, and
the read transaction around the reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from db.engine import committer
from tests.support.web import FORM_VISIT, Web


class Sent:
    """What the test's connections send: SQLite statements as run, or PostgreSQL's messages
    that end a round trip (a simple Query, or the Sync after an extended query)."""

    def __init__(self, web: Web, trace: Path) -> None:
        self.engine = web.app.engine
        self.statements: list[str] = []
        self.trace = trace
        self._file = trace.open("w")
        self._traced: list[Any] = []
        group = committer(self.engine)
        if group is not None:
            group.close()  # its kept connection is checked out afresh, and seen
        event.listen(self.engine, "checkout", self._watch)

    def _watch(self, dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if self.engine.dialect.name == "sqlite":
            dbapi_conn.set_trace_callback(lambda sql: self.statements.append(sql.split()[0]))
        else:
            from psycopg import pq
            dbapi_conn.pgconn.trace(self._file.fileno())
            dbapi_conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS
                                              | pq.Trace.REGRESS_MODE)
            self._traced.append(dbapi_conn)

    def clear(self) -> None:
        self.statements.clear()
        self._file.flush()
        self._file.truncate(0)
        self._file.seek(0)

    def round_trips(self) -> list[str]:
        """PostgreSQL: per round trip, the simple query's text or "extended" (a statement)."""
        self._file.flush()
        trips = []
        for line in self.trace.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0] == "F" and parts[2] == "Query":
                trips.append(parts[3].strip().strip('"').split()[0])
            elif len(parts) >= 3 and parts[0] == "F" and parts[2] == "Sync":
                trips.append("extended")
        return trips

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._watch)
        for dbapi_conn in self._traced:
            if not dbapi_conn.closed:
                dbapi_conn.pgconn.untrace()
        self._file.close()


@pytest.fixture
def sent(web: Web, tmp_path: Path) -> Iterator[Sent]:
    watched = Sent(web, tmp_path / "libpq.trace")
    yield watched
    watched.close()


def test_an_event_by_the_api_sends_only_the_database_work_it_needs(web: Web,
                                                                    sent: Sent) -> None:
    headers = web.token("alice")
    client = web.client()
    projects = [web.project(f"量子精密测量{n}") for n in range(7)]
    client.get("/api/v1/me", headers=headers)  # the token's first use is written down
    for project_id in projects[:-1]:  # psycopg prepares a statement on its fifth run
        answer = client.post(f"/api/v1/projects/{project_id}/events",
                             json={"event": "visit", "fields": FORM_VISIT}, headers=headers)
        assert answer.status_code == 200, answer.text[:300]
    sent.clear()

    answer = client.post(f"/api/v1/projects/{projects[-1]}/events",
                         json={"event": "visit", "fields": FORM_VISIT}, headers=headers)

    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["state"] == "visited"
    if web.app.engine.dialect.name == "sqlite":
        assert sent.statements == [
            "BEGIN", "SELECT", "ROLLBACK",  # the token and its owner
            # the event: the project, history, compare-and-set, the approvals of the stage
            # left (to lapse), the reminders' people, outbox cancellations and new rows
            "BEGIN", "SELECT", "INSERT", "UPDATE", "SELECT", "SELECT", "UPDATE", "INSERT",
            "COMMIT",
            "BEGIN", "SELECT", "SELECT", "ROLLBACK",  # the answer: project, history
        ]
    else:  # no BEGIN/ROLLBACK around reads, no ping per checkout, no statement parsed again
        assert sent.round_trips() == [
            "extended",  # the token and its owner
            "BEGIN", *["extended"] * 7, "COMMIT",  # the event
            "extended", "extended",  # the answer
        ]
