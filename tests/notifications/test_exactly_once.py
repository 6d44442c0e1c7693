"""Exactly once (SPEC §3): no reminder lost, none sent twice — across a crash mid-batch,
concurrent sweepers, and ninety days of scheduled runs checked against the preview.

Counting is done where it matters: at a real SMTP server, by Message-ID. The one duplicate
the design allows (killed between the server's 250 and the commit) must carry the same
Message-ID as the original, so mail clients fold it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import make_engine, reading, writing
from notifications import outbox
from notifications.delivery import MailSettings, deliver, run_once
from notifications.mail import SmtpMailer, message_id_for
from notifications.planning import Planned
from notifications.preview import preview
from parkflow.demo import build_demo
from parkflow.wiring import make_park
from tests.factories import ALICE, BOB, CAROL, LEADER, NOW, PARK_TZ, PARKFLOW
from tests.support.mail import BASE_URL
from tests.support.smtp_server import SmtpTestServer, _Handler
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import add_project

DOMAIN = "parkflow.example.cn"  # what the CLI derives from PARKFLOW_BASE_URL
SETTINGS = MailSettings(sender="parkflow@park.example", base_url=BASE_URL, domain=DOMAIN)
OWNERS = [ALICE, CAROL, BOB]


# ---------------------------------------------------------------- helpers

def enqueue_due(engine: Engine, park: Park, count: int, *, due: datetime) -> list[str]:
    """`count` reminders and warnings, due at `due`, over a few projects; their keys."""
    with writing(engine) as session:
        projects = [add_project(session, park, name=f"负载测试项目 {i}", category="alumni",
                                owner=owner, actor=owner).id
                    for i, owner in enumerate(OWNERS)]
        planned = [Planned(dedupe_key=f"load:{i}", kind=("reminder", "warning")[i % 2],
                           recipient=[*OWNERS, LEADER][i % 4], send_at=due,
                           reason="负载测试", project_id=projects[i % len(projects)],
                           payload={"due_date": "2026-11-27", "offset": 0})
                   for i in range(count)]
        outbox.enqueue(session, planned, now=due)
    assert rows_by_status(engine) == {"pending": count}
    return [p.dedupe_key for p in planned]


def rows_by_status(engine: Engine) -> Counter[str]:
    with reading(engine) as session:
        return Counter(outbox.count_by_status(session))


def received_ids(server: SmtpTestServer) -> Counter[str]:
    return Counter(str(m.message["Message-ID"]) for m in server.messages)


# ---------------------------------------------------------------- one row per key

def test_enqueueing_the_same_keys_again_adds_nothing_and_reports_how_many_were_added(
        engine: Engine) -> None:
    def planned(*numbers: int) -> list[Planned]:
        return [Planned(dedupe_key=f"digest:2026-11-23:{n}", kind="digest",
                        recipient=f"leader{n}@park.test", send_at=NOW, reason="每周督办")
                for n in numbers]

    with writing(engine) as session:
        added = [outbox.enqueue(session, planned(1, 2, 3), now=NOW),
                 outbox.enqueue(session, planned(1, 2, 3), now=NOW),
                 outbox.enqueue(session, planned(2, 3, 4), now=NOW),
                 outbox.enqueue(session, planned(4), now=NOW)]

    assert rows_by_status(engine) == {"pending": 4}
    # `enqueue` promises the number of rows added (on PostgreSQL the executemany rowcount
    # it returns is -1 whatever happened)
    assert added == [3, 0, 1, 0]


def test_series_are_looked_up_by_name_except_a_projects_ladder(engine: Engine) -> None:
    """The series index leaves out a project's reminder ladder and inquiries (the rows every
    event writes, found by project): a periodic or approval series is found and cancelled by
    name, asking for a ladder's series by name is a mistake, refused."""
    periodic = [Planned(dedupe_key=f"digest:2026-11-23:{n}", kind="digest",
                        recipient=f"leader{n}@park.test", send_at=NOW, reason="digest",
                        series="digest:2026-11-23") for n in (1, 2)]
    with writing(engine) as session:
        outbox.enqueue(session, periodic, now=NOW)
        assert outbox.series_exists(session, "digest:2026-11-23")
        assert not outbox.series_exists(session, "digest:2026-11-30")
        for ladder in ("stage:1:2:2026-12-01", "inquiry:1:2026-11-20"):
            with pytest.raises(ValueError):
                outbox.series_exists(session, ladder)
            with pytest.raises(ValueError):
                outbox.cancel_series(session, ladder, reason="approval_closed")
        assert outbox.cancel_series(session, "digest:2026-11-23", reason="approval_closed") == 2
        assert outbox.cancel_series(session, "digest:2026-11-23", reason="approval_closed") == 0
        # cancelled, and planned again: revived once, with a fresh start
        assert outbox.enqueue(session, periodic, now=NOW) == 2
        assert outbox.enqueue(session, periodic, now=NOW) == 0
    assert rows_by_status(engine) == {"pending": 2}


def test_rows_enqueued_with_another_status_start_in_it_and_an_unknown_one_is_refused(
        engine: Engine) -> None:
    """The status is written into the upsert's SQL (not bound): only a known one."""
    def planned(n: int) -> list[Planned]:
        return [Planned(dedupe_key=f"digest:2026-11-23:{n}", kind="digest",
                        recipient=f"leader{n}@park.test", send_at=NOW, reason="digest")]

    with writing(engine) as session:
        assert outbox.enqueue(session, planned(1), now=NOW, status="skipped") == 1
        assert outbox.enqueue(session, planned(2), now=NOW) == 1
        with pytest.raises(ValueError):
            outbox.enqueue(session, planned(3), now=NOW, status="pending'); --")
    assert rows_by_status(engine) == {"skipped": 1, "pending": 1}


def test_the_rows_left_out_of_the_series_index_are_exactly_the_ladders_series() -> None:
    """Every planner's rows: a ladder's kind (left out of the series index) exactly when its
    series begins with that ladder's name (refused by series_exists, found by project)."""
    from db.models import OUTBOX_LADDER_KINDS, OUTBOX_LADDERS, OUTBOX_OFF_LADDER
    from notifications import planning
    from states.definition import QuarterlySlot, ReminderRule
    from workflow.calendar import BusinessCalendar

    rule, calendar = ReminderRule(), BusinessCalendar([])
    facts = planning.StageFacts(project_id=7, stage_entry_id=3, state="visit",
                                due_at=NOW + timedelta(days=7), owner=ALICE,
                                escalate_to=[LEADER], chat_targets=["wecom:group"])
    figures = planning.quarter_request(QuarterlySlot("record_figures", 10, 9, 0), 2027, 1,
                                       PARK_TZ)
    planned = [*planning.plan_stage(facts, rule, PARK_TZ),
               planning.plan_inquiry(7, ALICE, NOW.date(), 1, rule, PARK_TZ),
               planning.plan_quarter_request(7, ALICE, figures, "record_figures")]
    for kind, slot in planning.periodic_slots(rule).items():
        occurrence = planning.occurrence_at_or_before(slot, NOW, PARK_TZ, calendar)
        assert occurrence is not None
        planned += planning.plan_periodic(kind, occurrence, [LEADER], PARK_TZ)

    for p in planned:
        assert p.series is not None
        ladder = p.series.split(":")[0]
        on_ladder = p.series.startswith(planning.LADDER_SERIES)
        assert (p.kind in OUTBOX_LADDER_KINDS) == on_ladder, p
        assert not on_ladder or p.kind in OUTBOX_LADDERS[ladder], p
    assert {p.kind for p in planned} >= set(OUTBOX_LADDER_KINDS)
    assert OUTBOX_OFF_LADDER == "kind NOT IN ('reminder', 'warning', 'inquiry')"


# ---------------------------------------------------------------- (a) a crash mid-batch

@dataclass
class StallingHandler(_Handler):
    """Accepts every message; the `stall_at`-th is recorded but its 250 is held back until
    `release` is set, so the sender can be killed with that message in flight."""

    stall_at: int = 0
    accepted: int = 0
    in_flight: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.accepted += 1
            stall = self.accepted == self.stall_at
        if stall:
            self.in_flight.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return reply


@pytest.fixture
def stalling_server() -> Iterator[tuple[SmtpTestServer, StallingHandler]]:
    handler = StallingHandler(stall_at=30)
    server = SmtpTestServer()
    server._handler = handler  # the fixture's server, with a handler that can stall
    server.start()
    try:
        yield server, handler
    finally:
        handler.release.set()
        server.stop()


def parkflow_command(*args: str) -> list[str]:
    if PARKFLOW.exists():
        return [str(PARKFLOW), *args]
    return [sys.executable, "-c", "from parkflow.cli import main; main()", *args]


def test_a_sweep_killed_mid_batch_loses_nothing_and_duplicates_only_the_one_in_flight(
        engine: Engine, park: Park, people: dict[str, str], db_url: str, tmp_path: Path,
        stalling_server: tuple[SmtpTestServer, StallingHandler]) -> None:
    server, handler = stalling_server
    keys = enqueue_due(engine, park, 200, due=NOW)
    expected = {message_id_for(key, DOMAIN) for key in keys}
    env = {**os.environ, "PARKFLOW_DATABASE_URL": db_url, "PARKFLOW_SMTP_URL": server.url,
           "PARKFLOW_BASE_URL": BASE_URL, "PARKFLOW_MAIL_FROM": "parkflow@park.example",
           "PARKFLOW_TEST_NOW": NOW.isoformat()}
    crash_at = NOW + timedelta(minutes=1)

    sweeper = subprocess.Popen(
        parkflow_command("reminders", "run", "--now", crash_at.isoformat(), "--json"),
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not handler.in_flight.wait(timeout=0.2):  # bounded by the process itself
            assert sweeper.poll() is None, sweeper.communicate()
        sweeper.send_signal(signal.SIGKILL)  # the 30th message has no 250 yet
        assert sweeper.wait(timeout=30) == -signal.SIGKILL
    finally:
        if sweeper.poll() is None:
            sweeper.kill()
        sweeper.communicate()
    handler.release.set()

    [in_flight] = [str(m.message["Message-ID"]) for m in server.messages[29:30]]
    assert len(server.messages) == 30
    assert rows_by_status(engine) == {"sent": 29, "pending": 171}  # 21 of them still leased

    # while the dead worker's lease (5 minutes) holds, its rows are not sent by anyone else
    during_lease = run_once(engine, make_park(clock=FixedClock(crash_at)),
                            SmtpMailer(server.settings()), SETTINGS,
                            now=crash_at + timedelta(minutes=1), worker="impatient")
    assert during_lease["sent"] == 200 - 50  # all but the dead worker's batch
    assert rows_by_status(engine) == {"sent": 179, "pending": 21}

    rerun = subprocess.run(
        parkflow_command("reminders", "run", "--now",
                         (crash_at + timedelta(minutes=10)).isoformat(), "--json"),
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert rerun.returncode == 0, rerun.stderr
    assert rows_by_status(engine) == {"sent": 200}
    ids = received_ids(server)
    assert set(ids) == expected  # every due message arrived
    assert {mid: n for mid, n in ids.items() if n > 1} == {in_flight: 2}
    with reading(engine) as session:
        assert {row.message_id for row in outbox.list_rows(session)} == expected


# ---------------------------------------------------------------- (b) two sweepers at once

def test_two_sweepers_at_the_same_moment_send_every_row_exactly_once(
        engine: Engine, park: Park, people: dict[str, str],
        smtp_server: SmtpTestServer) -> None:
    keys = enqueue_due(engine, park, 200, due=NOW)
    mailer = SmtpMailer(smtp_server.settings())
    start = threading.Barrier(2)
    sent_by: dict[str, list[str]] = {"sweeper-1": [], "sweeper-2": []}
    errors: list[BaseException] = []

    def sweep(worker: str) -> None:
        try:
            start.wait(timeout=30)
            deliver(engine, park, mailer, SETTINGS, now=NOW, worker=worker, batch=10,
                    after_send=lambda row: sent_by[worker].append(row.dedupe_key))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(w,)) for w in sent_by]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert rows_by_status(engine) == {"sent": 200}
    ids = received_ids(smtp_server)
    assert set(ids) == {message_id_for(key, DOMAIN) for key in keys}
    assert set(ids.values()) == {1}
    first, second = sent_by.values()
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(keys)
    assert first and second  # both sweepers took part


def test_a_sweeper_still_sending_after_its_lease_ran_out_does_not_resend_what_was_taken_over(
        engine: Engine, park: Park, people: dict[str, str], clock: FixedClock,
        smtp_server: SmtpTestServer) -> None:
    keys = enqueue_due(engine, park, 20, due=NOW)
    mailer = SmtpMailer(smtp_server.settings())
    later = NOW + outbox.LEASE + timedelta(minutes=1)
    taken_over: list[Counter[str]] = []

    def slow_server(row: outbox.Claimed) -> None:
        # After its first message, sweeper A stalls (a slow SMTP server, 30 s timeouts…)
        # until its lease has run out; meanwhile the next tick of sweeper B comes.
        if not taken_over:
            clock.set(later)
            taken_over.append(deliver(engine, park, mailer, SETTINGS, now=later,
                                      worker="sweeper-B"))

    deliver(engine, park, mailer, SETTINGS, now=NOW, worker="sweeper-A", batch=10,
            after_send=slow_server)

    assert taken_over[0]["sent"] == 19  # B rightly took over A's expired lease
    assert rows_by_status(engine) == {"sent": 20}
    ids = received_ids(smtp_server)
    assert set(ids) == {message_id_for(key, DOMAIN) for key in keys}
    duplicates = {mid: n for mid, n in ids.items() if n > 1}
    assert duplicates == {}, f"{len(duplicates)} messages sent twice without any crash"


# ---------------------------------------------------------------- (c) ninety days vs preview

def test_ninety_days_of_daily_runs_send_what_the_preview_announced(
        tmp_path: Path, smtp_server: SmtpTestServer) -> None:
    start = datetime(2026, 11, 23, 8, 0, tzinfo=PARK_TZ)  # a Monday, before the agenda
    clock = FixedClock(start)
    park = make_park(clock=clock)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        build_demo(engine, park)
        with reading(engine) as session:
            announced = preview(session, park, now=start, until=start + timedelta(days=90))
        mailer = SmtpMailer(smtp_server.settings())

        # `parkflow scheduler` sweeps at once when it starts, then on its schedule (here:
        # daily at 09:00, when every ladder rung and inquiry falls due)
        run_once(engine, park, mailer, SETTINGS, now=start)
        for day in range(90):
            clock.set(datetime.combine(start.date() + timedelta(days=day), time(9, 0),
                                       tzinfo=PARK_TZ))
            run_once(engine, park, mailer, SETTINGS, now=clock.now())

        with reading(engine) as session:
            rows = outbox.list_rows(session)
    finally:
        engine.dispose()

    preview_counts = Counter((r["kind"], r["status"]) for r in announced)
    outcome = Counter((r.kind, "pending" if r.status == "sent" else r.status)
                      for r in rows if r.status in ("sent", "skipped"))
    assert outcome == preview_counts
    assert {kind for kind, _ in outcome} >= {"reminder", "warning", "inquiry", "agenda",
                                            "digest"}
    # the same messages, not just the same numbers: who, what, which day
    assert Counter((r.kind, r.recipient, r.sent_at.astimezone(PARK_TZ).date())
                   for r in rows if r.status == "sent" and r.sent_at) == Counter(
        (p["kind"], p["recipients"][0], datetime.fromisoformat(p["send_at"]).date())
        for p in announced if p["status"] == "pending")
    ids = received_ids(smtp_server)
    assert len(ids) == sum(1 for r in rows if r.status == "sent")
    assert set(ids.values()) == {1}
