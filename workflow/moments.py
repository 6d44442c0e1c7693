"""Turning what a person types (`2026-09-30`, an ISO datetime) into an aware moment."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from workflow.errors import ValidationError


def parse_day_or_moment(text: str, field: str) -> date | datetime:
    """A bare date, or an ISO datetime (made aware later in the park's zone if naive)."""
    text = text.strip()
    try:
        parsed: date | datetime = (date.fromisoformat(text) if len(text) == 10
                                   else datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError as exc:
        raise ValidationError("bad_date", field=field, value=text) from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:  # also keeps UTC conversion from overflowing
        raise ValidationError("bad_date", field=field, value=text)
    return parsed


MIN_YEAR, MAX_YEAR = 1900, 2200


def resolve_moment(value: str | date | datetime | None, *, field: str, tz: ZoneInfo,
                   now: datetime, previous: datetime | None = None) -> datetime:
    """The business moment of an event: never in the future, never before `previous`.

    A bare date means that day in the park's zone: today means now; an earlier day means its
    start, or the previous event's moment when that was later on the same day, so events
    recorded by date keep their order.
    """
    if value is None:
        moment = now
    else:
        parsed = parse_day_or_moment(value, field) if isinstance(value, str) else value
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ValidationError("bad_date", field=field, value=str(parsed))
        if isinstance(parsed, datetime):
            moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        elif parsed == now.astimezone(tz).date():
            moment = now
        else:
            moment = datetime.combine(parsed, time(), tzinfo=tz)
            if previous is not None and previous.astimezone(tz).date() == parsed:
                moment = max(moment, previous)
    # a refusal shows what the person gave: a day typed without a time is shown as that day
    shown = moment.astimezone(tz) if value is None or isinstance(parsed, datetime) else parsed
    if moment > now:
        raise ValidationError("in_future", field=field, value=shown)
    if previous is not None and moment < previous:
        raise ValidationError("before_previous", field=field, value=shown,
                              previous=previous.astimezone(tz))
    return moment


def park_date(value: str | date | datetime, *, field: str, tz: ZoneInfo) -> date:
    """A calendar day in the park's zone (for --needed-by and the like)."""
    parsed = parse_day_or_moment(value, field) if isinstance(value, str) else value
    if isinstance(parsed, datetime):
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        return aware.astimezone(tz).date()
    return parsed
