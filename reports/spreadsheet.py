"""Tables in and out of the files people keep them in: .xlsx and .csv.

A table is a header row and rows of plain values (text, numbers, dates, None), each column
of a kind (text, number, date); what the columns mean is the caller's business.

    write_table(target, table, fmt)    .xlsx through the report workbook's writer
                                       (`reports.workbook`, XlsxWriter's one owner): frozen
                                       header, fitted widths, real date cells;
                                       .csv: UTF-8 with a BOM (Excel in China opens it)
    read_table(data, fmt, name)        the first sheet (or the CSV, UTF-8 with or without BOM,
                                       or GB18030), each cell a value or None

The one owner of python-calamine, which reads workbooks (XlsxWriter cannot).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from python_calamine import CalamineWorkbook

from reports.present import Column, ColumnKind, Row, Section
from reports.workbook import write_sections
from workflow.errors import ValidationError
from workflow.file_errors import unreadable

FORMATS = ("xlsx", "csv")
Progress = Callable[[int], None]  # rows written so far


@dataclass(frozen=True)
class Table:
    """One sheet: its title, headers and rows, and each column's kind (text unless told)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    kinds: Sequence[ColumnKind] = ()


def format_of(filename: str) -> str:
    """`xlsx` or `csv`, from the file's name; anything else is refused naming the file."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise ValidationError("ledger_format", field="file", value=filename)
    return suffix


# ---------------------------------------------------------------- writing

def write_table(target: BinaryIO, table: Table, fmt: str,
                progress: Progress | None = None) -> None:
    """Write `table` to a binary stream as `fmt` (xlsx or csv)."""
    if fmt == "csv":
        _write_csv(target, table, progress)
    else:
        _write_xlsx(target, table, progress)


def _write_csv(target: BinaryIO, table: Table, progress: Progress | None) -> None:
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


def _write_xlsx(target: BinaryIO, table: Table, progress: Progress | None) -> None:
    kinds = list(table.kinds) or ["text"] * len(table.headers)
    columns = tuple(Column(f"c{n}", header, kind)
                    for n, (header, kind) in enumerate(zip(table.headers, kinds, strict=True)))
    rows = []
    for number, values in enumerate(table.rows, 1):
        rows.append(Row({f"c{n}": value for n, value in enumerate(values)}))
        if progress:
            progress(number)
    write_sections([Section("table", table.title, columns, rows)], target)


# ---------------------------------------------------------------- reading

def read_table(data: bytes, fmt: str, name: str = "") -> list[list[Any]]:
    """The rows of the first sheet (the header row first); empty cells are None."""
    if not data:  # 0 bytes: nothing a person could have saved as a ledger
        raise unreadable("empty", value=name)
    rows = _read_csv(data, name) if fmt == "csv" else _read_xlsx(data, name)
    return [[_cell(value) for value in row] for row in rows]


def _read_xlsx(data: bytes, name: str) -> list[list[Any]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            return []
        return list(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))
    except Exception as exc:  # calamine's sentences are English and name its internals
        raise unreadable("not_workbook", value=name) from exc


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
        raise unreadable("not_csv", value=name) from exc


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
