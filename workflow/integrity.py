"""`parkflow check`, the engine's part: the project rows against their history (the truth).

Every finding is a `Problem`: a kind, the project, and parameters that are ids and values —
no sentence (it is rendered for the reader by `problem_text`). Each check is one set-based
query, or one pass over one query's rows, so a park of 10k+ projects is checked in seconds:

    state_mismatch      the stored state is not where the history ends
    version_mismatch    the stored version is not the number of history entries
    no_history          a project without any history entry
    broken_chain        an entry does not start where the previous one ended
    impossible_step     an entry's move is not allowed by the lifecycle definition
    milestone_mismatch  a stored milestone (the day a stage began) differs from the day of
                        the history entry that stamps it
    deadline_mismatch   the stored deadline differs from the one its milestones and the
                        calendar give (workflow.projects.stored_due_at)
    stars_mismatch      the stored stars differ from the star rule applied to the scores of
                        the latest history entry that has them all (0 before any)
    approval_on_finished  an approval still pending on a project in a final state

The outbox's part (reminders of a stage left) is in notifications.integrity.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Approval, Project, ProjectEvent, User, columns
from i18n import N_, gettext
from i18n.formats import format_day, format_until
from states.definition import PREVIOUS, Lifecycle, initial_milestone
from workflow.deadlines import local_date
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import Snapshot, stored_due_at

_P, _E, _A, _U = columns(Project), columns(ProjectEvent), columns(Approval), columns(User)


@dataclass(frozen=True)
class Problem:
    """One inconsistency: its kind, the project (id and name) and ids/values about it."""

    kind: str
    project_id: int
    project_name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self, labels: Labels) -> dict[str, Any]:
        return {"kind": self.kind, "project": self.project_id,
                "message": problem_text(self, labels),
                "details": {k: _plain(v) for k, v in self.params.items()}}


MESSAGES: dict[str, str] = {
    "state_mismatch": N_("its state is “%(state)s” but its history ends in “%(history_state)s”"),
    "version_mismatch": N_("its version is %(version)s but the number of its history entries "
                           "is %(entries)s"),
    "no_history": N_("it has no history at all"),
    "unknown_owner": N_("its owner (user %(owner)s) does not exist"),
    "broken_chain": N_("history entry %(entry)s (“%(event)s”) starts from “%(from_state)s” "
                       "but the entry before it ended in “%(previous)s”"),
    "impossible_step": N_("history entry %(entry)s (“%(event)s”) moves from “%(from_state)s” "
                          "to “%(to_state)s”, which the lifecycle does not allow"),
    "milestone_mismatch": N_("its milestone “%(milestone)s” is %(day)s but its history gives "
                             "%(history_day)s"),
    "deadline_mismatch": N_("its stored deadline is %(due_at)s but its milestones and the "
                            "calendar give %(recomputed)s"),
    "stars_mismatch": N_("it has %(stars)s stars but the scores of its history give "
                         "%(history_stars)s"),
    "approval_on_finished": N_("approval %(approval)s (%(approval_kind)s) is still pending "
                               "although the project is “%(state)s”"),
    "stale_outbox": N_("outbox message %(message)s (%(outbox_kind)s to %(recipient)s) waits "
                       "to be sent for a stage the project has left"),
    "outbox_on_finished": N_("outbox message %(message)s (%(outbox_kind)s to %(recipient)s) "
                             "waits to be sent although the project is “%(state)s”"),
}
_STATES = ("state", "history_state", "from_state", "to_state", "previous")


def problem_text(problem: Problem, labels: Labels) -> str:
    """The sentence of a problem in the language of `labels`, ids shown by their labels."""
    shown: dict[str, Any] = {}
    for name, value in problem.params.items():
        if name in _STATES:
            shown[name] = labels.state(value)
        elif name == "event":
            shown[name] = labels.event(value)
        elif name == "milestone":
            shown[name] = labels.milestone(value)
        elif name in ("day", "history_day"):
            shown[name] = (format_day(date.fromisoformat(value), labels.lang) if value
                           else labels.status(None))
        elif name == "approval_kind":
            shown[name] = labels.approval_kind(value)
        elif name == "outbox_kind":
            shown[name] = labels.outbox_kind(value)
        elif isinstance(value, datetime):
            shown[name] = format_until(value, labels.lang)
        elif value is None:
            shown[name] = labels.status(None)  # "no deadline", the only value that may be None
        else:
            shown[name] = value
    return gettext(labels.lang, MESSAGES[problem.kind], **shown)




def check_projects(session: Session, park: Park) -> list[Problem]:
    """Every inconsistency between the projects, their history and their approvals."""
    names = {pid: name for pid, name in session.connection().execute(select(_P.id, _P.name))}
    found = [*_replay_mismatches(session, names), *_owners_gone(session, names),
             *_chain_breaks(session, names),
             *_impossible_steps(session, park.lifecycle, names),
             *_milestone_mismatches(session, park),
             *_deadline_mismatches(session, park),
             *_stars_mismatches(session, park),
             *_approvals_on_finished(session, park, names)]
    return sorted(found, key=lambda p: (p.project_id, p.kind))


def _replay_mismatches(session: Session, names: Mapping[int, str]) -> Iterator[Problem]:
    """The state and version the history replays to: where it ends, how many entries."""
    tally = (select(_E.project_id, func.count().label("entries"),
                    func.max(_E.id).label("last_id"))
             .group_by(_E.project_id).subquery())
    last = ProjectEvent.__table__.alias("last")  # type: ignore[attr-defined]
    query = (select(_P.id, _P.state, _P.version, tally.c.entries, last.c.to_state)
             .outerjoin(tally, tally.c.project_id == _P.id)
             .outerjoin(last, last.c.id == tally.c.last_id)
             .where((tally.c.entries.is_(None)) | (_P.version != tally.c.entries)
                    | (_P.state != last.c.to_state)))
    for row in session.connection().execute(query):
        if row.entries is None:
            yield Problem("no_history", row.id, names[row.id])
            continue
        if row.state != row.to_state:
            yield Problem("state_mismatch", row.id, names[row.id],
                          {"state": row.state, "history_state": row.to_state})
        if row.version != row.entries:
            yield Problem("version_mismatch", row.id, names[row.id],
                          {"version": row.version, "entries": row.entries})


def _owners_gone(session: Session, names: Mapping[int, str]) -> Iterator[Problem]:
    """Projects whose owner is no user: every page and list joins the owner, so such a project
    vanished from them all (`project show` said it did not exist)."""
    query = (select(_P.id, _P.owner_id).outerjoin(User, _U.id == _P.owner_id)
             .where(_U.id.is_(None)).order_by(_P.id))
    for row in session.connection().execute(query):
        yield Problem("unknown_owner", row.id, names[row.id], {"owner": row.owner_id})


def _chain_breaks(session: Session, names: Mapping[int, str]) -> Iterator[Problem]:
    """Entries that do not start where the one before them ended (the first from nothing)."""
    ordered = select(
        _E.id, _E.project_id, _E.event, _E.from_state,
        func.lag(_E.to_state).over(partition_by=_E.project_id, order_by=_E.id)
        .label("previous"),
        func.row_number().over(partition_by=_E.project_id, order_by=_E.id).label("n"),
    ).subquery()
    query = select(ordered).where(
        ((ordered.c.n == 1) & ordered.c.from_state.is_not(None))
        | ((ordered.c.n > 1) & ordered.c.from_state.is_distinct_from(ordered.c.previous)))
    for row in session.connection().execute(query.order_by(ordered.c.id)):
        yield Problem("broken_chain", row.project_id, names[row.project_id],
                      {"entry": row.id, "event": row.event, "from_state": row.from_state,
                       "previous": row.previous})


def _impossible_steps(session: Session, lifecycle: Lifecycle,
                      names: Mapping[int, str]) -> Iterator[Problem]:
    """Entries whose move the definition does not allow: checked once per distinct move."""
    moves = session.connection().execute(
        select(_E.event, _E.from_state, _E.to_state).distinct()).all()
    bad = [m for m in moves if not allowed_step(lifecycle, m.event, m.from_state, m.to_state)]
    for event, from_state, to_state in bad:
        rows = session.connection().execute(
            select(_E.id, _E.project_id).where(
                _E.event == event, _E.from_state.is_not_distinct_from(from_state),
                _E.to_state == to_state).order_by(_E.id))
        for row in rows:
            yield Problem("impossible_step", row.project_id, names[row.project_id],
                          {"entry": row.id, "event": event, "from_state": from_state,
                           "to_state": to_state})


def allowed_step(lifecycle: Lifecycle, event: str, from_state: str | None,
                 to_state: str) -> bool:
    """May a history entry move from `from_state` to `to_state` by `event`?

    The intake enters the initial state from nothing; a lifecycle event follows its
    definition; every other entry (a follow-up, an edit, an extension…) stays in its state.
    """
    if from_state is None:
        return to_state == lifecycle.initial
    spec = lifecycle.events.get(event)
    if spec is None:
        return from_state == to_state
    if from_state not in spec.sources:
        return False
    if spec.dest == PREVIOUS:
        return to_state in lifecycle.active_states
    return to_state == spec.dest


def _milestone_mismatches(session: Session, park: Park) -> Iterator[Problem]:
    """Stored milestones against the days of the entries that stamp them (the latest wins;
    the first entry stamps the intake)."""
    lifecycle = park.lifecycle
    stamps = {name: spec.stamps for name, spec in lifecycle.events.items() if spec.stamps}
    entry = initial_milestone(lifecycle.milestones) or "intake"
    replayed: dict[int, dict[str, str]] = {}
    rows = session.connection().execute(
        select(_E.project_id, _E.event, _E.occurred_at)
        .where(_E.event.in_(stamps) | _E.from_state.is_(None)).order_by(_E.id))
    for row in rows:
        day = local_date(row.occurred_at, park.tz).isoformat()
        milestones = replayed.setdefault(row.project_id, {})
        milestones[stamps.get(row.event, entry)] = day
    for row in session.connection().execute(select(_P.id, _P.name, _P.milestones)):
        stored, history = dict(row.milestones or {}), replayed.get(row.id, {})
        for name in sorted(set(stored) | set(history)):
            if stored.get(name) != history.get(name):
                yield Problem("milestone_mismatch", row.id, row.name,
                              {"milestone": name, "day": stored.get(name),
                               "history_day": history.get(name)})


# the columns of a Snapshot, to read many projects in one query
SNAPSHOT = select(*(_P[f.name] for f in fields(Snapshot)))


def _deadline_mismatches(session: Session, park: Park) -> Iterator[Problem]:
    """Stored deadlines against the ones recomputed from the milestones and the calendar."""
    recomputed: dict[tuple[Any, ...], datetime | None] = {}  # many projects share a start
    for row in session.connection().execute(SNAPSHOT):
        snapshot = Snapshot.from_row(row)
        key = (snapshot.state, tuple(sorted(snapshot.milestones.items())),
               repr(snapshot.adjustments), snapshot.suspended_at is None)
        if key not in recomputed:
            recomputed[key] = stored_due_at(park, session, snapshot)
        due = recomputed[key]
        if due != snapshot.due_at:
            yield Problem("deadline_mismatch", snapshot.id, snapshot.name,
                          {"due_at": _local(snapshot.due_at, park),
                           "recomputed": _local(due, park)})


def _stars_mismatches(session: Session, park: Park) -> Iterator[Problem]:
    """Stored stars against the rule replayed over the history: as the engine sets them, from
    the latest entry whose fields hold every score (a visit)."""
    rule = park.lifecycle.stars
    if not rule.scores:
        return
    scoring = [name for name, spec in park.lifecycle.events.items()
               if all(score in spec.fields for score in rule.scores)]
    replayed: dict[int, int] = {}
    rows = session.connection().execute(
        select(_E.project_id, _E.fields).where(_E.event.in_(scoring)).order_by(_E.id))
    for row in rows:
        fields = row.fields or {}
        if all(score in fields for score in rule.scores):
            replayed[row.project_id] = rule.stars_for(fields)
    for row in session.connection().execute(select(_P.id, _P.name, _P.stars)):
        history_stars = replayed.get(row.id, 0)
        if row.stars != history_stars:
            yield Problem("stars_mismatch", row.id, row.name,
                          {"stars": row.stars, "history_stars": history_stars})


def _approvals_on_finished(session: Session, park: Park,
                           names: Mapping[int, str]) -> Iterator[Problem]:
    final = final_states(park.lifecycle)
    query = (select(_A.id, _A.kind, _A.project_id, _P.state)
             .join(Project, _P.id == _A.project_id)
             .where(_A.state.in_(park.approvals.pending_states), _P.state.in_(final))
             .order_by(_A.id))
    for row in session.connection().execute(query):
        yield Problem("approval_on_finished", row.project_id, names[row.project_id],
                      {"approval": row.id, "approval_kind": row.kind, "state": row.state})


def _local(moment: datetime | None, park: Park) -> datetime | None:
    return moment.astimezone(park.tz) if moment is not None else None


def final_states(lifecycle: Lifecycle) -> list[str]:
    return [name for name, state in lifecycle.states.items() if state.final]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
