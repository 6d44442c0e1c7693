"""The ledger (台账): one row per project, every field its events recorded, as of a day.

The columns follow the definition: the project (name, category, owner by email and name,
intake date), then each event of the way through the library (visit, register, sign, open,
exit in the default lifecycle) with its date and its fields, then what is derived (stars,
the current state, its due date, days overdue), then what the due date depends on beyond the
dates (the day a suspension began, while the clock is paused; each stage's extensions and
ended pauses, in the order they moved its deadline), then the project's record
(`project_fields`: contact, industry, …, as it stood after its edits). Headers are the
labels in the reader's language, and are what the import reads back
(`reports.ledger_import`), so an export imports as the same ledger.

`--as-of D` replays the history that occurred by the end of D (park time), as the reports do
(`reports.timeline`); without it, by the end of today.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO

from sqlmodel import Session

from i18n import N_, NP_, ngettext
from reports.present import ColumnKind
from reports.spreadsheet import Table, write_table
from reports.timeline import Cut, History, Track, load
from states.definition import PREVIOUS, EventDef, FieldDef, Lifecycle, initial_milestone
from workflow.errors import ValidationError
from workflow.fields import check_choice
from workflow.labels import Labels
from workflow.park import Park

# headers of the columns that are no event's field, by their key (the English header)
HEADERS = {"id": N_("ID"), "name": N_("Project name"), "category": N_("Category"),
           "owner": N_("Owner"), "owner_name": N_("Owner's name"), "group": N_("Group"),
           "stars": N_("Stars"),
           "state": N_("Current state"), "due_date": N_("Due date"),
           "days_overdue": N_("Days overdue"), "suspended_since": N_("Suspended since")}
DATE_HEADER = N_("%(event)s date")
# a stage's deadline changes: the column, and each change as the cell lists it
CHANGES_HEADER = N_("Deadline changes (%(state)s)")
CHANGES_SUFFIX = "_deadline_changes"  # a changes column's key: the stage, then this
CHANGE_TEXT = {"extension": NP_("extended %(num)d day", "extended %(num)d days"),
               "pause": NP_("paused %(num)d day", "paused %(num)d days")}
# other names people give a column (CLI.md's list), by the column's key
ALIASES = {"premises": ("开业场地",), "owner": ("负责人邮箱", "owner_email"),
           "id": ("项目编号",), "intake_date": ("入库时间",)}
LIST_SEPARATOR = {"zh-CN": "、", "en": ", "}
RECORD = "record"  # the `event` of the columns of the project's record (`project_fields`)
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Column:
    """One column of the ledger. `key` is its English header and its name in the import's
    problems; `derived` columns are computed from the others: shown, not read back."""

    key: str
    event: str | None = None  # the event whose date (field None) or field this is
    field: FieldDef | None = None
    derived: bool = False
    stage: str | None = None  # the state whose deadline changes the column lists

    @property
    def is_date(self) -> bool:
        return self.key.endswith("_date") and self.field is None and self.key != "due_date"

    @property
    def kind(self) -> ColumnKind:
        """How a workbook writes the column's cells: dates as dates, numbers as numbers."""
        if self.is_date or self.key in ("due_date", "suspended_since"):
            return "date"
        if self.key in ("id", "stars", "days_overdue") or (
                self.field is not None
                and self.field.type in ("score", "number", "count", "integer")):
            return "number"
        return "text"

    def header(self, labels: Labels) -> str:
        if self.field is not None:
            return _capitalised(labels.pick(self.field.label))
        if self.stage is not None:
            return labels.text(CHANGES_HEADER, state=labels.state(self.stage))
        if self.is_date:
            assert self.event is not None
            name = (labels.milestone(self.event) if self.event not in labels.lifecycle.events
                    else labels.event(self.event))
            return _capitalised(labels.text(DATE_HEADER, event=name))
        return labels.text(HEADERS[self.key])

    def names(self, labels_by_lang: list[Labels]) -> set[str]:
        """Every header the import reads as this column (normalised)."""
        written = {self.key, *ALIASES.get(self.key, ())}
        written |= {self.header(labels) for labels in labels_by_lang}
        return {header_key(name) for name in written}


def header_key(text: str) -> str:
    """A header as compared: full-width folded, case, spaces and underscores ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-·")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def ledger_events(lifecycle: Lifecycle) -> list[EventDef]:
    """The events a ledger records, in the definition's order: all but the way back
    (`reactivate` returns to a state; it records no step of its own)."""
    return [spec for spec in lifecycle.events.values() if spec.dest != PREVIOUS]


def columns(lifecycle: Lifecycle) -> list[Column]:
    """The ledger's columns, in the order the definition gives."""
    events = ledger_events(lifecycle)
    first: dict[str, str] = {}  # a field's name → the first event that records it
    for spec in events:
        for name in spec.fields:
            first.setdefault(name, spec.name)
    result = [Column("id", derived=True), Column("name"), Column("category"), Column("owner"),
              # the owner's email is what the import reads; people read the name beside it
              Column("owner_name", derived=True), Column("group", derived=True),
              Column("intake_date", event=initial_milestone(lifecycle.milestones) or "intake")]
    tracking: list[Column] = []  # after opening (落地后跟踪): the latest of each, at the end
    for spec in events:
        group = tracking if spec.dest in spec.sources else result
        group.append(Column(f"{spec.name}_date", event=spec.name))
        # a field two events share keeps its name on the first, and is told apart by its
        # event on the others (the registered address; the address it moved to)
        group += [Column(name if first[name] == spec.name else f"{spec.name}_{name}",
                         event=spec.name, field=field) for name, field in spec.fields.items()]
    result += [Column(key, derived=True) for key in ("stars", "state", "due_date",
                                                     "days_overdue")]
    # what the due date depends on beyond the dates: read back, so a round trip keeps it
    result += [Column("suspended_since")]
    result += [Column(f"{name}{CHANGES_SUFFIX}", stage=name)
               for name, spec in lifecycle.states.items() if spec.deadline is not None]
    # the project's own record, as it stood: its fields by their names, last
    record = [Column(name, event=RECORD, field=field)
              for name, field in lifecycle.project_fields.items()]
    return result + tracking + record


# ---------------------------------------------------------------- the export

@dataclass(frozen=True)
class Ledger:
    """The ledger as of a day: its columns and one row of values per project."""

    columns: list[Column]
    rows: list[list[Any]]
    as_of: date

    def table(self, labels: Labels) -> Table:
        return Table(title=labels.text(N_("Ledger")), rows=self.rows,
                     headers=[c.header(labels) for c in self.columns],
                     kinds=[c.kind for c in self.columns])


def end_of(day: date, park: Park) -> datetime:
    """The end of a day in park time (24:00): what occurred before it belongs to the day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=park.tz)


def as_of_day(park: Park, as_of: date | None) -> date:
    """The day a ledger stands at: today unless told, never a day still to come."""
    today = park.now().astimezone(park.tz).date()
    if as_of is None:
        return today
    if as_of > today:
        raise ValidationError("in_future", field="as_of", value=as_of)
    return as_of


def build_ledger(session: Session, park: Park, labels: Labels, *, state: str | None = None,
                 as_of: date | None = None, progress: Progress | None = None) -> Ledger:
    """Every project taken in by the end of `as_of` (today), as it stood then."""
    if state is not None:  # its id, or its label in either language (the error offers those)
        state = check_choice(state, {name: spec.label
                                     for name, spec in park.lifecycle.states.items()}, "state")
    day = as_of_day(park, as_of)
    history = load(session, park, Cut(end_of(day, park)), every_field=True)
    cols = columns(park.lifecycle)
    rows = []
    for n, track in enumerate(history.tracks, 1):
        stay = track.current
        if stay is not None and (state is None or stay.state == state):
            rows.append(_row(cols, park, labels, history, track, day))
        if progress:
            progress(n, len(history.tracks))
    return Ledger(cols, rows, day)


def _row(cols: list[Column], park: Park, labels: Labels, history: History, track: Track,
         day: date) -> list[Any]:
    assert track.current is not None and track.intake_at is not None
    recorded = _recorded(park.lifecycle, history, track)
    due = history.due_date(track.current, history.cut.until)
    known = {
        "id": track.id, "name": track.name, "category": labels.category(track.category),
        "owner": track.owner, "owner_name": track.owner_name,
        "group": labels.group(track.group) if track.group else None,
        "intake_date": history.local(track.intake_at),
        "stars": track.stars if track.visited_on else None,
        "state": labels.state(track.current.state),
        "due_date": due, "days_overdue": (day - due).days if due and due < day else None,
        "suspended_since": _suspended_since(history, track)}
    changes = deadline_changes(track)
    row = []
    for col in cols:
        if col.key in known:
            row.append(known[col.key])
        elif col.stage is not None:
            row.append(changes_text(changes.get(col.stage, []), labels))
        elif col.event is not None and col.event in recorded:
            on, fields = recorded[col.event]
            row.append(on if col.field is None else
                       shown_value(col.field, fields.get(col.field.name), labels))
        else:
            row.append(None)
    return row


def _suspended_since(history: History, track: Track) -> date | None:
    """The day the current suspension began, while the clock is paused."""
    assert track.current is not None
    paused = [since for since, until in track.current.suspended if until is None]
    return history.local(paused[-1]) if paused and paused[-1] is not None else None


Change = tuple[str, int]  # ("extension" | "pause", days)


def deadline_changes(track: Track) -> dict[str, list[Change]]:
    """Each stage's changes to its deadline, in order: the days of every extension granted
    and of every pause ended while the project was last in it."""
    result: dict[str, list[Change]] = {}
    for stay in track.stays:
        result[stay.state] = [("extension" if kind == "extension" else "pause", days)
                              for _when, kind, days in stay.changes if days > 0]
    return {state: changes for state, changes in result.items() if changes}


def change_text(kind: str, days: int, lang: str) -> str:
    """One change as a ledger's cell writes it: 延期 5 天, extended 5 days."""
    return ngettext(lang, *CHANGE_TEXT[kind], days, num=days)


def changes_text(changes: list[Change], labels: Labels) -> str | None:
    """A stage's changes as its cell lists them (延期 15 天、暂停 3 天), or nothing."""
    if not changes:
        return None
    return LIST_SEPARATOR.get(labels.lang, "、").join(
        change_text(kind, days, labels.lang) for kind, days in changes)


def _recorded(lifecycle: Lifecycle, history: History,
              track: Track) -> dict[str, tuple[date, Mapping[str, Any]]]:
    """Each ledger event's day and fields, the latest occurrence; an exit undone by the way
    back (`reactivate`) is no longer the project's."""
    recorded: dict[str, tuple[date, Mapping[str, Any]]] = {}
    record: dict[str, Any] = {}
    for event, _actor, occurred_at, fields in track.events:
        if event in ("intake", "edit"):  # the record at intake, then each edit's new values
            for name, value in (fields or {}).items():
                new = value.get("to") if isinstance(value, Mapping) else value
                if name not in lifecycle.project_fields:
                    continue
                if new is None:
                    record.pop(name, None)
                else:
                    record[name] = new
            recorded[RECORD] = (history.local(occurred_at), record)
        spec = lifecycle.events.get(event)
        if spec is None:
            continue
        if spec.dest == PREVIOUS:
            for name in [n for n in recorded if n in lifecycle.events
                         and lifecycle.states[lifecycle.events[n].dest].final]:
                del recorded[name]
        else:
            recorded[event] = (history.local(occurred_at), fields or {})
    return recorded


def shown_value(field: FieldDef, value: Any, labels: Labels) -> Any:
    """A recorded value as the ledger shows it: choices by their labels, lists joined, a
    score a number; the import reads each back."""
    if value is None or value == "":
        return None
    if field.type == "score":
        return int(value)
    if field.type in ("number", "count", "integer"):
        return value
    items = value if isinstance(value, list) else [value]
    if field.type == "choices":
        items = [labels.pick(field.choices[i]) if i in field.choices else i for i in items]
    return LIST_SEPARATOR.get(labels.lang, "、").join(str(i) for i in items)


def export_ledger(target: BinaryIO, fmt: str, ledger: Ledger, labels: Labels,
                  progress: Progress | None = None) -> None:
    """Write the ledger as .xlsx or .csv."""
    total = len(ledger.rows)
    write_table(target, ledger.table(labels), fmt,
                (lambda n: progress(n, total)) if progress else None)
