"""Builders and shared constants of the tests, each defined once.

Fixtures live in tests/conftest.py; the builders and constants a test calls or compares with
live here. Every builder goes through the use cases (`add_project`, `advance`, …), never
around them. The harnesses (the command as a subprocess, the web client, mail, the refusal
checks, the SMTP server) are in tests/support/.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, select
from sqlmodel import Session

from db.engine import reading, writing
from db.models import (
    Approval,
    CalendarDay,
    CalendarYear,
    OutboxMessage,
    ProjectEvent,
    SpaceListing,
    SpaceRequest,
    User,
    columns,
)
from tests.support.after_opening import AFTER_OPENING, AFTER_STORED, AFTER_VALID
from workflow.approvals import (
    approval_history,
    decide,
    file_extension,
    file_suspension,
    list_approvals,
)
from workflow.calendar import BusinessCalendar, seed_from_chinese_calendar
from workflow.deadlines import Deadline, Period, compute_deadline
from workflow.errors import WorkflowError
from workflow.holiday_notice import parse_notice
from workflow.park import Park
from workflow.projects import Snapshot, add_project, advance, load_snapshot
from workflow.space import add_listing, request_space
from workflow.views import project_view

with warnings.catch_warnings():  # starlette's TestClient warns that httpx will be replaced
    warnings.simplefilter("ignore")


# ---------------------------------------------------------------- time and place

PARK_TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ)  # a Friday: the `clock` fixture's moment
# the State Council's notice for 2027, made up in the published form, and its text
NOTICE_FILE = Path(__file__).resolve().parent / "data" / "notice_2027_sample.txt"
SAMPLE_2027 = NOTICE_FILE.read_text("utf-8")
D = date.fromisoformat  # D("2026-10-01"), for tables of dates
ROOT = Path(__file__).resolve().parent.parent  # the repository
PARKFLOW = Path(sys.executable).parent / "parkflow"  # the installed command


def on(day: str, clock: str = "09:00") -> datetime:
    """A moment in park time: 09:00 unless told."""
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in park time in 2026, for tables of moments: at(11, 24) is on("2026-11-24")."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARK_TZ)


# For tests of logic no database path changes (messages, languages, pure rules): SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


# ---------------------------------------------------------------- people

PEOPLE = [
    # email, name, role, group, group lead
    ("leader@park.test", "王主任", "leader", None, False),
    ("alice@park.test", "李爱丽", "member", "project", False),
    ("carol@park.test", "陈卡罗", "member", "project", True),
    ("bob@park.test", "赵博", "member", "finance", False),
    ("admin@park.test", "周管理", "admin", None, False),
]
LEADER, ALICE, CAROL, BOB, ADMIN = (email for email, *_ in PEOPLE)
LEADER2 = "sun@park.test"  # the second leader of `staff` (reads English)
VICE = "vice@park.test"  # the second leader of `task_force` (reads Chinese)
TASK_FORCE = {LEADER, VICE, ALICE, CAROL, BOB}  # members and leaders, not the admin


# ---------------------------------------------------------------- the default lifecycle

SOURCE = "lifecycle.yaml"  # what the messages call a definition checked in memory
STATES = ("intake", "visited", "registered", "signed", "opened", "exited")
ACTIVE = ("intake", "visited", "registered", "signed", "opened")
LIFECYCLE_EVENTS = ("visit", "register", "sign", "open", "exit", "reactivate")
EVENTS = (*LIFECYCLE_EVENTS, *AFTER_OPENING)  # and those that keep a project opened

# The default lifecycle of SPEC.md §2, written out by hand: (state, event) → new state.
EXIT_FROM = "registered"  # the state a project in `exited` left, for the matrix of events
MOVES: dict[tuple[str, str], str] = {
    ("intake", "visit"): "visited",
    ("visited", "register"): "registered",
    ("registered", "sign"): "signed",
    ("signed", "open"): "opened",
    **{(state, "exit"): "exited" for state in ACTIVE},
    ("exited", "reactivate"): EXIT_FROM,
    **{("opened", event): "opened" for event in AFTER_OPENING},
}
SOURCE_OF = {"visit": "intake", "register": "visited", "sign": "registered", "open": "signed",
             "exit": "intake", "reactivate": "exited",
             **dict.fromkeys(AFTER_OPENING, "opened")}

# The fields most tests fire the visit and the registration with.
VISIT = {"visitors": "张三,李四", "needs": "funding,space", "team": "4", "technology": "4",
         "capital": "4", "market": "3"}  # 15 → 2 stars
GOOD_USCC = "91350100M000100Y43"  # GB 32100-2015 check character of 91350100M000100Y4 is 3
REGISTER = {"company_name": "合肥量测科技有限公司", "uscc": GOOD_USCC,
            "address": "合肥市高新区望江西路 800 号"}
# One valid set of fields per event, as the matrix of events fires them (this visit scores
# 16: 3 stars), and what the history keeps of it: normalised values.
VALID: dict[str, dict[str, Any]] = {
    "visit": {"visitors": "张三,李四", "needs": "funding,space", "team": "4",
              "technology": "5", "capital": "3", "market": "4"},
    "register": REGISTER,
    "sign": {"agreement_no": "HT-2026-017"},
    "open": {"premises": "创新产业园二期 A3 栋 5 层"},
    "exit": {"reason": "relocated", "note": "迁往苏州"},
    "reactivate": {"note": "重新落地"},
    **AFTER_VALID,
}
STORED: dict[str, dict[str, Any]] = {
    "visit": {"visitors": ["张三", "李四"], "needs": ["funding", "space"], "team": 4,
              "technology": 5, "capital": 3, "market": 4},
    "register": {**VALID["register"]},
    "sign": {**VALID["sign"]},
    "open": {**VALID["open"]},
    "exit": {**VALID["exit"]},
    "reactivate": {**VALID["reactivate"]},
    **AFTER_STORED,
}
INTAKE_DAY = "2026-11-02"  # a Monday, before NOW: when `new_project` enters a project
# The road to each state, with the business date of every step (all before NOW).
ROAD = [("visit", "2026-11-05"), ("register", "2026-11-10"), ("sign", "2026-11-15"),
        ("open", "2026-11-18")]
EXIT_DAY = "2026-11-19"


# ---------------------------------------------------------------- shapes of answers

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese in an English message?
ERROR_KEYS = {"kind", "field", "message"}
PROJECT_KEYS = {"id", "name", "category", "state", "owner", "group", "stars", "deadline",
                "history"}
HISTORY_KEYS = {"event", "from", "to", "actor", "occurred_at", "recorded_at", "fields"}
APPROVAL_KEYS = {"id", "kind", "subject_id", "state", "requested_by", "decided_by", "comment"}


# ---------------------------------------------------------------- deadlines and the calendar

def deadline(
    calendar: BusinessCalendar,
    start: str,
    period: str,
    *,
    roll_forward: bool = True,
    lang: str = "zh-CN",
) -> Deadline:
    """The deadline `period` after an intake on `start`, as the engine computes it."""
    label = "intake" if lang == "en" else "入库"
    return compute_deadline(
        start=D(start),
        period=Period.parse(period),
        calendar=calendar,
        tz=PARK_TZ,
        anchor_label=label,
        roll_forward=roll_forward,
        lang=lang,
    )


def calendar_2026_2027() -> BusinessCalendar:
    """The seeded calendar (2004–2026) with the made-up 2027 notice loaded over it."""
    notice = parse_notice(SAMPLE_2027, 2027)
    return BusinessCalendar(*seed_from_chinese_calendar()).overlay(
        BusinessCalendar(notice.special_days(), [2027]))


def drop_year(session: Session, year: int) -> None:
    """Remove a year's holiday arrangement (and its coverage) from the calendar tables."""
    day = columns(CalendarDay).day
    session.execute(delete(CalendarDay).where(day >= date(year, 1, 1),
                                              day <= date(year, 12, 31)))
    session.execute(delete(CalendarYear).where(columns(CalendarYear).year == year))


# ---------------------------------------------------------------- projects

def seed_project(engine: Engine, park: Park, owner: str, name: str = "量子精密测量", *,
                 intake: str | None = None) -> int:
    """A project of `owner`'s entered through the use case (`intake` None: today); tests
    enter several of one name (tests/workflow/test_project_record.py: the duplicate rules)."""
    with writing(engine) as session:
        return add_project(session, park, name=name, category="tech_transfer", owner=owner,
                           actor=owner, intake=intake, allow_duplicate=True).id


def new_project(engine: Engine, park: Park, owner: str, *, intake: str = INTAKE_DAY) -> int:
    """A project of `owner`'s entered on INTAKE_DAY, to be moved on with past dates."""
    return seed_project(engine, park, owner, intake=intake)


def snapshot(engine: Engine, project_id: int) -> Snapshot:
    """The project as stored now."""
    with reading(engine) as session:
        return load_snapshot(session, project_id)


# ---------------------------------------------------------------- firing events

def fire(engine: Engine, park: Park, project_id: int, event: str, actor: str, *,
         at: str | datetime | None = None, fields: Mapping[str, Any] | None = None) -> None:
    """`actor` fires `event` (with its VALID fields unless told) through `advance`."""
    with writing(engine) as session:
        advance(session, park, project_id=project_id, event=event, actor=actor, at=at,
                fields=VALID[event] if fields is None else fields, allow_duplicate=True)


def bring_to(engine: Engine, park: Park, people: dict[str, str], state: str, *,
             exit_from: str = EXIT_FROM) -> int:
    """A project of alice's, moved to `state` by the use cases (`exited` via `exit_from`)."""
    project_id = new_project(engine, park, people["alice"])
    target = exit_from if state == "exited" else state
    for event, day in ROAD[:ACTIVE.index(target)]:
        fire(engine, park, project_id, event, people["alice"], at=day)
    if state == "exited":
        fire(engine, park, project_id, "exit", people["alice"], at=EXIT_DAY)
    assert snapshot(engine, project_id).state == state
    return project_id


def history_rows(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """The project's history as stored, with the actor's email."""
    e, u = columns(ProjectEvent), columns(User)
    with reading(engine) as session:
        rows = session.execute(
            select(e.id, e.event, e.from_state, e.to_state, u.email.label("actor"),
                   e.occurred_at, e.recorded_at, e.fields)
            .join(User, u.id == e.actor_id).where(e.project_id == project_id)
            .order_by(e.id)).all()
    return [dict(row._mapping) for row in rows]


def refused_event(engine: Engine, park: Park, project_id: int, event: str, actor: str,
                  error: type[WorkflowError], *, at: str | datetime | None = None,
                  fields: Mapping[str, Any] | None = None) -> WorkflowError:
    """Fire an event that must fail with `error`; assert the project did not change at all."""
    before, history = snapshot(engine, project_id), history_rows(engine, project_id)
    with pytest.raises(error) as caught:
        fire(engine, park, project_id, event, actor, at=at, fields=fields)
    assert snapshot(engine, project_id) == before
    assert history_rows(engine, project_id) == history
    return caught.value


# ---------------------------------------------------------------- space

def listing(engine: Engine, park: Park, *, area: float | str = 1200, type: str = "office",
            unit: str = "501") -> int:
    """A listing of the inventory (合肥创新产业园 B3), available; its id."""
    with writing(engine) as session:
        added = add_listing(session, park, carrier="合肥创新产业园", building="B3", unit=unit,
                            area=area, type=type, actor=LEADER, now=park.now())
        assert added.id is not None
        return added.id


def request(engine: Engine, park: Park, project_id: int, by: str, *, area: float | str = 300,
            type: str = "office", needed_by: str = "2026-12-31", **extra: Any) -> dict[str, Any]:
    """A space request filed by `by`: what `request_space` answers."""
    with writing(engine) as session:
        return request_space(session, park, project_id=project_id, type=type, area=area,
                             needed_by=needed_by, actor=by, **extra)


def request_row(engine: Engine, request_id: int) -> SpaceRequest:
    with reading(engine) as session:
        row = session.get(SpaceRequest, request_id)
    assert row is not None
    return row


def listing_row(engine: Engine, listing_id: int) -> SpaceListing:
    with reading(engine) as session:
        row = session.get(SpaceListing, listing_id)
    assert row is not None
    return row


# ---------------------------------------------------------------- approvals

def extension(engine: Engine, park: Park, project_id: int, by: str, days: int | str = 10,
              reason: str = "企业注册材料待工商核准") -> int:
    """An extension request filed by `by`; its approval id."""
    with writing(engine) as session:
        approval = file_extension(session, park, project_id=project_id, days=days,
                                  reason=reason, actor=by)
        assert approval.id is not None
        return approval.id


def suspension(engine: Engine, park: Park, project_id: int, by: str,
               reason: str = "等待管委会会议决定") -> int:
    """A suspension request filed by `by`; its approval id."""
    with writing(engine) as session:
        approval = file_suspension(session, park, project_id=project_id, reason=reason,
                                   actor=by)
        assert approval.id is not None
        return approval.id


def space(engine: Engine, park: Park, project_id: int, by: str, area: float = 1500,
          type: str = "office") -> dict[str, Any]:
    """A space request as the approval mails show it (with a carrier and a note); large
    enough to need a leader unless told."""
    return request(engine, park, project_id, by, area=area, type=type,
                   carrier="合肥创新产业园", note="研发团队扩编")


def decided(engine: Engine, park: Park, approval_id: int, decision: str, by: str,
            comment: str | None = None) -> Approval:
    """`by` decides the approval; the approval as decided."""
    with writing(engine) as session:
        return decide(session, park, approval_id=approval_id, decision=decision, actor=by,
                      comment=comment)


def approval(engine: Engine, approval_id: int) -> Approval:
    """The approval row as stored."""
    with reading(engine) as session:
        row = session.get(Approval, approval_id)
    assert row is not None
    return row


def events(engine: Engine, park: Park, approval_id: int) -> list[tuple[str, str | None, str,
                                                                         str]]:
    """The approval's history: (event, from, to, actor) each."""
    with reading(engine) as session:
        return [(e["event"], e["from"], e["to"], e["actor"])
                for e in approval_history(session, park, approval_id)]


def view(engine: Engine, park: Park, project_id: int, lang: str = "zh-CN") -> dict[str, Any]:
    """The project as `project show` shows it."""
    with reading(engine) as session:
        return project_view(session, park, project_id, lang)


def inbox(engine: Engine, park: Park, by: str, *, pending: bool = False,
          mine: bool = False) -> list[dict[str, Any]]:
    """The approvals `by` sees (`approvals list`)."""
    with reading(engine) as session:
        return list_approvals(session, park, viewer=by, pending=pending, mine=mine)


def moments(found: list[OutboxMessage]) -> list[tuple[str, str, str]]:
    """(kind, recipient, send_at in park time) of outbox rows, sorted."""
    return sorted((r.kind, r.recipient, r.send_at.astimezone(PARK_TZ).isoformat()[:16])
                  for r in found)


def opened(engine: Engine, park: Park, owner: str) -> int:
    """A project that has gone all the way to opening (no deadline any more)."""
    pid = seed_project(engine, park, owner, name="已开业项目", intake="2026-11-01")
    steps = [("visit", "2026-11-02", VISIT), ("register", "2026-11-03", REGISTER),
             ("sign", "2026-11-04", {"agreement_no": "HT-1"}),
             ("open", "2026-11-05", {"premises": "A3 栋"})]
    with writing(engine) as session:
        for event, day, fields in steps:
            advance(session, park, project_id=pid, event=event, actor=owner, at=day,
                    fields=fields)
    return pid




# ---------------------------------------------------------------- the ledger (台账)

# One project of each kind a ledger holds, by the use cases (NOW is 2026-11-20):
#   #1 量子精密测量  tech_transfer, alice: intake 11-02; visit due 11-09, 11 days overdue
#   #2 合肥量测芯片  alumni, bob: intake 10-12, visit 10-15 (16: 3★), register 10-30;
#                   signing due 11-30
#   #3 迁出项目      platform, alice: intake 11-02, visit 11-05 (15: 2★), exit 11-19
#   #4 已开业项目    tech_transfer, carol: intake 11-01, visit 11-02 (2★), register 11-03,
#                   sign 11-04, open 11-05
LEDGER_ROAD: list[tuple[str, str, str, str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("量子精密测量", "tech_transfer", ALICE, "2026-11-02", []),
    ("合肥量测芯片", "alumni", BOB, "2026-10-12",
     [("visit", "2026-10-15", VALID["visit"]), ("register", "2026-10-30", REGISTER)]),
    ("迁出项目", "platform", ALICE, "2026-11-02",
     [("visit", "2026-11-05", VISIT), ("exit", "2026-11-19", VALID["exit"])]),
    ("已开业项目", "tech_transfer", CAROL, "2026-11-01",
     [("visit", "2026-11-02", VISIT),
      ("register", "2026-11-03", {**REGISTER, "uscc": "91340100MA2N00001Q",
                                  "company_name": "合肥已开业科技有限公司"}),
      ("sign", "2026-11-04", {"agreement_no": "HT-1"}),
      ("open", "2026-11-05", {"premises": "A3 栋"})]),
]


def ledger_projects(engine: Engine, park: Park) -> list[int]:
    """The projects of LEDGER_ROAD, entered and moved through the use cases; their ids."""
    ids = []
    with writing(engine) as session:
        for name, category, owner, intake, road in LEDGER_ROAD:
            pid = add_project(session, park, name=name, category=category, owner=owner,
                              actor=owner, intake=intake).id
            for event, day, fields in road:
                advance(session, park, project_id=pid, event=event, actor=owner, at=day,
                        fields=fields)
            ids.append(pid)
    return ids
