"""The report as an Excel workbook (.xlsx), drawn from the one view with XlsxWriter.

    write_workbook(view, target, *, base_url, lang)   概览, a sheet per section, 图表
    write_sections(sections, target, *, base_url)     plain tables, a sheet each (the ledger)
    sheet_name(title, taken)                          a title as Excel accepts a sheet name
    text_width(text)                                  columns a text needs (wide chars: 2)

The overview sheet holds the title, the as-of line and the headline figures. Each section is
a table: its header row frozen and filtered, its columns as wide as their content, dates and
moments as real Excel dates, rates as numbers shown in %, empty values as empty cells. The
charts sheet draws the view's charts as native Excel charts (a file forwarded in a chat still
shows them), their data on a hidden sheet. With a `base_url`, the cells that link to projects
open them in the workspace.

This module is the only one that imports xlsxwriter; its errors end here (a file that
cannot be written is a ValidationError).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from xlsxwriter import Workbook
from xlsxwriter.chart import Chart as ExcelChart
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from i18n import N_, gettext
from reports.present import Chart, ColumnKind, Section, View
from workflow.file_errors import unwritable

Target = str | Path | BinaryIO

MAX_NAME = 31  # Excel's limit on a sheet name
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED = {"history"}  # Excel keeps this sheet name for itself
MIN_WIDTH, MAX_WIDTH = 6, 60  # columns, in characters
FILTER_BUTTON = 3  # the header's autofilter arrow covers the end of its text
# a deadline is written as its last day, shown with 24:00 after it (Excel has no 24:00)
NUMBER_FORMATS: dict[str, str] = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
                                  "deadline": 'yyyy-mm-dd "24:00"', "rate": "0.0%"}
PLAIN_WIDTH = {"date": 10, "datetime": 16, "deadline": 16}
CHART_TYPES = {"bar": "column", "line": "line", "funnel": "bar"}
CHART_SIZE = {"width": 720, "height": 360}
CHART_ROWS = 20  # rows from one chart to the next on the charts sheet (360 px + a gap)

OVERVIEW, CHARTS, CHART_DATA = N_("Overview"), N_("Charts"), N_("Chart data")
FIGURE, VALUE = N_("Figure"), N_("Value")
NO_DATA = N_("%(chart)s: no data to draw")


def write_workbook(view: View, target: Target, *, base_url: str | None = None,
                   lang: str) -> None:
    """The report's workbook: 概览 (title, as of, figures), a sheet per section, 图表 (charts).

    `target` is a path or a binary file open for writing; `lang` names the sheets the view
    does not (the view is already in the reader's language). Datetimes are written as their
    wall time (the view's are in park time). With `base_url`, links open the workspace."""
    with _Book(target, base_url) as book:
        book.overview(view, lang)
        for section in view.sections:
            book.table(section)
        book.charts(view, lang)


def write_sections(sections: Sequence[Section], target: Target, *,
                   base_url: str | None = None) -> None:
    """A workbook of plain tables, one sheet per section, formatted as the report's are
    (for the ledger's export: one Section whose rows are the projects)."""
    with _Book(target, base_url) as book:
        for section in sections:
            book.table(section)


def sheet_name(title: str, taken: set[str]) -> str:
    """`title` as Excel accepts a sheet name, unique among `taken` (casefolded, updated).

    At most 31 characters, none of []:*?/\\, no apostrophe at either end; a repeated name
    gets " (2)", " (3)" … within the 31 characters."""
    base = " ".join(FORBIDDEN.sub(" ", title).split()).strip("'").strip() or "Sheet"
    name, number = _cut(base, MAX_NAME), 2
    while name.casefold() in taken | RESERVED:
        suffix = f" ({number})"
        name, number = _cut(base, MAX_NAME - len(suffix)) + suffix, number + 1
    taken.add(name.casefold())
    return name


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, without a dangling space or comma where it was cut."""
    return text if len(text) <= limit else text[:limit].rstrip(" ,;.·-–'") or text[:limit]


def text_width(text: str) -> int:
    """How many columns `text` needs: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: Any, kind: ColumnKind) -> str:
    """About what Excel shows for a value, to size its column."""
    if value is None or value == "":
        return ""
    if kind in PLAIN_WIDTH:
        return "0" * PLAIN_WIDTH[kind]
    if kind == "rate":
        return f"{value:.1%}"
    if kind in ("number", "days"):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def wall_time(value: date) -> date:
    """A moment without its zone (Excel has none; XlsxWriter refuses aware datetimes)."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


class _Book:
    """One workbook being written: its sheet names, formats and links."""

    def __init__(self, target: Target, base_url: str | None) -> None:
        self.target = target
        self.base_url = base_url.rstrip("/") if base_url else None
        self.book = Workbook(str(target) if isinstance(target, str | Path) else target, {
            "in_memory": True,  # no temporary files: the web and the mail write to memory
            # text stays text: a project named "=1+1" or "http://…" is not a formula or a link
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.taken: set[str] = set()
        self.formats: dict[tuple[str, bool], Format] = {}
        self.header = self.book.add_format({"bold": True, "bg_color": "#DDEBF7",
                                            "bottom": 1, "valign": "top"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        if kind is not None:  # a half-built book is not written
            return
        try:
            self.book.close()
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else exc
            raise unwritable(cause if isinstance(cause, BaseException) else exc,
                             value=str(self.target)) from exc

    def sheet(self, title: str) -> Worksheet:
        return self.book.add_worksheet(sheet_name(title, self.taken))

    def link(self, path: str | None) -> str | None:
        return f"{self.base_url}{path}" if self.base_url and path else None

    def cell_format(self, kind: ColumnKind, linked: bool) -> Format | None:
        if kind not in NUMBER_FORMATS and not linked:
            return None
        key = (kind, linked)
        if key not in self.formats:
            props: dict[str, Any] = {"font_color": "blue", "underline": 1} if linked else {}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    # ------------------------------------------------------------ cells and tables

    def write(self, sheet: Worksheet, row: int, col: int, value: Any, kind: ColumnKind,
              url: str | None = None) -> None:
        """One typed cell; None or "" leaves it empty. A linked cell keeps its type: the
        link is written first, then its value over it (XlsxWriter keeps the link)."""
        if value is None or value == "":
            return
        if url is not None and sheet.write_url(row, col, url, self.cell_format(kind, True),
                                               string=str(value)) == 0:
            if kind == "text":
                return
        else:
            url = None  # no link, or one Excel refuses (too long, too many): the plain value
        fmt = self.cell_format(kind, url is not None)
        if kind == "deadline" and value.time() != time(0):  # not at midnight: as it is
            sheet.write_datetime(row, col, wall_time(value),
                                 self.cell_format("datetime", url is not None))
        elif kind == "deadline":
            sheet.write_datetime(row, col, value.date() - timedelta(days=1), fmt)
        elif kind in ("date", "datetime"):
            sheet.write_datetime(row, col, wall_time(value), fmt)
        elif kind in ("number", "days", "rate"):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def table(self, section: Section) -> None:
        """A section on a sheet of its own: a frozen, filtered header row, typed cells."""
        sheet = self.sheet(section.title)
        columns = section.columns
        widths = [text_width(c.title) + FILTER_BUTTON for c in columns]
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column.title, self.header)
        for number, row in enumerate(section.rows, start=1):
            for col, column in enumerate(columns):
                value = row.values.get(column.key)
                self.write(sheet, number, col, value, column.kind,
                           self.link(row.links.get(column.key)))
                widths[col] = max(widths[col], text_width(shown(value, column.kind)))
        self.fit(sheet, widths)
        sheet.freeze_panes(1, 0)
        if columns:
            sheet.autofilter(0, 0, len(section.rows), len(columns) - 1)

    @staticmethod
    def fit(sheet: Worksheet, widths: list[int]) -> None:
        """Column widths that fit the content, within MIN_WIDTH…MAX_WIDTH."""
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 1, MIN_WIDTH), MAX_WIDTH))

    def overview(self, view: View, lang: str) -> None:
        """The first sheet: the title, how the figures were counted, the headline figures."""
        sheet = self.sheet(gettext(lang, OVERVIEW))
        sheet.write_string(0, 0, view.title, self.title)
        sheet.write_string(1, 0, view.as_of)
        headers = [gettext(lang, FIGURE), gettext(lang, VALUE)]
        sheet.write_row(3, 0, headers, self.header)
        widths = [text_width(h) for h in headers]
        for number, figure in enumerate(view.figures, start=4):
            sheet.write_string(number, 0, figure.label)
            self.write(sheet, number, 1, figure.value, "number", self.link(figure.link))
            widths = [max(widths[0], text_width(figure.label)),
                      max(widths[1], len(str(figure.value)))]
        self.fit(sheet, widths)

    # ------------------------------------------------------------ charts

    def charts(self, view: View, lang: str) -> None:
        """The charts sheet: each chart drawn natively; its data on a hidden sheet."""
        sheet = self.sheet(gettext(lang, CHARTS))
        data = self.sheet(gettext(lang, CHART_DATA))
        data.hide()
        sheet.write_string(0, 0, view.title, self.title)
        top, data_row = 2, 0
        for chart in view.charts:
            if not chart.categories or not chart.series:
                sheet.write_string(top, 1, gettext(lang, NO_DATA, chart=chart.title))
                top += 2
                continue
            sheet.insert_chart(top, 1, self.chart(chart, data, data_row))
            top += CHART_ROWS
            data_row += len(chart.categories) + 3

    def chart(self, chart: Chart, data: Worksheet, first: int) -> ExcelChart:
        """`chart` as an Excel chart, its table written to `data` from row `first`: the
        title, then a header row (series names), then a row per category."""
        data.write_string(first, 0, chart.title, self.header)
        kind: ColumnKind = "rate" if chart.percent else "number"
        head, last = first + 1, first + 1 + len(chart.categories)
        for number, category in enumerate(chart.categories, start=head + 1):
            data.write_string(number, 0, category)
        primary = self.book.add_chart({"type": CHART_TYPES[chart.kind]})
        combined = None
        for col, series in enumerate(chart.series, start=1):
            data.write_string(head, col, series.name, self.header)
            for number, value in enumerate(series.values, start=head + 1):
                self.write(data, number, col, value, kind)  # None: an empty cell, a gap
            target = primary
            if chart.kind == "bar" and series.kind == "line":
                # a line over the bars (the allowed period beside the days spent)
                combined = combined or self.book.add_chart({"type": "line"})
                target = combined
            options: dict[str, Any] = {
                "name": [data.name, head, col],
                "categories": [data.name, head + 1, 0, last, 0],
                "values": [data.name, head + 1, col, last, col]}
            if target is not primary or chart.kind == "line":
                options["marker"] = {"type": "circle"}  # a point between two gaps shows
            target.add_series(options)
        if combined is not None:
            primary.combine(combined)
        primary.set_title({"name": chart.title})
        primary.show_blanks_as("gap")
        primary.set_legend({"position": "bottom"} if len(chart.series) > 1
                           else {"none": True})
        primary.set_size(CHART_SIZE)
        # XlsxWriter's y axis is the value axis, but a horizontal bar chart swaps them
        value_axis, category_axis = (primary.set_x_axis, primary.set_y_axis) \
            if chart.kind == "funnel" else (primary.set_y_axis, primary.set_x_axis)
        if chart.percent:
            value_axis({"num_format": "0%"})
        if chart.kind == "funnel":
            # the first stage on top, as given, and the value axis kept at the bottom
            category_axis({"reverse": True, "crossing": "max"})
        return primary
