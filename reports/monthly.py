"""The monthly dispatch (月调度): the stage funnel, time per stage, on time, overdue.

Per stage: how many were in it at the month's start and end, how many entered, moved on
(left for another stage) and exited; for stays that ended in the month the median and
90th-percentile days, beside the stage's allowed period. On time: stays with a deadline that
ended in the month, and of those, how many moved on by their deadline (an exit is never on
time). Overdue at the month's end, judged on its last day (today, for the month in progress).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from reports.periods import Period
from reports.stats import nearest_rank, rate
from reports.stays import Owned, Snapshot, local_days, period_events, snapshot
from reports.timeline import Cut, Replay, Stay
from reports.weekly import as_of, cut_for, owner_order
from workflow.park import Park

STAGE_MEASURES = ("at_start", "at_end", "entered", "moved_on", "exited")


class Behind(defaultdict[str, list[int]]):
    """The projects behind each figure of a report ("stages.intake.entered" → ids), so every
    number can open the list it counts."""

    def __init__(self) -> None:
        super().__init__(list)

    def add(self, key: str, project_id: int) -> None:
        self[key].append(project_id)


@dataclass
class OnTime:
    """Stays with a deadline that ended in a period (moved on, or exited late), and those
    that moved on in time."""

    prefix: str  # where the projects behind the figures go: "on_time.groups"
    behind: Behind
    left: Counter[str] = field(default_factory=Counter)
    on_time: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, in_time: bool, project_id: int) -> None:
        self.left[key] += 1
        self.on_time[key] += in_time
        self.behind.add(f"{self.prefix}.{key}.left", project_id)
        if in_time:
            self.behind.add(f"{self.prefix}.{key}.on_time", project_id)

    def rows(self, name: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        return [{name: key, "left": self.left[key], "on_time": self.on_time[key],
                 "rate": rate(self.on_time[key], self.left[key])}
                for key in keys if self.left[key]]

    @property
    def total(self) -> dict[str, Any]:
        left, on_time = sum(self.left.values()), sum(self.on_time.values())
        return {"left": left, "on_time": on_time, "rate": rate(on_time, left)}


def left_in_time(replay: Replay, stay: Stay) -> bool | None:
    """Whether a finished stay moved on by its deadline; None for a stay without one.

    An exit by the deadline counts neither way: the project left, which says nothing of the
    group's pace. An exit past it is a stage that ran late and was never completed."""
    assert stay.left_at is not None
    due = replay.due_date(stay, stay.left_at)
    if due is None:
        return None
    in_time = replay.local(stay.left_at) <= due
    if stay.left_by == "exit":
        return None if in_time else False
    return in_time


def on_time_of(replay: Replay, stays: Iterable[tuple[Owned, Stay]], behind: Behind,
               prefix: str, key: str = "group") -> OnTime:
    """On time per group (`key="group"`), per owner (`"owner"`) or park-wide (`"all"`)."""
    return on_time_by(replay, stays, behind, {key: prefix})[key]


def on_time_by(replay: Replay, stays: Iterable[tuple[Owned, Stay]], behind: Behind,
               prefixes: dict[str, str]) -> dict[str, OnTime]:
    """`on_time_of` for several keys (key → prefix) at once: each stay is judged once."""
    counts = {key: OnTime(prefix, behind) for key, prefix in prefixes.items()}
    for owned, stay in stays:
        in_time = left_in_time(replay, stay)
        if in_time is not None:
            labels = {"group": owned.group or "", "owner": owned.owner, "all": "all"}
            for key, counted in counts.items():
                counted.add(labels[key], in_time, owned.project_id)
    return counts


def stars_of_visits(park: Park, events: Iterable[Any], behind: Behind) -> dict[str, int]:
    """How many of the period's visits (history rows) earned 0, 1, 2, 3 … stars."""
    rule = park.lifecycle.stars
    levels = sorted({rule.otherwise, *(stars for _, stars in rule.rules)})
    counts = Counter({str(level): 0 for level in levels})
    for row in events:
        fields = row.fields or {}
        if row.event == "visit" and all(name in fields for name in rule.scores):
            stars = str(rule.stars_for(fields))
            counts[stars] += 1
            behind.add(f"stars.{stars}", row.project_id)
    return dict(sorted(counts.items()))


@dataclass
class Happened:
    """What occurred in a period: intakes, each event, exits by reason, visits' stars."""

    intakes: int
    events: dict[str, int]
    exits_by_reason: dict[str, int]
    stars: dict[str, int]
    behind: Behind


def happened_in(session: Session, park: Park, period: Period, *,
                as_recorded: bool = False) -> Happened:
    """The period's events counted (the monthly report's first figures, and 首页's)."""
    cut = cut_for(period, park, as_recorded)
    lifecycle = park.lifecycle
    events: Counter[str] = Counter({name: 0 for name in lifecycle.moving_events})
    reasons: Counter[str] = Counter(_exit_reasons(park))
    intakes, behind = 0, Behind()
    rows = period_events(session, park, cut, period.start_at(park.tz), who_and_when=False)
    for row in rows:
        if row.event == "intake":
            intakes += 1
            behind.add("intakes", row.project_id)
        if row.event in events:
            events[row.event] += 1
            behind.add(f"events.{row.event}", row.project_id)
        reason = (row.fields or {}).get("reason") if row.event == "exit" else None
        if reason:
            reasons[str(reason)] += 1
            behind.add(f"exits_by_reason.{reason}", row.project_id)
    return Happened(intakes, dict(events), dict(reasons), stars_of_visits(park, rows, behind),
                    behind)


def monthly(session: Session, park: Park, period: Period, *,
            as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    replay = Replay(park, park.calendar(session))
    start = period.start_at(park.tz)
    lifecycle = park.lifecycle
    happened = happened_in(session, park, period, as_recorded=as_recorded)
    behind = happened.behind
    stays = snapshot(session, park, replay, cut, start)
    left = stays.left
    on_time = on_time_by(replay, left, behind,
                         {"group": "on_time.groups", "owner": "on_time.owners"})
    by_group, by_owner = on_time["group"], on_time["owner"]
    overdue_groups, overdue_owners, names = _overdue_at_end(replay, stays, cut, behind)
    names.update({owned.owner: owned.owner_name for owned, _ in left})
    groups = [*lifecycle.groups, ""]
    return {
        "kind": "monthly", "as_recorded": as_recorded, "as_of": as_of(cut, park),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "intakes": happened.intakes,
        "events": happened.events,
        "stages": _stages(park, replay, stays.counts, left, behind),
        "on_time": {"groups": by_group.rows("group", groups),
                    "owners": [{**row, "name": names[row["owner"]]}
                               for row in by_owner.rows("owner", sorted(
                                   names, key=lambda o: owner_order(names[o], o)))],
                    "total": by_group.total},
        "overdue_at_end": {
            "groups": [{"group": g, "count": overdue_groups[g]} for g in groups
                       if overdue_groups[g]],
            "owners": [{"owner": o, "name": names[o], "count": overdue_owners[o]}
                       for o in sorted(overdue_owners, key=lambda o: (-overdue_owners[o],
                                                              *owner_order(names[o], o)))],
            "total": sum(overdue_groups.values())},
        "exits_by_reason": happened.exits_by_reason,
        "stars": happened.stars,
        "behind": behind,
    }


def _exit_reasons(park: Park) -> dict[str, int]:
    exit_event = park.lifecycle.events.get("exit")
    reason = exit_event.fields.get("reason") if exit_event else None
    return {key: 0 for key in (reason.choices if reason and reason.choices else {})}


def _stages(park: Park, replay: Replay, counted: dict[str, dict[str, int]],
            left: list[tuple[Owned, Stay]], behind: Behind) -> list[dict[str, Any]]:
    """The funnel (counted by the database), with the days of the stays that ended."""
    lifecycle = park.lifecycle
    days: dict[str, list[float]] = {name: [] for name in lifecycle.states}
    for owned, stay in left:
        days.setdefault(stay.state, []).append(local_days(replay, stay))
        behind.add(f"stages.{stay.state}.{'exited' if stay.left_by == 'exit' else 'moved_on'}",
                   owned.project_id)
    result = []
    for name, state in lifecycle.states.items():
        rule = state.deadline
        counts = counted.get(name, {})
        result.append({
            "state": name,
            **{key: counts.get(key, 0) for key in STAGE_MEASURES},
            "days_median": nearest_rank(days[name], 50),
            "days_p90": nearest_rank(days[name], 90),
            "allowed_days": rule.period.months * 30 + rule.period.days if rule else None,
            "allowed": {"months": rule.period.months, "days": rule.period.days,
                        "from": rule.milestone} if rule else None,
        })
    return result


def _overdue_at_end(replay: Replay, stays: Snapshot, cut: Cut,
                    behind: Behind) -> tuple[Counter[str], Counter[str], dict[str, str]]:
    """The stays open at the cut, judged on its last day, by group and by owner (and the
    owners' names)."""
    groups: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    names: dict[str, str] = {}
    last_day = cut.last_day(replay.park.tz)
    for owned, stay in stays.open_timed:
        due = replay.due_date(stay, cut.until)
        if due is not None and due < last_day:
            groups[owned.group or ""] += 1
            owners[owned.owner] += 1
            names[owned.owner] = owned.owner_name
            behind.add(f"overdue_at_end.groups.{owned.group or ''}", owned.project_id)
            behind.add(f"overdue_at_end.owners.{owned.owner}", owned.project_id)
    return groups, owners, names
