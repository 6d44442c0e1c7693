"""The report mails: the weekly agenda (周例会), the monthly dispatch (月调度) and the
quarterly summary (季总结) show the one report of `reports/` — the same view as the command
and the web page — with its workbook attached.

A mail covers the last full period before its slot: the agenda of a Monday (or of the working
day it moved to) the week before, the dispatch of January 4th December, the summary of
January 4th the fourth quarter.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from i18n import N_, gettext
from reports.compute import compute
from reports.periods import Kind, Period, last_full
from reports.present import View, format_cell, present
from reports.workbook import write_workbook
from workflow.park import Park

KIND_OF: dict[str, Kind] = {"agenda": "weekly", "monthly_report": "monthly",
                            "quarterly_report": "quarterly"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = XLSX


def period_of(kind: str, slot: datetime, park: Park) -> Period:
    """The period a mail of `kind` sent at `slot` covers: the last full one before it."""
    return last_full(KIND_OF[kind], slot.astimezone(park.tz).date())


def report_mail(session: Session, park: Park, kind: str, slot: datetime, lang: str,
                url: Callable[[str], str]) -> tuple[dict[str, Any], Attachment]:
    """The mail's `report` context and the workbook to attach, in the reader's language."""
    period = period_of(kind, slot, park)
    report = compute(session, park, period)
    view = present(park, report, period, lang)
    context = plain(view, lang, url)
    context["url"] = url(f"/reports/{period.kind}/{period.key}")
    if period.kind == "monthly":
        context["overdue_total"] = report["overdue_at_end"]["total"]
    if period.kind == "quarterly":
        context["opened_count"] = report["opened"]
    return context, workbook(view, lang, url(""))


def plain(view: View, lang: str, url: Callable[[str], str]) -> dict[str, Any]:
    """The view as plain values a template prints: texts formatted, links absolute."""
    return {
        "title": view.title, "period": view.period.label(lang), "as_of": view.as_of,
        "figures": [{"label": f.label, "value": f.value, "url": url(f.link) if f.link else None}
                    for f in view.figures],
        "sections": [{
            "title": s.title,
            "headers": [c.title for c in s.columns],
            "numeric": [c.kind in ("number", "days", "rate") for c in s.columns],
            "rows": [[{"text": format_cell(row.values.get(c.key), c.kind, lang),
                       "url": url(row.links[c.key]) if c.key in row.links else None}
                      for c in s.columns] for row in s.rows],
        } for s in view.sections],
    }


FILE_NAMES = {"weekly": N_("Weekly meeting"), "monthly": N_("Monthly dispatch"),
              "quarterly": N_("Quarterly summary")}


def workbook(view: View, lang: str, base_url: str) -> Attachment:
    buffer = io.BytesIO()
    write_workbook(view, buffer, base_url=base_url, lang=lang)
    name = gettext(lang, FILE_NAMES[view.period.kind])
    return Attachment(f"{name}-{view.period.key}.xlsx", buffer.getvalue())


def week_label(meeting: date, lang: str) -> dict[str, str]:
    """The meeting's day and the ISO week it falls in, for the agenda's title."""
    year, week, _ = meeting.isocalendar()
    return {"date": meeting.isoformat(),
            "week_label": gettext(lang, N_("week %(week)s of %(year)s"), week=week, year=year)}
