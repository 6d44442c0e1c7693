"""The REST API's bodies: the JSON shapes of CLI.md, as pydantic models for the OpenAPI document.

Responses allow extra keys, so what the read models add (labels, display fields) passes
through unchanged; requests forbid them, so a misspelt key is an error that names it.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ID = 2**31 - 1


def no_controls(value: str) -> str:
    """NUL and other C0 controls are refused (PostgreSQL would refuse NUL deep inside)."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


Clean = AfterValidator(no_controls)
Email = Annotated[str, Field(min_length=1, max_length=254), Clean]
Code = Annotated[str, Field(min_length=1, max_length=40), Clean]  # names from definitions
Line = Annotated[str, Field(min_length=1, max_length=100), Clean]
Note = Annotated[str, Field(max_length=2000), Clean]
DateText = Annotated[str, Field(max_length=40, examples=["2026-11-18"]), Clean]
Item = Annotated[str, Field(max_length=500), Clean]
NOTE_LIMIT, ITEM_LIMIT, ITEMS_LIMIT = 2000, 500, 50


def field_value(value: Any) -> Any:
    """An event field's value as the JSON gave it, its type kept: the engine checks it
    against the field's definition and names the field. A schema union would read `true` as
    the score 1, and refuse 3.5 once per member, under the name "fields"."""
    if value is None or isinstance(value, bool | int):
        return value  # None: left out; a boolean reaches the engine, which refuses it
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        return value
    if isinstance(value, str):
        return _text(value, NOTE_LIMIT)
    if isinstance(value, list):
        if len(value) > ITEMS_LIMIT:
            raise PydanticCustomError("too_long", "List should have at most {max_length} items",
                                      {"max_length": ITEMS_LIMIT})
        if not all(isinstance(item, str) for item in value):
            raise PydanticCustomError("list_of_text", "A list holds text only")
        return [_text(item, ITEM_LIMIT) for item in value]
    raise PydanticCustomError("field_value", "A number, a text or a list of texts")


def _text(value: str, limit: int) -> str:
    if _SURROGATE.search(value):  # JSON's "\ud800": no character, not storable as UTF-8
        raise PydanticCustomError("string_unicode", "Input should be a valid string")
    if len(value) > limit:
        raise PydanticCustomError("string_too_long", "String should have at most "
                                  "{max_length} characters", {"max_length": limit})
    return no_controls(value)


# what the OpenAPI document says a field's value may be (each event's fields: CLI.md)
FieldValue = Annotated[Any, PlainValidator(field_value), WithJsonSchema({"anyOf": [
    {"type": "integer"}, {"type": "number"}, {"type": "string", "maxLength": NOTE_LIMIT},
    {"type": "array", "maxItems": ITEMS_LIMIT,
     "items": {"type": "string", "maxLength": ITEM_LIMIT}}]})]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Area = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- errors

class ErrorDetail(BaseModel):
    kind: str = Field(examples=["invalid"])
    field: str | None = Field(examples=["uscc"])
    message: str


class ErrorBody(BaseModel):
    """The CLI's `--json` error: what kind, which field, a message in the user's language."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read (not UTF-8 JSON)"},
    401: {"model": ErrorBody, "description": "No or bad token"},
    403: {"model": ErrorBody, "description": "Not permitted (CLI exit 3)"},
    404: {"model": ErrorBody, "description": "Not found (CLI exit 4)"},
    409: {"model": ErrorBody, "description": "Conflict (CLI exit 5)"},
    422: {"model": ErrorBody, "description": "Invalid input (CLI exit 2)"},
}


# ---------------------------------------------------------------- projects

class Person(Out):
    email: str
    name: str


class Deadline(Out):
    due_date: str = Field(examples=["2026-10-30"])
    due_at: str = Field(examples=["2026-10-31T00:00:00+08:00"])
    explanation: str
    warnings: list[str]


class HistoryEntry(Out):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    event: str
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    occurred_at: str
    recorded_at: str
    fields: dict[str, Any]


class ProjectSummary(Out):
    id: int
    name: str
    category: str
    state: str
    owner: Person
    group: str | None
    stars: int
    due_date: str | None
    due_at: str | None
    deadline_status: Literal["on_time", "due_soon", "overdue"] | None


class Project(Out):
    id: int
    name: str
    category: str
    state: str
    owner: Person
    group: str | None
    stars: int
    deadline: Deadline | None
    history: list[HistoryEntry]


class Refusal(Out):
    """Why an event may not be fired now: an error code and its parameters (no prose)."""

    code: str = Field(examples=["invalid_transition"])
    params: dict[str, Any] = Field(examples=[{"event": "sign", "state": "visited"}])


class AvailableEvent(Out):
    event: str = Field(examples=["register"])
    available: bool
    reason: Refusal | None


class ProjectCreate(In):
    name: Annotated[str, Field(min_length=1, max_length=200), Clean]
    category: Code = Field(examples=["tech_transfer"])
    owner: Email
    intake_date: DateText | None = None


class EventFire(In):
    event: Code = Field(examples=["visit"])
    at: DateText | None = Field(default=None, description="Business date (default now)")
    fields: Annotated[dict[Code, FieldValue], Field(max_length=50)] = Field(
        default_factory=dict, examples=[{"visitors": ["王建国"], "needs": ["funding"],
                                         "team": 4, "technology": 5, "capital": 3,
                                         "market": 4}])


class FollowUp(In):
    note: Annotated[str, Field(min_length=1, max_length=2000), Clean]
    at: DateText | None = None


# ---------------------------------------------------------------- approvals

class Approval(Out):
    id: int
    kind: Literal["space", "extension", "suspension"]
    subject_id: int
    state: str
    requested_by: str
    decided_by: str | None
    comment: str | None


class Decision(In):
    decision: Literal["approve", "reject", "return"]
    comment: Note | None = None


# ---------------------------------------------------------------- space

class Listing(Out):
    id: int
    carrier: str
    building: str
    unit: str
    area: float
    type: str
    status: str


class ListingCreate(In):
    carrier: Line
    building: Annotated[str, Field(min_length=1, max_length=50), Clean]
    unit: Annotated[str, Field(min_length=1, max_length=50), Clean]
    area: Area
    type: Code = Field(examples=["office"])


class SpaceRequest(Out):
    id: int
    project_id: int
    type: str
    area: float
    needed_by: str
    carrier: str | None
    note: str | None
    requested_by: str
    needs_approval: bool
    approval_id: int | None
    status: str


class SpaceRequestCreate(In):
    project_id: Id
    type: Code = Field(examples=["office"])
    area: Area
    needed_by: DateText
    carrier: Annotated[str, Field(max_length=100), Clean] | None = None
    note: Note | None = None


class SpaceRequestFiled(Out):
    id: int
    needs_approval: bool
    approval_id: int | None
    reason: str


class Me(Out):
    email: str
    name: str
    role: str
    group: str | None
    lang: str
