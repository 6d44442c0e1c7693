"""What needs attention today: the leader's first screen (首页) and a person's to-do (我的待办).

Data only — keys, numbers, days and workspace links; the pages label and word them. Nothing
is defined twice: the month's figures, the funnel and the overdue groups are the monthly
report's (reports.monthly), the star follow-ups due are the weekly report's rule
(reports.weekly.follow_up_since), the pending approvals the weekly report's list
(reports.timeline.pending_approvals), each as of the end of today in park time.

Days are counted in park time against the last day of a period (a deadline ends at 24:00 of
its last day): 0 on the last day, 2 two days before it, −1 the day after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Approval, Project, User, columns
from i18n import DEFAULT_LANG
from reports.monthly import Happened, happened_in
from reports.periods import Period, period_containing
from reports.present import Presenter
from reports.timeline import Cut, pending_approvals
from reports.weekly import follow_up_since
from workflow.park import Park
from workflow.relocation import RelocationWarning, open_warnings
from workflow.views import count_by_state, list_projects

_A, _P, _U = columns(Approval), columns(Project), columns(User)

# The month's headline figures: new intakes, then these events, in this order (those the
# park's lifecycle defines).
HEADLINE_EVENTS = ("visit", "register", "sign", "open", "exit")

# A group's overdue projects as a traffic light. Counted, not a share of the group: each
# overdue project is a promise to a company missed, whatever the size of the group.
AMBER_FROM = 1  # one or two: the group can catch up within the week
RED_FROM = 3  # three or more: more than one slip, it goes on the leader's agenda (督办)

# How far ahead the to-do list looks: the first reminder's day (3 days before the last day
# by default), so what the mail announced is on the list the same morning.
DEFAULT_SOON_DAYS = 3


# ---------------------------------------------------------------- days and lights

def last_day_of(due_at: datetime, tz: ZoneInfo) -> date:
    """The last day of a period that ends at `due_at` (24:00 of that day)."""
    return (due_at.astimezone(tz) - timedelta(days=1)).date()


def days_left(last_day: date, today: date) -> int:
    """Days from today to the last day: 0 on it, negative once it has passed."""
    return (last_day - today).days


def light(count: int) -> str:
    """green, amber or red for a group's number of overdue projects."""
    if count >= RED_FROM:
        return "red"
    return "amber" if count >= AMBER_FROM else "green"


def soon_days(park: Park) -> int:
    return max(park.lifecycle.reminders.before_due_days, default=DEFAULT_SOON_DAYS)


def today_of(park: Park) -> date:
    return park.now().astimezone(park.tz).date()


def month_so_far(today: date) -> Period:
    """The calendar month of `today`, from its first day to today."""
    return Period("monthly", today.replace(day=1), today)


def _end_of(day: date, park: Park) -> Cut:
    """The history as it stands at the end of `day` (nothing occurs in the future)."""
    return Cut(Period("monthly", day, day).end_at(park.tz))


# ---------------------------------------------------------------- the leader's first screen

@dataclass(frozen=True)
class MonthFigure:
    """One of the month's figures beside last month's, each linked to its projects."""

    key: str  # "intakes", or the event counted ("visit", …)
    this_month: int
    last_month: int
    this_link: str
    last_link: str


@dataclass(frozen=True)
class StageCount:
    state: str
    count: int
    link: str
    width: int  # the bar's length, % of the largest live stage, in steps of 5
    final: bool


@dataclass(frozen=True)
class GroupOverdue:
    group: str  # "" for projects whose owner has no group
    count: int
    light: str  # green | amber | red
    link: str | None


@dataclass(frozen=True)
class PendingApproval:
    id: int
    kind: str
    project_id: int
    project: str
    requested_by: str
    requested_by_name: str
    submitted_at: datetime
    last_day: date
    days_left: int
    link: str


@dataclass(frozen=True)
class FollowUp:
    project_id: int
    project: str
    owner_name: str
    stars: int
    since: date  # the last visit or follow-up
    last_day: date  # the day the weekly follow-up fell due
    days_left: int  # 0 or less: it is due
    link: str


@dataclass(frozen=True)
class LeaderHome:
    today: date
    this_month: Period  # first day of the month to today
    last_month: Period  # the whole previous month
    figures: list[MonthFigure]
    funnel: list[StageCount]
    overdue: list[GroupOverdue]
    overdue_total: int
    approvals: list[PendingApproval]
    follow_ups: list[FollowUp]
    relocations: list[RelocationWarning] = field(default_factory=list)  # 迁出预警 not acknowledged


def leader_home(session: Session, park: Park) -> LeaderHome:
    """This month so far against last month, the funnel now, overdue by group, approvals
    pending and star follow-ups due."""
    today = today_of(park)
    this_period, last_period = month_so_far(today), period_containing("monthly", today).previous()
    this, last = happened_in(session, park, this_period), happened_in(session, park, last_period)
    cut = _end_of(today, park)
    # now is the end of today: the projects as they stand are the month's end so far
    now = count_by_state(session, park)
    overdue = _overdue_groups(park, overdue_by_group(session, park))
    return LeaderHome(
        today=today, this_month=this_period, last_month=last_period,
        figures=_figures(park, this, this_period, last, last_period),
        funnel=_funnel(park, {state: n for state, (n, _) in now.items()}), overdue=overdue,
        overdue_total=sum(late for _, late in now.values()),
        approvals=[_pending(park, a, today) for a in pending_approvals(session, park, cut)],
        follow_ups=follow_ups_now(session, park, today),
        relocations=open_warnings(session, park))


def _link(period: Period, park: Park, figure: str) -> str:
    # the drill-down path of the reports page (the month's key: the month so far is the
    # month itself, nothing occurs after today)
    return Presenter(park, {}, period, DEFAULT_LANG).figure_link(figure)


def _figures(park: Park, this: Happened, this_period: Period, last: Happened,
             last_period: Period) -> list[MonthFigure]:
    keys = [("intakes", "intakes"), *((name, f"events.{name}") for name in HEADLINE_EVENTS
                                      if name in park.lifecycle.events)]

    def value(counted: Happened, key: str) -> int:
        return counted.intakes if key == "intakes" else counted.events[key]

    return [MonthFigure(key, value(this, key), value(last, key),
                        _link(this_period, park, figure),
                        _link(last_period, park, figure)) for key, figure in keys]


def _funnel(park: Park, counts: dict[str, int]) -> list[StageCount]:
    states = park.lifecycle.states
    top = max((counts.get(name, 0) for name, s in states.items() if not s.final), default=0)
    return [StageCount(name, counts.get(name, 0), f"/projects?state={name}",
                       _width(counts.get(name, 0), top), state.final)
            for name, state in states.items()]


def _width(count: int, top: int) -> int:
    if not count or not top:
        return 0
    return max(5, round(min(count, top) / top * 20) * 5)  # a stage with projects shows


def overdue_by_group(session: Session, park: Park) -> dict[str, int]:
    """Projects overdue now, per group ("" for owners without one): past the end of their
    last day, as the board and the monthly report judge it."""
    query = (select(_P.group, func.count()).where(_P.due_at <= park.now())
             .group_by(_P.group))
    return {group or "": int(n) for group, n in session.connection().execute(query)}


def _overdue_groups(park: Park, counts: dict[str, int]) -> list[GroupOverdue]:
    """Every group of the park (green at 0), and the owners without a group if any is late."""
    groups = [*park.lifecycle.groups, *([""] if counts.get("") else [])]
    return [GroupOverdue(g, counts.get(g, 0), light(counts.get(g, 0)),
                         f"/projects?group={g}&overdue=1" if g else None) for g in groups]


def _pending(park: Park, entry: dict[str, Any], today: date) -> PendingApproval:
    last_day = last_day_of(datetime.fromisoformat(entry["due_at"]), park.tz)
    return PendingApproval(
        id=entry["id"], kind=entry["kind"], project_id=entry["project_id"],
        project=entry["project"], requested_by=entry["requested_by"],
        requested_by_name=entry["requested_by_name"],
        submitted_at=datetime.fromisoformat(entry["submitted_at"]), last_day=last_day,
        days_left=days_left(last_day, today), link=f"/inbox#approval-{entry['id']}")


def follow_ups_now(session: Session, park: Park, today: date,
                   owner_email: str | None = None) -> list[FollowUp]:
    """The star projects whose weekly follow-up is due today, from the projects as they
    stand (the weekly report's rule; today nothing is later than now), most overdue first."""
    every = timedelta(days=park.lifecycle.reminders.follow_up_every_days)
    query = (select(_P.id, _P.name, _P.state, _P.stars, _P.milestones, _P.last_follow_up_at,
                    _U.name.label("owner_name"))
             .join(User, _U.id == _P.owner_id)
             .where(_P.stars >= 1, _P.state.in_(park.lifecycle.reminders.follow_up_states)))
    if owner_email is not None:
        query = query.where(_U.email == owner_email)
    result = []
    for row in session.connection().execute(query):
        visit = (row.milestones or {}).get("visit")
        followed = row.last_follow_up_at.astimezone(park.tz).date() \
            if row.last_follow_up_at else None
        since = follow_up_since(park, row.stars, row.state,
                                date.fromisoformat(visit) if visit else None, followed, today)
        if since is not None:
            result.append(FollowUp(row.id, row.name, row.owner_name, row.stars, since,
                                   since + every, days_left(since + every, today),
                                   f"/projects/{row.id}"))
    return sorted(result, key=lambda f: (f.days_left, -f.stars, f.project_id))


# ---------------------------------------------------------------- a person's to-do list

@dataclass(frozen=True)
class Deadline:
    """One of the person's projects whose stage is overdue or due soon."""

    project_id: int
    project: str
    state: str
    stars: int
    last_day: date
    days_left: int
    link: str


@dataclass(frozen=True)
class Returned:
    """A request a leader returned (退回) to the person for more information."""

    id: int
    kind: str
    project_id: int
    project: str
    comment: str | None
    returned_on: date | None
    # what the request is about, when it has a date: the stage's deadline (extension,
    # suspension) or the day the space is needed by
    last_day: date | None
    days_left: int | None
    link: str


@dataclass(frozen=True)
class Todo:
    today: date
    soon_days: int
    overdue: list[Deadline]
    due_soon: list[Deadline]
    follow_ups: list[FollowUp]
    returned: list[Returned]
    group: str | None = None  # a group lead's group…
    group_overdue: int = 0  # …and its overdue projects (the group's list is one link away)
    group_link: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.follow_ups or self.returned)


def todo(session: Session, park: Park, *, email: str, group_lead_of: str | None = None) -> Todo:
    """What `email` has to do: their own projects overdue or due within the reminder window,
    their star follow-ups due and the requests returned to them. A group lead also gets the
    count of the group's overdue projects (the list stays theirs: owners act on projects)."""
    today = today_of(park)
    window = soon_days(park)
    overdue: list[Deadline] = []
    due_soon: list[Deadline] = []
    for row in list_projects(session, park, owner=email):
        if row["due_at"] is None:
            continue
        last_day = last_day_of(datetime.fromisoformat(row["due_at"]), park.tz)
        left = days_left(last_day, today)
        if left <= window:
            item = Deadline(row["id"], row["name"], row["state"], row["stars"], last_day, left,
                            f"/projects/{row['id']}")
            (overdue if left < 0 else due_soon).append(item)
    group_overdue = 0
    if group_lead_of:
        group_overdue = sum(late for _, late in
                            count_by_state(session, park, group=group_lead_of).values())
    return Todo(
        today=today, soon_days=window,
        overdue=sorted(overdue, key=lambda d: (d.days_left, d.project_id)),
        due_soon=sorted(due_soon, key=lambda d: (d.days_left, d.project_id)),
        follow_ups=follow_ups_now(session, park, today, owner_email=email.strip().lower()),
        returned=_returned(session, park, email, today),
        group=group_lead_of, group_overdue=group_overdue,
        group_link=f"/projects?group={group_lead_of}&overdue=1" if group_lead_of else None)


def _returned(session: Session, park: Park, email: str, today: date) -> list[Returned]:
    rows = session.execute(
        select(_A.id, _A.kind, _A.project_id, _A.comment, _A.decided_at, _A.details,
               _P.name, _P.due_at)
        .join(Project, _P.id == _A.project_id)
        .join(User, _U.id == _A.requested_by)
        .where(_U.email == email.strip().lower(), _A.state == "returned")
        .order_by(_A.decided_at, _A.id)).all()
    result = []
    for r in rows:
        last_day = _about_day(park, r.kind, r.details or {}, r.due_at)
        result.append(Returned(
            r.id, r.kind, r.project_id, r.name, r.comment,
            r.decided_at.astimezone(park.tz).date() if r.decided_at else None, last_day,
            days_left(last_day, today) if last_day else None, f"/inbox#approval-{r.id}"))
    return result


def _about_day(park: Park, kind: str, details: dict[str, Any],
               due_at: datetime | None) -> date | None:
    if kind == "space":
        needed = details.get("needed_by")
        return date.fromisoformat(needed) if isinstance(needed, str) and needed else None
    return last_day_of(due_at, park.tz) if due_at is not None else None
