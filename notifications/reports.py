"""The monthly dispatch (月调度) and the quarterly summary (季总结), computed from the history.

Monthly: the stage funnel, what moved in the month, the time spent per stage, and what is
overdue by group and by owner. Quarterly: the projects opened, and per category how many were
taken in, how many opened, the conversion and the cycle time from intake to opening.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from i18n.formats import format_skeleton
from workflow.labels import Labels
from workflow.park import Park

_P, _E, _U = columns(Project), columns(ProjectEvent), columns(User)


def previous_period(slot: datetime, months: int, park: Park) -> tuple[datetime, datetime]:
    """The `months` before the slot's month, as [start, end) in park time."""
    local = slot.astimezone(park.tz)
    end = datetime.combine(date(local.year, local.month, 1), time(), tzinfo=park.tz)
    month0 = end.month - 1 - months
    start = datetime(end.year + month0 // 12, month0 % 12 + 1, 1, tzinfo=park.tz)
    return start, end


def period_label(start: datetime, months: int, lang: str) -> str:
    """2026年10月 / October 2026; a quarter: 2026年第4季度 / Q4 2026."""
    return format_skeleton("yMMMM" if months == 1 else "yQQQ", start.date(), lang)


def _history(session: Session) -> dict[int, list[Any]]:
    rows = session.connection().execute(
        select(_E.project_id, _E.event, _E.from_state, _E.to_state, _E.occurred_at)
        .order_by(_E.project_id, _E.id))
    by_project: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_project[row.project_id].append(row)
    return by_project


def monthly(session: Session, park: Park, slot: datetime, lang: str,
            url: Any) -> dict[str, Any]:
    start, end = previous_period(slot, 1, park)
    lifecycle, now, labels = park.lifecycle, park.now(), Labels.of(park, lang)
    projects = list(session.connection().execute(
        select(_P.id, _P.state, _P.group, _P.due_at, _U.name.label("owner_name"))
        .join(User, _U.id == _P.owner_id)))
    funnel = Counter(p.state for p in projects)
    moved: Counter[str] = Counter()
    stays: dict[str, list[float]] = defaultdict(list)
    for rows in _history(session).values():
        entered: dict[str, datetime] = {}
        for row in rows:
            if row.from_state != row.to_state and row.from_state in entered \
                    and start <= row.occurred_at < end:
                days = (row.occurred_at - entered[row.from_state]).total_seconds() / 86400
                stays[row.from_state].append(days)
            if start <= row.occurred_at < end and row.event in lifecycle.events:
                moved[row.event] += 1
            if row.from_state != row.to_state:
                entered[row.to_state] = row.occurred_at
    overdue = [p for p in projects if p.due_at is not None and p.due_at <= now]
    by_group = Counter(p.group for p in overdue)
    by_owner = Counter(p.owner_name for p in overdue)
    return {"report": {
        "period": period_label(start, 1, lang),
        "url": url("/board"),
        "funnel": [{"stage_label": labels.state(s), "count": funnel.get(s, 0)}
                   for s in lifecycle.states],
        "moves": [{"event_label": labels.event(name), "count": moved.get(name, 0)}
                  for name in lifecycle.events],
        "stage_times": [{"stage_label": labels.state(s), "count": len(stays[s]),
                         "average_days": round(sum(stays[s]) / len(stays[s]), 1)}
                        for s in lifecycle.states if stays.get(s)],
        "overdue_by_group": [{"label": labels.group(g), "count": n}
                             for g, n in by_group.most_common()],
        "overdue_by_owner": [{"label": name, "count": n} for name, n in by_owner.most_common()],
        "overdue_total": len(overdue),
    }}


def quarterly(session: Session, park: Park, slot: datetime, lang: str,
              url: Any) -> dict[str, Any]:
    start, end = previous_period(slot, 3, park)
    lifecycle, labels = park.lifecycle, Labels.of(park, lang)
    names: dict[int, str] = dict(session.connection().execute(select(_P.id, _P.name)).all())
    categories: dict[int, str] = dict(
        session.connection().execute(select(_P.id, _P.category)).all())
    taken_in: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    cycles: dict[str, list[float]] = defaultdict(list)
    opened = []
    for project_id, rows in _history(session).items():
        category = categories[project_id]
        intake = next((r.occurred_at for r in rows if r.event == "intake"), None)
        opening = next((r.occurred_at for r in rows if r.event == "open" and r.occurred_at < end),
                       None)
        if intake is None or intake >= end:
            continue
        taken_in[category] += 1
        if opening is not None:
            reached[category] += 1
            if start <= opening < end:
                cycles[category].append((opening - intake).total_seconds() / 86400)
                opened.append({"name": names[project_id], "url": url(f"/projects/{project_id}"),
                               "category_label": labels.category(category),
                               "opened_on": opening.astimezone(park.tz).date().isoformat()})
    return {"report": {
        "period": period_label(start, 3, lang),
        "url": url("/board"),
        "opened": sorted(opened, key=lambda o: o["opened_on"]),
        "categories": [{
            "label": labels.category(c), "taken_in": taken_in.get(c, 0),
            "opened": reached.get(c, 0),
            "conversion_pct": round(100 * reached[c] / taken_in[c]) if taken_in.get(c) else 0,
            "average_cycle_days": round(sum(cycles[c]) / len(cycles[c]), 1)
            if cycles.get(c) else None,
        } for c in lifecycle.categories],
    }}


