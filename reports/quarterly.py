"""The quarterly summary (季总结): openings, cycle time and conversion by category.

Cycle time: calendar days from intake to opening of the projects opened in the quarter.
Conversion: of the projects taken in during the quarter, how many had reached each stage by
its end (a cohort). On time month by month, the stars of the quarter's visits, and the
openings of the same quarter a year earlier where the history goes back that far.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, columns
from reports.monthly import Behind, on_time_of, stars_of_visits
from reports.periods import Period
from reports.stats import nearest_rank
from reports.stays import (
    first_intakes,
    history_before,
    period_events,
    project_refs,
    snapshot,
    states_reached,
)
from reports.timeline import Cut, Replay
from reports.weekly import as_of, cut_for
from workflow.park import Park

OPEN_EVENT = "open"
FIGURES_EVENT = "indicators"  # 经营指标: one quarter's figures of an opened project
_E, _P = columns(ProjectEvent), columns(Project)


def quarterly(session: Session, park: Park, period: Period, *,
              as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    replay = Replay(park, park.calendar(session))
    start = period.start_at(park.tz)
    happened = period_events(session, park, cut, start)
    openings = [r for r in happened if r.event == OPEN_EVENT]
    cohort = {r.project_id for r in happened if r.event == "intake"}
    refs = project_refs(session, {r.project_id for r in openings} | cohort)
    intakes = first_intakes(session, cut, {r.project_id for r in openings})
    cycles: dict[str, list[float]] = {c: [] for c in park.lifecycle.categories}
    opened, behind = [], Behind()
    for row in openings:
        ref = refs[row.project_id]
        days = (replay.local(row.occurred_at) - replay.local(intakes[row.project_id])).days
        cycles.setdefault(ref["category"], []).append(days)
        behind.add("opened", row.project_id)
        behind.add(f"cycle_days.{ref['category']}", row.project_id)
        opened.append({**ref, "opened_on": replay.local(row.occurred_at).isoformat(),
                       "cycle_days": days})
    return {
        "kind": "quarterly", "as_recorded": as_recorded, "as_of": as_of(cut, park),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "opened": len(opened),
        "opened_projects": sorted(opened, key=lambda p: (p["opened_on"], p["id"])),
        "cycle_days": {c: {"count": len(days), "median": nearest_rank(days, 50),
                           "p90": nearest_rank(days, 90)} for c, days in cycles.items()},
        "conversion": _conversion(session, park, cut, refs, cohort, behind),
        "on_time_by_month": _on_time_by_month(session, park, replay, period, cut, behind),
        "stars": stars_of_visits(park, happened, behind),
        "year_earlier": _year_earlier(session, park, period, cut, behind),
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


def _on_time_by_month(session: Session, park: Park, replay: Replay, period: Period,
                      cut: Cut, behind: Behind) -> list[dict[str, Any]]:
    result = []
    for month in period.months():
        until = min(month.end_at(park.tz), cut.until)
        month_cut = Cut(until, cut.recorded_by)
        left = snapshot(session, park, replay, month_cut, month.start_at(park.tz)).left
        counts = on_time_of(replay, left, behind, f"on_time_by_month.{month.key}", "all")
        result.append({"month": month.key, **counts.total})
    return result


def _conversion(session: Session, park: Park, cut: Cut, refs: dict[int, dict[str, Any]],
                cohort: set[int], behind: Behind) -> dict[str, dict[str, int]]:
    """Per category, of the quarter's intakes: how many reached each state by its end."""
    states = list(park.lifecycle.states)
    result = {c: dict.fromkeys(states, 0) for c in park.lifecycle.categories}
    for project_id, reached_states in sorted(states_reached(session, cut, cohort).items()):
        category = refs[project_id]["category"]
        reached = result.setdefault(category, dict.fromkeys(states, 0))
        for state in reached_states:
            reached[state] += 1
            behind.add(f"conversion.{category}.{state}", project_id)
    return result


def _year_earlier(session: Session, park: Park, period: Period, cut: Cut,
                  behind: Behind) -> dict[str, Any] | None:
    """The openings of the same quarter a year before; None without history that old."""
    earlier = period.year_earlier()
    end = earlier.end_at(park.tz)
    if not history_before(session, cut, end):
        return None
    rows = [r for r in period_events(session, park, Cut(end, cut.recorded_by),
                                     earlier.start_at(park.tz)) if r.event == OPEN_EVENT]
    refs = project_refs(session, {r.project_id for r in rows})
    opened: Counter[str] = Counter()
    for row in rows:
        opened[refs[row.project_id]["category"]] += 1
        behind.add("year_earlier.opened", row.project_id)
    return {"period": {"start": earlier.start.isoformat(), "end": earlier.end.isoformat()},
            "opened": sum(opened.values()), "by_category": dict(opened)}
