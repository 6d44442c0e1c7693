"""A project's stage progress bar (入库 → 走访 → 注册 → 签约 → 开业): each milestone's date,
the days it took and the days the definition allowed, from the project's milestones and the
deadline rules. Nothing is stored: the history stamped the milestones, the rules are data.

Days are counted from the stage before (the previous milestone's date) to this one's, and the
days allowed from that same date to the stage's due day: the one its rule gives (rolled past
days off like every deadline), moved by the extensions granted and the pauses taken while the
project was in it, as the history tells them (the reports' own replay). So a stage on time
took no more days than it was allowed. The stage under way is measured against the project's
actual deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from reports.timeline import replay_project
from workflow.calendar import BusinessCalendar
from workflow.deadlines import Period, compute_deadline
from workflow.park import Park
from workflow.projects import Snapshot


@dataclass(frozen=True)
class Stage:
    """One milestone on the bar."""

    name: str  # the milestone (its label comes from the definition)
    day: str | None  # the date it was reached (ISO), None while ahead
    status: str  # done | late (reached after its due day) | current | overdue | todo
    due: str | None = None  # the due day its rule gave (or the current deadline)
    taken: int | None = None  # days since the stage before (so far, for the current one)
    allowed: int | None = None  # days from the stage before to the due day


def stage_progress(session: Session, park: Park, project: Snapshot, *, today: date,
                   current_due: date | None) -> list[Stage]:
    """The bar's stages in the definition's milestone order."""
    lifecycle = park.lifecycle
    calendar = park.calendar(session)
    reached = {name: date.fromisoformat(day) for name, day in project.milestones.items()}
    moved = _dues_as_lived(session, park, project.id)
    next_milestone = _milestone_after(park, project.state)
    stages: list[Stage] = []
    previous: date | None = None
    for name in lifecycle.milestones:
        day = reached.get(name)
        due = moved.get(name) or _rule_due(park, calendar, name, reached)
        if name == next_milestone and day is None:
            due = current_due or due
            status = "overdue" if due is not None and today > due else "current"
            stages.append(Stage(name, None, status, _iso(due), _days(previous, today),
                                _days(previous, due)))
        elif day is not None:
            status = "late" if due is not None and day > due else "done"
            stages.append(Stage(name, day.isoformat(), status, _iso(due),
                                _days(previous, day), _days(previous, due)))
        else:
            stages.append(Stage(name, None, "todo", _iso(due), None, _days(previous, due)))
        previous = day
    return stages


def _dues_as_lived(session: Session, park: Park, project_id: int) -> dict[str, date]:
    """The due day of each stage the project finished, by the milestone that ended it, as it
    stood when the project left the stage (its extensions and pauses included)."""
    replay, track = replay_project(session, park, project_id)
    stamps = {name: event.stamps for name, event in park.lifecycle.events.items()
              if event.stamps}
    dues: dict[str, date] = {}
    for stay in track.stays:
        milestone = stamps.get(stay.left_by or "")
        due = replay.due_when_left(stay) if stay.left_at and milestone else None
        if milestone and due is not None:
            dues[milestone] = due  # the last time the stage ended, as the milestone says
    return dues


def _milestone_after(park: Park, state: str) -> str | None:
    """The milestone the project is on its way to: stamped by an event leaving `state`."""
    for event in park.lifecycle.events.values():
        if event.stamps and state in event.sources:
            return event.stamps
    return None


def _rule_due(park: Park, calendar: BusinessCalendar, milestone: str,
              reached: dict[str, date]) -> date | None:
    """The due day of the stage that ends at `milestone`, by the rule of the state it is
    reached from, counted from the date the rule names (None without a rule or that date)."""
    for event in park.lifecycle.events.values():
        if event.stamps != milestone or not event.sources:
            continue
        rule = park.lifecycle.states[event.sources[0]].deadline
        if rule is None or rule.milestone not in reached:
            return None
        return compute_deadline(
            start=reached[rule.milestone],
            period=Period(months=rule.period.months, days=rule.period.days),
            calendar=calendar, tz=park.tz, roll_forward=rule.roll_forward,
            anchor_label=rule.milestone).due_date
    return None


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start is not None and end is not None else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
