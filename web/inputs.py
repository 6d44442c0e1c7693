"""Input checks the workspace makes before a use case sees the value.

Dates far outside any business (year 1, year 9999) overflow when converted between zones, so
they are refused here with the field named, like any other bad date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from states.definition import FieldDef
from workflow.errors import ValidationError
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
