"""The tables. Rows are plain storage: the engine works on snapshots, never on live rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, text
from sqlalchemy.orm import class_mapper
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from db.types import UTCDateTime, json_type

_Row = TypeVar("_Row", bound=SQLModel)


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


# where a partial index keeps its condition for PostgreSQL until `with_postgresql_options`
_POSTGRESQL_WHERE = "parkflow_postgresql_where"


def _partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of the rows where `where` holds, on SQLite and PostgreSQL alike.

    SQLite's condition is given here; PostgreSQL's is kept in `info` and given by
    `with_postgresql_options` where DDL is compared or written (the migration environment):
    a `postgresql_where=` keyword here would import SQLAlchemy's PostgreSQL dialect, all its
    drivers with it, to validate the keyword at every start of a command on SQLite.
    """
    return Index(name, *columns, sqlite_where=text(where), info={_POSTGRESQL_WHERE: where})


def with_postgresql_options(metadata: MetaData) -> None:
    """Give the partial indexes of `metadata` their PostgreSQL condition (idempotent)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.info.get(_POSTGRESQL_WHERE)
            if where is not None and index.dialect_options["postgresql"]["where"] is None:
                index.dialect_options["postgresql"]["where"] = text(where)


class _Table(SQLModel):
    """The base of the tables. Their pydantic validators and serialisers are built when one is
    first used, not at import: every command imports the tables, most never validate a row
    (SQLModel does not validate table rows on construction), and building them all was a
    quarter of this module's import."""

    model_config = SQLModelConfig(from_attributes=True, defer_build=True)  # SQLModel's own + ours


class User(_Table, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=16)  # member | leader | admin
    group: str | None = Field(default=None, max_length=32)
    is_group_lead: bool = False
    lang: str = Field(default="zh-CN", max_length=8)
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    # deactivated by an admin: no sign-in, no token, no new mail; the history keeps the person
    deactivated_at: datetime | None = _utc(default=None, nullable=True)

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


# A state's projects, most urgent first: the ORDER BY of workflow.views._URGENT (nearest
# deadline first, none last, then the most stars, then id) under `state`, so each board column
# reads its first cards straight from the index instead of sorting the whole state. It also
# serves what (state, due_at) served: a state's rows, and the board's counts (covering).
URGENT_INDEX = ("state", text("(due_at IS NULL)"), "due_at", text("stars DESC"), "id")
# Deadlines in order with what a project's summary line shows (workflow.views.summaries) and
# its owner: the overdue list, the overdue digest and the overdue counts read the index alone
# instead of fetching each project's row from wherever it lies in the table.
DUE_SUMMARY_INDEX = ("due_at", "id", "name", "category", "state", "group", "stars", "owner_id")


class Project(_Table, table=True):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_state_urgent", *URGENT_INDEX),
                      Index("ix_projects_due_summary", *DUE_SUMMARY_INDEX))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=32)
    state: str = Field(max_length=32)
    owner_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id"), nullable=False,
                                           index=True))
    group: str | None = Field(default=None, max_length=32)
    stars: int = 0
    # business dates stamped by events, e.g. {"intake": "2026-09-30"}
    milestones: dict[str, str] = Field(default_factory=dict, sa_type=json_type())
    # extensions and suspensions of the current stage's deadline
    adjustments: list[dict[str, Any]] = Field(default_factory=list, sa_type=json_type())
    exited_from: str | None = Field(default=None, max_length=32)
    due_at: datetime | None = _utc(default=None, nullable=True)  # ix_projects_due_summary
    stage_entry_id: int | None = None  # history row that entered the current state
    last_event_at: datetime = _utc()
    last_follow_up_at: datetime | None = _utc(default=None, nullable=True)
    suspended_at: datetime | None = _utc(default=None, nullable=True)  # clock paused since
    version: int = 1
    created_at: datetime = _utc()
    # search keys (workflow.search): the name's pinyin initials ("lzjm"); the name, company
    # name and credit code normalised and joined by a space
    name_initials: str = Field(default="", max_length=200)
    search_text: str = ""
    # the credit code of its latest registration (workflow.duplicates: one project per code)
    uscc: str | None = Field(default=None, max_length=18, index=True)
    # the project's own record, by the definition's `project_fields` (contact, industry, …)
    record: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


class ProjectEvent(_Table, table=True):
    """Append-only history: one row per event, never updated or deleted.

    No index on occurred_at (issue 11, measured): the month's reads would use one, but the
    monthly report did not get faster (its replay dominates) and the first screen, computed
    afresh, only about 10%, while every event would write about 1.15 pages more (of 9-20).
    """

    __tablename__ = "project_events"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("projects.id"), nullable=False,
                                             index=True))
    event: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str = Field(max_length=32)
    actor_id: int = Field(foreign_key="users.id")
    occurred_at: datetime = _utc()
    recorded_at: datetime = _utc()
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


class CalendarDay(_Table, table=True):
    """A day that departs from the weekend rule: a holiday, or a weekend working day (调休)."""

    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    is_workday: bool
    name: str = Field(max_length=64)


class CalendarYear(_Table, table=True):
    """A year whose holiday arrangement is loaded; deadlines elsewhere carry a warning."""

    __tablename__ = "calendar_years"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(max_length=200)
    loaded_at: datetime = _utc()


# A project's reminder ladder and its follow-up inquiries, the outbox rows every event writes:
# the name that begins each one's series ("stage:…", "inquiry:…", notifications.planning) and
# the kinds of its rows. Those rows are found by project, never by series, so the series index
# leaves them out: OUTBOX_OFF_LADDER is that partial index's condition, and that of every query
# that uses it (the same text, so SQLite and PostgreSQL see that the index serves it).
OUTBOX_LADDERS: dict[str, tuple[str, ...]] = {"stage": ("reminder", "warning"),
                                              "inquiry": ("inquiry",)}
OUTBOX_LADDER_KINDS = tuple(kind for kinds in OUTBOX_LADDERS.values() for kind in kinds)
OUTBOX_OFF_LADDER = "kind NOT IN ({})".format(", ".join(f"'{k}'" for k in OUTBOX_LADDER_KINDS))


class OutboxMessage(_Table, table=True):
    """One message to one recipient, written in the same transaction as what caused it.

    `dedupe_key` makes every (project, stage entry, kind, offset, recipient) exist once;
    delivery claims pending rows with a lease (`locked_by`, `locked_until`) and marks them
    sent right after the server's 250. Rows of one `series` (a stage's reminder ladder)
    overtake each other: after downtime only the latest due rung is sent.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # the sweep's only hot query: pending rows that are due; stays small as sent rows grow
        _partial_index("ix_outbox_pending_due", "next_attempt_at", where="status = 'pending'"),
        # the series looked up by name (periodic mails, approvals, requests for figures): not
        # those of a project's reminder ladder and inquiries, which every event writes and
        # which are found by project (notifications.outbox.series_exists)
        _partial_index("ix_outbox_series_off_ladder", "series", where=OUTBOX_OFF_LADDER),
        # a person's in-app messages and the bell's unread count (notifications.inbox)
        Index("ix_outbox_recipient_read", "recipient", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=512, unique=True)  # series, kind, offset, recipient
    kind: str = Field(max_length=32)  # no index: rows are found by project, series or due
    project_id: int | None = Field(default=None, foreign_key="projects.id", index=True)
    series: str | None = Field(default=None, max_length=120)
    channel: str = Field(default="email", max_length=16)
    recipient: str = Field(max_length=254)
    send_at: datetime = _utc()
    next_attempt_at: datetime = _utc()
    retry_until: datetime = _utc()
    status: str = Field(default="pending", max_length=16)
    # why the row exists or ended so: a code of notifications.reasons and its parameters,
    # rendered in the reader's language when read (no sentence is stored)
    reason_code: str = Field(default="", max_length=32)
    reason_params: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    attempts: int = 0
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = _utc(default=None, nullable=True)
    sent_at: datetime | None = _utc(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=1000)
    message_id: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    created_at: datetime = _utc()
    read_at: datetime | None = _utc(default=None, nullable=True)  # read in the app


class Approval(_Table, table=True):
    """A request a leader decides: large space, a deadline extension or a suspension."""

    __tablename__ = "approvals"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)  # space | extension | suspension
    project_id: int = Field(foreign_key="projects.id", index=True)
    subject_id: int  # the space request for `space`; the project otherwise
    state: str = Field(max_length=16, index=True)
    requested_by: int = Field(foreign_key="users.id")
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    comment: str | None = Field(default=None, max_length=2000)
    reason: str = Field(default="", max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    stage_entry_id: int | None = None  # extensions: one pending per stage
    due_at: datetime = _utc()  # the decision is due by then (3 working days)
    decided_at: datetime | None = _utc(default=None, nullable=True)
    version: int = 1
    created_at: datetime = _utc()


class ApprovalEvent(_Table, table=True):
    """Append-only history of an approval."""

    __tablename__ = "approval_events"

    id: int | None = Field(default=None, primary_key=True)
    approval_id: int = Field(foreign_key="approvals.id", index=True)
    event: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    actor_id: int = Field(foreign_key="users.id")
    occurred_at: datetime = _utc()
    recorded_at: datetime = _utc()
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


class SpaceListing(_Table, table=True):
    """A unit of the space inventory (全区一张图)."""

    __tablename__ = "space_listings"

    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(max_length=100)
    building: str = Field(max_length=50)
    unit: str = Field(max_length=50)
    area_m2: float
    type: str = Field(max_length=16, index=True)  # office | lab | plant
    status: str = Field(default="available", max_length=16, index=True)
    reserved_for: int | None = Field(default=None, foreign_key="space_requests.id")
    version: int = 1
    created_at: datetime = _utc()


class SpaceRequest(_Table, table=True):
    __tablename__ = "space_requests"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    type: str = Field(max_length=16)
    area_m2: float
    needed_by: date
    carrier: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2000)
    requested_by: int = Field(foreign_key="users.id")
    needs_approval: bool
    # open (no approval needed) | pending | approved | rejected | withdrawn | offered;
    # the offered listing is the one whose reserved_for points here
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _utc()
    # the offer: who reserved the listing (the listing's reserved_for points here), when, why
    offered_by: int | None = Field(default=None, foreign_key="users.id")
    offered_at: datetime | None = _utc(default=None, nullable=True)
    offer_note: str | None = Field(default=None, max_length=2000)


class ApiToken(_Table, table=True):
    """A personal REST API token; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(default=None, nullable=True)
    revoked_at: datetime | None = _utc(default=None, nullable=True)


def columns(model: type[SQLModel]) -> Any:
    """The Core columns of a table model (typed loosely: SQLModel's attribute types fight Core)."""
    return model.__table__.c  # type: ignore[attr-defined]


def loaded(model: type[_Row], values: Mapping[str, Any]) -> _Row:
    """A row of `model` made from values read from the database, as the ORM makes a row it
    loads: the class's `__new__` and the values put in place, without `model(**values)`'s
    attribute events (a tenth of its cost: the API builds its caller's row on every request).
    The row belongs to no session."""
    # class_mapper: the mappers configured first, as a query or `model()` would
    row: _Row = class_mapper(model).class_manager.new_instance()
    row.__dict__.update(values)
    return row


class AppSecret(_Table, table=True):
    """A secret the server draws once and keeps (the session cookie's key when
    PARKFLOW_SECRET_KEY is unset): every worker and every restart reads the same one."""

    __tablename__ = "app_secrets"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255, repr=False)
    created_at: datetime = _utc()
