"""Input checks the workspace makes before a use case sees the value.

Dates far outside any business (year 1, year 9999) overflow when converted between zones, so
they are refused here with the field named, like any other bad date.

What FastAPI's schema refuses before a route runs (a letter in a number, a form without a
required input, an id that is no number) becomes the engine's own error here
(`refused_input`): the input named by the label its form shows, the reason in the catalogue's
words; an address whose id does not parse is a page that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi.exceptions import RequestValidationError

from states.definition import FieldDef
from workflow.errors import NotFound, ValidationError, WorkflowError, several
from workflow.moments import parse_day_or_moment

FIRST_YEAR, LAST_YEAR = 1900, 2200


def moment_text(value: str | None, field: str) -> str | None:
    """A date or ISO datetime as typed, once it is known to be one of a sane year."""
    if value is None or not value.strip():
        return None
    parsed = parse_day_or_moment(value, field)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValidationError("year_range", field=field, value=value, low=FIRST_YEAR,
                              high=LAST_YEAR)
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        offset = parsed.utcoffset()
        if offset is not None and abs(offset.total_seconds()) > 14 * 3600:
            raise ValidationError("bad_date", field=field, value=value)
    return value.strip()


def record_fields(fields: Mapping[str, FieldDef], form: Any, *, edit: bool = False
                  ) -> dict[str, Any]:
    """The project's record fields posted by a form: at intake the ones filled in; in an
    edit every one shown (a blank one clears the field)."""
    found: dict[str, Any] = {}
    for name in fields:
        value = form.get(name)
        if isinstance(value, str) and (edit or value.strip()):
            found[name] = value
    return found


def allowed_duplicate(form: Any) -> bool:
    """Whether the person confirmed a second project of a name or credit code."""
    return form.get("allow_duplicate") in ("1", "on", "true")


# the action each page form posts to: its inputs are named by that action's labels
# (workflow.labels.ACTION_FIELDS), the ones its form shows
FORM_ACTIONS = {
    "/projects/{project_id}/follow-ups": "follow_up",
    "/projects/{project_id}/extensions": "extension",
    "/projects/{project_id}/suspensions": "suspend",
    "/projects/{project_id}/space-requests": "space",
    "/projects": "intake",
    "/admin/users": "user",
}
# a page's address with an id that names nothing: what is not found
NOT_FOUND = {"project_id": "project_not_found", "approval_id": "approval_not_found",
             "request_id": "request_not_found", "message_id": "message_not_found",
             "user_id": "user_not_found", "token_id": "token_not_found"}
_NUMBER_ERRORS = ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type",
                  "decimal_parsing", "decimal_type", "finite_number")
_DATE_ERRORS = ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                "date_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_type")
_PLACES = ("body", "query", "path", "header", "cookie", "form")


def form_action(route_path: str | None) -> str | None:
    """The action whose labels name the inputs of the form posted to `route_path`."""
    return FORM_ACTIONS.get(route_path or "")


def refused_input(exc: RequestValidationError, *, action: str | None = None,
                  page: bool = False) -> WorkflowError:
    """What the schema refused, as the engine's error: on a page an unparsable id in the
    address is not found (404); anything else is a ValidationError naming the input."""
    errors = list(exc.errors()) or [{"type": "missing", "loc": ("body",)}]
    if page:
        for error in errors:
            loc = tuple(error.get("loc", ()))
            if loc[:1] == ("path",):
                name = str(loc[1]) if len(loc) > 1 else ""
                return NotFound(NOT_FOUND.get(name, "page_not_found"), field=name or None,
                                value=_shown_input(error.get("input")))
    return several([_refusal(error, action) for error in errors])


def _refusal(error: Any, action: str | None) -> ValidationError:
    """One refused input: its name, and pydantic's reason in the catalogue's words."""
    kind = str(error.get("type", ""))
    names = [str(part) for part in error.get("loc", ()) if part not in _PLACES]
    if names[:1] == ["fields"] and len(names) > 1:  # an event's field (the API): its own name
        names = names[1:]
    field = names[0] if names else None
    value = error.get("input")
    shown = _shown_input(value)
    ctx = error.get("ctx") or {}
    params: dict[str, Any] = {"event": action} if action else {}
    if kind == "json_invalid":
        return ValidationError("not_json")
    if field is None:  # the body as a whole: `[null, null]` where an object belongs
        return ValidationError("bad_body")
    if kind == "missing":
        return ValidationError("required", field=field, **params)
    if kind == "extra_forbidden":
        return ValidationError("unexpected_field", field=field, value=field)
    if isinstance(value, str) and not value.strip():
        return ValidationError("empty", field=field, **params)
    if kind in _NUMBER_ERRORS:
        return ValidationError("not_a_number", field=field, value=shown, **params)
    if kind in _DATE_ERRORS:
        return ValidationError("bad_date", field=field, value=shown, **params)
    if kind == "greater_than_equal":
        return ValidationError("below_minimum", field=field, value=shown,
                               limit=_number(ctx.get("ge")), **params)
    if kind == "greater_than":  # an area of 0 is not "less than 0"
        return ValidationError("not_above", field=field, value=shown,
                               limit=_number(ctx.get("gt")), **params)
    if kind in ("less_than_equal", "less_than"):
        return ValidationError("above_maximum", field=field, value=shown,
                               limit=_number(ctx.get("le", ctx.get("lt"))), **params)
    if kind in ("string_too_long", "too_long"):
        length = len(value) if isinstance(value, str | list | dict) else 0
        return ValidationError("too_long", field=field, limit=ctx.get("max_length"),
                               length=length, **params)
    if kind in ("string_too_short", "too_short"):
        return ValidationError("too_short", field=field, limit=ctx.get("min_length"),
                               **params)
    if kind == "value_error" and "control" in str(ctx.get("error", "")):
        return ValidationError("control_character", field=field, **params)
    return ValidationError("bad_value", field=field, value=shown, **params)


def _number(limit: Any) -> Any:
    """A schema's bound as people write it: 0, not 0.0."""
    return int(limit) if isinstance(limit, float) and limit.is_integer() else limit


def _shown_input(value: Any) -> str:
    """What the person sent, as a message may quote it: short, one line."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    # a lone surrogate ("\ud800" in JSON) cannot be written back in UTF-8: shown as "?"
    text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    return text if len(text) <= 40 else text[:39] + "…"
