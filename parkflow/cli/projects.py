"""`parkflow project …`, the board and the lifecycle graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from i18n import N_
from parkflow.cli.approvals import show_approval
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app, project_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import AllowDuplicate, By, Json, ProjectId, Sets, parse_sets
from parkflow.cli.output import emit_json, out, print_deadline, warn_calendar
from workflow.errors import ValidationError

if TYPE_CHECKING:
    from workflow.availability import EventChoice


@command(project_app, "add", help=N_("Enter a project into the library."))
def project_add(
    ctx: Context,
    name: str,
    category: Annotated[str, typer.Option("--category", help="tech_transfer|alumni|platform")],
    owner: Annotated[str, typer.Option("--owner", help=cli_help("Owner's email"))],
    by: By = None,
    intake_date: Annotated[str | None, typer.Option(
        "--intake-date", help=cli_help("Intake date, YYYY-MM-DD"))] = None,
    set_: Sets = None,
    allow_duplicate: AllowDuplicate = False,
    as_json: Json = False,
) -> None:
    from db.engine import reading, writing
    from workflow.projects import add_project
    from workflow.views import project_view
    actor = ctx.actor(by)
    record = parse_sets(set_)
    with writing(ctx.app.engine) as session:
        project = add_project(session, ctx.app.park, name=name, category=category,
                              owner=owner, actor=actor or "", intake=intake_date,
                              record=record, allow_duplicate=allow_duplicate)
    with reading(ctx.app.engine) as session:
        view = project_view(session, ctx.app.park, project.id, ctx.lang)
    if as_json:
        emit_json(view)
    else:
        print(project.id)
    warn_calendar(view, ctx)  # a deadline in a year whose holidays are not known yet


@command(project_app, "advance", help=N_("Fire an event on a project."))
def project_advance(
    ctx: Context,
    project_id: ProjectId,
    event: str,
    by: By = None,
    at: Annotated[str | None, typer.Option(
        "--at",
        help=cli_help("Business date, YYYY-MM-DD or an ISO time"))] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set",
        help=cli_help("FIELD=VALUE (repeatable)"))] = None,
    allow_duplicate: AllowDuplicate = False,
    as_json: Json = False,
) -> None:
    from db.engine import reading, writing
    from workflow.projects import advance
    from workflow.views import project_view
    actor = ctx.actor(by)
    fields = parse_sets(set_)
    with writing(ctx.app.engine) as session:
        transition = advance(session, ctx.app.park, project_id=project_id, event=event,
                             actor=actor or "", at=at, fields=fields,
                             allow_duplicate=allow_duplicate)
    with reading(ctx.app.engine) as session:
        view = project_view(session, ctx.app.park, project_id, ctx.lang)
    if as_json:
        emit_json(view)
        warn_calendar(view, ctx)  # on stderr, as without --json
        return
    out.print(ctx.say("Project %(id)s → %(state)s", id=project_id,
                      state=ctx.labels.state(transition.after.state)), markup=False)
    print_deadline(view, ctx)


@command(project_app, "edit", help=N_(
    "Change a project's record (contact, phone, industry, source, description, investment, "
    "team size) or its name; every edit is kept in the history."))
def project_edit(
    ctx: Context,
    project_id: ProjectId,
    by: By = None,
    set_: Sets = None,
    allow_duplicate: AllowDuplicate = False,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.record import edit_project
    actor = ctx.actor(by)
    fields = parse_sets(set_)
    with writing(ctx.app.engine) as session:
        changes = edit_project(session, ctx.app.park, project_id=project_id,
                               actor=actor or "", fields=fields,
                               allow_duplicate=allow_duplicate)
    if as_json:
        emit_json({"id": project_id, "changes": changes})
        return
    labels = ctx.labels
    out.print(ctx.say("Project %(id)s edited: %(changes)s", id=project_id,
                      changes=labels.fields_line("edit", changes)), markup=False)


Asker = Annotated[str | None, typer.Option("--by", help=cli_help(
    "Who asks: list the events they may fire now (default PARKFLOW_USER; without one, only "
    "the project's state decides)"))]


@command(project_app, "show", help=N_(
    "Show a project: state, owner, stars, deadline and its explanation, history, and the "
    "events the person asking (--by or PARKFLOW_USER) may fire now, with why not the others; "
    "without a person, the project's state and suspension decide."))
def project_show(ctx: Context, project_id: ProjectId, by: Asker = None,
                 as_json: Json = False) -> None:
    """Events: those the person named by --by (or PARKFLOW_USER) may fire now, and why not the
    others; without a person, the project's own rules only (state, suspension). --json adds
    "available_events": [{"event", "available", "reason": {"code", "params"} | null}].
    """
    from db.engine import reading
    from workflow.availability import available_events
    from workflow.views import project_view
    asker = ctx.actor(by)
    with reading(ctx.app.engine) as session:
        view = project_view(session, ctx.app.park, project_id, ctx.lang)
        choices = available_events(session, ctx.app.park, project_id, asker)
    if as_json:
        emit_json({**view, "available_events": [choice.as_json() for choice in choices]})
    else:
        from parkflow.terminal import print_project
        print_project(out, view, ctx.app.park, ctx.lang)
        _print_events(ctx, choices, asker)
    warn_calendar(view, ctx)


def _print_events(ctx: Context, choices: list[EventChoice], asker: str | None) -> None:
    """The events that may be fired now, then each other one with the reason why not."""
    labels = ctx.labels
    who = asker or ctx.say("nobody named: the project's rules only")
    may = labels.list(labels.event(c.event) for c in choices if c.available) or "—"
    out.print(ctx.say("Events that may be fired (%(who)s): %(events)s", who=who, events=may),
              markup=False)
    refused = [c for c in choices if c.reason is not None]
    if refused:
        out.print(ctx.say("The others:"), markup=False)
    for choice in refused:
        assert choice.reason is not None
        out.print("  " + ctx.say("%(label)s: %(value)s", label=labels.event(choice.event),
                                 value=choice.reason.message(ctx.lang, labels)), markup=False)


@command(project_app, "list", help=N_("List projects."))
def project_list(
    ctx: Context,
    state: Annotated[str | None, typer.Option("--state", help=cli_help("Filter by state"))] = None,
    overdue: Annotated[bool, typer.Option(
        "--overdue", help=cli_help("Overdue projects only"))] = False,
    owner: Annotated[str | None, typer.Option("--owner", help=cli_help("Filter by owner"))] = None,
    search: Annotated[str | None, typer.Option("--search", help=cli_help(
        "Find by name, company name, credit code, owner's name or pinyin initials"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import reading
    from workflow.fields import check_choice
    from workflow.users import find_user
    from workflow.views import list_projects
    if state:  # its id or its label, as the error offers the labels
        states = ctx.app.park.lifecycle.states
        state = check_choice(state, {name: spec.label for name, spec in states.items()}, "state")
    with reading(ctx.app.engine) as session:
        if owner and find_user(session, owner) is None:  # a typo, not "no projects"
            raise ValidationError("unknown_user_field", field="owner", value=owner)
        rows = list_projects(session, ctx.app.park, state=state, overdue=overdue, owner=owner,
                             search=search)
    if as_json:
        emit_json(rows)
    else:
        from parkflow.terminal import print_project_table
        print_project_table(out, rows, ctx.app.park, ctx.lang)


@command(project_app, "history", help=N_("A project's history."))
def project_history(ctx: Context, project_id: ProjectId, as_json: Json = False) -> None:
    from db.engine import reading
    from workflow.views import history
    with reading(ctx.app.engine) as session:
        rows = history(session, ctx.app.park, project_id)
    if as_json:
        emit_json(rows)
    else:
        from parkflow.terminal import print_history
        print_history(out, rows, ctx.app.park, ctx.lang)


@command(project_app, "follow-up", help=N_("Log the weekly follow-up of a project."))
def project_follow_up(
    ctx: Context,
    project_id: ProjectId,
    note: Annotated[str, typer.Option("--note", help=cli_help("What the follow-up found"))],
    by: By = None,
    at: Annotated[str | None, typer.Option(
        "--at", help=cli_help("Follow-up date, YYYY-MM-DD"))] = None,
) -> None:
    from db.engine import writing
    from workflow.projects import follow_up
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        follow_up(session, ctx.app.park, project_id=project_id, actor=actor or "",
                  note=note, at=at)
    out.print(ctx.say("Follow-up of project %(id)s logged", id=project_id))


@command(project_app, "suspend", help=N_("Ask to pause a project's clock."))
def project_suspend(
    ctx: Context,
    project_id: ProjectId,
    reason: Annotated[str, typer.Option("--reason", help=cli_help("Reason"))],
    by: By = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.approvals import file_suspension
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = file_suspension(session, ctx.app.park, project_id=project_id,
                                   reason=reason, actor=actor or "")
    show_approval(ctx, approval.id, as_json, filed=True)


@command(project_app, "resume", help=N_("Resume a suspended project."))
def project_resume(ctx: Context, project_id: ProjectId, by: By = None) -> None:
    from db.engine import reading, writing
    from workflow.approvals import resume
    from workflow.views import project_view
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        resume(session, ctx.app.park, project_id=project_id, actor=actor or "")
    with reading(ctx.app.engine) as session:
        view = project_view(session, ctx.app.park, project_id, ctx.lang)
    out.print(ctx.say("Project %(id)s resumed", id=project_id))
    print_deadline(view, ctx)


@command(app, "board", help=N_("The pipeline board."))
def board(
    ctx: Context,
    group: Annotated[str | None, typer.Option("--group", help=cli_help("Filter by group"))] = None,
    owner: Annotated[str | None, typer.Option("--owner", help=cli_help("Filter by owner"))] = None,
) -> None:
    from db.engine import reading
    from parkflow.terminal import print_board
    from workflow.views import list_projects
    with reading(ctx.app.engine) as session:
        rows = list_projects(session, ctx.app.park, owner=owner, group=group)
    print_board(out, rows, ctx.app.park, ctx.lang)


@command(app, "graph", help=N_("Draw the lifecycle from its definition."))
def graph(ctx: Context,
          fmt: Annotated[str, typer.Option("--format", help="mermaid")] = "mermaid") -> None:
    if fmt != "mermaid":
        raise ValidationError("bad_choice", field="format", value=fmt, choices=["mermaid"])
    from states.definition import load_lifecycle
    from workflow.machine import machine_for
    print(machine_for(load_lifecycle()).draw_mermaid(ctx.lang), end="")
