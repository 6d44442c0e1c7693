"""How a report's View reads on the page and in the standalone file: cells, charts, figures.

The View of reports.present is the one presentation of a report; this module only writes its
typed values the way the reader reads them (as the command does), turns its charts into the JSON
that web/static/parkflow-charts.js draws, and finds the labels of the figure behind a link.
Nothing is counted here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from i18n import gettext
from i18n.formats import format_number
from reports.periods import YEARS, Kind, Period, parse_period, period_containing
from reports.present import TITLES, Chart, ColumnKind, View, format_cell
from workflow.errors import NotFound, ValidationError

KINDS: tuple[Kind, ...] = ("weekly", "monthly", "quarterly")
# what each kind's key looks like, for the message about a key that is none
EXPECTED = {"weekly": "YYYY-Www", "monthly": "YYYY-MM", "quarterly": "YYYY-Qn"}
FIELD = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")


def period_of(kind: Kind, key: str, *, today: date, tz: ZoneInfo) -> Period:
    """The period a key names: 2026-W47 (or a day of that week), 2026-11, 2026-Q4.

    A key that names no period is not found (404): the address points nowhere.
    """
    text = key.strip()
    try:
        match = _WEEK.fullmatch(text) if kind == "weekly" else None
        if match is not None:
            year, week = int(match.group(1)), int(match.group(2))
            period = period_containing(kind, date.fromisocalendar(year, week, 1))
        else:
            period = parse_period(kind, text, today=today, tz=tz)
    except (ValidationError, ValueError) as error:
        raise NotFound("bad_period", field=FIELD[kind], value=text,
                       expected=EXPECTED[kind]) from error
    if period.start.year not in YEARS:
        raise NotFound("bad_period", field=FIELD[kind], value=text, expected=EXPECTED[kind])
    return period


def report_name(kind: str, lang: str) -> str:
    """周例会 / 月调度 / 季总结, the tab and the file name."""
    return gettext(lang, TITLES[kind])


@dataclass(frozen=True)
class Cells:
    """The View's values as text in one language (the templates' `R`)."""

    lang: str

    def cell(self, value: Any, kind: ColumnKind) -> str:
        """As the command prints it (reports.present.format_cell): one way to write a cell."""
        return format_cell(value, kind, self.lang)

    def number(self, value: int) -> str:
        return format_number(value, self.lang)

    def chart_json(self, chart: Chart) -> str:
        """The chart as parkflow-charts.js reads it from the container's data-chart."""
        return json.dumps({**dataclasses.asdict(chart), "lang": self.lang},
                          ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def has_data(chart: Chart) -> bool:
        """Whether there is anything to draw (an empty chart says so in words instead);
        a 0 % on-time rate is something to draw."""
        return bool(chart.categories) and any(v is not None for s in chart.series
                                              for v in s.values)


def figure_in(link: str) -> str | None:
    """The figure a drill-down link opens (`…/projects?figure=stages.intake.entered`)."""
    parts = urlsplit(link)
    if not parts.path.endswith("/projects"):
        return None
    values = parse_qs(parts.query, keep_blank_values=True).get("figure")
    return values[0] if values else None


def figure_title(view: View, figure: str) -> str | None:
    """What a figure is, in the View's words: the headline's label, or the section, the
    row and the column of the cell that links to it."""
    for headline in view.figures:
        if headline.link and figure_in(headline.link) == figure:
            return headline.label
    for section in view.sections:
        titles = {column.key: column.title for column in section.columns}
        first = section.columns[0].key
        for row in section.rows:
            for key, link in row.links.items():
                if figure_in(link) == figure:
                    label = row.values.get(first) if key != first else None
                    parts = (section.title, str(label) if label else "", titles[key])
                    return " · ".join(part for part in parts if part)
    return None
