"""`parkflow calendar import-notice`: next year's holidays from the State Council's notice.

Every text a person reads comes from the catalogue, holidays by their name in the reader's
language.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import calendar_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out
from workflow.errors import ValidationError
from workflow.file_errors import unreadable

if TYPE_CHECKING:  # the rest is imported when the command runs: other commands start faster
    from rich.console import Console

    from workflow.calendar import SpecialDay
    from workflow.notice_import import NoticeImport

_CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"}


@command(calendar_app, "import-notice", help=N_("Import the State Council's holiday notice."))
def calendar_import_notice(
    ctx: Context,
    file: Annotated[str, typer.Argument(
        metavar="FILE|-",
        help=cli_help("The notice's text (- for standard input)"))],
    year: Annotated[int, typer.Option(
        "--year", help=cli_help("The year the notice arranges, YYYY"))],
    by: By = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run",
        help=cli_help("Compare only, import nothing"))] = False,
    as_json: Json = False,
) -> None:
    from db.engine import reading, writing
    from workflow.notice_import import import_notice
    text = read_text(file)
    actor = ctx.actor(by)
    with (reading if dry_run else writing)(ctx.app.engine) as session:
        result = import_notice(session, ctx.app.park, text=text, year=year, actor=actor or "",
                               now=ctx.app.park.now(), dry_run=dry_run)
    if as_json:
        emit_json(result.as_json())
    else:
        print_comparison(out, result, ctx)


def read_text(file: str) -> str:
    """The notice from a file or, for `-`, standard input; UTF-8 (BOM or not) or GB18030."""
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise unreadable(exc, value=file) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("not_text", field="file", value=file)


def print_comparison(console: Console, result: NoticeImport, ctx: Context) -> None:
    """Every day of the notice beside what the calendar has (had) for it, then a summary."""
    from rich.table import Table

    from i18n import N_
    from i18n.formats import weekday_name
    year = result.year
    before = (ctx.say("calendar now: %(source)s", source=result.source_before)
              if result.source_before
              else ctx.say("calendar now: %(year)s not loaded", year=year))
    console.print(ctx.say("The State Council's holiday notice for %(year)s (%(calendar)s)",
                          year=year, calendar=before), soft_wrap=True, markup=False)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for header in (N_("Date"), N_("Day"), N_("Notice"), N_("Calendar now"), N_("Change")):
        table.add_column(ctx.say(header), no_wrap=True)
    changes = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed"),
               "unchanged": N_("unchanged")}
    for row in result.days:
        table.add_row(row.day.isoformat(), weekday_name(row.day, ctx.lang),
                      _special(row.notice, ctx), _special(row.calendar, ctx),
                      ctx.say(changes[row.change]), style=_CHANGE_STYLE[row.change])
    console.print(table)
    counts = result.counts()
    console.print(ctx.say(
        "days off: %(off)s, make-up working days: %(work)s; added %(added)s, removed "
        "%(removed)s, changed %(changed)s, unchanged %(unchanged)s",
        off=len(result.notice.holidays), work=len(result.notice.workdays), **counts),
        soft_wrap=True, markup=False)
    console.print(ctx.say("imported the arrangement of %(year)s", year=year) if result.imported
                  else ctx.say("dry run: nothing imported"), soft_wrap=True, markup=False)


def _special(day: SpecialDay | None, ctx: Context) -> str:
    from workflow.calendar import holiday_name
    if day is None:
        return "—"
    kind = ctx.say("work") if day.is_workday else ctx.say("off")
    return f"{kind} {holiday_name(day.name, ctx.lang)}"
