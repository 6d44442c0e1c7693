"""Load and validate a lifecycle definition (YAML) into frozen dataclasses.

The definition is data a park may edit, so every mistake is reported with where it is:
`DefinitionError("events.visit.dest: unknown state 'vistied'")`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGS = ("zh-CN", "en")
ROLES = ("owner", "group", "leader", "admin", "requester")
FIELD_TYPES = ("text", "list", "choices", "score", "uscc")
PREVIOUS = "@previous"
_PERIOD = re.compile(r"^\s*(\d+)\s*(day|days|month|months)\s*$")

HERE = Path(__file__).parent
LIFECYCLE_FILE = HERE / "lifecycle.yaml"


class DefinitionError(ValueError):
    """The definition file is broken; the message says what and where."""


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


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int  # Monday = 0
    hour: int
    minute: int


@dataclass(frozen=True)
class MonthlySlot:
    """The first day of every `every_months`-th month (aligned on January), at a time."""

    every_months: int
    hour: int
    minute: int


@dataclass(frozen=True)
class ReminderRule:
    send_hour: int = 9
    send_minute: int = 0
    before_due_days: tuple[int, ...] = (3, 0)
    warning_after_days: int = 1
    follow_up_every_days: int = 7
    follow_up_states: tuple[str, ...] = ()
    digest: WeeklySlot = WeeklySlot(0, 9, 0)
    agenda: WeeklySlot = WeeklySlot(0, 8, 30)
    monthly_report: MonthlySlot = MonthlySlot(1, 9, 0)
    quarterly_report: MonthlySlot = MonthlySlot(3, 9, 0)
    late_after_hours: int = 12


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

    def label(self, state: str, lang: str) -> str:
        return pick(self.states[state].label, lang)

    @property
    def active_states(self) -> tuple[str, ...]:
        """States a project can exit from and be reactivated into."""
        return tuple(name for name, s in self.states.items() if not s.final)


def pick(labels: Labels, lang: str) -> str:
    """The label in `lang`, falling back to Chinese, the default language."""
    return labels.get(lang) or labels["zh-CN"]


def load_lifecycle(path: Path = LIFECYCLE_FILE) -> Lifecycle:
    """Read and validate a lifecycle definition file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path.name}: cannot read: {exc}") from exc
    return parse_lifecycle(raw, source=path.name)


def parse_lifecycle(raw: Any, *, source: str = "definition") -> Lifecycle:
    """Validate a parsed definition; raise DefinitionError naming the bad place."""
    root = _mapping(raw, source)
    states = {name: _state(name, body, f"{source}: states.{name}")
              for name, body in _mapping(root.get("states"), f"{source}: states").items()}
    initial = _text(root.get("initial"), f"{source}: initial")
    if initial not in states:
        raise DefinitionError(f"{source}: initial: unknown state {initial!r}")
    milestones = _optional_labels(root, "milestones", source)
    default_roles = _roles(root.get("default_roles", ["owner", "group", "leader"]),
                           f"{source}: default_roles")
    events = {name: _event(name, body, states, milestones, default_roles,
                           f"{source}: events.{name}")
              for name, body in _mapping(root.get("events"), f"{source}: events").items()}
    for name, state in states.items():
        if state.deadline and state.deadline.milestone not in milestones:
            raise DefinitionError(f"{source}: states.{name}.deadline.from: unknown milestone "
                                  f"{state.deadline.milestone!r}")
    lifecycle = Lifecycle(
        name=_text(root.get("name", "project"), f"{source}: name"),
        initial=initial,
        states=states,
        events=events,
        categories=_optional_labels(root, "categories", source),
        groups=_optional_labels(root, "groups", source),
        milestones=milestones,
        stars=_stars(root["stars"], events, f"{source}: stars") if "stars" in root
        else StarRule(scores=(), rules=()),
        reminders=_reminders(root.get("reminders") or {"send_time": "09:00"}, states,
                             f"{source}: reminders"),
        default_roles=default_roles,
    )
    _check_reachable(lifecycle, source)
    _check_stamped(lifecycle, source)
    return lifecycle


def _check_stamped(lifecycle: Lifecycle, source: str) -> None:
    """A deadline must count from a date that something sets."""
    stamped = {initial_milestone(lifecycle.milestones)}
    stamped |= {e.stamps for e in lifecycle.events.values() if e.stamps}
    for name, state in lifecycle.states.items():
        if state.deadline and state.deadline.milestone not in stamped:
            raise DefinitionError(f"{source}: states.{name}.deadline.from: no event stamps "
                                  f"the milestone {state.deadline.milestone!r}")


def initial_milestone(milestones: Mapping[str, Any]) -> str | None:
    """The milestone a new project is stamped with on entry (the first one listed)."""
    return next(iter(milestones), None)


def _optional_labels(root: Mapping[str, Any], key: str, source: str) -> Mapping[str, Labels]:
    return _label_map(root[key], f"{source}: {key}") if key in root else {}


def parse_period(text: Any, where: str) -> PeriodSpec:
    match = _PERIOD.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise DefinitionError(f"{where}: bad period {text!r} (expected e.g. '7 days', '1 month')")
    amount = int(match.group(1))
    return PeriodSpec(months=amount) if match.group(2).startswith("month") else PeriodSpec(
        days=amount)


def _state(name: str, body: Any, where: str) -> StateDef:
    body = _mapping(body, where)
    deadline = None
    if "deadline" in body:
        rule = _mapping(body["deadline"], f"{where}.deadline")
        deadline = DeadlineRule(
            milestone=_text(rule.get("from"), f"{where}.deadline.from"),
            period=parse_period(rule.get("period"), f"{where}.deadline.period"),
            roll_forward=bool(rule.get("roll_forward", True)),
        )
    return StateDef(
        name=_identifier(name, where),
        label=_labels(body.get("label"), f"{where}.label"),
        waiting_for=_labels(body["waiting_for"], f"{where}.waiting_for")
        if "waiting_for" in body else None,
        deadline=deadline,
        final=bool(body.get("final", False)),
    )


def _event(name: str, body: Any, states: Mapping[str, StateDef], milestones: Mapping[str, Any],
           default_roles: tuple[str, ...], where: str) -> EventDef:
    body = _mapping(body, where)
    sources = body.get("source")
    sources = [sources] if isinstance(sources, str) else sources
    if not isinstance(sources, list) or not sources:
        raise DefinitionError(f"{where}.source: expected a state or a list of states")
    for state in sources:
        if state not in states:
            raise DefinitionError(f"{where}.source: unknown state {state!r}")
    dest = _text(body.get("dest"), f"{where}.dest")
    if dest != PREVIOUS and dest not in states:
        raise DefinitionError(f"{where}.dest: unknown state {dest!r}")
    stamps = body.get("stamps")
    if stamps is not None and stamps not in milestones:
        raise DefinitionError(f"{where}.stamps: unknown milestone {stamps!r}")
    raw_fields = body.get("fields")
    fields = {fname: _field(fname, fbody, f"{where}.fields.{fname}")
              for fname, fbody in _mapping(raw_fields, f"{where}.fields").items()
              } if raw_fields is not None else {}
    return EventDef(
        name=_identifier(name, where),
        label=_labels(body.get("label"), f"{where}.label"),
        sources=tuple(sources),
        dest=dest,
        roles=_roles(body["roles"], f"{where}.roles") if "roles" in body else default_roles,
        fields=fields,
        stamps=stamps,
    )


def _field(name: str, body: Any, where: str) -> FieldDef:
    body = _mapping(body, where)
    ftype = body.get("type")
    if ftype not in FIELD_TYPES:
        raise DefinitionError(f"{where}.type: {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    choices = _label_map(body.get("choices"), f"{where}.choices") if ftype == "choices" else {}
    return FieldDef(name=_identifier(name, where), type=ftype,
                    label=_labels(body.get("label"), f"{where}.label"), choices=choices,
                    single=bool(body.get("single", False)),
                    required=bool(body.get("required", True)))


def _stars(raw: Any, events: Mapping[str, EventDef], where: str) -> StarRule:
    body = _mapping(raw, where)
    scores = body.get("scores")
    if not isinstance(scores, list) or not scores:
        raise DefinitionError(f"{where}.scores: expected a list of score fields")
    score_fields = {f.name for e in events.values() for f in e.fields.values() if f.type == "score"}
    for name in scores:
        if name not in score_fields:
            raise DefinitionError(f"{where}.scores: {name!r} is not a score field of any event")
    rules = []
    for i, rule in enumerate(body.get("rules") or []):
        rule = _mapping(rule, f"{where}.rules[{i}]")
        try:
            rules.append((int(rule["min_total"]), int(rule["stars"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise DefinitionError(f"{where}.rules[{i}]: needs integer min_total and stars") from exc
    rules.sort(reverse=True)
    return StarRule(scores=tuple(scores), rules=tuple(rules),
                    otherwise=int(body.get("otherwise", 0)))


def _reminders(raw: Any, states: Mapping[str, StateDef], where: str) -> ReminderRule:
    body = _mapping(raw, where)
    hour, minute = _clock_time(body.get("send_time", "09:00"), f"{where}.send_time")
    follow_up_states = tuple(body.get("follow_up_states") or ())
    for state in follow_up_states:
        if state not in states:
            raise DefinitionError(f"{where}.follow_up_states: unknown state {state!r}")
    digest = _weekly(body.get("digest", {"weekday": "monday", "time": "09:00"}),
                     f"{where}.digest")
    agenda = _weekly(body.get("agenda", {"weekday": "monday", "time": "08:30"}),
                     f"{where}.agenda")
    monthly = MonthlySlot(1, *_clock_time(body.get("monthly_report_time", "09:00"),
                                          f"{where}.monthly_report_time"))
    quarterly = MonthlySlot(3, *_clock_time(body.get("quarterly_report_time", "09:00"),
                                            f"{where}.quarterly_report_time"))
    try:
        before = tuple(sorted({int(d) for d in body.get("before_due_days", [3, 0])},
                              reverse=True))
        return ReminderRule(send_hour=hour, send_minute=minute,
                            before_due_days=before,
                            warning_after_days=int(body.get("warning_after_days", 1)),
                            follow_up_every_days=int(body.get("follow_up_every_days", 7)),
                            follow_up_states=follow_up_states, digest=digest, agenda=agenda,
                            monthly_report=monthly, quarterly_report=quarterly,
                            late_after_hours=int(body.get("late_after_hours", 12)))
    except (TypeError, ValueError) as exc:
        raise DefinitionError(f"{where}: day offsets and hours must be integers") from exc


def _clock_time(value: Any, where: str) -> tuple[int, int]:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", str(value))
    if not match:
        raise DefinitionError(f"{where}: {value!r} is not HH:MM")
    return int(match.group(1)), int(match.group(2))


def _weekly(raw: Any, where: str) -> WeeklySlot:
    body = _mapping(raw, where)
    weekday = str(body.get("weekday", "")).lower()
    if weekday not in WEEKDAYS:
        raise DefinitionError(f"{where}.weekday: {weekday!r} is not one of {', '.join(WEEKDAYS)}")
    hour, minute = _clock_time(body.get("time"), f"{where}.time")
    return WeeklySlot(WEEKDAYS.index(weekday), hour, minute)


def _check_reachable(lifecycle: Lifecycle, source: str) -> None:
    reached, frontier = {lifecycle.initial}, [lifecycle.initial]
    while frontier:
        state = frontier.pop()
        for event in lifecycle.events.values():
            if state in event.sources and event.dest != PREVIOUS and event.dest not in reached:
                reached.add(event.dest)
                frontier.append(event.dest)
    unreachable = sorted(set(lifecycle.states) - reached)
    if unreachable:
        raise DefinitionError(f"{source}: states {', '.join(unreachable)} cannot be reached "
                              f"from {lifecycle.initial!r}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not value:
        raise DefinitionError(f"{where}: expected a non-empty mapping")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where}: expected a name")
    return value


def _identifier(name: str, where: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise DefinitionError(f"{where}: {name!r} is not a lower_snake identifier")
    return name


def _labels(value: Any, where: str) -> Labels:
    body = _mapping(value, where)
    for lang in LANGS:
        if not isinstance(body.get(lang), str) or not body[lang].strip():
            raise DefinitionError(f"{where}: missing the {lang} label")
    return dict(body)


def _label_map(value: Any, where: str) -> Mapping[str, Labels]:
    return {_identifier(k, where): _labels(v, f"{where}.{k}")
            for k, v in _mapping(value, where).items()}


def _roles(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(r not in ROLES for r in value):
        raise DefinitionError(f"{where}: expected a list out of {', '.join(ROLES)}")
    return tuple(value)
