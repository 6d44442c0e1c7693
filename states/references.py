"""The checks that look across a lifecycle definition: does every name refer to something?

They run on an `Outline` of the file: the names it declares and the parts that are well-formed
on their own. So a file with a badly written state still has its unknown milestones and
unknown states reported, all in one pass; the checks that need every event (reachability,
stamped milestones, score fields) wait until every event is well-formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from states.problems import Problem
from states.schema import PREVIOUS, Event, FieldSpec, LifecycleFormat, Reminders, Stars, State

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Outline:
    """What the cross-reference checks look at."""

    initial: str | None
    state_names: tuple[str, ...]  # declared, well-formed or not, in order
    milestones: tuple[str, ...]  # declared, in order: the first is stamped on entry
    states: Mapping[str, State]  # the well-formed ones
    events: Mapping[str, Event]
    events_complete: bool  # every event is well-formed
    stars: Stars | None
    reminders: Reminders | None
    project_fields: Mapping[str, FieldSpec]

    @classmethod
    def of(cls, doc: LifecycleFormat) -> Outline:
        return cls(doc.initial, tuple(doc.states), tuple(doc.milestones), doc.states,
                   doc.events, True, doc.stars, doc.reminders, doc.project_fields)

    @classmethod
    def salvage(cls, raw: Any) -> Outline:
        """The outline of a file that did not validate as a whole."""
        root = raw if isinstance(raw, Mapping) else {}
        states, _ = _well_formed(State, root.get("states"))
        events, events_complete = _well_formed(Event, root.get("events"))
        initial = root.get("initial")
        return cls(initial if isinstance(initial, str) else None,
                   _names(root.get("states")), _names(root.get("milestones")),
                   states, events, events_complete, _part(Stars, root.get("stars")),
                   _part(Reminders, root.get("reminders", {})),
                   _well_formed(FieldSpec, root.get("project_fields", {}))[0])


def lifecycle_problems(outline: Outline) -> list[Problem]:
    """Every name that refers to nothing, every state no path reaches."""
    return [*_initial(outline), *_events(outline), *_deadlines(outline), *_reachable(outline),
            *_stamped(outline), *_scores(outline), *_follow_ups(outline),
            *_requested_events(outline), *_project_fields(outline)]


def initial_milestone(milestones: Mapping[str, Any] | tuple[str, ...]) -> str | None:
    """The milestone a new project is stamped with on entry (the first one listed)."""
    return next(iter(milestones), None)


def _initial(o: Outline) -> list[Problem]:
    if o.initial is None or not o.state_names or o.initial in o.state_names:
        return []
    return [_unknown_state("initial", o.initial)]


def _events(o: Outline) -> list[Problem]:
    problems = []
    for name, event in o.events.items():
        where = f"events.{name}"
        for i, state in enumerate(event.source):
            if o.state_names and state not in o.state_names:
                problems.append(_unknown_state(f"{where}.source" + _index(event.source, i),
                                               state))
        if o.state_names and event.dest not in (PREVIOUS, *o.state_names):
            problems.append(_unknown_state(f"{where}.dest", event.dest))
        if event.stamps is not None and event.stamps not in o.milestones:
            problems.append(_unknown_milestone(f"{where}.stamps", event.stamps))
        for field_name, spec in (event.fields or {}).items():
            problems += _field(f"{where}.fields.{field_name}", spec)
    return problems


# a project's own columns: no project field may take their names
RESERVED_FIELDS = ("name", "category", "owner", "intake_date")


def _project_fields(o: Outline) -> list[Problem]:
    problems = []
    for name, spec in o.project_fields.items():
        where = f"project_fields.{name}"
        if name in RESERVED_FIELDS:
            problems.append(Problem.of(where, "reserved_field", field=name))
        problems += _field(where, spec)
    return problems


def _field(where: str, spec: FieldSpec) -> list[Problem]:
    problems = []
    if spec.type == "choices" and not spec.choices:
        problems.append(Problem.of(f"{where}.choices", "missing_choices"))
    if spec.levels is not None and spec.type != "score":
        problems.append(Problem.of(f"{where}.levels", "levels_not_score"))
    return problems


def _deadlines(o: Outline) -> list[Problem]:
    return [_unknown_milestone(f"states.{name}.deadline.from", state.deadline.from_)
            for name, state in o.states.items()
            if state.deadline and state.deadline.from_ not in o.milestones]


def _reachable(o: Outline) -> list[Problem]:
    if not o.events_complete or o.initial not in o.state_names:
        return []
    reached, frontier = {o.initial}, [o.initial]
    while frontier:
        state = frontier.pop()
        for event in o.events.values():
            if (state in event.source and event.dest in o.state_names
                    and event.dest not in reached):
                reached.add(event.dest)
                frontier.append(event.dest)
    return [Problem.of(f"states.{name}", "unreachable", state=name, initial=o.initial)
            for name in o.state_names if name not in reached]


def _stamped(o: Outline) -> list[Problem]:
    """A deadline must count from a date that something sets."""
    if not o.events_complete:
        return []
    stamped = {initial_milestone(o.milestones)} | {e.stamps for e in o.events.values()}
    return [Problem.of(f"states.{name}.deadline.from", "unstamped_milestone",
                       milestone=state.deadline.from_)
            for name, state in o.states.items()
            if state.deadline and state.deadline.from_ in o.milestones
            and state.deadline.from_ not in stamped]


def _scores(o: Outline) -> list[Problem]:
    if o.stars is None or not o.events_complete:
        return []
    score_fields = {name for e in o.events.values() for name, spec in (e.fields or {}).items()
                    if spec.type == "score"}
    return [Problem.of(f"stars.scores[{i}]", "not_a_score_field", field=name)
            for i, name in enumerate(o.stars.scores) if name not in score_fields]


def _follow_ups(o: Outline) -> list[Problem]:
    if o.reminders is None or not o.state_names:  # no states: that is the problem reported
        return []
    return [_unknown_state(f"reminders.follow_up_states[{i}]", state)
            for i, state in enumerate(o.reminders.follow_up_states)
            if state not in o.state_names]


def _requested_events(o: Outline) -> list[Problem]:
    """The quarterly figures are asked for by an event the file declares."""
    request = o.reminders.indicators if o.reminders is not None else None
    if request is None or not o.events_complete or request.event in o.events:
        return []
    return [Problem.of("reminders.indicators.event", "unknown_event", event=request.event)]


def _unknown_state(path: str, state: str) -> Problem:
    return Problem.of(path, "unknown_state", state=state)


def _unknown_milestone(path: str, milestone: str) -> Problem:
    return Problem.of(path, "unknown_milestone", milestone=milestone)


def _index(items: list[str], i: int) -> str:
    return f"[{i}]" if len(items) > 1 else ""


def _names(value: Any) -> tuple[str, ...]:
    """The names a mapping declares, in order, whatever their bodies."""
    return tuple(k for k in value if isinstance(k, str)) if isinstance(value, Mapping) else ()


def _well_formed(model: type[M], value: Any) -> tuple[dict[str, M], bool]:
    """The entries of a mapping that validate on their own, and whether all of them did."""
    if not isinstance(value, Mapping):
        return {}, False
    good = {}
    for name, body in value.items():
        try:
            good[name] = model.model_validate(body)
        except ValidationError:
            continue
    return good, len(good) == len(value)


def _part(model: type[M], value: Any) -> M | None:
    try:
        return model.model_validate(value) if value is not None else None
    except ValidationError:
        return None
