"""The lifecycle definition format (`states/lifecycle.yaml`) as pydantic models.

The models say what each key may hold, and give the format its JSON Schema
(`definition_schema()`, committed as `states/lifecycle.schema.json`). They check one value at
a time; what refers to something declared elsewhere (a state, a milestone, a score field) is
checked by `states.references`, and `states.definition` turns a valid file into the
engine's objects. Values are strict: a boolean is `true`/`false`, a number is a number.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    WithJsonSchema,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

LANGS = ("zh-CN", "en")
PREVIOUS = "@previous"
# `system`: nobody; parkflow fires the event itself (an approval lapsing with its stage)
Role = Literal["owner", "group", "leader", "admin", "requester", "system"]
FieldType = Literal["text", "list", "choices", "score", "uscc", "number", "count", "quarter",
                    "phone", "integer"]
WeekdayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday"]
DayOff = Literal["keep", "move"]
ReportDay = Literal["first_day", "first_working_day"]
ROLES: tuple[str, ...] = get_args(Role)
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
WEEKDAYS: tuple[str, ...] = get_args(WeekdayName)

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
PERIOD = r"^\s*0*([1-9]\d*)\s*(day|days|month|months)\s*$"
CLOCK_TIME = r"^([01]\d|2[0-3]):([0-5]\d)$"
_PERIOD, _CLOCK_TIME = re.compile(PERIOD), re.compile(CLOCK_TIME)


# The codes of these errors are what counts: the sentence a person reads is the catalogue's
# (states.problem_text); pydantic's own message template here is for pydantic only.
def _identifier(value: str) -> str:
    if not re.match(IDENTIFIER, value):
        raise PydanticCustomError("not_identifier", "'{value}' is not a lower_snake identifier",
                                  {"value": value})
    return value


def _state_or_previous(value: str) -> str:
    return value if value == PREVIOUS else _identifier(value)


def _period(value: str) -> str:
    if not _PERIOD.match(value):
        raise PydanticCustomError("bad_period",
                                  "bad period '{value}' (expected e.g. '7 days', '1 month')",
                                  {"value": value})
    return value


def _clock_time(value: str) -> str:
    if not _CLOCK_TIME.match(value):
        raise PydanticCustomError("not_clock_time", "'{value}' is not HH:MM", {"value": value})
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "blank")
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


Identifier = Annotated[str, AfterValidator(_identifier),
                       WithJsonSchema({"type": "string", "pattern": IDENTIFIER})]
Text = Annotated[str, AfterValidator(_not_blank),
                 WithJsonSchema({"type": "string", "pattern": r"\S"})]
Period = Annotated[str, AfterValidator(_period),
                   WithJsonSchema({"type": "string", "pattern": PERIOD,
                                   "examples": ["7 days", "1 month"]})]
ClockTime = Annotated[str, AfterValidator(_clock_time),
                      WithJsonSchema({"type": "string", "pattern": CLOCK_TIME,
                                      "examples": ["09:00"]})]
Roles = Annotated[list[Role], Field(min_length=1)]
Weekday = Annotated[WeekdayName, BeforeValidator(_lower)]
StateNames = Annotated[
    list[Identifier], BeforeValidator(_one_or_many), Field(min_length=1),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": IDENTIFIER},
                              {"type": "array", "minItems": 1,
                               "items": {"type": "string", "pattern": IDENTIFIER}}]})]
Dest = Annotated[str, AfterValidator(_state_or_previous),
                 WithJsonSchema({"anyOf": [{"type": "string", "pattern": IDENTIFIER},
                                           {"const": PREVIOUS}]})]


class Format(BaseModel):
    """A part of a definition file: strict values, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Labels(Format):
    """What a person reads, in each language: zh-CN and en are required, others allowed."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Text] = Field(init=False)

    zh_cn: Text = Field(alias="zh-CN")
    en: Text

    def as_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh_cn, "en": self.en, **(self.model_extra or {})}


LabelMap = Annotated[dict[Identifier, Labels], Field(min_length=1)]


class Deadline(Format):
    """When a state is due: a period after a milestone's date."""

    from_: Identifier = Field(alias="from", description="the milestone the period counts from")
    period: Period
    roll_forward: bool = Field(default=True,
                               description="a due day off work moves to the next workday")


class State(Format):
    """A stage a project is in."""

    label: Labels
    waiting_for: Labels | None = Field(default=None, description="what the project waits for here")
    deadline: Deadline | None = None
    final: bool = Field(default=False,
                        description="an end state: not exited from, nor reactivated into")


class FieldSpec(Format):
    """A value an event asks for."""

    type: FieldType = Field(
        description="list: comma-separated; choices: out of `choices`; score: 1–5; "
                    "uscc: unified social credit code; number: a non-negative number "
                    "(e.g. 万元); count: a non-negative whole number; quarter: YYYY-Qn; "
                    "phone: a mainland mobile or landline number; integer: a whole number, "
                    "1 or more")
    label: Labels
    choices: LabelMap | None = Field(default=None, description="required when type is choices")
    levels: Annotated[list[Labels], Field(min_length=5, max_length=5)] | None = Field(
        default=None, description="a score field: what each level 1–5 means, level 1 first")
    single: bool = Field(default=False, description="a choices field that takes one choice")
    required: bool = True
    max_length: Annotated[int, Field(ge=1, le=2000)] | None = Field(
        default=None, description="a text field: at most this many characters (default 2000); "
                                  "a list field: each item (default 500)")


class Event(Format):
    """What moves a project from a state to another."""

    label: Labels
    source: StateNames = Field(description="the state or states it can fire from")
    dest: Dest = Field(description=f"the state it leads to, or {PREVIOUS} (the state exited)")
    roles: Roles | None = Field(default=None,
                                description="who may fire it (default: default_roles)")
    fields: Annotated[dict[Identifier, FieldSpec], Field(min_length=1)] | None = None
    stamps: Identifier | None = Field(default=None, description="the milestone it dates")


class StarThreshold(Format):
    """From this total of the scores on, this many stars."""

    min_total: int
    stars: NonNegativeInt


class Stars(Format):
    """星级: the total of some score fields picks the first rule it reaches."""

    scores: Annotated[list[Identifier], Field(min_length=1)]
    rules: list[StarThreshold] = []
    otherwise: NonNegativeInt = 0


class WeeklyTime(Format):
    """A time on a day of the week, in park time."""

    weekday: Weekday
    time: ClockTime
    day_off: DayOff = Field(
        default="keep", description="when the weekday is not a working day: keep it, or move "
        "to the first working day of that week (Mon–Sun); a week without one is left out")


class QuarterlyRequest(Format):
    """A request to a project's owner each quarter, for an event's figures (经营指标)."""

    event: Identifier = Field(description="the event that records the figures; projects in "
                              "its source states are asked")
    day: Annotated[int, Field(ge=1, le=28)] = Field(
        default=10, description="the day of each quarter's first month it goes out")
    time: ClockTime = "09:00"


class Reminders(Format):
    """The reminder ladder (提醒 → 预警 → 督办) and the periodic mails, in park time."""

    send_time: ClockTime = "09:00"
    before_due_days: list[NonNegativeInt] = Field(default=[3, 0],
                                                  description="提醒 days before the due day")
    warning_after_days: NonNegativeInt = Field(default=1,
                                               description="预警 days after a missed due day")
    follow_up_every_days: PositiveInt = Field(default=7, description="周问询 of star projects")
    follow_up_states: list[Identifier] = []
    digest: WeeklyTime = WeeklyTime(weekday="monday", time="09:00")
    agenda: WeeklyTime = WeeklyTime(weekday="monday", time="08:30", day_off="move")
    monthly_report_time: ClockTime = "09:00"
    quarterly_report_time: ClockTime = "09:00"
    reports_on: ReportDay = Field(
        default="first_working_day", description="the day of its month the 月调度 and the "
        "季总结 go out: the 1st, or the first working day")
    late_after_hours: NonNegativeInt = Field(
        default=12, description="a periodic mail later than this is recorded skipped")
    indicators: QuarterlyRequest | None = Field(
        default=None, description="the quarterly request for an opened project's figures")


class Zone(Format):
    """The park's zone: a registered address naming one of these is inside (迁出预警)."""

    label: Labels
    districts: list[Text] = Field(default=[], description="districts, e.g. 合肥市高新区")
    keywords: list[Text] = Field(default=[], description="roads, parks, buildings inside")
    address_events: Annotated[list[Identifier], Field(min_length=1)] = Field(
        default=["address_change"],
        description="the events whose `address` field is checked against the zone")


class LifecycleFormat(Format):
    """A parkflow lifecycle definition: states, the events between them, deadlines."""

    model_config = ConfigDict(title="parkflow lifecycle definition")

    name: Text = "project"
    initial: Identifier = Field(description="the state a new project starts in")
    default_roles: Roles = Field(default=["owner", "group", "leader"],
                                 description="who may fire an event that names no roles")
    categories: LabelMap = {}
    groups: LabelMap = {}
    milestones: LabelMap = Field(default={}, description="business dates events stamp; the "
                                 "first is stamped when a project is added")
    states: Annotated[dict[Identifier, State], Field(min_length=1)]
    events: Annotated[dict[Identifier, Event], Field(min_length=1)]
    project_fields: dict[Identifier, FieldSpec] = Field(
        default={}, description="the project's own record (contact, industry, …): set at "
        "intake, changed by an edit")
    stars: Stars | None = None
    reminders: Reminders = Reminders()
    zone: Zone | None = Field(default=None, description="the park's zone; an address "
                              "outside it raises an early warning (迁出预警)")


class _SchemaGenerator(GenerateJsonSchema):
    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        generated = super().dict_schema(schema)
        if "patternProperties" in generated:  # names must be identifiers, not just their bodies
            generated["additionalProperties"] = False
        return generated


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of a definition format, as published."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(by_alias=True, schema_generator=_SchemaGenerator)}


def definition_schema() -> dict[str, Any]:
    """The JSON Schema of the lifecycle definition format."""
    return json_schema(LifecycleFormat)
