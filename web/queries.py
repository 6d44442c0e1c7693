"""Read models of the pages: the board, the inbox's warning lists, a project's page parts.

The shapes come from workflow.views (the CLI's and the API's); this module only groups,
filters and orders them for people.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import bindparam, false, func, or_, select
from sqlmodel import Session

from db.models import Approval, Project, ProjectEvent, SpaceListing, SpaceRequest, User, columns
from db.prepared import Prepared
from i18n import gettext
from workflow.approvals import approval_history, approval_json
from workflow.labels import Labels
from workflow.park import Park
from workflow.space import list_requests
from workflow.views import (
    ONE_DAY,
    count_by_state,
    days_overdue,
    due_soon_window,
    list_projects,
    summary,
)

_A, _P, _U = columns(Approval), columns(Project), columns(User)
_E = columns(ProjectEvent)
_L, _R = columns(SpaceListing), columns(SpaceRequest)
# an overdue project is a new warning (预警) for this long, then it is under supervision
WARNING_DAYS = 7


@dataclass(frozen=True)
class BoardFilters:
    group: str | None = None
    owner: str | None = None
    category: str | None = None
    stars: int | None = None  # at least this many
    mine: bool = False

    @property
    def active(self) -> bool:
        return any((self.group, self.owner, self.category, self.stars, self.mine))

    def query(self, **extra: str) -> str:
        """These filters as a query string (for links that keep them)."""
        values = {"group": self.group, "owner": self.owner, "category": self.category,
                  "stars": str(self.stars) if self.stars else None,
                  "mine": "1" if self.mine else None, **extra}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class Column:
    state: str
    count: int = 0
    overdue: int = 0
    cards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


def projects_by_ids(session: Session, park: Park, ids: list[int]) -> list[dict[str, Any]]:
    """The list lines of the projects `ids` (a report's figure behind), most urgent first."""
    owner = User.__table__.alias("owner")  # type: ignore[attr-defined]
    wanted = sorted(set(ids))
    now, soon = park.now(), due_soon_window(park)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):  # SQL parameters stay well under the limits
        query = (select(_P.id, _P.name, _P.category, _P.state, _P.group, _P.stars, _P.due_at,
                        owner.c.email, owner.c.name.label("owner_name"))
                 .join(owner, owner.c.id == _P.owner_id)
                 .where(_P.id.in_(wanted[start:start + 500])))
        rows += [summary(row, park, now, soon) for row in session.connection().execute(query)]
    # overdue first, then the nearest deadline, then the most stars
    return sorted(rows, key=lambda r: (r["due_at"] is None, r["due_at"] or "", -r["stars"],
                                       r["id"]))


def board(session: Session, park: Park, filters: BoardFilters, viewer_email: str, *,
          cards_per_column: int) -> list[Column]:
    """A column per state with its full count; each column's most urgent cards.

    Counted with one GROUP BY and filled with each column's first cards in due order, so
    the board costs the same with 100 projects as with 10,000.
    """
    where = sql_filters(filters, viewer_email)
    counts = count_by_state(session, park, **where)
    result = []
    for state in park.lifecycle.states:
        count, overdue = counts.get(state, (0, 0))
        cards = with_days(list_projects(session, park, state=state, urgent_first=True,
                                        limit=cards_per_column, **where), park) if count else []
        result.append(Column(state, count=count, overdue=overdue, cards=cards))
    return result


def days_left(due_at: datetime | str | None, now: datetime, tz: tzinfo) -> int | None:
    """Calendar days until the deadline's last day, in park time (0 on that day; None once
    overdue or without a deadline): the “剩 N 天” beside “逾期 N 天”."""
    if isinstance(due_at, str):
        due_at = datetime.fromisoformat(due_at)
    if due_at is None or now >= due_at:
        return None
    return ((due_at.astimezone(tz) - ONE_DAY).date() - now.astimezone(tz).date()).days


def with_days(rows: list[dict[str, Any]], park: Park) -> list[dict[str, Any]]:
    """Each row (a workflow.views summary) with `days_left` and `days_overdue` at park time."""
    now = park.now()
    for row in rows:
        due_at = datetime.fromisoformat(row["due_at"]) if row.get("due_at") else None
        row["days_left"] = days_left(due_at, now, park.tz)
        row["days_overdue"] = days_overdue(due_at, now, park.tz)
    return rows


def sql_filters(filters: BoardFilters, viewer_email: str) -> dict[str, Any]:
    return {"owner": viewer_email if filters.mine else filters.owner, "group": filters.group,
            "category": filters.category, "min_stars": filters.stars}


# per person one probe of the owner index (not a scan of every project for its owners)
_OWNERS = Prepared(select(_U.email, _U.name).where(
    select(_P.id).where(_P.owner_id == _U.id).exists()).order_by(_U.name))


def owners(session: Session) -> list[dict[str, str]]:
    """People who own at least one project (the owner filter's choices)."""
    return [{"email": email, "name": name} for email, name in _OWNERS.all(session, {})]


def people(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(_U.id, _U.email, _U.name, _U.role, _U.group,
                                  _U.is_group_lead, _U.lang, _U.password_hash.is_not(None)
                                  .label("has_password"),
                                  _U.deactivated_at.is_(None).label("active"))
                           .order_by(_U.id))
    return [dict(r._mapping) for r in rows]


def names_by_email(session: Session) -> dict[str, str]:
    return {r.email: r.name for r in session.execute(select(_U.email, _U.name))}


def overdue_projects(session: Session, park: Park, *, scope: str, viewer_email: str,
                     viewer_group: str | None) -> list[dict[str, Any]]:
    """Overdue projects a person is concerned with, most overdue first, with days overdue.

    scope: `all` (leaders), `group` (a group lead), `own` (a member).
    """
    rows = list_projects(session, park, overdue=True,
                         owner=viewer_email if scope == "own" else None,
                         group=viewer_group if scope == "group" else None)
    now = park.now()
    for row in rows:
        row["days_overdue"] = days_overdue(datetime.fromisoformat(row["due_at"]), now, park.tz)
    rows.sort(key=lambda r: (-r["days_overdue"], r["id"]))
    return rows


def pending_count(session: Session, park: Park, viewer_id: int) -> int:
    """Approvals a leader could decide now (not their own)."""
    row = _pending_statement(tuple(park.approvals.pending_states)).first(
        session, {"viewer": viewer_id})
    return int(row[0]) if row else 0


_PENDING: dict[tuple[str, ...], Prepared] = {}


def _pending_statement(states: tuple[str, ...]) -> Prepared:
    """The inbox badge's COUNT, compiled once per policy (every page of a leader asks)."""
    found = _PENDING.get(states)
    if found is None:
        pending = or_(*(_A.state == state for state in states)) if states else false()
        found = _PENDING[states] = Prepared(select(func.count()).select_from(Approval).where(
            pending, _A.requested_by != bindparam("viewer")))
    return found


def project_approvals(session: Session, park: Park, project_id: int,
                      lang: str) -> list[dict[str, Any]]:
    """A project's approvals, newest first, each with its route."""
    approvals = session.execute(select(Approval).where(_A.project_id == project_id)
                                .order_by(_A.id.desc())).scalars()
    return with_routes(session, park, [approval_json(session, park, a, lang) for a in approvals])


def with_routes(session: Session, park: Park,
                approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each approval with its route, the way DingTalk shows one: who submitted it and when,
    every step after (who, when, what they said) and, while it waits, with whom it waits."""
    names = names_by_email(session)
    leaders = [(r.email, r.name) for r in session.execute(
        select(_U.email, _U.name).where(_U.role == "leader", _U.deactivated_at.is_(None))
        .order_by(_U.id))]
    for approval in approvals:
        steps = [{"event": h["event"], "state": h["to"], "by": names.get(h["actor"], h["actor"]),
                  "at": h["occurred_at"],
                  "words": h["fields"].get("comment") or h["fields"].get("note")
                  or (approval["reason"] if h["event"] == "submit" else None)}
                 for h in approval_history(session, park, approval["id"])]
        waiting = None
        if approval["state"] in park.approvals.pending_states:
            waiting = {"with": [name for email, name in leaders
                                if email != approval["requested_by"]],
                       "due_at": approval["due_at"], "overdue": approval["overdue"]}
        elif approval["state"] == "returned":
            waiting = {"with": [approval["requested_by_name"]], "due_at": None,
                       "overdue": False}
        approval["route"] = {"steps": steps, "waiting": waiting}
    return approvals


def space_requests(session: Session, park: Park, *, project_id: int | None = None,
                   lang: str) -> list[dict[str, Any]]:
    """Space requests as people read them: the requester by name; after an offer the listing
    (carrier, building, unit, area), who offered it, when and the note; once a leader decided,
    the decision in place of why it needed one."""
    rows = list_requests(session, park, project_id=project_id, lang=lang)
    names = names_by_email(session)
    ids = [row["id"] for row in rows]
    offers = {r.id: r for r in session.execute(
        select(_R.id, _R.offer_note,
               _R.offered_at, _U.name.label("offered_by"))
        .outerjoin(User, _U.id == _R.offered_by)
        .where(_R.id.in_(ids)))} if ids else {}
    listings = {row.id: row for row in session.execute(select(SpaceListing).where(
        _L.id.in_([r["listing_id"] for r in rows if r["listing_id"]])))
        .scalars()}
    decided = {a.id: a for a in session.execute(select(Approval).where(
        _A.id.in_([r["approval_id"] for r in rows if r["approval_id"]]))).scalars()}
    for row in rows:
        row["requested_by_name"] = names.get(row["requested_by"], row["requested_by"])
        listing = listings.get(row["listing_id"]) if row["listing_id"] else None
        row["listing"] = None if listing is None else {
            "id": listing.id, "name": listing_name(listing.carrier, listing.building,
                                                   listing.unit),
            "carrier": listing.carrier, "building": listing.building, "unit": listing.unit,
            "area": listing.area_m2}
        offer = offers.get(row["id"])
        row["offer"] = None if offer is None or listing is None else {
            "note": offer.offer_note, "by": offer.offered_by,
            "at": offer.offered_at.astimezone(park.tz).isoformat() if offer.offered_at
            else None}
        approval = decided.get(row["approval_id"]) if row["approval_id"] else None
        row["decision"] = None
        if approval is not None and approval.decided_by is not None:
            row["decision"] = {"state": approval.state, "comment": approval.comment,
                               "by": _name_of(session, approval.decided_by),
                               "at": approval.decided_at.astimezone(park.tz).isoformat()
                               if approval.decided_at else None}
    return rows


def listing_name(carrier: str, building: str, unit: str) -> str:
    """How people name a listing: carrier, building, unit (never its number)."""
    return " ".join(part for part in (carrier, building, unit) if part)


def _name_of(session: Session, user_id: int) -> str:
    return str(session.execute(select(_U.name).where(_U.id == user_id)).scalar_one())


def latest_evaluation(history: list[dict[str, Any]], scores: tuple[str, ...]) -> \
        dict[str, Any] | None:
    """The fields of the last event that carried the four scores (the visit)."""
    for entry in reversed(history):
        if all(name in entry["fields"] for name in scores):
            return entry
    return None


@dataclass(frozen=True)
class RenderedBoard:
    total: int
    overdue: int
    html: str


class BoardCache:
    """The rendered columns of recent boards, valid while nothing changed.

    Keyed on the filters, the language, the last history row (every change to a project
    writes one) and the current minute (deadline colours turn with the clock): twenty people
    looking at the same board cost one query and one render. That holds when the key turns
    too: the first request to miss renders, the others asking for the same key meanwhile
    wait for its result instead of each rendering the same board (after every change, and
    every minute, a burst of them would otherwise all render at once).
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: dict[tuple[Any, ...], RenderedBoard] = {}
        self._lock = threading.Lock()
        self._rendering: dict[tuple[Any, ...], threading.Lock] = {}  # key -> its renderer

    def get(self, key: tuple[Any, ...]) -> RenderedBoard | None:
        return self._entries.get(key)

    def put(self, key: tuple[Any, ...], board: RenderedBoard) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = board

    def get_or_render(self, key: tuple[Any, ...],
                      render: Callable[[], RenderedBoard]) -> RenderedBoard:
        """The board of `key`, rendered by `render` once however many ask at the same time
        (a render that fails leaves the next in line to try again)."""
        board = self._entries.get(key)
        if board is not None:
            return board
        with self._lock:
            turn = self._rendering.setdefault(key, threading.Lock())
        with turn:
            board = self._entries.get(key)
            if board is None:
                try:
                    board = render()
                    self.put(key, board)
                finally:
                    with self._lock:
                        self._rendering.pop(key, None)
        return board


_LAST_EVENT = Prepared(select(func.max(_E.id)))


def board_stamp(session: Session, park: Park) -> tuple[int, str]:
    """What the board depends on: the newest history row and the minute."""
    row = _LAST_EVENT.first(session, {})
    return int(row[0] or 0) if row else 0, park.now().strftime("%Y%m%d%H%M")


def _approval_named(session: Session, park: Park, approval: Approval,
                    lang: str) -> dict[str, str]:
    """An approval as a person calls it: its kind and its project's name, not its id."""
    project = session.get(Project, approval.project_id)
    return {"kind": Labels.of(park, lang).approval_kind(approval.kind),
            "name": project.name if project else ""}


def request_sent(session: Session, park: Park, approval: Approval, lang: str) -> str:
    """What the person who filed an extension or a suspension is told."""
    return gettext(lang, "%(kind)s for “%(name)s” sent to the leaders.",
                   **_approval_named(session, park, approval, lang))


def approval_now(session: Session, park: Park, approval: Approval, lang: str) -> str:
    """What the person who decided, answered or withdrew a request is told: where it stands."""
    return gettext(lang, "%(kind)s for “%(name)s”: %(state)s.",
                   state=Labels.of(park, lang).approval_state(approval.state),
                   **_approval_named(session, park, approval, lang))
