"""`parkflow export` and `parkflow import`: the ledger (台账) out to and in from .xlsx or .csv.

A progress bar shows on stderr while a long ledger is read, checked or written, only when
stderr is a terminal (scripts and pipes see nothing of it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app
from parkflow.cli.help import cli_help
from parkflow.cli.options import AllowDuplicate, By, Json
from parkflow.cli.output import emit_json, err, fail, out
from workflow.file_errors import unreadable, unwritable

if TYPE_CHECKING:  # imported when the command runs: other commands start faster
    from reports.ledger_import import ImportResult

FileArg = Annotated[str, typer.Argument(metavar="FILE.xlsx|FILE.csv")]
STAGES = {"read": N_("Reading the history"), "write": N_("Writing"),
          "check": N_("Checking the rows"), "rules": N_("Applying the lifecycle's rules")}
SHOWN_FROM = 500  # rows: a shorter ledger is done before a bar would be read
Advance = Callable[[str, int, int], None]  # (stage, done, total)


@command(app, "export", help=N_(
    "Export the ledger: one row per project, every field its events recorded, its "
    "state, deadline and days overdue."))
def export(
    ctx: Context,
    file: FileArg,
    state: Annotated[str | None, typer.Option(
        "--state", help=cli_help("Only projects in this state"))] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help=cli_help("The ledger as it stood at the end of this day, YYYY-MM-DD"))
    ] = None,
) -> None:
    from db.engine import reading
    from reports.ledger import build_ledger, export_ledger
    from reports.spreadsheet import format_of
    from workflow.moments import park_date
    ctx.actor(None)  # the language of PARKFLOW_USER, unless PARKFLOW_LANG says
    park, fmt = ctx.app.park, format_of(file)
    day = park_date(as_of, field="as_of", tz=park.tz) if as_of else None
    buffer = io.BytesIO()
    with progress_bar(ctx) as progress, reading(ctx.app.engine) as session:
        ledger = build_ledger(session, park, ctx.labels, state=state, as_of=day,
                              progress=lambda done, total: progress("read", done, total))
        export_ledger(buffer, fmt, ledger, ctx.labels,
                      progress=lambda done, total: progress("write", done, total))
    try:
        Path(file).write_bytes(buffer.getvalue())
    except OSError as exc:
        raise unwritable(exc, value=file) from exc
    out.print(ctx.say_n("The ledger as of %(day)s: %(num)d project written to %(file)s",
                        "The ledger as of %(day)s: %(num)d projects written to %(file)s",
                        len(ledger.rows), day=ledger.as_of.isoformat(), file=file),
              markup=False, soft_wrap=True)


@command(app, "import", help=N_(
    "Import a ledger from .xlsx or .csv: every row is checked and every problem "
    "listed; nothing is written unless every row is valid. Leaders and admins."))
def import_ledger_command(
    ctx: Context,
    file: FileArg,
    by: By = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=cli_help("Check only, import nothing"))] = False,
    allow_duplicate: AllowDuplicate = False,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from reports.ledger_import import import_ledger
    actor = ctx.actor(by)
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise unreadable(exc, value=file) from exc
    with progress_bar(ctx) as progress, writing(ctx.app.engine) as session:
        result = import_ledger(session, ctx.app.park, data=data, filename=Path(file).name,
                               actor=actor or "", lang=ctx.lang, dry_run=dry_run,
                               allow_duplicate=allow_duplicate, progress=progress)
    if as_json:
        emit_json(result.as_json())
    else:
        print_report(ctx, result)
    if result.refused:  # only projects the library has already: a conflict (exit 5)
        fail(refusal(ctx, result), 5 if result.only_duplicates else 2, None, ctx.lang)


def refusal(ctx: Context, result: ImportResult) -> str:
    """The summary of a refusal: what kind of problem, and what the person may do."""
    from reports.ledger_rows import IN_FILE, IN_LIBRARY, REPEATED
    if result.only_repeated_rows:  # a row entered twice: delete it, nothing to override
        return ctx.say_n(
            "The ledger is refused: %(num)d row of %(rows)s repeats an earlier row of the "
            "file in every column (one project entered twice); nothing was imported. Delete "
            "the repeated row and import again",
            "The ledger is refused: %(num)d rows of %(rows)s repeat earlier rows of the file "
            "in every column (projects entered twice); nothing was imported. Delete the "
            "repeated rows and import again", result.rows_with(REPEATED), rows=result.rows)
    if result.only_duplicates and not result.rows_with(IN_FILE):
        # a conflict with the library the person may override (CLI.md, exit 5)
        return ctx.say_n(
            "The ledger is refused: %(num)d project in %(rows)s rows has the name or credit "
            "code of another; nothing was imported. If they are different projects, import "
            "again with --allow-duplicate",
            "The ledger is refused: %(num)d projects in %(rows)s rows have the name or credit "
            "code of others; nothing was imported. If they are different projects, import "
            "again with --allow-duplicate", result.rows_with(IN_LIBRARY), rows=result.rows)
    if result.only_duplicates:  # rows of the file sharing a name or code (maybe the library's)
        return ctx.say_n(
            "The ledger is refused: %(num)d row of %(rows)s has the name or credit code of an "
            "earlier row of the file or of a project in the library; nothing was imported. If "
            "they are different projects, import again with --allow-duplicate",
            "The ledger is refused: %(num)d rows of %(rows)s have the name or credit code of "
            "earlier rows of the file or of projects in the library; nothing was imported. If "
            "they are different projects, import again with --allow-duplicate",
            len({p.row for p in result.problems}), rows=result.rows)
    return ctx.say_n("The ledger is refused: %(num)d problem in %(rows)s rows; nothing was "
                     "imported",
                     "The ledger is refused: %(num)d problems in %(rows)s rows; nothing was "
                     "imported", len(result.problems), rows=result.rows)


def print_report(ctx: Context, result: ImportResult) -> None:
    """Every problem (row, column, reason), or what was imported."""
    if result.problems:
        from rich.table import Table
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        for header in (N_("Row"), N_("Column"), N_("Problem")):
            table.add_column(ctx.say(header), no_wrap=header != N_("Problem"))
        for problem in result.problems:
            table.add_row(str(problem.row), problem.column, problem.reason)
        out.print(table)
    elif result.dry_run:
        out.print(ctx.say_n("Dry run: the %(num)d row can be imported; nothing was written",
                            "Dry run: all %(num)d rows can be imported; nothing was written",
                            result.rows), markup=False, soft_wrap=True)
    else:
        out.print(ctx.say_n("%(num)d project imported", "%(num)d projects imported",
                            result.imported), markup=False, soft_wrap=True)


@contextmanager
def progress_bar(ctx: Context) -> Iterator[Advance]:
    """`progress(stage, done, total)`: a bar per stage on a terminal's stderr, else nothing."""
    if not err.is_terminal:
        yield lambda stage, done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < SHOWN_FROM:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(ctx.say(STAGES[stage]), total=total)
            bar.update(tasks[stage], completed=done)
        yield update
