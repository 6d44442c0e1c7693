"""Dates, numbers and lists as people in each language write them (Babel's CLDR data).

    format_day(day, lang)             2026年10月30日 / Oct 30, 2026
    format_moment(moment, lang)       2026年10月30日 09:05 / Oct 30, 2026 09:05 (its own zone)
    format_period_end(day, lang)      2026年10月30日 24:00 (the end of a period's last day)
    format_until(moment, lang)        a deadline: a midnight is 24:00 of the day before
    until_iso(moment)                 the same in digits: 2026-10-30 24:00 (pages, the CLI)
    format_skeleton(s, value, lang)   any CLDR skeleton: "yMMMM" → 2026年10月 / October 2026
    month_name(month, lang)           十月 / October
    weekday_name(day, lang)           周五 / Fri
    format_number(number, lang)       1,200 · 999.5 (as typed: never rounded to a threshold)
    format_list(items, lang)          资金、空间 / funding and space

Convert moments to park time before formatting them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Literal

from babel import Locale, dates, lists, numbers

from i18n import babel_locale, normalise

__all__ = [
    "format_day",
    "format_list",
    "format_moment",
    "format_number",
    "format_period_end",
    "format_skeleton",
    "format_until",
    "month_name",
    "until_iso",
    "weekday_name",
]


def _locale(lang: str | None) -> Locale:
    """The Babel locale of a language, parsed once: Babel parses an identifier string again
    at every call it is given to (a mail formats a dozen dates and numbers)."""
    return _parsed(babel_locale(lang))


@cache
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)  # one per language: Locale objects are not changed


def format_skeleton(skeleton: str, value: date | datetime, lang: str) -> str:
    """Any CLDR skeleton ("yMMMd", "yMMMM", "yQQQ", "Hm"…), in the language's own order."""
    tzinfo = value.tzinfo if isinstance(value, datetime) else None
    return dates.format_skeleton(skeleton, value, tzinfo=tzinfo, locale=_locale(lang))


def format_day(day: date, lang: str) -> str:
    """A calendar day: 2026年10月30日 / Oct 30, 2026."""
    if isinstance(day, datetime):
        day = day.date()
    return _format_day(day, lang)


@lru_cache(maxsize=4096)
def _format_day(day: date, lang: str) -> str:
    # a delivery pass formats the same few due dates in message after message
    return format_skeleton("yMMMd", day, lang)


def format_moment(moment: datetime, lang: str) -> str:
    """A day and a time of day (24-hour clock, as the park's offices write it)."""
    return f"{format_day(moment.date(), lang)} {format_skeleton('Hm', moment, lang)}"


def format_period_end(day: date, lang: str) -> str:
    """The end of a period whose last day is `day`: 24:00 of that day, as the law counts."""
    return f"{format_day(day, lang)} 24:00"


def format_until(moment: datetime, lang: str) -> str:
    """A deadline as people read it: 24:00 of its last day, unless it is not at midnight
    (a decision due at 2026-12-11 00:00 is due 2026年12月10日 24:00, not 12月11日)."""
    if moment.time() == time(0):
        return format_period_end(moment.date() - timedelta(days=1), lang)
    return format_moment(moment, lang)


def until_iso(moment: datetime) -> str:
    """`format_until` in ISO digits, as the pages and the command line write days."""
    if moment.time() == time(0):
        return f"{(moment.date() - timedelta(days=1)).isoformat()} 24:00"
    return moment.strftime("%Y-%m-%d %H:%M")


def month_name(month: int, lang: str, *,
               width: Literal["abbreviated", "narrow", "wide"] = "wide") -> str:
    """The name of a month (1–12): 十月 / October."""
    return str(dates.get_month_names(width, locale=_locale(lang))[month])


def weekday_name(day: date, lang: str, *,
                 width: Literal["abbreviated", "narrow", "short", "wide"] = "abbreviated",
                 ) -> str:
    """The day of the week of `day`: 周五 / Fri (wide: 星期五 / Friday)."""
    return str(dates.get_day_names(width, locale=_locale(lang))[day.weekday()])


def format_number(number: float, lang: str) -> str:
    """A number as typed, grouped by thousands: 1,200 and 999.5."""
    value = int(number) if float(number).is_integer() else number
    return numbers.format_decimal(value, format="#,##0.###", locale=_locale(lang))


def format_list(items: Iterable[object], lang: str, *,
                style: Literal["standard", "or"] = "standard") -> str:
    """Items joined the language's way: 资金、空间、政策 (zh-CN) / funding, space, and policy
    (style "or", for alternatives: funding, space, or policy).

    CLDR's Chinese pattern ends with 和 (“资金、空间和政策”); official writing, and the field
    values people typed, are enumerated with the 顿号 “、” throughout, so zh-CN joins with it.
    """
    shown = [str(item) for item in items]
    if normalise(lang) == "zh-CN":
        return "、".join(shown)
    return lists.format_list(shown, style=style, locale=_locale(lang))
