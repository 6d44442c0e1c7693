"""One entry point for the three reports: which function computes which kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from reports.monthly import STAGE_MEASURES, monthly
from reports.periods import Period
from reports.quarterly import quarterly
from reports.stays import members
from reports.weekly import cut_for, weekly
from workflow.park import Park

Builder = Callable[..., dict[str, Any]]
BUILDERS: dict[str, Builder] = {"weekly": weekly, "monthly": monthly, "quarterly": quarterly}


def compute(session: Session, park: Park, period: Period, *,
            as_recorded: bool = False) -> dict[str, Any]:
    return BUILDERS[period.kind](session, park, period, as_recorded=as_recorded)


def public(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the command's JSON gives it: without the projects behind each figure."""
    return {key: value for key, value in report.items() if key != "behind"}


def projects_behind(session: Session, park: Park, period: Period, report: dict[str, Any],
                    figure: str) -> list[int] | None:
    """The projects one figure of a computed report counts; None for no such figure.

    The monthly funnel is counted by the database: its members are looked up on request
    rather than carried with every report (the projects at the end of a month are most of
    the library)."""
    if figure in report["behind"]:
        return list(report["behind"][figure])
    parts = figure.split(".")
    if period.kind == "monthly" and len(parts) == 3 and parts[0] == "stages" \
            and parts[1] in park.lifecycle.states and parts[2] in STAGE_MEASURES:
        cut = cut_for(period, park, bool(report.get("as_recorded")))
        return members(session, cut, period.start_at(park.tz), parts[1], parts[2]) or None
    return None
