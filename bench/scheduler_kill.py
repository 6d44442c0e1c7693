"""Fault: the scheduler killed with SIGKILL every few seconds through a 90-day simulated run.

    python -m bench.scheduler_kill [--days 90]

Two copies of the demo park on a private PostgreSQL cluster (bench/pgcluster.py, port 5544;
the system cluster is never touched), each with its own loopback SMTP server counting what
arrives by Message-ID:

- the reference: one uninterrupted sweep + delivery at 09:00 park time every day (the tick
  `parkflow scheduler` runs, in process);
- the faulty run: every day, 1–3 `parkflow scheduler` processes in turn (the test-only clock
  PARKFLOW_TEST_NOW at 09:00, 09:06, 09:12: each one after the lease of the one before ran
  out), each SIGKILLed 0–1 s after it started its catch-up run — often mid-sweep or
  mid-delivery, leaving leased rows behind — then one run that ends
  (`parkflow reminders run`, the same sweep + delivery pass, as a supervisor's restart does).

Afterwards the outboxes must hold the same messages with the same outcome (0 lost), every
outbox key sent once (0 duplicate reminders). What SMTP cannot promise is measured too: a
kill after the server's 250 and before the commit that records it sends that row again, with
the same Message-ID (notifications/delivery.py). Writes
bench/scheduler-kill-RESULTS.md; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bench.common import PARK_TZ
from bench.pgcluster import DEFAULT_PORT, PrivateCluster
from bench.stress import create_database, machine

START = datetime(2026, 11, 23, 8, 0, tzinfo=PARK_TZ)  # a Monday, before the agenda
HERE = Path(__file__).parent
BASE_URL = "https://parkflow.example.cn"
MAIL_FROM = "parkflow@park.example"
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
PARKFLOW = Path(sys.executable).parent / "parkflow"
VERDICT = {True: "PASS", False: "FAIL", None: "measured"}


class Sink:
    """A loopback SMTP server that counts the Message-IDs it accepts."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        with socket.socket() as probe:  # a free port (the controller cannot take port 0)
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = bytes(envelope.original_content or envelope.content).split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(head)
        with self.lock:
            self.ids[found.group(1).decode() if found else "(none)"] += 1
        return "250 2.0.0 accepted"

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"


def demo(url: str) -> None:
    from db.engine import make_engine
    from parkflow.demo import build_demo
    from parkflow.wiring import make_park
    from workflow.clock import FixedClock
    engine = make_engine(url)
    build_demo(engine, make_park(clock=FixedClock(START)))
    engine.dispose()


def moments(days: int) -> list[datetime]:
    """When the scheduler runs: at once when started, then every day at 09:00."""
    return [START] + [datetime.combine(START.date() + timedelta(days=d),
                                       datetime.min.time().replace(hour=9), tzinfo=PARK_TZ)
                      for d in range(days)]


def reference(url: str, sink: Sink, days: int) -> None:
    from parkflow.settings import Settings
    from parkflow.wiring import build_app
    from workflow.clock import FixedClock
    clock = FixedClock(START)
    app = build_app(Settings(database_url=url, smtp_url=sink.url, base_url=BASE_URL,
                             mail_from=MAIL_FROM), clock=clock)
    tick = app.sweep()
    for moment in moments(days):
        clock.set(moment)
        if tick() is None:
            raise SystemExit(f"the reference tick at {moment} failed")
    app.engine.dispose()


def _env(url: str, sink: Sink, now: datetime) -> dict[str, str]:
    return {**os.environ, "PARKFLOW_DATABASE_URL": url, "PARKFLOW_SMTP_URL": sink.url,
            "PARKFLOW_BASE_URL": BASE_URL, "PARKFLOW_MAIL_FROM": MAIL_FROM,
            "PARKFLOW_TEST_NOW": now.isoformat(), "PARKFLOW_LANG": "en"}


def kill_one(url: str, sink: Sink, now: datetime, rng: random.Random) -> int:
    """Start `parkflow scheduler` at `now`; SIGKILL it 0–1 s after its catch-up run began.
    Its process id (its delivery leases carry it)."""
    process = subprocess.Popen([str(PARKFLOW), "scheduler", "--every", "3600"],
                               env=_env(url, sink, now), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        line = process.stderr.readline()  # "Scheduler started": its catch-up run starts now
        if "Scheduler started" not in line:
            raise SystemExit(f"parkflow scheduler did not start: {line}")
        time.sleep(rng.uniform(0, 1.0))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
    return process.pid


def faulty(url: str, sink: Sink, days: int, seed: int) -> dict[str, int]:
    from sqlalchemy import text

    from db.engine import make_engine
    rng, engine = random.Random(seed), make_engine(url)
    stats: Counter[str] = Counter()
    for moment in moments(days):
        for attempt in range(rng.randint(1, 3)):
            pid = kill_one(url, sink, moment + timedelta(minutes=6 * attempt), rng)
            stats["kills"] += 1
            with engine.connect() as conn:  # delivery.worker_id(): host:pid:random
                leased = conn.execute(text("SELECT count(*) FROM outbox WHERE status = "
                                           "'pending' AND locked_by LIKE :mine"),
                                      {"mine": f"%:{pid}:%"}).scalar()
            stats["kills that left leased rows behind"] += bool(leased)
        done = subprocess.run([str(PARKFLOW), "reminders", "run", "--json"],
                              env=_env(url, sink, moment + timedelta(minutes=20)),
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"reminders run at {moment}: {done.stderr}")
    engine.dispose()
    return dict(stats)


def outbox(url: str) -> dict[str, str]:
    """dedupe key → status."""
    from sqlalchemy import text

    from db.engine import make_engine
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT dedupe_key, status FROM outbox")).all()
    engine.dispose()
    return {str(r.dedupe_key): str(r.status) for r in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--out", type=Path, default=HERE / "scheduler-kill-RESULTS.md")
    args = parser.parse_args()
    started = time.monotonic()
    with PrivateCluster(args.port) as cluster, Sink() as ref_sink, Sink() as fault_sink:
        ref_url = create_database(cluster.url, "parkflow_reference")
        fault_url = create_database(cluster.url, "parkflow_killed")
        demo(ref_url)
        demo(fault_url)
        reference(ref_url, ref_sink, args.days)
        stats = faulty(fault_url, fault_sink, args.days, args.seed)
        ref_rows, fault_rows = outbox(ref_url), outbox(fault_url)
    ref_sent = {k for k, s in ref_rows.items() if s == "sent"}
    fault_sent = {k for k, s in fault_rows.items() if s == "sent"}
    differ = {k for k in ref_rows.keys() | fault_rows.keys()
              if ref_rows.get(k) != fault_rows.get(k)}
    twice = {mid: n for mid, n in fault_sink.ids.items() if n > 1}
    checks = [
        ("0 lost: every message the reference sent was sent", not ref_sent - fault_sent,
         f"{len(ref_sent)} sent in the reference, {len(ref_sent - fault_sent)} missing"),
        ("nothing sent that the reference did not send", not fault_sent - ref_sent,
         f"{len(fault_sent - ref_sent)} extra"),
        ("every outbox row has the reference's outcome", not differ,
         f"{len(ref_rows)} rows; by status {dict(Counter(fault_rows.values()))}"),
        ("0 duplicate reminders: each outbox row sent once, as in the reference",
         len(fault_sent) == len(ref_sent) == len(fault_sink.ids)
         and set(fault_sink.ids) == set(ref_sink.ids),
         f"{len(fault_sink.ids)} distinct Message-IDs received, the reference's "
         f"{len(ref_sink.ids)}"),
        # SMTP has no transaction: a kill after the server's 250 and before the commit that
        # records it makes the next pass send that row again (notifications/delivery.py)
        ("messages the mail server received twice (same Message-ID)", None,
         f"{sum(twice.values()) - len(twice)} of {sum(fault_sink.ids.values())} received: "
         "kills between the server's 250 and the commit recording it; the resend carries "
         "the same Message-ID, which mail clients fold"),
        ("the reference's own mail server saw each message once",
         set(ref_sink.ids.values()) <= {1} and len(ref_sink.ids) == len(ref_sent),
         f"{len(ref_sink.ids)} distinct Message-IDs"),
    ]
    lines = ["# Fault: the scheduler killed with SIGKILL through a 90-day simulated run", "",
             f"`python -m bench.scheduler_kill --days {args.days} --seed {args.seed}` "
             "(make fault-scheduler)", "",
             f"- the demo park, {args.days} simulated days from {START:%Y-%m-%d %H:%M} park "
             "time, on a private PostgreSQL cluster; loopback SMTP",
             f"- {stats.get('kills', 0)} `parkflow scheduler` processes SIGKILLed, "
             f"{stats.get('kills that left leased rows behind', 0)} of them mid-delivery "
             "(leased rows left behind)",
             f"- {machine()}; {time.monotonic() - started:.0f} s in all", "",
             "| check | result | detail |", "|---|---|---|",
             *(f"| {name} | {VERDICT[ok]} | {detail} |" for name, ok, detail in checks)]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(ok is not False for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
