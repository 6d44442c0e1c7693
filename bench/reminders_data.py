"""The park of the reminder benchmark: projects, their outbox ladders and a year of history.

Everything is laid out around one fixed moment, `STEADY_NOW` (Wednesday 2026-09-09, 09:00:30
park time: the scheduler tick just after the daily 09:00 send slot). Every outbox row is made
by the product's own planning functions (`plan_stage`, `plan_inquiry`, `plan_periodic`), so
keys, series, send times, reasons and payloads are exactly what the sweep would have written.

The model (per calendar day, `deadlines_per_day` stage deadlines; defaults in `Scenario`):

- current ladders: a stage deadline on each of the days T−60 … T+34 (T = today), each ladder
  2 reminders to the owner (3 days before, on the day) and an early warning the day after
  to the owner, the group lead and the 3 leaders (7 rows). Future deadlines are all still
  current; of past deadlines only the missed ones (`missed_share`) are — the others' projects
  moved on, their ladders are history. Rungs before the previous tick are `sent`, the rest
  `pending`;
- star projects in follow-up states with their pending weekly inquiry (周问询) due some day
  in the coming week, earlier inquiries of the same series sent;
- the rest of the projects opened or exited (no deadline); the owners of the opened ones were
  sent this quarter's request for figures on its day;
- history: `history` settled rows over the past 365 days — weekly digests and agendas, star
  inquiries (sent, the last one cancelled by a follow-up) and past stage ladders (cancelled
  when the project moved on, sent, or skipped after a catch-up).

So at T the 09:00 burst is due (a few dozen rows), and 30 days later, after a downtime, every
rung of every ladder of those 30 days is due at once (~4,000 rows) and overtakes its own
earlier rungs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bench.common import CATEGORIES, PARK_TZ

STEADY_NOW = datetime(2026, 9, 9, 9, 0, 30, tzinfo=PARK_TZ)  # a Wednesday, 09:00:30
DOWNTIME = timedelta(days=30)
CATCHUP_NOW = STEADY_NOW + DOWNTIME  # Friday 2026-10-09, 09:00:30
PREVIOUS_TICK = STEADY_NOW - timedelta(minutes=1)
PEOPLE_SINCE = STEADY_NOW - timedelta(days=400)  # the park opened before the history starts
DOMAIN = "park.example"

# Who else a park has: three leaders in all, a lead per group (the warnings' readers), an admin.
EXTRA_PEOPLE: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("leader2@bench.test", "李副主任", "leader", None, False),
    ("leader3@bench.test", "张副主任", "leader", None, False),
    *((f"lead-{group}@bench.test", f"{label}组长", "member", group, True)
      for group, label in (("platform", "平台"), ("project", "项目"), ("finance", "投融资"),
                           ("general", "综合"))),
    ("admin@bench.test", "系统管理员", "admin", None, False),
)

DEADLINE_STATES = ("intake", "visited", "registered", "signed")
FOLLOW_UP_STATES = ("visited", "registered", "signed")
CANCELLED = "stage_left"  # reason codes, as notifications.reasons names them
OVERTAKEN = "overtaken"
FOLLOWED_UP = "inquiry_not_needed"

PROJECT_COLUMNS = ("id", "name", "category", "state", "owner_id", "group", "stars", "milestones",
                   "adjustments", "exited_from", "due_at", "stage_entry_id", "last_event_at",
                   "last_follow_up_at", "version", "created_at")
OUTBOX_COLUMNS = ("id", "dedupe_key", "kind", "project_id", "series", "channel", "recipient",
                  "send_at", "next_attempt_at", "retry_until", "status", "reason_code",
                  "reason_params", "attempts", "locked_by", "locked_until", "sent_at",
                  "last_error", "message_id", "payload", "created_at")
JSON_COLUMNS = {"milestones", "adjustments", "payload", "reason_params"}


@dataclass(frozen=True)
class Scenario:
    projects: int = 100_000
    deadlines_per_day: int = 18
    missed_share: float = 0.10  # past deadlines whose project is still in its stage
    star_projects: int = 150
    history: int = 1_000_000  # settled rows of the past year (~10 per project)
    seed: int = 20260909


@dataclass(frozen=True)
class People:
    owners: tuple[tuple[int, str, str], ...]  # members who own projects: id, email, group
    leads: dict[str, tuple[str, ...]]  # group → its lead(s)
    leaders: tuple[str, ...]
    task_force: tuple[str, ...]  # members and leaders, by id (the agenda's readers)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[Any, ...]]) -> People:
        """From (id, email, role, group, is_group_lead) ordered by id."""
        owners = tuple((int(r[0]), str(r[1]), str(r[3])) for r in rows
                       if r[2] == "member" and not r[4])
        leads: dict[str, tuple[str, ...]] = {}
        for r in rows:
            if r[4]:
                leads[str(r[3])] = (*leads.get(str(r[3]), ()), str(r[1]))
        return cls(owners=owners, leads=leads,
                   leaders=tuple(str(r[1]) for r in rows if r[2] == "leader"),
                   task_force=tuple(str(r[1]) for r in rows if r[2] in ("member", "leader")))

    def owner_of(self, project_id: int) -> tuple[int, str, str]:
        return self.owners[project_id % len(self.owners)]

    def escalation(self, group: str) -> list[str]:
        return [*self.leads.get(group, ()), *self.leaders]


Row = tuple[Any, ...]


def due_at_for(due: date) -> datetime:
    """The stored deadline of a due day: its end, 24:00 park time."""
    return datetime.combine(due + timedelta(days=1), time(), tzinfo=PARK_TZ)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARK_TZ)


class Builder:
    """Makes project and outbox rows (Python values) with the product's planning functions."""

    def __init__(self, people: People, scenario: Scenario) -> None:
        from notifications.mail import message_id_for
        from states.definition import LIFECYCLE_FILE, load_lifecycle

        self.people, self.scenario = people, scenario
        self.rule = load_lifecycle(LIFECYCLE_FILE).reminders
        self.rng = random.Random(scenario.seed)
        self.message_id_for = message_id_for
        self.today = STEADY_NOW.date()

    # ------------------------------------------------------------ outbox rows

    def outbox_row(self, row_id: int, planned: Any, status: str, *, created_at: datetime,
                   reason: str | None = None) -> Row:
        from notifications.outbox import RETRY_WINDOW
        sent = status == "sent"
        send_at = planned.send_at
        return (row_id, planned.dedupe_key, planned.kind, planned.project_id, planned.series,
                planned.channel, planned.recipient, send_at, send_at, send_at + RETRY_WINDOW,
                status, reason or planned.reason, {} if reason else planned.reason_params,
                1 if sent else 0, None, None,
                send_at + timedelta(seconds=2) if sent else None, None,
                self.message_id_for(planned.dedupe_key, DOMAIN) if sent else None,
                planned.payload, created_at)

    def ladder(self, project_id: int, stage_entry_id: int, state: str, due: date) -> list[Any]:
        from notifications.planning import StageFacts, plan_stage
        _, owner, group = self.people.owner_of(project_id)
        facts = StageFacts(project_id=project_id, stage_entry_id=stage_entry_id, state=state,
                           due_at=due_at_for(due), owner=owner,
                           escalate_to=self.people.escalation(group))
        return plan_stage(facts, self.rule, PARK_TZ)

    # ------------------------------------------------------------ projects

    def _project(self, pid: int, state: str, milestones: dict[str, str], *,
                 due: date | None = None, stars: int = 0,
                 follow_up: datetime | None = None, exited_from: str | None = None) -> Row:
        owner_id, _, group = self.people.owner_of(pid)
        intake = date.fromisoformat(milestones["intake"])
        last = max(date.fromisoformat(d) for d in milestones.values())
        return (pid, f"科技成果转化项目{pid:06d}", CATEGORIES[pid % 3], state, owner_id, group,
                stars, milestones, [], exited_from, due_at_for(due) if due else None,
                1_000_000 + pid if due else None, _at(last), follow_up, 1 + len(milestones),
                _at(intake, 9))

    def _milestones(self, state: str, due: date) -> dict[str, str]:
        """Milestones that put the stage's deadline on `due` (a month after its anchor)."""
        month = timedelta(days=30)
        if state == "intake":
            return {"intake": (due - timedelta(days=7)).isoformat()}
        intake = due - month if state == "visited" else due - 2 * month
        days = {"intake": intake, "visit": intake + timedelta(days=3)}
        if state in ("registered", "signed"):
            days["register"] = due - month if state == "registered" else due - 2 * month
        if state == "signed":
            days["sign"] = due - month
        return {name: day.isoformat() for name, day in days.items()}

    def current(self, first_row_id: int) -> tuple[list[Row], list[Row]]:
        """Projects 1…A with current deadlines (and star inquiries), then all the others;
        the outbox rows of their current ladders and inquiries (ids from `first_row_id`)."""
        from notifications.planning import plan_inquiry
        sc, rng = self.scenario, self.rng
        projects: list[Row] = []
        outbox: list[Row] = []
        next_id = first_row_id
        stars_left = sc.star_projects
        pid = 0
        for offset in range(-60, 35):
            due = self.today + timedelta(days=offset)
            for _ in range(sc.deadlines_per_day):
                if offset < 0 and rng.random() >= sc.missed_share:
                    continue  # met: the project moved on, its ladder is history
                pid += 1
                state = rng.choice(DEADLINE_STATES)
                milestones = self._milestones(state, due)
                follow_up, inquiry = None, None
                if (stars_left > 0 and state in FOLLOW_UP_STATES and rng.random() < 0.6):
                    # the pending inquiry is due some day of the coming week (today included),
                    # after k weekly slots counted from the visit or the last follow-up
                    visit = date.fromisoformat(milestones["visit"])
                    slot_day = self.today + timedelta(days=rng.randint(0, 6))
                    weeks = min(6, ((slot_day - visit).days - 1) // self.rule.follow_up_every_days)
                    if weeks >= 1:
                        k = rng.randint(1, weeks)
                        anchor = slot_day - timedelta(days=self.rule.follow_up_every_days * k + 1)
                        follow_up = _at(anchor, 16) if anchor > visit else None
                        inquiry = (anchor, k)
                for planned in self.ladder(pid, 1_000_000 + pid, state, due):
                    status = "sent" if planned.send_at <= PREVIOUS_TICK else "pending"
                    outbox.append(self.outbox_row(next_id, planned, status,
                                                  created_at=_at(due - timedelta(days=30))))
                    next_id += 1
                if inquiry is not None:
                    stars_left -= 1
                    anchor, k = inquiry
                    _, owner, _ = self.people.owner_of(pid)
                    for n in range(1, k + 1):
                        planned = plan_inquiry(pid, owner, anchor, n, self.rule, PARK_TZ)
                        status = "sent" if planned.send_at <= PREVIOUS_TICK else "pending"
                        outbox.append(self.outbox_row(next_id, planned, status,
                                                      created_at=planned.send_at
                                                      - timedelta(days=7)))
                        next_id += 1
                projects.append(self._project(pid, state, milestones, due=due,
                                              stars=rng.randint(1, 3) if inquiry else 0,
                                              follow_up=follow_up))
        for other in range(pid + 1, sc.projects + 1):
            projects.append(self._settled_project(other))
        # this week's agenda and digest went out on Monday (older weeks are history), this
        # month's and this quarter's reports on their day, and this quarter's requests for
        # figures to the owners of the opened projects
        opened = [row[0] for row in projects if row[3] == "opened"]
        for planned in self.weekly(0) + self.reports() + self.figures_requests(opened):
            outbox.append(self.outbox_row(next_id, planned, "sent", created_at=planned.send_at))
            next_id += 1
        return projects, outbox

    def reports(self) -> list[Any]:
        """The latest monthly and quarterly reports (to the leaders) before `STEADY_NOW`: sent,
        so the steady tick has nothing of theirs to plan."""
        from notifications.planning import occurrence_at_or_before, plan_periodic
        from workflow.calendar import BusinessCalendar
        planned = []
        for kind in ("monthly_report", "quarterly_report"):
            slot_rule = getattr(self.rule, kind)
            latest = occurrence_at_or_before(slot_rule, STEADY_NOW, PARK_TZ, BusinessCalendar())
            if latest is not None:
                planned += plan_periodic(kind, latest, self.people.leaders, PARK_TZ)
        return planned

    def figures_requests(self, opened: Sequence[int]) -> list[Any]:
        """The latest quarterly request for figures before `STEADY_NOW`, one per opened
        project: sent, so the steady tick has no owner left to ask."""
        from notifications.planning import plan_quarter_request, quarter_requests_between
        slot = self.rule.indicators
        if slot is None:
            return []
        [request] = quarter_requests_between(slot, None, STEADY_NOW, PARK_TZ)
        return [plan_quarter_request(pid, self.people.owner_of(pid)[1], request, slot.event)
                for pid in opened]

    def weekly(self, weeks_ago: int) -> list[Any]:
        """The agenda (task force) and the digest (leaders) of the Monday `weeks_ago` back."""
        from notifications.planning import Occurrence, occurrence_at_or_before, plan_periodic
        from workflow.calendar import BusinessCalendar
        rule, people, back = self.rule, self.people, timedelta(days=7 * weeks_ago)
        planned = []
        for kind, slot_rule, readers in (("agenda", rule.agenda, people.task_force),
                                         ("digest", rule.digest, people.leaders)):
            # weekends only: the synthetic weeks have no holidays
            latest = occurrence_at_or_before(slot_rule, STEADY_NOW, PARK_TZ, BusinessCalendar())
            assert latest is not None
            planned += plan_periodic(kind, Occurrence(latest.anchor - back, latest.at - back),
                                     readers, PARK_TZ)
        return planned

    def _settled_project(self, pid: int) -> Row:
        rng = self.rng
        intake = self.today - timedelta(days=rng.randint(120, 2000))
        names = ("intake", "visit", "register", "sign", "open")
        exited = rng.random() < 0.3
        steps = rng.randint(1, 5) if exited else 5
        milestones, day = {}, intake
        for name in names[:steps]:
            milestones[name] = day.isoformat()
            day += timedelta(days=rng.randint(3, 30))
        from_state = ("intake", "visited", "registered", "signed", "opened")[steps - 1]
        return self._project(pid, "exited" if exited else "opened", milestones,
                             stars=rng.choice((0, 0, 1, 2, 3)),
                             exited_from=from_state if exited else None)

    # ------------------------------------------------------------ a year of history

    def history(self, count: int) -> Iterator[Row]:
        """`count` settled rows (ids 1…count): weekly mails, star inquiries, stage ladders."""
        from notifications.planning import plan_inquiry
        rng, sc, rule = self.rng, self.scenario, self.rule
        made = 0

        def emit(planned: Any, status: str, created: datetime,
                 reason: str | None = None) -> Row | None:
            nonlocal made
            if made >= count:
                return None
            made += 1
            return self.outbox_row(made, planned, status, created_at=created, reason=reason)

        # every earlier Monday of the year: the agenda and the digest
        for weeks_ago in range(1, 52):
            for planned in self.weekly(weeks_ago):
                row = emit(planned, "sent", planned.send_at)
                if row is not None:
                    yield row
        # star inquiries: ~15% of the year's rows; weekly, until a follow-up cancels the next
        inquiries = count * 0.15
        series: set[tuple[int, date]] = set()
        while made < min(count, inquiries):
            pid = rng.randint(1, sc.projects)
            _, owner, _ = self.people.owner_of(pid)
            anchor = self.today - timedelta(days=rng.randint(120, 365))
            if (pid, anchor) in series:
                continue  # one series per project and anchor
            series.add((pid, anchor))
            weeks = rng.randint(1, 8)
            for n in range(1, weeks + 1):
                planned = plan_inquiry(pid, owner, anchor, n, rule, PARK_TZ)
                last = n == weeks
                row = emit(planned, "cancelled" if last else "sent",
                           planned.send_at - timedelta(days=7), FOLLOWED_UP if last else None)
                if row is not None:
                    yield row
        # past stage ladders, with what became of them
        entry = 2_000_000
        while made < count:
            pid = rng.randint(1, sc.projects)
            due = self.today - timedelta(days=rng.randint(2, 365))
            entry += 1
            ladder = self.ladder(pid, entry, rng.choice(DEADLINE_STATES), due)
            created = _at(due - timedelta(days=30))
            fate = rng.random()
            for n, planned in enumerate(ladder):  # reminder −3, reminder 0, warnings
                reason: str | None
                if fate < 0.35:  # moved on before the first reminder
                    status, reason = "cancelled", CANCELLED
                elif fate < 0.80:  # moved on after it
                    status, reason = ("sent", None) if n == 0 else ("cancelled", CANCELLED)
                elif fate < 0.90:  # moved on on the due day
                    status, reason = ("sent", None) if n <= 1 else ("cancelled", CANCELLED)
                elif fate < 0.98:  # missed: everything went out
                    status, reason = "sent", None
                else:  # caught up after a downtime: the first reminder was overtaken
                    status, reason = ("skipped", OVERTAKEN) if n == 0 else ("sent", None)
                row = emit(planned, status, created, reason)
                if row is None:
                    return
                yield row


def sqlite_values(rows: Iterable[Row], columns: Sequence[str]) -> Iterator[Row]:
    """Rows as SQLAlchemy stores them on SQLite: naive UTC text for datetimes, JSON text."""
    from bench.common import sa_datetime
    cache: dict[datetime, str] = {}

    def moment(value: datetime) -> str:
        text = cache.get(value)
        if text is None:
            text = cache[value] = sa_datetime(value)
        return text

    json_at = {i for i, c in enumerate(columns) if c in JSON_COLUMNS}
    for row in rows:
        yield tuple(moment(v) if isinstance(v, datetime)
                    else json.dumps(v) if i in json_at else v
                    for i, v in enumerate(row))


def postgres_values(rows: Iterable[Row], columns: Sequence[str]) -> Iterator[Row]:
    """Rows for COPY into PostgreSQL: aware datetimes as they are, JSON as text."""
    json_at = {i for i, c in enumerate(columns) if c in JSON_COLUMNS}
    for row in rows:
        yield tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))
