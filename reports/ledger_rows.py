"""Checking a ledger's rows before anything is written: every problem, each in its cell.

`header_map` reads the header row (Chinese or English, as `reports.ledger` writes it, or the
keys of CLI.md); `Checker.check` turns a row into a `RowPlan` (the project and its events,
with values as the events take them) and lists every problem of the row: a bad or missing
value, an unknown category, owner or reason, a date that is in the future or before the
previous one, a step the lifecycle does not allow, a project already in the library, a
stage's deadline changes it cannot read or for a stage the row never reaches, a suspension
of a project that left the library. The computed columns, where the file has them, are
checked against what the row gives: the current state, the stars and (when the file carries
what it depends on: the suspension and the deadline changes) the due date. The id (the
exporting park's own) and the days overdue (they depend on the day the ledger stood at) are
not read.
Reasons come from the engine's catalogue (`workflow.error_text`), fields named by label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.models import Project, ProjectEvent, User
from db.models import columns as table_columns
from i18n import LANGS, ngettext
from reports.ledger import (
    CHANGE_TEXT,
    CHANGES_SUFFIX,
    RECORD,
    Change,
    Column,
    changes_text,
    columns,
    header_key,
    ledger_events,
)
from reports.timeline import Replay
from states.definition import PREVIOUS, EventDef, initial_milestone, pick
from workflow.deadlines import due_day
from workflow.errors import ValidationError, WorkflowError
from workflow.fields import check_choice, validate_field, validate_record
from workflow.labels import Labels
from workflow.moments import MAX_YEAR, MIN_YEAR, parse_day_or_moment
from workflow.park import Park

_P, _E, _U = table_columns(Project), table_columns(ProjectEvent), table_columns(User)
REQUIRED = ("name", "category", "owner", "intake_date")
OWNER_ROLES = ("member", "leader")
NAME_LIMIT = 200
# 2026-09-30, 2026/9/30, 2026.9.30, 2026年9月30日: how dates are typed in a ledger
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
Refuse = Callable[[str, WorkflowError], None]  # a problem in the column of that key
Events = list[tuple[str, date, dict[str, Any]]]  # (event, day, fields) in firing order
_NUMBER = re.compile(r"\d+")


class ColumnLabels(Labels):
    """The park's labels, with the ledger's columns named by their headers."""

    def __init__(self, base: Labels, cols: Sequence[Column]) -> None:
        super().__init__(base.lifecycle, base.approvals, base.lang)
        self.columns = list(cols)
        self.headers = {c.key: c.header(base) for c in cols}

    def field(self, name: str, event: str | None = None) -> str:
        return self.headers.get(name) or super().field(name, event)


@dataclass(frozen=True)
class Problem:
    """One problem of the ledger: its row (the header is row 1), column (as written) and
    reason (in the reader's language)."""

    row: int
    column: str
    reason: str
    code: str = ""  # the error's code: a duplicate project is a conflict, not bad input

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class HeaderMap:
    """Which column of the file is which ledger column, and its header as written."""

    index: dict[str, int] = field(default_factory=dict)  # column key → position
    written: dict[str, str] = field(default_factory=dict)  # column key → header as written

    def column_of(self, key: str, labels: ColumnLabels) -> str:
        return self.written.get(key) or labels.headers.get(key, key)


def by_row(problem: Problem) -> int:
    """Problems in the order of the rows (within a row, the order they were found)."""
    return problem.row


def header_map(header: Sequence[Any], labels: ColumnLabels) -> tuple[HeaderMap, list[Problem]]:
    """The file's columns, and the problems of its header row (row 1)."""
    langs = [Labels(labels.lifecycle, labels.approvals, lang) for lang in LANGS]
    by_name: dict[str, Column] = {}
    for column in labels.columns:
        for name in column.names(langs):
            by_name.setdefault(name, column)
    mapping, problems = HeaderMap(), []
    for position, cell in enumerate(header):
        if cell is None:
            continue
        written = str(cell).strip()
        col = by_name.get(header_key(written))
        if col is None:
            problems.append(_problem(1, written, ValidationError("unknown_column", value=written),
                                     labels))
        elif col.key in mapping.index:
            problems.append(_problem(1, written, ValidationError(
                "duplicate_column", value=written, first=mapping.written[col.key]), labels))
        else:
            mapping.index[col.key], mapping.written[col.key] = position, written
    # the project's columns, the date of every event some of whose fields are there, and
    # the required fields of every event whose date is there
    wanted = list(REQUIRED) + [f"{c.event}_date" for c in labels.columns
                               if c.field is not None and c.key in mapping.index
                               and c.event != RECORD]
    required = {c.key: c.event for c in labels.columns if c.field is not None
                and c.field.required and c.event != RECORD
                and f"{c.event}_date" in mapping.index}
    wanted += [c.key for c in labels.columns if c.field is not None and c.field.required
               and (c.key in required or c.event == RECORD)]
    for key in dict.fromkeys(wanted):
        if key in mapping.index:
            continue
        # a field the definition requires of an event whose date column is there
        error = (ValidationError("missing_event_column", field=key, event=required[key])
                 if key in required else ValidationError("missing_column", field=key))
        problems.append(_problem(1, labels.headers[key], error, labels))
    return mapping, problems


def _mismatch(key: str, written: Any, derived: Any) -> ValidationError:
    """A computed column that disagrees with what the row gives (or should be empty)."""
    if derived is None:
        return ValidationError("derived_blank", field=key, value=str(written))
    return ValidationError("derived_mismatch", field=key, value=str(written), expected=derived)


def _problem(row: int, column: str, error: WorkflowError, labels: Labels) -> Problem:
    return Problem(row, column, error.message(labels.lang, labels), error.code)


# what `allow_duplicate` lets in: a name or credit code the library holds, or an earlier row
IN_LIBRARY, IN_FILE = "duplicate_project", "duplicate_row"
DUPLICATES = (IN_LIBRARY, IN_FILE)
REPEATED = "repeated_row"  # a row repeating an earlier one cell for cell: never let in


@dataclass
class RowPlan:
    """A checked row: the project and its events, values as the use cases take them."""

    row: int
    name: str
    category: str
    owner: User
    intake: date
    events: Events
    written: dict[str, str]  # column key → the header as written
    record: dict[str, Any] = field(default_factory=dict)  # the project's own fields
    changes: dict[str, list[Change]] = field(default_factory=dict)  # stage → its changes
    suspended: date | None = None  # the day the current suspension began

    def problem_of(self, exc: WorkflowError, step: str, labels: ColumnLabels) -> Problem:
        """A refusal of the use cases at `step` (intake or an event), in the column of the
        field it names, else in the step's date column."""
        key = "intake_date" if step == "intake" else f"{step}_date"
        if step == "suspended_since" or step.endswith(CHANGES_SUFFIX):
            key = step
        if exc.field in ("name", "category", "owner"):
            key = exc.field
        if step == "intake" and exc.field and exc.field in labels.lifecycle.project_fields:
            key = exc.field
        for col in labels.columns:
            if col.event == step and col.field is not None and col.field.name == exc.field:
                key = col.key
        return _problem(self.row, self.written.get(key) or labels.headers.get(key, key), exc,
                        labels)


class Checker:
    """Checks rows against the park's rules, the people and the projects already in."""

    def __init__(self, session: Session, park: Park, labels: ColumnLabels,
                 mapping: HeaderMap, *, allow_duplicate: bool = False) -> None:
        self.park, self.labels, self.mapping = park, labels, mapping
        self.allow_duplicate = allow_duplicate
        self.today = park.now().astimezone(park.tz).date()
        self.events = ledger_events(park.lifecycle)
        self.users = list(session.scalars(select(User)))
        self.names, self.codes = _existing(session, park)
        self.seen_names: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}
        self.seen_rows: dict[tuple[str, ...], int] = {}  # a row's cells → its first row
        self.field_columns = {(c.event, c.field.name): c.key for c in columns(park.lifecycle)
                              if c.field is not None}
        self.replay = Replay(park, park.calendar(session))
        self.stages = [c.stage for c in labels.columns if c.stage is not None]
        # the due date is checked only when the file carries all that it depends on
        self.check_due = all(key in mapping.index for key in (
            "due_date", "suspended_since", *(f"{s}{CHANGES_SUFFIX}" for s in self.stages)))

    # ------------------------------------------------------------ one row

    def check(self, row: int, cells: Sequence[Any]) -> tuple[RowPlan | None, list[Problem]]:
        problems: list[Problem] = []
        repeated = self._repeated(row, cells)
        if repeated is not None:  # its problems are the earlier row's: only the repeat is
            return None, [repeated]

        def cell(key: str) -> Any:
            position = self.mapping.index.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        def refuse(key: str, error: WorkflowError) -> None:
            if key not in self.mapping.index:
                return  # a missing column: the header's problem (row 1), not each row's
            problems.append(_problem(row, self.mapping.column_of(key, self.labels), error,
                                     self.labels))

        name = self._name(cell("name"), refuse)
        category = self._category(cell("category"), refuse)
        owner = self._owner(cell("owner"), refuse)
        intake = self._day("intake_date", cell("intake_date"), refuse, required=True)
        record = self._record(cell, refuse)
        events, states = self._events(cell, refuse)
        self._order(intake, events, refuse)
        changes = self._changes(cell, states, refuse)
        suspended = self._suspension(cell, intake, events, states[-1], refuse)
        # the dates and fields are all read: what they give can be checked
        self._derived(cell, refuse, states[-1], events, changes, suspended, intake,
                      complete=not problems)
        self._duplicates(row, name, events, refuse)
        if problems or name is None or category is None or owner is None or intake is None:
            return None, problems
        return RowPlan(row, name, category, owner, intake, events, self.mapping.written,
                       record, changes, suspended), []

    # ------------------------------------------------------------ what the deadline depends on

    def _changes(self, cell: Callable[[str], Any], states: list[str],
                 refuse: Refuse) -> dict[str, list[Change]]:
        """Each stage's deadline changes (延期 15 天、暂停 3 天), for stages the row reaches."""
        result: dict[str, list[Change]] = {}
        for stage in self.stages:
            key = f"{stage}{CHANGES_SUFFIX}"
            value = cell(key)
            if value is None:
                continue
            changes = self._read_changes(value)
            if changes is None:
                refuse(key, ValidationError(
                    "bad_deadline_changes", field=key, value=str(value),
                    example=changes_text([("extension", 15), ("pause", 3)], self.labels)))
            elif stage not in states:
                refuse(key, ValidationError("stage_not_reached", field=key, state=stage))
            else:
                result[stage] = changes
        return result

    @staticmethod
    def _read_changes(value: Any) -> list[Change] | None:
        """The changes of a cell, each in either language, a bare number an extension."""
        changes: list[Change] = []
        for item in _items(value):
            number = _NUMBER.search(item)
            if number is None or int(number[0]) < 1:
                return None
            days, written = int(number[0]), header_key(item)
            kinds = [kind for kind, forms in CHANGE_TEXT.items()
                     if any(written == header_key(ngettext(lang, *forms, n, num=days))
                            for lang in LANGS for n in (1, 2))]
            if written == number[0]:
                kinds = ["extension"]
            if not kinds:
                return None
            changes.append((kinds[0], days))
        return changes

    def _suspension(self, cell: Callable[[str], Any], intake: date | None, events: Events,
                    state: str, refuse: Refuse) -> date | None:
        """The day the clock was paused: not before the last event, never once left."""
        key = "suspended_since"
        day = self._day(key, cell(key), refuse, required=False)
        if day is None:
            return None
        if self.park.lifecycle.states[state].final:
            refuse(key, ValidationError("cannot_suspend_state", field=key, state=state))
            return None
        previous = max([d for d in [intake, *(d for _e, d, _f in events)] if d is not None],
                       default=None)
        if previous is not None and day < previous:
            refuse(key, ValidationError("before_previous", field=key, value=day,
                                        previous=previous))
            return None
        return day

    # ------------------------------------------------------------ the computed columns

    def _derived(self, cell: Callable[[str], Any], refuse: Refuse, state: str, events: Events,
                 changes: Mapping[str, list[Change]], suspended: date | None,
                 intake: date | None, *, complete: bool) -> None:
        """The computed columns given in the file against what the row's dates give."""
        written = cell("state")
        if written is not None and header_key(str(written)) not in self._state_names(state):
            refuse("state", ValidationError("derived_state", field="state",
                                            value=str(written), state=state))
        if not complete:  # a value it could not read would make the rest disagree too
            return
        visits = [fields for event, _day, fields in events if event == "visit"]
        rule = self.park.lifecycle.stars
        stars = None if not visits else (  # as the replay counts them (`reports.timeline`)
            rule.stars_for(visits[-1]) if rule.scores and all(
                name in visits[-1] for name in rule.scores) else 0)
        written = cell("stars")
        if written is not None and str(written) != str(stars):
            refuse("stars", _mismatch("stars", written, stars))
        written = cell("due_date")
        if not (self.check_due and written is not None and intake is not None):
            return
        due = None if suspended else self._due(state, intake, events, changes.get(state, []))
        try:
            given: date | None = parse_day(written, "due_date", self.park)
        except ValidationError:
            given = None
        if given != due:
            refuse("due_date", _mismatch("due_date", written, due))

    def _state_names(self, state: str) -> set[str]:
        label = self.park.lifecycle.states[state].label
        return {header_key(state), *(header_key(pick(label, lang)) for lang in LANGS)}

    def _due(self, state: str, intake: date, events: Events,
             changes: list[Change]) -> date | None:
        """The current stage's due day, as the engine computes it (`deadline_of`)."""
        lifecycle = self.park.lifecycle
        milestones = {initial_milestone(lifecycle.milestones) or "intake": intake}
        for event, day, _fields in events:
            stamps = lifecycle.events[event].stamps
            if stamps:
                milestones[stamps] = day
        due = self.replay.base_deadline(state, milestones)
        rule = lifecycle.states[state].deadline
        if due is None or rule is None:
            return None
        for _kind, days in changes:
            due = due_day(due + timedelta(days=days), self.replay.calendar, rule.roll_forward)
        return due

    def _record(self, cell: Callable[[str], Any], refuse: Refuse) -> dict[str, Any]:
        """The project's own fields of the row, each checked (choices by key or label)."""
        record: dict[str, Any] = {}
        for name, spec in self.park.lifecycle.project_fields.items():
            value = cell(name)  # a choice by its key or label: validate_record takes both
            try:
                record.update(validate_record({name: spec}, {name: value}))
            except ValidationError as exc:
                refuse(name, exc)
        return record

    def _name(self, value: Any, refuse: Refuse) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            refuse("name", ValidationError("required", field="name"))
            return None
        if len(text) > NAME_LIMIT:
            refuse("name", ValidationError("too_long", field="name", limit=NAME_LIMIT,
                                           length=len(text)))
            return None
        return text

    def _category(self, value: Any, refuse: Refuse) -> str | None:
        categories = self.park.lifecycle.categories
        if value is None:
            refuse("category", ValidationError("required", field="category"))
            return None
        try:
            return check_choice(str(value), categories, "category")
        except ValidationError as exc:
            refuse("category", exc)
            return None

    def _owner(self, value: Any, refuse: Refuse) -> User | None:
        if value is None:
            refuse("owner", ValidationError("required", field="owner"))
            return None
        text = str(value).strip()
        found = [u for u in self.users if u.email == text.lower()] or \
                [u for u in self.users if u.name == text]
        if not found:
            refuse("owner", ValidationError("unknown_user_field", field="owner", value=text))
        elif len(found) > 1:
            refuse("owner", ValidationError("ambiguous_user", field="owner", value=text,
                                            emails=", ".join(u.email for u in found)))
        elif found[0].role not in OWNER_ROLES:
            refuse("owner", ValidationError("wrong_role", field="owner", value=found[0].email,
                                            roles=OWNER_ROLES))
        else:
            return found[0]
        return None

    def _day(self, key: str, value: Any, refuse: Refuse, *, required: bool) -> date | None:
        if value is None:
            if required:
                refuse(key, ValidationError("required", field=key))
            return None
        try:
            day = parse_day(value, key, self.park)
        except ValidationError as exc:
            refuse(key, exc)
            return None
        if day > self.today:
            refuse(key, ValidationError("in_future", field=key, value=day))
            return None
        return day

    def _events(self, cell: Callable[[str], Any], refuse: Refuse) -> tuple[Events, list[str]]:
        """The events whose date is filled in, in the definition's order, each checked; and
        the states the row goes through (the one it ends in last)."""
        events = []
        state, exited_from = self.park.lifecycle.initial, None
        states = [state]
        for spec in self.events:
            key = f"{spec.name}_date"
            given = {name: cell(self.field_columns[(spec.name, name)]) for name in spec.fields}
            if cell(key) is None:
                if any(v is not None for v in given.values()):  # fields without their date
                    refuse(key, ValidationError("required", field=key))
                continue
            day = self._day(key, cell(key), refuse, required=True)
            fields = self._fields(spec, given, refuse)
            if not self.park.machine.can_fire(state, spec.name, exited_from=exited_from):
                refuse(key, ValidationError("invalid_transition", field=key, event=spec.name,
                                            state=state))
            if spec.dest != PREVIOUS:  # go on as if it had happened: one problem, not a cascade
                exited_from = state if self.park.lifecycle.states[spec.dest].final else None
                state = spec.dest
                states.append(state)
            if day is not None and fields is not None:
                events.append((spec.name, day, fields))
        return events, states

    def _fields(self, spec: EventDef, given: Mapping[str, Any],
                refuse: Refuse) -> dict[str, Any] | None:
        fields: dict[str, Any] = {}
        ok = True
        for name, field_def in spec.fields.items():
            value = given[name]  # a choice by its key or label: validate_field takes both
            if isinstance(value, date):
                value = value.isoformat()
            try:
                clean = validate_field(spec, field_def, value)
            except ValidationError as exc:
                refuse(self.field_columns[(spec.name, name)], exc)
                ok = False
                continue
            if clean is not None:
                fields[name] = clean
        return fields if ok else None

    def _order(self, intake: date | None, events: Events,
               refuse: Refuse) -> None:
        """Events come in the definition's order, each on or after the one before."""
        previous = intake
        for event, day, _fields in events:
            if previous is not None and day < previous:
                refuse(f"{event}_date", ValidationError("before_previous", field=f"{event}_date",
                                                        value=day, previous=previous))
            previous = max(previous, day) if previous else day

    def _repeated(self, row: int, cells: Sequence[Any]) -> Problem | None:
        """A row that repeats an earlier one cell for cell: one project entered twice, never
        two projects (an export's rows differ at least by their ids), so `allow_duplicate`
        does not let it in."""
        values = [str(c).strip() if c is not None else "" for c in cells]
        while values and not values[-1]:
            values.pop()
        first = self.seen_rows.setdefault(tuple(values), row)
        if first == row or "name" not in self.mapping.index:
            return None
        return _problem(row, self.mapping.column_of("name", self.labels),
                        ValidationError(REPEATED, field="name", row=first), self.labels)

    def _duplicates(self, row: int, name: str | None,
                    events: Events, refuse: Refuse) -> None:
        """A project already in the library, or on an earlier row, by name or credit code
        (unless a duplicate is allowed)."""
        if self.allow_duplicate:
            return
        if name is not None:
            self._duplicate(row, "name", name, name.casefold(), self.names, self.seen_names,
                            refuse)
        for event, _day, fields in events:
            spec = self.park.lifecycle.events[event]
            for fname, value in fields.items():
                if spec.fields[fname].type == "uscc":
                    self._duplicate(row, self.field_columns[(event, fname)], value, value,
                                    self.codes, self.seen_codes, refuse)

    def _duplicate(self, row: int, key: str, value: str, norm: str,
                   existing: Mapping[str, tuple[int, str]], seen: dict[str, int],
                   refuse: Refuse) -> None:
        if norm in existing:
            project_id, project_name = existing[norm]
            refuse(key, ValidationError("duplicate_project", field=key, value=value,
                                        project=project_id, name=project_name))
        elif norm in seen:
            refuse(key, ValidationError("duplicate_row", field=key, value=value,
                                        row=seen[norm]))
        else:
            seen[norm] = row


def parse_day(value: Any, key: str, park: Park) -> date:
    """A day as a ledger writes it: a date cell, or text (2026-09-30, 2026/9/30, 2026年9月30日,
    an ISO date and time)."""
    if isinstance(value, datetime):
        return value.astimezone(park.tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        match = _DAY.fullmatch(text)
        try:
            day = (date(int(match[1]), int(match[2]), int(match[3])) if match
                   else _moment_day(parse_day_or_moment(text, key), park))
        except ValueError as exc:
            raise ValidationError("bad_date", field=key, value=text) from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError("bad_date", field=key, value=str(value))
    return day


def _moment_day(parsed: date | datetime, park: Park) -> date:
    if isinstance(parsed, datetime):
        return parsed.astimezone(park.tz).date() if parsed.tzinfo else parsed.date()
    return parsed


def _items(value: Any) -> list[str]:
    parts = value if isinstance(value, list) else re.split(r"[,，、;；]", str(value))
    return [str(p).strip() for p in parts if str(p).strip()]


def _existing(session: Session, park: Park) -> tuple[dict[str, tuple[int, str]],
                                                     dict[str, tuple[int, str]]]:
    """The library's projects by name (case-folded) and by the credit codes they hold."""
    projects = {row.id: row.name for row in session.connection().execute(
        select(_P.id, _P.name))}
    names = {name.casefold(): (pid, name) for pid, name in projects.items()}
    uscc_fields = {(spec.name, name) for spec in park.lifecycle.events.values()
                   for name, f in spec.fields.items() if f.type == "uscc"}
    codes: dict[str, tuple[int, str]] = {}
    events = sorted({event for event, _ in uscc_fields})
    if events:
        for row in session.connection().execute(
                select(_E.project_id, _E.event, _E.fields).where(_E.event.in_(events))):
            for event, name in uscc_fields:
                code = (row.fields or {}).get(name) if row.event == event else None
                if code:
                    codes.setdefault(str(code), (row.project_id, projects[row.project_id]))
    return names, codes

