"""What should go out and when: pure functions from project facts to planned messages.

The ladder (SPEC §3): 提醒 to the owner before the due day and on it, 预警 the day after a
missed deadline to the owner, the group lead and the leaders; 周问询 for star projects every
7 days without a follow-up; 督办 digests and the 周例会 agenda on their weekly slots, the
月调度 and 季总结 reports on their monthly ones (moved to working days where the slot says so).
Every planned message carries the dedupe key that makes it exist once in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from db.models import OUTBOX_LADDERS
from states.definition import MonthlySlot, QuarterlySlot, ReminderRule, WeeklySlot
from workflow.calendar import BusinessCalendar

STAGE_KINDS = OUTBOX_LADDERS["stage"]
INDICATORS_KIND = "indicators_request"
PERIODIC_KINDS = ("agenda", "digest", "monthly_report", "quarterly_report")
Slot = WeeklySlot | MonthlySlot


@dataclass(frozen=True)
class Planned:
    """A message to one recipient, not yet in the outbox; `reason` is a code of
    notifications.reasons, its parameters in `reason_params` (no sentence is stored)."""

    dedupe_key: str
    kind: str
    recipient: str
    send_at: datetime
    reason: str
    project_id: int | None = None
    series: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    channel: str = "email"  # or "chat": `recipient` is then a robot, e.g. "wecom:project"
    reason_params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageFacts:
    project_id: int
    stage_entry_id: int
    state: str
    due_at: datetime
    owner: str
    escalate_to: Sequence[str]  # group leads and leaders, for the early warning
    chat_targets: Sequence[str] = ()  # the owner's group robots (WeCom / DingTalk)


def at_send_time(day: date, rule: ReminderRule, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(rule.send_hour, rule.send_minute), tzinfo=tz)


def due_date_of(due_at: datetime, tz: ZoneInfo) -> date:
    """The last day of a period whose end (24:00) is `due_at`."""
    return (due_at.astimezone(tz) - timedelta(days=1)).date()


# how the series of a project's reminder ladder and inquiries begin (stage_series,
# inquiry_series): rows found by project, never by series (db.models.OUTBOX_LADDERS)
LADDER_SERIES = tuple(f"{ladder}:" for ladder in OUTBOX_LADDERS)


def stage_series(project_id: int, stage_entry_id: int, due: date) -> str:
    return f"stage:{project_id}:{stage_entry_id}:{due.isoformat()}"


def plan_stage(facts: StageFacts, rule: ReminderRule, tz: ZoneInfo) -> list[Planned]:
    """The reminders and the early warning of one stage's deadline."""
    due = due_date_of(facts.due_at, tz)
    due_iso = due.isoformat()  # every event plans a ladder: its texts made once, here
    series = stage_series(facts.project_id, facts.stage_entry_id, due)
    owner, project_id, state = facts.owner, facts.project_id, facts.state
    planned = [Planned(
        dedupe_key=f"{series}:reminder:-{days_before}:{owner}", kind="reminder",
        recipient=owner, send_at=at_send_time(due - timedelta(days=days_before), rule, tz),
        reason="reminder_before" if days_before else "reminder_due_day",
        reason_params={"days": days_before, "due": due_iso}, project_id=project_id,
        series=series, payload={"state": state, "due_date": due_iso, "offset": -days_before})
        for days_before in rule.before_due_days]
    if facts.chat_targets:
        planned += [replace(p, dedupe_key=p.dedupe_key.rsplit(":", 1)[0] + f":{target}",
                            recipient=target, channel="chat")
                    for p in list(planned) for target in facts.chat_targets]
    after = rule.warning_after_days
    warn_at = at_send_time(due + timedelta(days=after), rule, tz)
    planned += [Planned(
        dedupe_key=f"{series}:warning:+{after}:{recipient}", kind="warning",
        recipient=recipient, send_at=warn_at, reason="warning_overdue",
        reason_params={"due": due_iso}, project_id=project_id, series=series,
        payload={"state": state, "due_date": due_iso, "offset": after})
        for recipient in unique([owner, *facts.escalate_to])]
    if facts.chat_targets:
        warning = planned[-1]
        planned += [replace(warning, dedupe_key=warning.dedupe_key.rsplit(":", 1)[0] + f":{t}",
                            recipient=t, channel="chat") for t in facts.chat_targets]
    return planned


def inquiry_series(project_id: int, anchor: date) -> str:
    return f"inquiry:{project_id}:{anchor.isoformat()}"


def inquiry_slot(anchor: date, k: int, rule: ReminderRule, tz: ZoneInfo) -> datetime:
    """The k-th weekly inquiry: 09:00 on the 8th, 15th, … day after the anchor."""
    return at_send_time(anchor + timedelta(days=rule.follow_up_every_days * k + 1), rule, tz)


def next_inquiry_k(anchor: date, now: datetime, rule: ReminderRule, tz: ZoneInfo,
                   *, include_past: bool) -> int:
    """The first slot after `now`; with include_past, the latest one already due if any."""
    k = 1
    while inquiry_slot(anchor, k, rule, tz) <= now:
        k += 1
    return k - 1 if include_past and k > 1 else k


def plan_inquiry(project_id: int, owner: str, anchor: date, k: int, rule: ReminderRule,
                 tz: ZoneInfo) -> Planned:
    series = inquiry_series(project_id, anchor)
    days = rule.follow_up_every_days * k
    return Planned(
        dedupe_key=f"{series}:inquiry:{k}:{owner}", kind="inquiry", recipient=owner,
        send_at=inquiry_slot(anchor, k, rule, tz),
        reason="inquiry", reason_params={"days": days, "since": anchor.isoformat()},
        project_id=project_id, series=series,
        payload={"anchor": anchor.isoformat(), "k": k})


# ---------------------------------------------------------------- the periodic mails
#
# Each periodic mail has one occurrence per period, named by its anchor: the slot's weekday in
# its Monday–Sunday week, or the 1st of its month. The anchor keys the outbox, so moving a
# sending off a day off (or a calendar corrected after it went out) never makes a second mail
# for the same period. The APScheduler jobs only wake the sweep; these functions decide.

# Looking back for the latest occurrence skips weeks without one; no calendar has a year of
# them, so a longer search means there is none (a broken calendar file).
_LOOK_BACK = 60


@dataclass(frozen=True)
class Occurrence:
    """One sending of a periodic mail: `anchor` names its period, `at` is when it goes out."""

    anchor: date
    at: datetime


def anchor_at_or_before(slot: Slot, day: date) -> date:
    """The latest anchor (the slot's weekday, or the 1st of a slot month) not after `day`."""
    if isinstance(slot, WeeklySlot):
        return day - timedelta(days=(day.weekday() - slot.weekday) % 7)
    month0 = (day.month - 1) // slot.every_months * slot.every_months  # 0-based, from January
    return date(day.year, month0 + 1, 1)


def previous_anchor(slot: Slot, anchor: date) -> date:
    return anchor_at_or_before(slot, anchor - timedelta(days=1))


def sending_day(slot: Slot, anchor: date, calendar: BusinessCalendar) -> date | None:
    """The day the occurrence of `anchor` goes out; None for a week without a working day.

    A slot that keeps its day goes out on the anchor. A moving one goes out on the first
    working day (a make-up working day, 调休上班, counts) from the anchor to the end of its
    week or month, so it never leaves its period.
    """
    if not slot.working_day:
        return anchor
    if isinstance(slot, WeeklySlot):
        last = anchor + timedelta(days=6 - anchor.weekday())  # that week's Sunday
    else:
        last = date(anchor.year + anchor.month // 12, anchor.month % 12 + 1, 1) - timedelta(1)
    day = anchor
    while day <= last:
        if calendar.is_workday(day):
            return day
        day += timedelta(days=1)
    if isinstance(slot, WeeklySlot):
        # A week off from Monday to Sunday (春节) holds no meeting: no agenda that week; the
        # next week's lists what is still open. Sending it the week after would put two
        # agendas on one Monday.
        return None
    return anchor  # a month without a working day is a broken calendar: keep the 1st


def occurrence_of(slot: Slot, anchor: date, tz: ZoneInfo,
                  calendar: BusinessCalendar) -> Occurrence | None:
    day = sending_day(slot, anchor, calendar)
    if day is None:
        return None
    return Occurrence(anchor, datetime.combine(day, time(slot.hour, slot.minute), tzinfo=tz))


def occurrence_at_or_before(slot: Slot, now: datetime, tz: ZoneInfo,
                            calendar: BusinessCalendar) -> Occurrence | None:
    """The latest occurrence whose moment is not after `now`."""
    local = now.astimezone(tz)
    anchor = anchor_at_or_before(slot, local.date())
    for _ in range(_LOOK_BACK):
        occurrence = occurrence_of(slot, anchor, tz, calendar)
        if occurrence is not None and occurrence.at <= local:
            return occurrence
        anchor = previous_anchor(slot, anchor)
    return None


def occurrences_between(slot: Slot, after: datetime, until: datetime, tz: ZoneInfo,
                        calendar: BusinessCalendar) -> list[Occurrence]:
    """Occurrences whose moment is in (after, until], in order."""
    found = []
    anchor = anchor_at_or_before(slot, until.astimezone(tz).date())
    first = anchor_at_or_before(slot, after.astimezone(tz).date())  # may go out after `after`
    while anchor >= first:
        occurrence = occurrence_of(slot, anchor, tz, calendar)
        if occurrence is not None and after < occurrence.at <= until:
            found.append(occurrence)
        anchor = previous_anchor(slot, anchor)
    return sorted(found, key=lambda o: o.at)


def periodic_slots(rule: ReminderRule) -> dict[str, Slot]:
    """Each periodic mail and its schedule."""
    return {"agenda": rule.agenda, "digest": rule.digest,
            "monthly_report": rule.monthly_report, "quarterly_report": rule.quarterly_report}


def periodic_series(kind: str, occurrence: Occurrence) -> str:
    """One series per period: named by the anchor, not by the (possibly moved) day."""
    return f"{kind}:{occurrence.anchor.isoformat()}"


def covered_period(kind: str, anchor: date) -> dict[str, str]:
    """The month or quarter a report covers, by its first day: the one before the anchor's."""
    months = {"monthly_report": 1, "quarterly_report": 3}.get(kind)
    if months is None:
        return {}
    month0 = anchor.year * 12 + anchor.month - 1 - months
    start = date(month0 // 12, month0 % 12 + 1, 1).isoformat()
    return {"month" if months == 1 else "quarter": start}


def plan_periodic(kind: str, occurrence: Occurrence, recipients: Iterable[str],
                  tz: ZoneInfo) -> list[Planned]:
    series = periodic_series(kind, occurrence)
    day = occurrence.at.astimezone(tz).date().isoformat()
    params = {"day": day, **covered_period(kind, occurrence.anchor)}
    return [Planned(dedupe_key=f"{series}:{r}", kind=kind, recipient=r, send_at=occurrence.at,
                    reason=kind, reason_params=params, series=series,
                    payload={"slot": occurrence.at.isoformat(),
                             "anchor": occurrence.anchor.isoformat()})
            for r in unique(recipients)]


# ---------------------------------------------------------------- the quarterly figures
#
# On a day of each quarter's first month, the owner of every project in the figures event's
# source states (opened) is asked for the quarter before: on 2027-01-10, for 2026-Q4.


@dataclass(frozen=True)
class QuarterRequest:
    """One quarterly request: the quarter asked for (`2026-Q4`), its first day, when."""

    quarter: str
    first_day: date
    at: datetime


def quarter_request(slot: QuarterlySlot, year: int, month: int, tz: ZoneInfo) -> QuarterRequest:
    """The request sent in the quarter starting `year`-`month`, for the quarter before."""
    month0 = year * 12 + month - 1 - 3
    first = date(month0 // 12, month0 % 12 + 1, 1)
    return QuarterRequest(f"{first.year}-Q{(first.month - 1) // 3 + 1}", first,
                          datetime(year, month, slot.day, slot.hour, slot.minute, tzinfo=tz))


def quarter_requests_between(slot: QuarterlySlot, after: datetime | None, until: datetime,
                             tz: ZoneInfo) -> list[QuarterRequest]:
    """Requests whose moment is in (after, until] (after None: only the latest by until)."""
    local = until.astimezone(tz)
    year, month = local.year, (local.month - 1) // 3 * 3 + 1
    found: list[QuarterRequest] = []
    while True:
        request = quarter_request(slot, year, month, tz)
        if request.at <= until:
            if after is not None and request.at <= after:
                break
            found.append(request)
            if after is None:
                break
        year, month = (year, month - 3) if month > 1 else (year - 1, 10)
    return found[::-1]


def plan_quarter_request(project_id: int, owner: str, request: QuarterRequest,
                         event: str) -> Planned:
    series = f"{INDICATORS_KIND}:{request.quarter}"
    return Planned(
        dedupe_key=f"{series}:{project_id}:{owner}", kind=INDICATORS_KIND, recipient=owner,
        send_at=request.at, reason=INDICATORS_KIND,
        reason_params={"quarter": request.first_day.isoformat()}, project_id=project_id,
        series=series, payload={"quarter": request.quarter, "event": event})


def overtaken(rows: Sequence[Any], now: datetime) -> set[Any]:
    """Ids of due stage rows that a later due rung of the same series has overtaken.

    `rows` have .id, .series, .kind, .send_at; only rows due by `now` are considered.
    """
    now = now.astimezone(UTC)  # rows come back in UTC: compare without zone lookups
    due = [(row.id, row.series, row.send_at) for row in rows
           if row.kind in STAGE_KINDS and row.series and row.send_at <= now]
    latest: dict[str, datetime] = {}
    for _, series, send_at in due:
        if series not in latest or send_at > latest[series]:
            latest[series] = send_at
    return {id_ for id_, series, send_at in due if send_at < latest[series]}


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
