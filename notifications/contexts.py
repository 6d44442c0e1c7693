"""Template contexts built from the database at delivery time, in the recipient's language.

The shapes are those documented in `notifications.render` (and exemplified in
`tests/support/mail_samples.py`). Ids are shown by their labels (workflow.labels); dates stay ISO
strings, formatted by the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from db.models import (
    Approval,
    ApprovalEvent,
    Project,
    ProjectEvent,
    SpaceListing,
    SpaceRequest,
    User,
    columns,
)
from i18n import DEFAULT_LANG, N_, gettext, ngettext
from i18n.formats import format_day, format_number, format_period_end, format_skeleton
from notifications.outbox import Claimed
from notifications.reports import report_mail, week_label
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import Snapshot, deadline_of, load_snapshot

_P, _U, _E = columns(Project), columns(User), columns(ProjectEvent)
# asked for every message: the columns alone, statements built once
_RECIPIENT = select(_U.name, _U.email, _U.lang).where(_U.email == bindparam("email"))
_OWNER = select(_U.name).where(_U.id == bindparam("id"))


class ContextBuilder:
    """Builds the context of one claimed message; `base_url` makes the links absolute.

    `people`, shared by the builders of one delivery pass, keeps the recipients and owners
    read so far: a pass mails the same few hundred people again and again."""

    def __init__(self, session: Session, park: Park, base_url: str, *,
                 people: dict[tuple[str, Any], Any] | None = None) -> None:
        self.session, self.park, self.base_url = session, park, base_url.rstrip("/")
        self.people = {} if people is None else people

    def _person(self, statement: Any, key: str, value: Any) -> Any:
        """One row of `statement` for `key` = `value`, read once per pass (None if none)."""
        if (key, value) not in self.people:
            self.people[(key, value)] = self.session.connection().execute(
                statement, {key: value}).first()
        return self.people[(key, value)]

    def labels(self, lang: str) -> Labels:
        return Labels.of(self.park, lang)

    def recipient(self, email: str) -> tuple[dict[str, str], str]:
        if email.startswith(("wecom:", "dingtalk:")):  # a group's chat robot
            group = self.labels(DEFAULT_LANG).group(email.split(":", 1)[1])
            return {"name": gettext(DEFAULT_LANG, N_("Colleagues of %(group)s"), group=group),
                    "email": ""}, DEFAULT_LANG
        user = self._person(_RECIPIENT, "email", email)
        if user is None:
            return {"name": email, "email": email}, DEFAULT_LANG
        return {"name": user.name, "email": user.email}, user.lang

    def build(self, claimed: Claimed, now: datetime) -> tuple[dict[str, Any], str]:
        recipient, lang = self.recipient(claimed.recipient)
        builders: dict[str, Callable[[Claimed, str, datetime], dict[str, Any]]] = {
            "reminder": self._stage, "warning": self._stage, "inquiry": self._inquiry,
            "digest": self._digest, "agenda": self._agenda,
            "approval_requested": self._approval, "approval_decided": self._approval,
            "approval_returned": self._approval, "listing_offered": self._offer,
            "calendar_missing": self._calendar_missing,
            "monthly_report": self._report, "quarterly_report": self._report,
            "relocation_warning": self._relocation, "indicators_request": self._figures,
        }
        context = builders[claimed.kind](claimed, lang, now)
        return {"recipient": recipient, "base_url": self.base_url, **context}, lang

    # ------------------------------------------------------------ pieces

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def project(self, snapshot: Snapshot, lang: str) -> dict[str, Any]:
        labels = self.labels(lang)
        owner = self._person(_OWNER, "id", snapshot.owner_id)
        return {
            "id": snapshot.id, "name": snapshot.name,
            "category_label": labels.category(snapshot.category),
            "state_label": labels.state(snapshot.state),
            "owner_name": owner.name if owner else "",
            "group_label": labels.group(snapshot.group),
            "stars": snapshot.stars,
            "url": self.url(f"/projects/{snapshot.id}"),
        }

    def stage_label(self, state: str, lang: str) -> str:
        return self.labels(lang).stage(state)

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
            "due_date": due.isoformat(),
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
                "overdue_url": self.url("/projects?overdue=1"),
                "overdue": self.overdue_rows(now, lang)}

    def _agenda(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        """The meeting's agenda: last week's report, as the meeting reads it."""
        context = self._report(claimed, lang, now)
        slot = datetime.fromisoformat(claimed.payload["slot"]) if "slot" in claimed.payload \
            else now
        context["meeting"] = week_label(slot.astimezone(self.park.tz).date(), lang)
        return context

    def _report(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        slot = datetime.fromisoformat(claimed.payload["slot"]) if "slot" in claimed.payload \
            else now
        report, attachment = report_mail(self.session, self.park, claimed.kind, slot, lang,
                                         self.url)
        return {"report": report, "attachments": [attachment]}

    def _calendar_missing(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        year = int(claimed.payload["year"])
        rows = self.session.execute(select(_P.id, _P.name, _P.due_at)
                                    .where(_P.due_at.is_not(None)).order_by(_P.due_at)).all()
        projects = []
        for row in rows:
            due = (row.due_at.astimezone(self.park.tz) - timedelta(days=1)).date()
            if due.year == year:
                projects.append({"name": row.name, "url": self.url(f"/projects/{row.id}"),
                                 "due_date": due.isoformat()})
        return {"calendar": {"year": year, "admin_url": self.url("/admin#h-calendar"),
                             "projects": projects}}

    # ------------------------------------------------------------ after opening

    def _relocation(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        assert claimed.project_id is not None
        snapshot = load_snapshot(self.session, claimed.project_id)
        entry = self.session.get(ProjectEvent, claimed.payload["history_id"])
        if entry is None:
            raise KeyError(f"history {claimed.payload['history_id']}")
        actor = self.session.get(User, entry.actor_id)
        previous = self.session.execute(
            select(_E.fields).where(_E.project_id == snapshot.id, _E.id < entry.id)
            .order_by(_E.id.desc())).scalars().all()
        before = next((f["address"] for f in previous if f and f.get("address")), None)
        zone = self.park.lifecycle.zone
        return {"project": self.project(snapshot, lang), "relocation": {
            "address": claimed.payload["address"], "previous_address": before,
            "zone_label": self.labels(lang).pick(zone.label) if zone else "",
            "occurred_on": entry.occurred_at.astimezone(self.park.tz).date().isoformat(),
            "recorded_by_name": actor.name if actor else "", "home_url": self.url("/")}}

    def _figures(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        assert claimed.project_id is not None
        snapshot = load_snapshot(self.session, claimed.project_id)
        event = str(claimed.payload.get("event", "indicators"))
        labels = self.labels(lang)
        spec = self.park.lifecycle.events[event]
        last = self.session.execute(
            select(_E.fields).where(_E.project_id == snapshot.id, _E.event == event)
            .order_by(_E.occurred_at.desc(), _E.id.desc()).limit(1)).scalar()
        return {"project": self.project(snapshot, lang), "figures": {
            "quarter_label": quarter_label(claimed.payload["quarter"], lang),
            "asked": [labels.field(name, event) for name in spec.fields
                      if spec.fields[name].type != "quarter"],
            "last_quarter_label": quarter_label(last["quarter"], lang)
            if last and last.get("quarter") else None}}

    # ------------------------------------------------------------ approvals and space

    def _moment(self, moment: datetime | None) -> str:
        return moment.astimezone(self.park.tz).isoformat() if moment else ""

    def approval(self, approval: Approval, lang: str, snapshot: Snapshot,
                 event_id: int | None = None) -> dict[str, Any]:
        """The approval as the template shows it; with `event_id`, as of that decision
        (a mail sent late still tells the decision it was written for)."""
        requester = self.session.get(User, approval.requested_by)
        decider = self.session.get(User, approval.decided_by) if approval.decided_by else None
        state, decided_at, comment = approval.state, approval.decided_at, approval.comment
        event = self.session.get(ApprovalEvent, event_id) if event_id else None
        if event is not None and event.event in ("approve", "reject", "return"):
            state, decided_at = event.to_state, event.occurred_at
            decider = self.session.get(User, event.actor_id)
            comment = (event.fields or {}).get("comment")
        return {
            "id": approval.id, "kind": approval.kind,
            "kind_label": self.labels(lang).approval_kind(approval.kind),
            # the decisions by the labels of their buttons (states/approval.yaml's events)
            "decisions": {event: self.labels(lang).decision(event)
                          for event in ("approve", "reject", "return")},
            "requested_by_name": requester.name if requester else "",
            "requested_by_email": requester.email if requester else "",
            "submitted_at": self._moment(approval.created_at),
            "reason": approval.reason or None,
            "url": self.url(f"/approvals/{approval.id}"),
            "details": self.approval_details(approval, lang, snapshot),
            "decision": "rejected" if state == "rejected" else "approved",
            "decided_by_name": decider.name if decider else "",
            "decided_at": self._moment(decided_at),
            "comment": comment,
            "due_date": (approval.due_at.astimezone(self.park.tz)
                         - timedelta(days=1)).date().isoformat(),
        }

    def approval_details(self, approval: Approval, lang: str,
                         snapshot: Snapshot) -> list[dict[str, str]]:
        labels, d = self.labels(lang), approval.details
        # the stage the request is about (the project's current stage is among its facts)
        stage = {"label": labels.text(N_("Stage concerned")),
                 "value": labels.state(d.get("state"))}
        if approval.kind == "extension":
            days = int(d.get("days", 0))
            return [{"label": labels.text(N_("Days of extension")),
                     "value": ngettext(lang, "%(count)s day", "%(count)s days", days,
                                       count=days)},
                    stage, *self._deadline_now(snapshot, lang)]
        if approval.kind == "suspension":
            return [stage, *self._deadline_now(snapshot, lang)]
        return [{"label": labels.text(N_("Space type")), "value": labels.space_type(d["type"])},
                {"label": labels.text(N_("Area needed")),
                 "value": f"{format_number(d['area'], lang)} m²"},
                {"label": labels.text(N_("Needed by")),
                 "value": format_day(date.fromisoformat(d["needed_by"]), lang)},
                {"label": labels.text(N_("Preferred carrier")),
                 "value": d.get("carrier") or "—"}]

    def _deadline_now(self, snapshot: Snapshot, lang: str) -> list[dict[str, str]]:
        """The project's deadline as the mail is sent: before a decision the one a leader
        weighs the request against, after an extension the one it moved to."""
        deadline = deadline_of(self.park, self.session, snapshot, lang)
        if deadline is None:
            return []
        return [{"label": self.labels(lang).text(N_("Deadline now")),
                 "value": format_period_end(deadline.due_date, lang)}]

    def _approval(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        approval = self.session.get(Approval, claimed.payload["approval_id"])
        if approval is None:
            raise KeyError(f"approval {claimed.payload['approval_id']}")
        snapshot = load_snapshot(self.session, approval.project_id)
        return {"project": self.project(snapshot, lang),
                "approval": self.approval(approval, lang, snapshot,
                                          claimed.payload.get("event_id")),
                "due_today": bool(claimed.payload.get("due_reminder"))}

    def _offer(self, claimed: Claimed, lang: str, now: datetime) -> dict[str, Any]:
        payload, labels = claimed.payload, self.labels(lang)
        request = self.session.get(SpaceRequest, payload["request_id"])
        listing = self.session.get(SpaceListing, payload["listing_id"])
        actor = self.session.get(User, payload["actor_id"])
        if request is None or listing is None:
            raise KeyError(f"space request {payload['request_id']}")
        snapshot = load_snapshot(self.session, request.project_id)
        return {
            "project": self.project(snapshot, lang),
            "request": {"id": request.id, "type_label": labels.space_type(request.type),
                        "area_m2": whole(request.area_m2),
                        "needed_by": request.needed_by.isoformat()},
            "listing": {"id": listing.id, "carrier": listing.carrier,
                        "building": listing.building, "unit": listing.unit,
                        "type_label": labels.space_type(listing.type),
                        "area_m2": whole(listing.area_m2)},
            "offered_by_name": actor.name if actor else "",
            "note": payload.get("note"),
        }


def quarter_label(quarter: str, lang: str) -> str:
    """`2026-Q3` as the reader writes it: 2026年第3季度, Q3 2026."""
    year, number = quarter.split("-Q")
    return format_skeleton("yQQQ", date(int(year), 3 * int(number) - 2, 1), lang)


def whole(area: float) -> int | float:
    """An area as people write it: 1200, not 1200.0."""
    return int(area) if float(area).is_integer() else area
