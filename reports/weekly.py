"""The weekly meeting (周例会): the Monday–Sunday week, its lists as of the week's end.

Taken in during the week, visits due in the 7 days after it and visits overdue, stages
overdue per owner, star follow-ups due, approvals pending (oldest first), and every event of
the week. "Overdue" is judged on the week's last day: a stage due that Sunday is not yet late.
A week still in progress is judged as of now (cut_for): on today, and the visits due are those
of the 7 days after today.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from reports.periods import Period
from reports.stays import period_events, project_refs, snapshot, visits_and_follow_ups
from reports.timeline import INSTANT, Cut, Replay, Track, pending_approvals
from workflow.park import Park
from workflow.search import pinyin_order

VISIT_WINDOW_DAYS = 7


def owner_order(name: str, email: str) -> tuple[tuple[str, ...], str]:
    """Where an owner's rows go in every report's owner tables: by the name's pinyin (黄婷,
    李娜, 刘洋 …), as a Chinese reader looks a name up; the email parts namesakes."""
    return pinyin_order(name), email


def cut_for(period: Period, park: Park, as_recorded: bool) -> Cut:
    """The history every report (and the first screen's figures) sees: up to the period's
    end, or up to now for a period still in progress, so that no deadline is judged, and no
    day counted, at a moment still to come."""
    end, now = period.end_at(park.tz), park.now()
    if now >= end:
        return Cut(end, end if as_recorded else None)
    until = now + INSTANT  # what occurred, or was recorded, at now has happened
    return Cut(until, until if as_recorded else None, now=now)


def as_of(cut: Cut, park: Park) -> str:
    """The moment a report's figures stand at (the report's `as_of`), in park time."""
    return cut.as_of.astimezone(park.tz).isoformat()


def project_ref(track: Track) -> dict[str, Any]:
    return {"id": track.id, "name": track.name, "owner": track.owner,
            "owner_name": track.owner_name, "group": track.group, "category": track.category}


def weekly(session: Session, park: Park, period: Period, *,
           as_recorded: bool = False) -> dict[str, Any]:
    cut = cut_for(period, park, as_recorded)
    start, end, last_day = period.start_at(park.tz), cut.until, cut.last_day(park.tz)
    replay = Replay(park, park.calendar(session))
    happened = period_events(session, park, cut, start)
    open_timed = snapshot(session, park, replay, cut, start).open_timed
    dues = {owned.project_id: (stay, replay.due_date(stay, end)) for owned, stay in open_timed}
    follow_ups = _follow_ups(session, park, replay, cut, last_day,
                             {pid: stay.state for pid, (stay, _) in dues.items()})
    refs = project_refs(session, {r.project_id for r in happened} | set(dues) | set(follow_ups))
    initial = park.lifecycle.initial
    intakes = [{**refs[r.project_id], "intake_date": replay.local(r.occurred_at).isoformat()}
               for r in happened if r.event == "intake"]
    visits_due, visits_overdue, overdue = [], [], []
    for project_id, (stay, due) in dues.items():
        if due is None:
            continue
        ref = refs[project_id]
        if stay.state == initial and due <= last_day + timedelta(days=VISIT_WINDOW_DAYS):
            entry = {**ref, "due_date": due.isoformat()}
            if due < last_day:
                visits_overdue.append({**entry, "days_overdue": (last_day - due).days})
            else:
                visits_due.append(entry)
        if due < last_day:
            overdue.append({"project_id": project_id, "name": ref["name"], "owner": ref["owner"],
                            "owner_name": ref["owner_name"], "group": ref["group"],
                            "state": stay.state, "due_date": due.isoformat(),
                            "days_overdue": (last_day - due).days})
    follow_ups_due = [{**refs[pid], **due} for pid, due in follow_ups.items()]
    moved = [{"project_id": r.project_id, "name": refs[r.project_id]["name"], "event": r.event,
              "actor": r.actor, "actor_name": r.actor_name,
              "occurred_at": r.occurred_at.astimezone(park.tz).isoformat()} for r in happened]
    lists = {"intakes": intakes, "visits_due": visits_due, "visits_overdue": visits_overdue,
             "overdue": overdue, "follow_ups_due": follow_ups_due}
    behind = {key: [p.get("id", p.get("project_id")) for p in rows] for key, rows in lists.items()}
    return {
        "kind": "weekly", "as_recorded": as_recorded, "as_of": as_of(cut, park),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "intakes": sorted(intakes, key=lambda p: (p["intake_date"], p["id"])),
        "visits_due": sorted(visits_due, key=lambda p: (p["due_date"], p["id"])),
        "visits_overdue": sorted(visits_overdue, key=lambda p: (-p["days_overdue"], p["id"])),
        "overdue": sorted(overdue, key=lambda p: (*owner_order(p["owner_name"], p["owner"]),
                                                  -p["days_overdue"], p["project_id"])),
        "follow_ups_due": sorted(follow_ups_due, key=lambda p: (-p["stars"], p["id"])),
        "pending_approvals": pending_approvals(session, park, cut),
        "moved": sorted(moved, key=lambda m: (m["occurred_at"], m["project_id"])),
        "behind": behind,
    }


def _follow_ups(session: Session, park: Park, replay: Replay, cut: Cut, last_day: date,
                states: dict[int, str]) -> dict[int, dict[str, Any]]:
    """The star projects whose weekly follow-up is due by the last day: stars and the visit
    as of the cut (the last visit's scores), the last follow-up before it."""
    rule = park.lifecycle.reminders
    waiting = {pid for pid, state in states.items() if state in rule.follow_up_states}
    due: dict[int, dict[str, Any]] = {}
    for pid, rows in visits_and_follow_ups(session, cut, waiting).items():
        stars, visited, followed = 0, None, None
        for event, when, fields in rows:
            if event == "follow_up":
                followed = when
                continue
            visited = replay.local(when)
            if park.lifecycle.stars.scores and \
                    all(name in fields for name in park.lifecycle.stars.scores):
                stars = park.lifecycle.stars.stars_for(fields)
        followed_on = replay.local(followed) if followed else None
        anchor = follow_up_since(park, stars, states[pid], visited, followed_on, last_day)
        if anchor is not None:
            due[pid] = {"stars": stars, "since": anchor.isoformat(),
                        "last_follow_up": followed_on.isoformat() if followed_on else None,
                        "days_since": (last_day - anchor).days}
    return due


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
