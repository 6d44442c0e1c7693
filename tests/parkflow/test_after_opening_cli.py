"""After opening through the command: the figures validated field by field, the quarterly
request in `reminders preview`, and the move out of the zone in the outbox (a subprocess)."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.factories import ALICE, CAROL, LEADER, opened
from tests.support.after_opening import OUTSIDE
from tests.support.command import Cli
from workflow.park import Park


def test_a_negative_figure_is_refused_naming_its_field_and_nothing_is_written(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    done = cli("project", "advance", str(pid), "indicators", "--by", ALICE,
               "--set", "quarter=2026-Q3", "--set", "revenue=-5", "--set", "tax=1",
               "--set", "rnd=1", "--set", "employees=3", "--set", "ip=0")
    assert done.code == 2, done
    assert "营业收入（万元）" in done.err and "负数" in done.err
    history = cli("project", "history", str(pid), "--json").json()
    assert [h["event"] for h in history][-1] == "open"


def test_the_quarterly_figures_request_is_in_the_preview(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    done = cli("reminders", "preview", "--until", "2027-01-31", "--json")
    assert done.code == 0, done
    asked = [r for r in done.json() if r["kind"] == "indicators_request"]
    assert asked == [{"id": None, "kind": "indicators_request", "project_id": pid,
                      "recipients": [ALICE], "send_at": "2027-01-10T09:00:00+08:00",
                      "status": "pending", "reason": "请报送2026年第4季度经营指标"}]
    shown = cli("reminders", "preview", "--until", "2027-01-31", env={"COLUMNS": "240"})
    assert "指标报送提醒" in shown.out and "indicators_request" not in shown.out
    ran = cli("reminders", "run", "--now", "2027-01-10T09:05", "--json")
    assert ran.code == 0 and ran.json()["failed"] == 0, ran
    rows = [r for r in cli("outbox", "list", "--json").json()
            if r["kind"] == "indicators_request"]
    assert [(r["recipients"], r["status"]) for r in rows] == [([ALICE], "sent")]


def test_a_move_out_of_the_zone_puts_the_warning_in_the_outbox_at_once(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    pid = opened(engine, live, ALICE)
    done = cli("project", "advance", str(pid), "address_change", "--by", ALICE,
               "--set", f"address={OUTSIDE}", "--json")
    assert done.code == 0, done
    rows = [r for r in cli("outbox", "list", "--json").json()
            if r["kind"] == "relocation_warning"]
    assert sorted(r["recipients"][0] for r in rows) == sorted([ALICE, CAROL, LEADER])
    assert {r["status"] for r in rows} == {"pending"}
    sent = cli("reminders", "run", "--json")  # written as .eml files: no SMTP configured
    assert sent.code == 0, sent
    assert (sent.json()["sent"], sent.json()["failed"]) == (3, 0)
