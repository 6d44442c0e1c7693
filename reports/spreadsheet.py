"""Tables in and out of the files people keep them in: .xlsx and .csv.

The one owner of the spreadsheet libraries: XlsxWriter writes workbooks (it cannot read),
python-calamine reads them. A table is a header row and rows of plain values (text, numbers,
dates, None); what the columns mean is the caller's business.

    write_table(target, table, fmt)    .xlsx: frozen header, fitted widths, real date cells;
                                       .csv: UTF-8 with a BOM (Excel in China opens it)
    read_table(data, fmt, name)        the first sheet (or the CSV, UTF-8 with or without BOM,
                                       or GB18030), each cell a value or None
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from workflow.errors import ValidationError

FORMATS = ("xlsx", "csv")
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60  # a long note wraps to no wider than this (in characters)
Progress = Callable[[int], None]  # rows written so far


@dataclass(frozen=True)
class Table:
    """One sheet: its title, headers and rows; `frozen_columns` stay in view when scrolling."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    frozen_columns: int = 0


def format_of(filename: str) -> str:
    """`xlsx` or `csv`, from the file's name; anything else is refused naming the file."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise ValidationError("ledger_format", field="file", value=filename)
    return suffix


# ---------------------------------------------------------------- writing

def write_table(target: IO[bytes], table: Table, fmt: str,
                progress: Progress | None = None) -> None:
    """Write `table` to a binary stream as `fmt` (xlsx or csv)."""
    if fmt == "csv":
        _write_csv(target, table, progress)
    else:
        _write_xlsx(target, table, progress)


def _write_csv(target: IO[bytes], table: Table, progress: Progress | None) -> None:
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(table.headers)
    for n, row in enumerate(table.rows, 1):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v
                         for v in row])
        if progress:
            progress(n)
    text.flush()
    text.detach()  # the caller owns the stream


def _write_xlsx(target: IO[bytes], table: Table, progress: Progress | None) -> None:
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    sheet = workbook.add_worksheet(table.title[:31])  # Excel's limit on a sheet's name
    header = workbook.add_format({"bold": True, "bg_color": "#E8EEF5", "bottom": 1,
                                  "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": DATE_FORMAT, "align": "left"})
    sheet.write_row(0, 0, table.headers, header)
    for r, row in enumerate(table.rows, 1):
        for c, value in enumerate(row):
            _write_cell(sheet, r, c, value, day)
        if progress:
            progress(r)
    for c, width in enumerate(column_widths(table.headers, table.rows)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, table.frozen_columns)
    if table.rows:
        sheet.autofilter(0, 0, len(table.rows), len(table.headers) - 1)
    workbook.close()


def _write_cell(sheet: Any, row: int, col: int, value: Any, day: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, date) and not isinstance(value, datetime):
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), day)
    elif isinstance(value, bool):
        sheet.write_string(row, col, str(value))
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:  # text stays text: a credit code or "001" must not turn into a number or formula
        sheet.write_string(row, col, str(value))


def column_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[float]:
    """Each column as wide as its widest cell (a Chinese character counts two), capped."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for c, value in enumerate(row):
            shown = value.isoformat() if isinstance(value, date) else value
            widths[c] = max(widths[c], display_width("" if shown is None else str(shown)))
    return [min(w + 2, MAX_WIDTH) for w in widths]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------- reading

def read_table(data: bytes, fmt: str, name: str = "") -> list[list[Any]]:
    """The rows of the first sheet (the header row first); empty cells are None."""
    rows = _read_csv(data, name) if fmt == "csv" else _read_xlsx(data, name)
    return [[_cell(value) for value in row] for row in rows]


def _read_xlsx(data: bytes, name: str) -> list[list[Any]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            return []
        return list(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))
    except Exception as exc:  # calamine's errors name the broken part of the file
        raise ValidationError("unreadable_file", field="file", value=name,
                              error=str(exc).splitlines()[0] if str(exc) else
                              type(exc).__name__) from exc


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without a BOM), else GB18030 (what Excel in China saves as CSV)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("not_text", field="file", value=name)


def _read_csv(data: bytes, name: str) -> list[list[Any]]:
    text = decode_text(data, name)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError("unreadable_file", field="file", value=name,
                              error=str(exc)) from exc


def _cell(value: Any) -> Any:
    """A cell as a plain value: blanks are None, whole numbers are ints (5.0 → 5)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()  # a date cell without a time of day
    return value
