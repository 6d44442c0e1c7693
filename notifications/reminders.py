"""Keeping the outbox in step with the projects, and the sweep that finds what is due.

`on_transition` runs inside every event's transaction (a Park observer): leaving a stage
cancels its pending ladder and the new stage's ladder is written together with the state
change. `sweep` adds the periodic mails whose slot has come (on the working days the
calendar moves them to) and settles what catch-up makes pointless; it is idempotent, so
running it twice at the same moment changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlmodel import Session

from db.models import OutboxMessage, Project, ProjectEvent, User, columns
from db.prepared import Prepared
from notifications import outbox
from notifications.planning import (
    PERIODIC_KINDS,
    STAGE_KINDS,
    Planned,
    QuarterRequest,
    StageFacts,
    due_date_of,
    inquiry_series,
    next_inquiry_k,
    occurrence_at_or_before,
    overtaken,
    periodic_series,
    periodic_slots,
    plan_inquiry,
    plan_periodic,
    plan_quarter_request,
    plan_stage,
    quarter_requests_between,
    stage_series,
)
from workflow.park import Park
from workflow.projects import Snapshot, Transition

_P, _U, _O = columns(Project), columns(User), columns(OutboxMessage)
_E = columns(ProjectEvent)


# ---------------------------------------------------------------- who receives what

_OWNER_EMAIL = Prepared(select(_U.email).where(_U.id == bindparam("owner")))
_LADDER_READERS = Prepared(select(_U.id, _U.email, _U.role)
                   .where((_U.id == bindparam("owner"))
                          | (_U.deactivated_at.is_(None)
                             & ((_U.role == "leader")
                                | (_U.is_group_lead.is_(True)
                                   & (_U.group == bindparam("group"))))))
                   .order_by(_U.role != "member", _U.id))  # group leads before leaders


def owner_email(session: Session, owner_id: int) -> str:
    row = _OWNER_EMAIL.first(session, {"owner": owner_id})
    if row is None:
        raise LookupError(f"no user {owner_id}")
    return str(row[0])


def ladder_readers(session: Session, owner_id: int,
                   group: str | None) -> tuple[str, list[str]]:
    """The owner, and who else reads the early warning: the group lead(s), every leader."""
    rows = _LADDER_READERS.all(session, {"owner": owner_id, "group": group or ""})
    owner = next(email for id_, email, _ in rows if id_ == owner_id)
    return owner, [email for id_, email, _ in rows if id_ != owner_id]


def leader_emails(session: Session) -> list[str]:
    return list(session.connection().execute(
        select(_U.email).where(_U.role == "leader", _U.deactivated_at.is_(None))
        .order_by(_U.id)).scalars())


def task_force_emails(session: Session) -> list[str]:
    query = select(_U.email).where(_U.role.in_(("member", "leader")),
                                   _U.deactivated_at.is_(None)).order_by(_U.id)
    return list(session.connection().execute(query).scalars())


# ---------------------------------------------------------------- on every state change

def on_transition(session: Session, park: Park, transition: object) -> None:
    """Park observer: reschedule the stage ladder and the star follow-up inquiry.

    On the event path this is at most one set-based cancel, one read of the readers and one
    multi-row upsert (both ladders planned first, then written together).
    """
    if not isinstance(transition, Transition):
        return
    before, after = transition.before, transition.after
    # an imported history happened before parkflow knew the project: no catch-up for the
    # rungs it passed (the Monday digest lists what is overdue), only what is still ahead
    ahead = transition.imported
    if before is not None and before.owner_id != after.owner_id:
        hand_over(session, park, after)
        return
    if before is None:  # a new project: nothing of it to cancel yet
        _reschedule(session, park, after, stage=True, inquiry=True, only_ahead=ahead, new=True)
        return
    stage = before.due_at != after.due_at or before.state != after.state
    inquiry = (before.state, before.stars, before.last_follow_up_at) != (
        after.state, after.stars, after.last_follow_up_at)
    _reschedule(session, park, after, stage=stage, inquiry=inquiry, only_ahead=ahead,
                new=False)


def hand_over(session: Session, park: Park, project: Snapshot) -> None:
    """A project reassigned: its pending reminders and inquiries are withdrawn and planned
    again for the new owner and their group, from now on (the new owner is not sent the
    rungs the old one already had)."""
    outbox.cancel_groups(session, project_id=project.id,
                         groups=((STAGE_KINDS, None, "reassigned"),
                                 (("inquiry",), None, "reassigned")))
    _reschedule(session, park, project, stage=True, inquiry=True, only_ahead=True, new=True)


def reschedule_stage(session: Session, park: Park, project: Snapshot, *,
                     only_ahead: bool = False, new: bool = False) -> None:
    """Cancel the ladder of a stage left (or of a corrected deadline) and plan the current one
    (`only_ahead`: only its rungs after now; `new`: a new project, nothing to cancel)."""
    _reschedule(session, park, project, stage=True, inquiry=False, only_ahead=only_ahead,
                new=new)


def reschedule_inquiry(session: Session, park: Park, project: Snapshot, *,
                       only_ahead: bool = False, new: bool = False) -> None:
    """Plan the star follow-up inquiry (`only_ahead`: the next one after now, not the
    latest one already due; `new`: a new project, nothing to cancel)."""
    _reschedule(session, park, project, stage=False, inquiry=True, only_ahead=only_ahead,
                new=new)


def _reschedule(session: Session, park: Park, project: Snapshot, *, stage: bool,
                inquiry: bool, only_ahead: bool, new: bool) -> None:
    groups: list[tuple[tuple[str, ...], str | None, str]] = []
    planned: list[Planned] = []
    readers = _Readers(session, project)
    if stage:
        keep, rungs = _stage_plan(park, project, readers, only_ahead=only_ahead)
        groups.append((STAGE_KINDS, keep, "stage_left"))
        planned += rungs
    if inquiry:
        keep, asked = _inquiry_plan(park, project, readers, only_ahead=only_ahead)
        groups.append((("inquiry",), keep, "inquiry_not_needed"))
        planned += asked
    if groups and not new:
        outbox.cancel_groups(session, project_id=project.id, groups=groups)
    outbox.enqueue(session, planned, now=park.now())


class _Readers:
    """The owner and the early warning's readers, read once and only when needed."""

    def __init__(self, session: Session, project: Snapshot) -> None:
        self.session, self.project = session, project
        self._ladder: tuple[str, list[str]] | None = None

    def ladder(self) -> tuple[str, list[str]]:
        if self._ladder is None:
            self._ladder = ladder_readers(self.session, self.project.owner_id,
                                          self.project.group)
        return self._ladder

    def owner(self) -> str:
        if self._ladder is not None:
            return self._ladder[0]
        return owner_email(self.session, self.project.owner_id)


def _stage_plan(park: Park, project: Snapshot, readers: _Readers, *,
                only_ahead: bool) -> tuple[str | None, list[Planned]]:
    """The series of the current stage's ladder (kept when cancelling) and its rungs."""
    if project.due_at is None or project.stage_entry_id is None:
        return None, []
    series = stage_series(project.id, project.stage_entry_id,
                          due_date_of(project.due_at, park.tz))
    rule, now = park.lifecycle.reminders, park.now()
    last_rung = project.due_at + timedelta(days=rule.warning_after_days)
    if only_ahead and last_rung <= now:
        return series, []  # every rung, the early warning included, is behind us
    owner, escalate_to = readers.ladder()
    facts = StageFacts(project_id=project.id, stage_entry_id=project.stage_entry_id,
                       state=project.state, due_at=project.due_at, owner=owner,
                       escalate_to=escalate_to,
                       chat_targets=park.chat_targets.get(project.group or "", ()))
    planned = plan_stage(facts, rule, park.tz)
    if only_ahead:
        planned = [p for p in planned if p.send_at > now]
    return series, planned


def follow_up_anchor(project: Snapshot, park: Park) -> date | None:
    """The day the 7-day follow-up clock starts: the visit or the last follow-up."""
    rule = park.lifecycle.reminders
    if project.stars < 1 or project.state not in rule.follow_up_states:
        return None
    days = [date.fromisoformat(project.milestones[m]) for m in ("visit",)
            if m in project.milestones]
    if project.last_follow_up_at is not None:
        days.append(project.last_follow_up_at.astimezone(park.tz).date())
    return max(days) if days else None


def _inquiry_plan(park: Park, project: Snapshot, readers: _Readers, *,
                  only_ahead: bool) -> tuple[str | None, list[Planned]]:
    """The series of the inquiry to keep, and the inquiry to plan."""
    anchor = follow_up_anchor(project, park)
    if anchor is None:
        return None, []
    now, rule = park.now(), park.lifecycle.reminders
    k = next_inquiry_k(anchor, now, rule, park.tz, include_past=not only_ahead)
    return inquiry_series(project.id, anchor), [
        plan_inquiry(project.id, readers.owner(), anchor, k, rule, park.tz)]


def chain_next_inquiry(session: Session, park: Park, claimed: outbox.Claimed,
                       now: datetime) -> None:
    """After an inquiry went out, plan the next one a week on, unless a follow-up came."""
    if claimed.project_id is None:
        return
    from workflow.projects import load_snapshot
    project = load_snapshot(session, claimed.project_id)
    anchor = follow_up_anchor(project, park)
    if anchor is None or anchor.isoformat() != claimed.payload.get("anchor"):
        return
    rule = park.lifecycle.reminders
    k = next_inquiry_k(anchor, now, rule, park.tz, include_past=False)
    outbox.enqueue(session, [plan_inquiry(project.id, claimed.recipient, anchor, k, rule,
                                          park.tz)], now=now)


# ---------------------------------------------------------------- the sweep

@dataclass
class SweepResult:
    planned: int = 0
    skipped: int = 0


def sweep(session: Session, park: Park, *, now: datetime) -> SweepResult:
    """Add the periodic mails whose slot has come; skip what catch-up has made pointless."""
    result = SweepResult()
    result.planned += _plan_periodic(session, park, now)
    result.planned += _plan_calendar_warnings(session, park, now)
    result.planned += outbox.enqueue(session, figures_requests(session, park, now), now=now)
    due = outbox.due_rows(session, now)
    result.skipped += outbox.mark(session, overtaken(due, now), status="skipped",
                                  reason="overtaken")
    late = (now - timedelta(hours=park.lifecycle.reminders.late_after_hours)).astimezone(UTC)
    stale = [row.id for row in due if row.kind in PERIODIC_KINDS and row.send_at < late]
    result.skipped += outbox.mark(session, stale, status="skipped",
                                  reason="late",
                                  params={"hours": park.lifecycle.reminders.late_after_hours})
    return result


def _plan_periodic(session: Session, park: Park, now: datetime) -> int:
    """The agenda, digest and reports of their latest occurrence, once per period."""
    added = 0
    opened_at = _opened_at(session)
    calendar = park.calendar(session)
    for kind, schedule in periodic_slots(park.lifecycle.reminders).items():
        occurrence = occurrence_at_or_before(schedule, now, park.tz, calendar)
        if occurrence is None or opened_at is None or occurrence.at < opened_at:
            continue  # none yet, or the park did not exist yet
        if outbox.series_exists(session, periodic_series(kind, occurrence)) \
                or not worth_sending(session, kind, occurrence.at):
            continue
        added += outbox.enqueue(session, plan_periodic(kind, occurrence,
                                                       readers_of(session, kind), park.tz),
                                now=now)
    return added


def readers_of(session: Session, kind: str) -> list[str]:
    """The agenda goes to the whole task force; the digest and the reports to the leaders."""
    return task_force_emails(session) if kind == "agenda" else leader_emails(session)


def worth_sending(session: Session, kind: str, slot: datetime) -> bool:
    """A digest only when something is overdue; the others always."""
    return kind != "digest" or any_overdue(session, slot)


def _plan_calendar_warnings(session: Session, park: Park, now: datetime) -> int:
    return outbox.enqueue(session, calendar_warnings(session, park, now), now=now)


def calendar_warnings(session: Session, park: Park, now: datetime) -> list[Planned]:
    """Tell the admins, once per year, that deadlines fall in a year not loaded yet."""
    span = _DUE_SPAN.first(session, {})
    assert span is not None  # aggregates: always one row
    first, last = span
    if first is None:
        return []
    calendar = park.calendar(session)
    years = range(due_date_of(first, park.tz).year, due_date_of(last, park.tz).year + 1)
    missing = [year for year in years if not calendar.covers(year)]
    admins = [email for email, in _ADMINS.all(session, {})]
    planned = [Planned(dedupe_key=f"calendar:{year}:{admin}", kind="calendar_missing",
                       recipient=admin, send_at=now, reason="calendar_missing",
                       reason_params={"year": year},
                       series=f"calendar:{year}", payload={"year": year})
               for year in missing for admin in admins]
    return [p for p in planned if not outbox.key_exists(session, p.dedupe_key)]


def figures_requests(session: Session, park: Park, now: datetime,
                     until: datetime | None = None) -> list[Planned]:
    """The quarterly requests for figures (经营指标) to the owners of opened projects: the
    latest one not planned yet (since the park exists), and with `until`, every one after
    now until then."""
    slot = park.lifecycle.reminders.indicators
    if slot is None:
        return []
    opened_at = _opened_at(session)
    latest = quarter_requests_between(slot, None, now, park.tz)
    requests = [r for r in latest if opened_at is not None and r.at >= opened_at
                and not outbox.series_exists(session, f"indicators_request:{r.quarter}")]
    if until is not None:
        requests += quarter_requests_between(slot, now, until, park.tz)
    return [p for request in requests for p in _asked(session, park, slot.event, request)]


def _asked(session: Session, park: Park, event: str, request: QuarterRequest) -> list[Planned]:
    """One request per project in the event's source states since before it goes out,
    unless its figures for that quarter are in already."""
    rows = _entered_query(tuple(park.lifecycle.events[event].sources)).all(
        session, {"at": request.at})
    recorded = _ANSWERS.all(session, {"event": event})
    answered = {pid for pid, fields in recorded if (fields or {}).get("quarter") == request.quarter}
    return [plan_quarter_request(pid, email, request, event) for pid, email in rows
            if pid not in answered]


def any_overdue(session: Session, moment: datetime) -> bool:
    return _ANY_OVERDUE.first(session, {"moment": moment}) is not None


# The sweep's statements, run every minute by the scheduler's tick: prepared once
# (db.prepared), not built, keyed and looked up in SQLAlchemy's cache on every tick.
_OPENED_AT = Prepared(select(func.min(_U.created_at)))  # the park exists since
# two scalar subqueries: SQLite answers each from the index's ends, not a full scan
_DUE_SPAN = Prepared(select(select(func.min(_P.due_at)).scalar_subquery(),
                            select(func.max(_P.due_at)).scalar_subquery()))
_ADMINS = Prepared(select(_U.email).where(_U.role == "admin", _U.deactivated_at.is_(None)))
_ANSWERS = Prepared(select(_E.project_id, _E.fields).where(_E.event == bindparam("event")))
_ANY_OVERDUE = Prepared(select(_P.id).where(_P.due_at <= bindparam("moment", type_=_P.due_at.type))
                        .limit(1))


def _opened_at(session: Session) -> datetime | None:
    row = _OPENED_AT.first(session, {})
    return row[0] if row else None


@cache
def _entered_query(sources: tuple[str, ...]) -> Prepared:
    """The projects in `sources` (an event's source states) since before `at`, and their
    owners' emails; one prepared statement per set of states (a definition has a few)."""
    return Prepared(
        select(_P.id, _U.email).join(User, _U.id == _P.owner_id)
        .join(ProjectEvent, _E.id == _P.stage_entry_id)
        .where(or_(*(_P.state == state for state in sources)),  # no expanding IN
               _E.occurred_at <= bindparam("at", type_=_E.occurred_at.type))
        .order_by(_P.id))
