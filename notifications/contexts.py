"""Template contexts built from the database at delivery time, in the recipient's language.

The shapes are those documented in `notifications.render` (and exemplified in
`notifications.samples`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from notifications.outbox import Claimed
from states.definition import pick
from workflow.park import Park
from workflow.projects import Snapshot, deadline_of, load_snapshot

_P, _U, _E = columns(Project), columns(User), columns(ProjectEvent)


class ContextBuilder:
    """Builds the context of one claimed message; `base_url` makes the links absolute."""

    def __init__(self, session: Session, park: Park, base_url: str) -> None:
        self.session, self.park, self.base_url = session, park, base_url.rstrip("/")

    def recipient(self, email: str) -> tuple[dict[str, str], str]:
        user = self.session.execute(select(User).where(_U.email == email)).scalars().first()
        if user is None:
            return {"name": email, "email": email}, "zh-CN"
        return {"name": user.name, "email": user.email}, user.lang

    def build(self, claimed: Claimed, now: datetime) -> tuple[dict[str, Any], str]:
        recipient, lang = self.recipient(claimed.recipient)
        builders: dict[str, Callable[[Claimed, str, datetime], dict[str, Any]]] = {
            "reminder": self._stage, "warning": self._stage, "inquiry": self._inquiry,
            "digest": self._digest, "agenda": self._agenda,
        }
        builder = builders.get(claimed.kind)
        if builder is None:
            context = dict(claimed.payload.get("context") or {})
        else:
            context = builder(claimed, lang, now)
        return {"recipient": recipient, "base_url": self.base_url, **context}, lang

    # ------------------------------------------------------------ pieces

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def project(self, snapshot: Snapshot, lang: str) -> dict[str, Any]:
        lifecycle = self.park.lifecycle
        owner = self.session.get(User, snapshot.owner_id)
        return {
            "id": snapshot.id, "name": snapshot.name,
            "category_label": pick(lifecycle.categories[snapshot.category], lang),
            "state_label": lifecycle.label(snapshot.state, lang),
            "owner_name": owner.name if owner else "",
            "group_label": pick(lifecycle.groups[snapshot.group], lang) if snapshot.group
            else "—",
            "stars": snapshot.stars,
            "url": self.url(f"/projects/{snapshot.id}"),
        }

    def stage_label(self, state: str, lang: str) -> str:
        spec = self.park.lifecycle.states[state]
        return pick(spec.waiting_for, lang) if spec.waiting_for else pick(spec.label, lang)

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.park.tz).date()

    def _stage(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        assert claimed.project_id is not None
        snapshot = load_snapshot(self.session, claimed.project_id)
        deadline = deadline_of(self.park, self.session, snapshot, lang)
        due = deadline.due_date if deadline else date.fromisoformat(claimed.payload["due_date"])
        days = (due - self._today(now)).days
        info: dict[str, Any] = {
            "stage_label": self.stage_label(snapshot.state, lang),
            "due_date": due.isoformat(), "due_at_text": f"{due.isoformat()} 24:00",
            "explanation": deadline.explanation if deadline else "",
        }
        if claimed.kind == "reminder":
            info["days_left"] = max(days, 0)
        else:
            info["days_overdue"] = max(-days, 1)
        return {"project": self.project(snapshot, lang), "deadline": info}

    def _inquiry(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        assert claimed.project_id is not None
        snapshot = load_snapshot(self.session, claimed.project_id)
        last = self.session.execute(
            select(_E.occurred_at, _E.fields).where(_E.project_id == snapshot.id,
                                                    _E.event == "follow_up")
            .order_by(_E.id.desc()).limit(1)).first()
        anchor = date.fromisoformat(claimed.payload["anchor"])
        return {"project": self.project(snapshot, lang), "follow_up": {
            "last_date": last.occurred_at.astimezone(self.park.tz).date().isoformat()
            if last else None,
            "last_summary": (last.fields or {}).get("note") if last else None,
            "days_since": (self._today(now) - anchor).days if last else None,
        }}

    def overdue_rows(self, moment: datetime, lang: str) -> list[dict[str, Any]]:
        today = moment.astimezone(self.park.tz).date()
        rows = self.session.execute(
            select(_P.id, _P.name, _P.state, _P.due_at, _U.name.label("owner_name"))
            .join(User, _U.id == _P.owner_id).where(_P.due_at <= moment)
            .order_by(_P.due_at)).all()
        result = []
        for row in rows:
            due = (row.due_at.astimezone(self.park.tz) - timedelta(days=1)).date()
            result.append({"name": row.name, "url": self.url(f"/projects/{row.id}"),
                           "owner_name": row.owner_name,
                           "stage_label": self.stage_label(row.state, lang),
                           "due_date": due.isoformat(), "days_overdue": (today - due).days})
        return result

    def _digest(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        return {"as_of": self._today(now).isoformat(),
                "board_url": self.url("/board?status=overdue"),
                "overdue": self.overdue_rows(now, lang)}

    def _agenda(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        today = self._today(now)
        week_end = today + timedelta(days=6)
        lifecycle = self.park.lifecycle
        new_intakes, visits_due, star_follow_ups = [], [], []
        owners = {u.id: u.name for u in self.session.execute(select(User)).scalars()}
        projects = self.session.execute(select(Project).where(_P.state != "exited")).scalars()
        for p in projects:
            intake = date.fromisoformat(p.milestones.get("intake", today.isoformat()))
            url = self.url(f"/projects/{p.id}")
            if today - timedelta(days=7) <= intake <= today:
                new_intakes.append({"name": p.name, "url": url, "owner_name": owners[p.owner_id],
                                    "category_label": pick(lifecycle.categories[p.category],
                                                           lang),
                                    "intake_date": intake.isoformat()})
            if p.state == lifecycle.initial and p.due_at is not None:
                due = (p.due_at.astimezone(self.park.tz) - timedelta(days=1)).date()
                if due <= week_end:
                    visits_due.append({"name": p.name, "url": url,
                                       "owner_name": owners[p.owner_id],
                                       "stage_label": self.stage_label(p.state, lang),
                                       "due_date": due.isoformat()})
            if p.stars >= 1 and p.state in lifecycle.reminders.follow_up_states:
                last = p.last_follow_up_at
                star_follow_ups.append({
                    "name": p.name, "url": url, "owner_name": owners[p.owner_id],
                    "stars": p.stars,
                    "last_follow_up_date": last.astimezone(self.park.tz).date().isoformat()
                    if last else None})
        iso_year, iso_week, _ = today.isocalendar()
        return {
            "meeting": {"date": today.isoformat(),
                        "week_label": f"{iso_year}年第{iso_week}周" if lang == "zh-CN"
                        else f"week {iso_week} of {iso_year}"},
            "board_url": self.url("/board"),
            "new_intakes": new_intakes, "visits_due": visits_due,
            "overdue": self.overdue_rows(now, lang), "star_follow_ups": star_follow_ups,
            "pending_approvals": pending_approvals_for_agenda(self, lang),
        }


# Approvals register a provider here (they are built later, on top of the reminders).
PENDING_APPROVALS: list[Callable[[ContextBuilder, str], list[dict[str, Any]]]] = []


def pending_approvals_for_agenda(builder: ContextBuilder, lang: str) -> list[dict[str, Any]]:
    return [row for provider in PENDING_APPROVALS for row in provider(builder, lang)]
