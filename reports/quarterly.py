"""The quarterly summary (季总结): openings, cycle time and conversion by category.

Cycle time: calendar days from intake to opening of the projects opened in the quarter.
Conversion: of the projects taken in during the quarter, how many had reached each stage by
its end (a cohort). On time month by month, the stars of the quarter's visits, and the
openings of the same quarter a year earlier where the history goes back that far.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, columns
from reports.monthly import Behind, on_time_of, stars_of_visits
from reports.periods import Period
from reports.stats import nearest_rank
from reports.stays import period_events, snapshot
from reports.timeline import Cut, History, Track, load
from reports.weekly import cut_for, project_ref
from workflow.park import Park

OPEN_EVENT = "open"
FIGURES_EVENT = "indicators"  # 经营指标: one quarter's figures of an opened project
_E, _P = columns(ProjectEvent), columns(Project)


def _opening(track: Track) -> datetime | None:
    return next((when for event, _, when, _ in track.events if event == OPEN_EVENT), None)


def quarterly(session: Session, park: Park, period: Period, *,
              as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    history = load(session, park, cut)
    start, end = period.start_at(park.tz), cut.until
    categories = list(park.lifecycle.categories)
    cycles: dict[str, list[float]] = {c: [] for c in categories}
    opened, behind = [], Behind()
    for track in history.tracks:
        for event, _, when, _ in track.events:
            if event == OPEN_EVENT and start <= when < end:
                assert track.intake_at is not None
                days = (history.local(when) - history.local(track.intake_at)).days
                cycles.setdefault(track.category, []).append(days)
                behind.add("opened", track.id)
                behind.add(f"cycle_days.{track.category}", track.id)
                opened.append({**project_ref(track), "opened_on": history.local(when).isoformat(),
                               "cycle_days": days})
    return {
        "kind": "quarterly", "as_recorded": as_recorded,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "opened": len(opened),
        "opened_projects": sorted(opened, key=lambda p: (p["opened_on"], p["id"])),
        "cycle_days": {c: {"count": len(days), "median": nearest_rank(days, 50),
                           "p90": nearest_rank(days, 90)} for c, days in cycles.items()},
        "conversion": _conversion(park, history, start, end, behind),
        "on_time_by_month": _on_time_by_month(session, park, history, period, cut, behind),
        "stars": stars_of_visits(park, period_events(session, park, cut, start), behind),
        "year_earlier": _year_earlier(park, history, period, behind),
        "indicators": latest_figures(session, park, cut),
        "behind": behind,
    }


def latest_figures(session: Session, park: Park, cut: Cut) -> list[dict[str, Any]]:
    """Each project's latest quarterly figures (经营指标) known by the cut: the latest
    quarter, and of it the latest entry; by project."""
    if FIGURES_EVENT not in park.lifecycle.events:
        return []
    query = (select(_E.project_id, _P.name, _E.fields).join(Project, _P.id == _E.project_id)
             .where(_E.event == FIGURES_EVENT, _E.occurred_at < cut.until)
             .order_by(_E.occurred_at, _E.id))
    if cut.recorded_by is not None:
        query = query.where(_E.recorded_at < cut.recorded_by)
    latest: dict[int, dict[str, Any]] = {}
    for project_id, name, fields in session.execute(query).all():
        known = latest.get(project_id)
        if known is None or str(fields.get("quarter", "")) >= known["quarter"]:
            latest[project_id] = {"id": project_id, "name": name, **fields}
    return [latest[k] for k in sorted(latest)]


def _on_time_by_month(session: Session, park: Park, history: History, period: Period,
                      cut: Cut, behind: Behind) -> list[dict[str, Any]]:
    result = []
    for month in period.months():
        until = min(month.end_at(park.tz), cut.until)
        month_cut = Cut(until, cut.recorded_by)
        left = snapshot(session, park, history.replay, month_cut, month.start_at(park.tz)).left
        counts = on_time_of(history.replay, left, behind, f"on_time_by_month.{month.key}", "all")
        result.append({"month": month.key, **counts.total})
    return result


def _conversion(park: Park, history: History, start: datetime, end: datetime,
                behind: Behind) -> dict[str, dict[str, int]]:
    """Per category, of the quarter's intakes: how many reached each state by its end."""
    states = list(park.lifecycle.states)
    result = {c: dict.fromkeys(states, 0) for c in park.lifecycle.categories}
    for track in history.tracks:
        if not start <= track.intake_at < end:  # type: ignore[operator]
            continue
        reached = result.setdefault(track.category, dict.fromkeys(states, 0))
        for state in {stay.state for stay in track.stays}:
            reached[state] += 1
            behind.add(f"conversion.{track.category}.{state}", track.id)
    return result


def _year_earlier(park: Park, history: History, period: Period,
                  behind: Behind) -> dict[str, Any] | None:
    """The openings of the same quarter a year before; None without history that old."""
    earlier = period.year_earlier()
    start, end = earlier.start_at(park.tz), earlier.end_at(park.tz)
    if not any(t.intake_at is not None and t.intake_at < end for t in history.tracks):
        return None
    opened: Counter[str] = Counter()
    for track in history.tracks:
        when = _opening(track)
        if when is not None and start <= when < end:
            opened[track.category] += 1
            behind.add("year_earlier.opened", track.id)
    return {"period": {"start": earlier.start.isoformat(), "end": earlier.end.isoformat()},
            "opened": sum(opened.values()), "by_category": dict(opened)}
