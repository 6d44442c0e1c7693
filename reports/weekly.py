"""The weekly meeting (周例会): the Monday–Sunday week, its lists as of the week's end.

Taken in during the week, visits due in the 7 days after it and visits overdue, stages
overdue per owner, star follow-ups due, approvals pending (oldest first), and every event of
the week. "Overdue" is judged on the week's last day: a stage due that Sunday is not yet late.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from reports.periods import Period
from reports.timeline import Cut, History, Track, load, pending_approvals
from workflow.park import Park

VISIT_WINDOW_DAYS = 7


def cut_for(period: Period, park: Park, as_recorded: bool) -> Cut:
    end = period.end_at(park.tz)
    return Cut(end, end if as_recorded else None)


def project_ref(track: Track) -> dict[str, Any]:
    return {"id": track.id, "name": track.name, "owner": track.owner,
            "owner_name": track.owner_name, "group": track.group, "category": track.category}


def weekly(session: Session, park: Park, period: Period, *,
           as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    history = load(session, park, cut)
    start, end, last_day = period.start_at(park.tz), cut.until, period.end
    initial = park.lifecycle.initial
    intakes, visits_due, visits_overdue, overdue, follow_ups, moved = [], [], [], [], [], []
    for track in history.tracks:
        if start <= track.intake_at < end:  # type: ignore[operator]
            intakes.append({**project_ref(track),
                            "intake_date": history.local(track.intake_at).isoformat()})  # type: ignore[arg-type]
        due = _open_due(history, track, end)
        if due is not None and track.current and track.current.state == initial \
                and due <= last_day + timedelta(days=VISIT_WINDOW_DAYS):
            entry = {**project_ref(track), "due_date": due.isoformat()}
            if due < last_day:
                visits_overdue.append({**entry, "days_overdue": (last_day - due).days})
            else:
                visits_due.append(entry)
        if due is not None and due < last_day:
            assert track.current is not None
            overdue.append({"project_id": track.id, "name": track.name, "owner": track.owner,
                            "owner_name": track.owner_name, "group": track.group,
                            "state": track.current.state, "due_date": due.isoformat(),
                            "days_overdue": (last_day - due).days})
        follow_up = follow_up_due(park, history, track, last_day)
        if follow_up is not None:
            follow_ups.append({**project_ref(track), **follow_up})
        moved.extend(_moved(park, history, track, start, end))
    lists = {"intakes": intakes, "visits_due": visits_due, "visits_overdue": visits_overdue,
             "overdue": overdue, "follow_ups_due": follow_ups}
    behind = {key: [p.get("id", p.get("project_id")) for p in rows] for key, rows in lists.items()}
    return {
        "kind": "weekly", "as_recorded": as_recorded,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "intakes": sorted(intakes, key=lambda p: (p["intake_date"], p["id"])),
        "visits_due": sorted(visits_due, key=lambda p: (p["due_date"], p["id"])),
        "visits_overdue": sorted(visits_overdue, key=lambda p: (-p["days_overdue"], p["id"])),
        "overdue": sorted(overdue, key=lambda p: (p["owner_name"], -p["days_overdue"],
                                                  p["project_id"])),
        "follow_ups_due": sorted(follow_ups, key=lambda p: (-p["stars"], p["id"])),
        "pending_approvals": pending_approvals(session, park, cut),
        "moved": sorted(moved, key=lambda m: (m["occurred_at"], m["project_id"])),
        "behind": behind,
    }


def _open_due(history: History, track: Track, end: Any) -> date | None:
    stay = track.current
    if stay is None or stay.left_at is not None:
        return None
    return history.due_date(stay, end)


def follow_up_since(park: Park, stars: int, state: str | None, visited_on: date | None,
                    followed_up_on: date | None, last_day: date) -> date | None:
    """The rule of the weekly follow-up (周问询): a star project on its way in is due once a
    week has passed since its visit or its last follow-up. The day that week began, if due
    by `last_day`; None otherwise."""
    rule = park.lifecycle.reminders
    if stars < 1 or state not in rule.follow_up_states:
        return None
    days = [d for d in (visited_on, followed_up_on) if d]
    if not days or (last_day - max(days)).days < rule.follow_up_every_days:
        return None
    return max(days)


def follow_up_due(park: Park, history: History, track: Track,
                  last_day: date) -> dict[str, Any] | None:
    """A star project of the history whose weekly follow-up is due by the last day."""
    stay = track.current
    followed = history.local(track.last_follow_up) if track.last_follow_up else None
    anchor = follow_up_since(park, track.stars, stay.state if stay else None,
                             track.visited_on, followed, last_day)
    if anchor is None:
        return None
    return {"stars": track.stars, "since": anchor.isoformat(),
            "last_follow_up": history.local(track.last_follow_up).isoformat()
            if track.last_follow_up else None,
            "days_since": (last_day - anchor).days}


def _moved(park: Park, history: History, track: Track, start: Any,
           end: Any) -> list[dict[str, Any]]:
    events = park.lifecycle.events
    return [{"project_id": track.id, "name": track.name, "event": event, "actor": actor,
             "actor_name": history.people.get(actor, actor),
             "occurred_at": when.astimezone(park.tz).isoformat()}
            for event, actor, when, _ in track.events
            if start <= when < end and (event == "intake" or event in events)]
