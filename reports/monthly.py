"""The monthly dispatch (月调度): the stage funnel, time per stage, on time, overdue.

Per stage: how many were in it at the month's start and end, how many entered, moved on
(left for another stage) and exited; for stays that ended in the month the median and
90th-percentile days, beside the stage's allowed period. On time: stays with a deadline that
ended in the month, and of those, how many moved on by their deadline (an exit is never on
time). Overdue at the month's end, judged on its last day.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from reports.periods import Period
from reports.stats import nearest_rank, rate
from reports.timeline import History, Stay, Track, load
from reports.weekly import cut_for
from workflow.park import Park


class Behind(defaultdict[str, list[int]]):
    """The projects behind each figure of a report ("stages.intake.entered" → ids), so every
    number can open the list it counts."""

    def __init__(self) -> None:
        super().__init__(list)

    def add(self, key: str, project_id: int) -> None:
        self[key].append(project_id)


@dataclass
class OnTime:
    """Stays with a deadline that ended in a period, and those that moved on in time."""

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


def ended_in(stay: Stay, start: datetime, end: datetime) -> bool:
    return stay.left_at is not None and start <= stay.left_at < end


def left_in_time(history: History, stay: Stay) -> bool | None:
    """Whether a finished stay moved on by its deadline; None for a stay without one."""
    assert stay.left_at is not None
    due = history.due_date(stay, stay.left_at)
    if due is None:
        return None
    return stay.left_by != "exit" and history.local(stay.left_at) <= due


def on_time_in(history: History, start: datetime, end: datetime, behind: Behind,
               prefix: str, key: str = "group") -> OnTime:
    """On time per group (`key="group"`), per owner (`"owner"`) or park-wide (`"all"`)."""
    counts = OnTime(prefix, behind)
    for track in history.tracks:
        label = {"group": track.group or "", "owner": track.owner, "all": "all"}[key]
        for stay in track.stays:
            if ended_in(stay, start, end):
                in_time = left_in_time(history, stay)
                if in_time is not None:
                    counts.add(label, in_time, track.id)
    return counts


def stars_of_visits(park: Park, tracks: Iterable[Track], start: datetime,
                    end: datetime, behind: Behind) -> dict[str, int]:
    """How many of the period's visits earned 0, 1, 2, 3 … stars."""
    rule = park.lifecycle.stars
    levels = sorted({rule.otherwise, *(stars for _, stars in rule.rules)})
    counts = Counter({str(level): 0 for level in levels})
    for track in tracks:
        for event, _, when, fields in track.events:
            if event == "visit" and start <= when < end and \
                    all(name in fields for name in rule.scores):
                stars = str(rule.stars_for(fields))
                counts[stars] += 1
                behind.add(f"stars.{stars}", track.id)
    return dict(sorted(counts.items()))


def monthly(session: Session, park: Park, period: Period, *,
            as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    history = load(session, park, cut)
    start, end = period.start_at(park.tz), cut.until
    lifecycle = park.lifecycle
    events: Counter[str] = Counter({name: 0 for name in lifecycle.events})
    reasons: Counter[str] = Counter(_exit_reasons(park))
    intakes, behind = 0, Behind()
    for track in history.tracks:
        for event, _, when, fields in track.events:
            if start <= when < end:
                if event == "intake":
                    intakes += 1
                    behind.add("intakes", track.id)
                if event in lifecycle.events:
                    events[event] += 1
                    behind.add(f"events.{event}", track.id)
                if event == "exit" and fields.get("reason"):
                    reasons[str(fields["reason"])] += 1
                    behind.add(f"exits_by_reason.{fields['reason']}", track.id)
    by_group = on_time_in(history, start, end, behind, "on_time.groups")
    by_owner = on_time_in(history, start, end, behind, "on_time.owners", "owner")
    overdue_groups, overdue_owners = _overdue_at_end(history, period, behind)
    groups = [*lifecycle.groups, ""]
    owners = sorted({t.owner for t in history.tracks})
    names = {t.owner: t.owner_name for t in history.tracks}
    return {
        "kind": "monthly", "as_recorded": as_recorded,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "intakes": intakes,
        "events": dict(events),
        "stages": _stages(park, history, start, end, behind),
        "on_time": {"groups": by_group.rows("group", groups),
                    "owners": [{**row, "name": names[row["owner"]]}
                               for row in by_owner.rows("owner", owners)],
                    "total": by_group.total},
        "overdue_at_end": {
            "groups": [{"group": g, "count": overdue_groups[g]} for g in groups
                       if overdue_groups[g]],
            "owners": [{"owner": o, "name": names[o], "count": overdue_owners[o]}
                       for o in sorted(overdue_owners, key=lambda o: (-overdue_owners[o], o))],
            "total": sum(overdue_groups.values())},
        "exits_by_reason": dict(reasons),
        "stars": stars_of_visits(park, history.tracks, start, end, behind),
        "behind": behind,
    }


def _exit_reasons(park: Park) -> dict[str, int]:
    exit_event = park.lifecycle.events.get("exit")
    reason = exit_event.fields.get("reason") if exit_event else None
    return {key: 0 for key in (reason.choices if reason and reason.choices else {})}


def _stages(park: Park, history: History, start: datetime, end: datetime,
            behind: Behind) -> list[dict[str, Any]]:
    lifecycle = park.lifecycle
    rows = {name: Counter[str]() for name in lifecycle.states}
    days: dict[str, list[float]] = {name: [] for name in lifecycle.states}
    for track in history.tracks:
        for stay in track.stays:
            measures = [name for name, holds in (
                ("at_start", stay.holds_at(start)), ("at_end", stay.left_at is None),
                ("entered", start <= stay.entered_at < end)) if holds]
            if ended_in(stay, start, end):
                assert stay.left_at is not None
                measures.append("exited" if stay.left_by == "exit" else "moved_on")
                days[stay.state].append(
                    (history.local(stay.left_at) - history.local(stay.entered_at)).days)
            for measure in measures:
                rows[stay.state][measure] += 1
                behind.add(f"stages.{stay.state}.{measure}", track.id)
    result = []
    for name, state in lifecycle.states.items():
        rule = state.deadline
        result.append({
            "state": name,
            **{key: rows[name][key] for key in ("at_start", "at_end", "entered", "moved_on",
                                                "exited")},
            "days_median": nearest_rank(days[name], 50),
            "days_p90": nearest_rank(days[name], 90),
            "allowed_days": rule.period.months * 30 + rule.period.days if rule else None,
            "allowed": {"months": rule.period.months, "days": rule.period.days,
                        "from": rule.milestone} if rule else None,
        })
    return result


def _overdue_at_end(history: History, period: Period,
                    behind: Behind) -> tuple[Counter[str], Counter[str]]:
    groups: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    for track in history.tracks:
        stay = track.current
        if stay is None or stay.left_at is not None:
            continue
        due = history.due_date(stay, history.cut.until)
        if due is not None and due < period.end:
            groups[track.group or ""] += 1
            owners[track.owner] += 1
            behind.add(f"overdue_at_end.groups.{track.group or ''}", track.id)
            behind.add(f"overdue_at_end.owners.{track.owner}", track.id)
    return groups, owners
