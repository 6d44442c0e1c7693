"""`parkflow report weekly|monthly|quarterly`: the meeting packs, as text, JSON, xlsx or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import report_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out

PIPED_WIDTH = 240

if TYPE_CHECKING:
    from reports.periods import Kind
    from reports.present import View

Xlsx = Annotated[Path | None, typer.Option(
    "--xlsx", metavar="FILE", help=cli_help("Also write the report as an Excel workbook"))]
Html = Annotated[Path | None, typer.Option(
    "--html", metavar="FILE",
    help=cli_help("Also write the report as one HTML file (prints as A4)"))]
AsRecorded = Annotated[bool, typer.Option(
    "--as-recorded", help=cli_help("Only events recorded by the end of the period, as it was "
                                   "sent that day"))]


@command(report_app, "weekly", help=N_("The weekly meeting: the Monday–Sunday week."))
def report_weekly(
    ctx: Context,
    at: Annotated[str | None, typer.Option(
        "--at", metavar="D", help=cli_help("A day of the week (default: last week)"))] = None,
    as_json: Json = False, xlsx: Xlsx = None, html: Html = None,
    as_recorded: AsRecorded = False, by: By = None,
) -> None:
    _report(ctx, "weekly", at, as_json, xlsx, html, as_recorded, by)


@command(report_app, "monthly", help=N_("The monthly dispatch: one calendar month."))
def report_monthly(
    ctx: Context,
    month: Annotated[str | None, typer.Option(
        "--month", metavar="YYYY-MM", help=cli_help("The month (default: last month)"))] = None,
    as_json: Json = False, xlsx: Xlsx = None, html: Html = None,
    as_recorded: AsRecorded = False, by: By = None,
) -> None:
    _report(ctx, "monthly", month, as_json, xlsx, html, as_recorded, by)


@command(report_app, "quarterly", help=N_("The quarterly summary: one quarter."))
def report_quarterly(
    ctx: Context,
    quarter: Annotated[str | None, typer.Option(
        "--quarter", metavar="YYYY-Qn",
        help=cli_help("The quarter (default: last quarter)"))] = None,
    as_json: Json = False, xlsx: Xlsx = None, html: Html = None,
    as_recorded: AsRecorded = False, by: By = None,
) -> None:
    _report(ctx, "quarterly", quarter, as_json, xlsx, html, as_recorded, by)


def _report(ctx: Context, kind: Kind, period_text: str | None, as_json: bool,
            xlsx: Path | None, html: Path | None, as_recorded: bool, by: str | None) -> None:
    from db.engine import reading
    from reports.compute import compute, public
    from reports.periods import parse_period
    from reports.present import present
    from workflow.errors import ValidationError
    ctx.actor(by)  # the reader's language, when a person is named
    for target, suffixes in ((xlsx, (".xlsx",)), (html, (".html", ".htm"))):
        if target is not None and target.suffix.lower() not in suffixes:  # before any work
            raise ValidationError("file_suffix", field="file", value=str(target),
                                  suffix=suffixes[0])
    park = ctx.app.park
    today = park.now().astimezone(park.tz).date()
    period = parse_period(kind, period_text, today=today, tz=park.tz)
    with reading(ctx.app.engine) as session:
        report = compute(session, park, period, as_recorded=as_recorded)
    view = present(park, report, period, ctx.lang)
    if xlsx is not None:
        _write_xlsx(ctx, view, xlsx)
    if html is not None:
        _write_html(ctx, view, html)
    if as_json:
        emit_json(public(report))
    else:
        print_view(ctx, view)


def _write_xlsx(ctx: Context, view: View, target: Path) -> None:
    from reports.workbook import write_workbook
    write_workbook(view, target, base_url=ctx.settings.base_url, lang=ctx.lang)


def _write_html(ctx: Context, view: View, target: Path) -> None:
    from web.report_file import standalone_html
    from workflow.file_errors import unwritable
    document = standalone_html(view, ctx.lang, ctx.settings.base_url)
    try:
        target.write_text(document, encoding="utf-8")
    except OSError as exc:  # a missing folder, a directory, no permission: exit 2, not 1
        raise unwritable(exc, value=str(target)) from exc


def print_view(ctx: Context, view: View) -> None:
    """The report at a terminal: the title, the figures, then each section as a table."""
    from rich.console import Console
    from rich.table import Table

    from reports.present import format_cell
    # piped into a file or a mail, a table keeps its full width instead of 80 columns
    console = out if out.is_terminal else Console(highlight=False, width=PIPED_WIDTH)
    out.print(f"[bold]{_escape(view.title)}[/bold]")
    out.print(view.as_of, markup=False)
    if view.figures:
        out.print("  ".join(f"{f.label} {f.value}" for f in view.figures), markup=False)
    for section in view.sections:
        out.print()
        out.print(f"[bold]{_escape(section.title)}[/bold]")
        if not section.rows:
            out.print(ctx.say("None"), markup=False)
            continue
        table = Table(show_edge=False, pad_edge=False)
        for column in section.columns:
            right = column.kind in ("number", "days", "rate")
            table.add_column(column.title, justify="right" if right else "left", no_wrap=True)
        for row in section.rows:
            table.add_row(*(_escape(format_cell(row.values.get(c.key), c.kind, ctx.lang))
                            for c in section.columns))
        console.print(table)


def _escape(text: Any) -> str:
    from rich.markup import escape
    return escape(str(text))
