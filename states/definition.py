"""The lifecycle the engine runs, as frozen dataclasses, loaded from a definition file.

The file is data a park may edit, so it is validated through the pydantic models of its
format (`states.schema`) and the cross-reference checks (`states.references`), and every
mistake is reported with where it is, all of them at once:
`DefinitionError` → "lifecycle.yaml: events.visit.dest: unknown state “vistied”" (English, for
the log; `parkflow definition check` shows each problem in the reader's language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from states import schema as fmt
from states.problems import DefinitionError, Problem, problems_from
from states.references import Outline, initial_milestone, lifecycle_problems
from states.schema import FIELD_TYPES, LANGS, PREVIOUS, ROLES, WEEKDAYS, LifecycleFormat
from states.yaml_core import read_definition

__all__ = [  # what the engine imports from here, some of it defined in the other modules
    "FIELD_TYPES", "HERE", "LANGS", "LIFECYCLE_FILE", "PREVIOUS", "ROLES", "WEEKDAYS",
    "DeadlineRule", "DefinitionError", "EventDef", "FieldDef", "Labels", "Lifecycle",
    "MonthlySlot", "PeriodSpec", "Problem", "QuarterlySlot", "ReminderRule", "StarRule",
    "StateDef", "WeeklySlot", "ZoneDef", "build_lifecycle", "check_lifecycle", "file_version",
    "initial_milestone", "load_lifecycle", "parse_lifecycle", "parse_period", "pick"]

HERE = Path(__file__).parent
LIFECYCLE_FILE = HERE / "lifecycle.yaml"


Labels = Mapping[str, str]


@dataclass(frozen=True)
class PeriodSpec:
    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class DeadlineRule:
    milestone: str
    period: PeriodSpec
    roll_forward: bool = True


@dataclass(frozen=True)
class StateDef:
    name: str
    label: Labels
    waiting_for: Labels | None = None
    deadline: DeadlineRule | None = None
    final: bool = False


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: Labels
    choices: Mapping[str, Labels] = field(default_factory=dict)
    single: bool = False
    required: bool = True
    levels: tuple[Labels, ...] = ()  # a score field: what levels 1–5 mean, level 1 first
    max_length: int | None = None  # a text field's characters, a list's per item; None: default


@dataclass(frozen=True)
class EventDef:
    name: str
    label: Labels
    sources: tuple[str, ...]
    dest: str  # a state name or PREVIOUS
    roles: tuple[str, ...]
    fields: Mapping[str, FieldDef]
    stamps: str | None = None


@dataclass(frozen=True)
class StarRule:
    scores: tuple[str, ...]
    rules: tuple[tuple[int, int], ...]  # (min_total, stars), highest first
    otherwise: int = 0

    def stars_for(self, scores: Mapping[str, int]) -> int:
        total = sum(scores[name] for name in self.scores)
        for min_total, stars in self.rules:
            if total >= min_total:
                return stars
        return self.otherwise


@dataclass(frozen=True)
class WeeklySlot:
    """A weekday at a time; with `working_day`, a weekday off work moves to the first working
    day of that week (Monday to Sunday)."""

    weekday: int  # Monday = 0
    hour: int
    minute: int
    working_day: bool = False


@dataclass(frozen=True)
class MonthlySlot:
    """The first day of every `every_months`-th month (aligned on January), at a time; with
    `working_day`, the first working day of that month."""

    every_months: int
    hour: int
    minute: int
    working_day: bool = False


@dataclass(frozen=True)
class QuarterlySlot:
    """A day of each quarter's first month (January, April, July, October), at a time: when
    the owners of projects in the event's source states are asked for its figures."""

    event: str
    day: int
    hour: int
    minute: int


@dataclass(frozen=True)
class ZoneDef:
    """The park's zone: an address naming one of its districts or keywords is inside."""

    label: Labels
    districts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    address_events: tuple[str, ...] = ("address_change",)

    def contains(self, address: str) -> bool:
        """Whether a registered address lies inside the zone (blanks ignored)."""
        text = "".join(address.split())
        return any("".join(word.split()) in text for word in (*self.districts, *self.keywords))


@dataclass(frozen=True)
class ReminderRule:
    send_hour: int = 9
    send_minute: int = 0
    before_due_days: tuple[int, ...] = (3, 0)
    warning_after_days: int = 1
    follow_up_every_days: int = 7
    follow_up_states: tuple[str, ...] = ()
    digest: WeeklySlot = WeeklySlot(0, 9, 0)
    agenda: WeeklySlot = WeeklySlot(0, 8, 30, working_day=True)
    monthly_report: MonthlySlot = MonthlySlot(1, 9, 0, working_day=True)
    quarterly_report: MonthlySlot = MonthlySlot(3, 9, 0, working_day=True)
    late_after_hours: int = 12
    indicators: QuarterlySlot | None = None


@dataclass(frozen=True, eq=False)  # identity hash: one machine per loaded lifecycle
class Lifecycle:
    name: str
    initial: str
    states: Mapping[str, StateDef]
    events: Mapping[str, EventDef]
    categories: Mapping[str, Labels]
    groups: Mapping[str, Labels]
    milestones: Mapping[str, Labels]
    stars: StarRule
    reminders: ReminderRule
    default_roles: tuple[str, ...] = ("owner", "group", "leader")
    # the project's own record (contact, industry, …), set at intake and by edits
    project_fields: Mapping[str, FieldDef] = field(default_factory=dict)
    zone: ZoneDef | None = None

    def label(self, state: str, lang: str) -> str:
        return pick(self.states[state].label, lang)

    @property
    def moving_events(self) -> tuple[str, ...]:
        """The events that move a project to another state (not those after opening, which
        keep it where it is: equity changes, figures …)."""
        return tuple(name for name, e in self.events.items() if e.dest not in e.sources)

    @property
    def active_states(self) -> tuple[str, ...]:
        """States a project can exit from and be reactivated into."""
        return tuple(name for name, s in self.states.items() if not s.final)


def pick(labels: Labels, lang: str) -> str:
    """The label in `lang`, falling back to Chinese, the default language."""
    return labels.get(lang) or labels["zh-CN"]


def load_lifecycle(path: Path = LIFECYCLE_FILE) -> Lifecycle:
    """Read and validate a lifecycle definition file (read again only once it changes)."""
    return _load_lifecycle(*file_version(path))


@lru_cache(maxsize=16)
def _load_lifecycle(path: Path, _mtime_ns: int, _size: int) -> Lifecycle:
    return parse_lifecycle(read_definition(path), source=path.name)


def file_version(path: Path) -> tuple[Path, int, int]:
    """The file and what tells a changed one apart, for caching what was read from it."""
    path = path.absolute()
    try:
        stat = path.stat()
    except OSError:
        return path, -1, -1  # reading it reports the problem
    return path, stat.st_mtime_ns, stat.st_size


def parse_lifecycle(raw: Any, *, source: str = "definition") -> Lifecycle:
    """Validate a parsed definition; raise DefinitionError naming every bad place."""
    doc, problems = check_lifecycle(raw)
    if doc is None or problems:
        raise DefinitionError(source, problems)
    return build_lifecycle(doc)


def check_lifecycle(raw: Any) -> tuple[LifecycleFormat | None, list[Problem]]:
    """The validated file (None when its shape is wrong) and every problem found in it."""
    try:
        doc = LifecycleFormat.model_validate(raw)
    except ValidationError as exc:
        return None, [*problems_from(exc), *lifecycle_problems(Outline.salvage(raw))]
    return doc, lifecycle_problems(Outline.of(doc))


def build_lifecycle(doc: LifecycleFormat) -> Lifecycle:
    """The engine's lifecycle from a valid definition file."""
    default_roles = tuple(doc.default_roles)
    return Lifecycle(
        name=doc.name,
        initial=doc.initial,
        states={name: _state(name, state) for name, state in doc.states.items()},
        events={name: _event(name, event, default_roles) for name, event in doc.events.items()},
        categories=_labels(doc.categories),
        groups=_labels(doc.groups),
        milestones=_labels(doc.milestones),
        stars=_stars(doc.stars),
        reminders=_reminders(doc.reminders),
        default_roles=default_roles,
        project_fields={fname: _field(fname, spec)
                        for fname, spec in doc.project_fields.items()},
        zone=ZoneDef(doc.zone.label.as_dict(), tuple(doc.zone.districts),
                     tuple(doc.zone.keywords), tuple(doc.zone.address_events))
        if doc.zone else None,
    )


def parse_period(text: str) -> PeriodSpec:
    """`7 days` → PeriodSpec(days=7); `1 month` → PeriodSpec(months=1) (text already valid)."""
    match = re.match(fmt.PERIOD, text)
    if match is None:
        raise ValueError(f"bad period {text!r}")
    amount = int(match.group(1))
    return PeriodSpec(months=amount) if match.group(2).startswith("month") else PeriodSpec(
        days=amount)


def _labels(labels: Mapping[str, fmt.Labels]) -> dict[str, Labels]:
    return {name: body.as_dict() for name, body in labels.items()}


def _state(name: str, state: fmt.State) -> StateDef:
    deadline = state.deadline
    return StateDef(
        name=name,
        label=state.label.as_dict(),
        waiting_for=state.waiting_for.as_dict() if state.waiting_for else None,
        deadline=DeadlineRule(deadline.from_, parse_period(deadline.period),
                              deadline.roll_forward) if deadline else None,
        final=state.final,
    )


def _event(name: str, event: fmt.Event, default_roles: tuple[str, ...]) -> EventDef:
    return EventDef(
        name=name,
        label=event.label.as_dict(),
        sources=tuple(event.source),
        dest=event.dest,
        roles=tuple(event.roles) if event.roles is not None else default_roles,
        fields={fname: _field(fname, spec) for fname, spec in (event.fields or {}).items()},
        stamps=event.stamps,
    )


def _field(name: str, spec: fmt.FieldSpec) -> FieldDef:
    return FieldDef(name=name, type=spec.type, label=spec.label.as_dict(),
                    choices=_labels(spec.choices or {}) if spec.type == "choices" else {},
                    single=spec.single, required=spec.required,
                    levels=tuple(level.as_dict() for level in spec.levels or ()),
                    max_length=spec.max_length)


def _stars(stars: fmt.Stars | None) -> StarRule:
    if stars is None:
        return StarRule(scores=(), rules=())
    rules = sorted(((rule.min_total, rule.stars) for rule in stars.rules), reverse=True)
    return StarRule(scores=tuple(stars.scores), rules=tuple(rules), otherwise=stars.otherwise)


def _reminders(body: fmt.Reminders) -> ReminderRule:
    return ReminderRule(
        send_hour=_hour(body.send_time), send_minute=_minute(body.send_time),
        before_due_days=tuple(sorted(set(body.before_due_days), reverse=True)),
        warning_after_days=body.warning_after_days,
        follow_up_every_days=body.follow_up_every_days,
        follow_up_states=tuple(body.follow_up_states),
        digest=_weekly(body.digest), agenda=_weekly(body.agenda),
        monthly_report=_monthly(1, body.monthly_report_time, body.reports_on),
        quarterly_report=_monthly(3, body.quarterly_report_time, body.reports_on),
        late_after_hours=body.late_after_hours,
        indicators=QuarterlySlot(body.indicators.event, body.indicators.day,
                                 _hour(body.indicators.time), _minute(body.indicators.time))
        if body.indicators else None,
    )


def _weekly(slot: fmt.WeeklyTime) -> WeeklySlot:
    return WeeklySlot(WEEKDAYS.index(slot.weekday), _hour(slot.time), _minute(slot.time),
                      working_day=slot.day_off == "move")


def _monthly(every_months: int, clock_time: str, on: str) -> MonthlySlot:
    return MonthlySlot(every_months, _hour(clock_time), _minute(clock_time),
                       working_day=on == "first_working_day")


def _hour(clock_time: str) -> int:
    return int(clock_time[:2])


def _minute(clock_time: str) -> int:
    return int(clock_time[3:])
