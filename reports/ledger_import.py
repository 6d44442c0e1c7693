"""Bringing an existing ledger (台账) in: read it, check every cell, write all of it or nothing.

    read     the first sheet of an .xlsx, or a .csv (UTF-8 with or without BOM, or GB18030);
             headers in Chinese or English (`reports.ledger.columns`: the export's headers)
    check    every row against the rules of the events (`reports.ledger_rows`): every problem
             is reported with its row (as the spreadsheet numbers it: the header is row 1),
             column (as written) and reason (from the catalogue, in the reader's language)
    write    every row through the engine's import (`workflow.project_import`): the rules of
             `add_project` and `advance` once more, then the rows written in batches

An imported project's history: the intake and one event per date filled in, in the order of
the definition, each occurring at the start of its day in park time (as `--at D`; today
means now), recorded now, by the person importing, marked `imported`. A stage's deadline
changes (extensions, ended pauses) follow the event that entered it, at the same moment; a
suspension begins at the start of its day. Deadlines count from those dates as for any
event; reminders are planned only for what is still ahead.
Nothing is written if any row has a problem, nor on a dry run (the engine's rules run all
the same, inside a savepoint that is rolled back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from reports.ledger import columns
from reports.ledger_rows import (
    DUPLICATES,
    REPEATED,
    Checker,
    ColumnLabels,
    Problem,
    RowPlan,
    by_row,
    header_map,
)
from reports.spreadsheet import format_of, read_table
from workflow.labels import Labels
from workflow.park import Park
from workflow.project_import import PastProject, enter_projects, require_importer

Progress = Callable[[str, int, int], None]  # (stage: check | rules | write, done, total)


@dataclass
class ImportResult:
    """What an import found and did: `imported` is 0 unless every row went in."""

    rows: int
    imported: int
    problems: list[Problem]
    digest: str  # the file's SHA-256: what a confirmation refers to
    dry_run: bool = False
    project_ids: list[int] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def only_duplicates(self) -> bool:
        """Refused only for projects the library (or the file) has already: a conflict,
        which `allow_duplicate` overrides."""
        return self.refused and all(p.code in DUPLICATES for p in self.problems)

    @property
    def only_repeated_rows(self) -> bool:
        """Refused only for rows that repeat an earlier row of the file cell for cell."""
        return self.refused and all(p.code == REPEATED for p in self.problems)

    def rows_with(self, code: str) -> int:
        """How many rows have a problem of this code."""
        return len({p.row for p in self.problems if p.code == code})

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "imported": self.imported,
                "problems": [p.as_json() for p in self.problems]}


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_ledger(session: Session, park: Park, *, data: bytes, filename: str, actor: str,
                  lang: str, dry_run: bool = False, allow_duplicate: bool = False,
                  progress: Progress | None = None) -> ImportResult:
    """Check the ledger in `data` and, unless refused or a dry run, write every row (a
    project of a name or credit code the library holds only with `allow_duplicate`)."""
    require_importer(session, actor)  # before reading: the file is none of their business
    table = read_table(data, format_of(filename), filename)
    labels = ColumnLabels(Labels.of(park, lang), columns(park.lifecycle))
    header, body = (table[0], table[1:]) if table else ([], [])
    mapping, problems = header_map(header, labels)
    checker = Checker(session, park, labels, mapping, allow_duplicate=allow_duplicate)
    rows = [(n, cells) for n, cells in enumerate(body, 2) if any(c is not None for c in cells)]
    plans: list[RowPlan] = []
    for done, (number, cells) in enumerate(rows, 1):
        plan, found = checker.check(number, cells)
        problems += found
        if plan is not None:
            plans.append(plan)
        if progress:
            progress("check", done, len(rows))
    digest = digest_of(data)
    if any(p.row == 1 for p in problems):  # without the right columns no row can go in
        return ImportResult(len(rows), 0, sorted(problems, key=by_row), digest, dry_run)
    savepoint = session.begin_nested()
    try:
        ids, refusals = enter_projects(
            session, park, actor=actor,
            projects=[PastProject(p.name, p.category, p.owner, p.intake, p.events, p.record,
                                  p.changes, p.suspended) for p in plans],
            progress=progress)
    except BaseException:
        savepoint.rollback()
        raise
    problems += [plans[r.index].problem_of(r.error, r.step, labels) for r in refusals]
    if problems or dry_run:
        savepoint.rollback()
        return ImportResult(len(rows), 0, sorted(problems, key=by_row), digest, dry_run)
    savepoint.commit()
    return ImportResult(len(rows), len(ids), [], digest, dry_run, ids)
