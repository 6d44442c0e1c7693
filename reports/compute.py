"""One entry point for the three reports: which function computes which kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from reports.monthly import monthly
from reports.periods import Period
from reports.quarterly import quarterly
from reports.weekly import weekly
from workflow.park import Park

Builder = Callable[..., dict[str, Any]]
BUILDERS: dict[str, Builder] = {"weekly": weekly, "monthly": monthly, "quarterly": quarterly}


def compute(session: Session, park: Park, period: Period, *,
            as_recorded: bool = False) -> dict[str, Any]:
    return BUILDERS[period.kind](session, park, period, as_recorded=as_recorded)


def public(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the command's JSON gives it: without the projects behind each figure."""
    return {key: value for key, value in report.items() if key != "behind"}
