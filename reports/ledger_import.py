"""Bringing an existing ledger (台账) in: read it, check every cell, write all of it or nothing.

    read     the first sheet of an .xlsx, or a .csv (UTF-8 with or without BOM, or GB18030);
             headers in Chinese or English (`reports.ledger.columns`: the export's headers)
    check    every row against the rules of the events (`workflow.fields`, the order and the
             date of events, the lifecycle's way through); every problem is reported with its
             row (as the spreadsheet numbers it: the header is row 1), column and reason
    write    each row through the use cases (`add_project`, `advance`, marked imported), in
             the caller's transaction, inside a savepoint that is rolled back unless every
             row went in and this is no dry run

An imported project's history: the intake and one event per date filled in, each occurring
at the start of its day in park time (as `--at D`; today means now), recorded now, by the
person importing, marked `imported`. Deadlines are computed from those dates as for any
event; reminders are planned only for what is still ahead (`Transition.imported`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from db.models import User
from reports.ledger import columns
from reports.ledger_rows import Checker, ColumnLabels, Problem, RowPlan, header_map
from reports.spreadsheet import format_of, read_table
from workflow.errors import NotPermitted, WorkflowError
from workflow.labels import Labels
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.users import require_actor

IMPORTERS = ("leader", "admin")  # who may bring a ledger in
Progress = Callable[[str, int, int], None]  # (stage: read | check | write, done, total)


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

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "imported": self.imported,
                "problems": [p.as_json() for p in self.problems]}


def require_importer(session: Session, actor: str) -> User:
    """The person importing, if a leader or an admin; NotPermitted (exit 3) otherwise."""
    user = require_actor(session, actor)
    if user.role not in IMPORTERS:
        raise NotPermitted("not_allowed", field="by", actor=user.email, event="import",
                           roles=IMPORTERS)
    return user


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_ledger(session: Session, park: Park, *, data: bytes, filename: str, actor: str,
                  lang: str, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportResult:
    """Check the ledger in `data` and, unless refused or a dry run, write every row."""
    importer = require_importer(session, actor)
    table = read_table(data, format_of(filename), filename)
    labels = ColumnLabels(Labels.of(park, lang), columns(park.lifecycle))
    header, body = (table[0], table[1:]) if table else ([], [])
    mapping, problems = header_map(header, labels)
    checker = Checker(session, park, labels, mapping)
    plans: list[RowPlan] = []
    rows = [(n, cells) for n, cells in enumerate(body, 2) if any(c is not None for c in cells)]
    for done, (number, cells) in enumerate(rows, 1):
        plan, found = checker.check(number, cells)
        problems += found
        if plan is not None and not found:
            plans.append(plan)
        if progress:
            progress("check", done, len(rows))
    if any(p.row == 1 for p in problems):  # without the right columns no row can go in
        return ImportResult(len(rows), 0, problems, digest_of(data), dry_run)
    savepoint = session.begin_nested()
    try:
        ids = _write(session, park, plans, importer, labels, problems, progress)
    except BaseException:
        savepoint.rollback()
        raise
    if problems or dry_run:
        savepoint.rollback()
        return ImportResult(len(rows), 0, sorted(problems), digest_of(data), dry_run)
    savepoint.commit()
    return ImportResult(len(rows), len(ids), [], digest_of(data), dry_run, ids)


def _write(session: Session, park: Park, plans: list[RowPlan], importer: User,
           labels: ColumnLabels, problems: list[Problem], progress: Progress | None) -> list[int]:
    """Each checked row through the use cases; a refusal becomes the row's problem."""
    ids = []
    for done, plan in enumerate(plans, 1):
        step = "intake"
        try:
            project = add_project(session, park, name=plan.name, category=plan.category,
                                  owner=plan.owner, actor=importer, intake=plan.intake,
                                  imported=True)
            for step, day, fields in plan.events:
                advance(session, park, project_id=project.id, event=step, actor=importer,
                        at=day, fields=fields, imported=True)
            ids.append(project.id)
        except WorkflowError as exc:  # a rule the check does not know of: still the row's
            problems.append(plan.problem_of(exc, step, labels))
        if progress:
            progress("write", done, len(plans))
    return ids
