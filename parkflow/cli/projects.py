"""`parkflow project …`, the board and the lifecycle graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from parkflow.cli.app import app, project_app
from parkflow.cli.approvals import show_approval
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.options import By, Json, ProjectId, parse_sets
from parkflow.cli.output import emit_json, out, print_deadline, warn_calendar
from workflow.errors import ValidationError

if TYPE_CHECKING:
    from workflow.availability import EventChoice


@command(project_app, "add")
def project_add(
    ctx: Context,
    name: str,
    category: Annotated[str, typer.Option("--category", help="tech_transfer|alumni|platform")],
    owner: Annotated[str, typer.Option("--owner", help="负责人邮箱")],
    by: By = None,
    intake_date: Annotated[str | None, typer.Option("--intake-date",
                                                    help="入库日期 YYYY-MM-DD")] = None,
    as_json: Json = False,
) -> None:
    """项目入库 / enter a project into the library."""
    from db.engine import reading, writing
    from workflow.projects import add_project
    from workflow.views import project_view
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        project = add_project(session, ctx.app.park, name=name, category=category,
                              owner=owner, actor=actor or "", intake=intake_date)
    if as_json:
        with reading(ctx.app.engine) as session:
            emit_json(project_view(session, ctx.app.park, project.id, ctx.lang))
    else:
        print(project.id)


@command(project_app, "advance")
def project_advance(
    ctx: Context,
    project_id: ProjectId,
    event: str,
    by: By = None,
    at: Annotated[str | None, typer.Option("--at", help="业务日期 YYYY-MM-DD 或 ISO 时间")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE（可重复）")] = None,
    as_json: Json = False,
) -> None:
    """推进项目（触发事件）/ fire an event on a project."""
    from db.engine import reading, writing
    from workflow.projects import advance
    from workflow.views import project_view
    actor = ctx.actor(by)
    fields = parse_sets(set_)
    with writing(ctx.app.engine) as session:
        transition = advance(session, ctx.app.park, project_id=project_id, event=event,
                             actor=actor or "", at=at, fields=fields)
    with reading(ctx.app.engine) as session:
        view = project_view(session, ctx.app.park, project_id, ctx.lang)
    if as_json:
        emit_json(view)
        return
    out.print(ctx.say("Project %(id)s → %(state)s", id=project_id,
                      state=ctx.labels.state(transition.after.state)), markup=False)
    print_deadline(view, ctx)


Asker = Annotated[str | None, typer.Option(
    "--by", help="谁在问：列出其现在可执行的事件（默认 PARKFLOW_USER；未指明则只按项目状态判断）")]


@command(project_app, "show")
def project_show(ctx: Context, project_id: ProjectId, by: Asker = None,
                 as_json: Json = False) -> None:
    """项目详情：状态、负责人、星级、截止日期及其说明、历史、可执行的事件 / show a project.

    可执行的事件：--by（或 PARKFLOW_USER）所指的人现在可执行哪些，其余的为何不可；
    未指明时只按项目自身的规则（状态、暂停）判断。

    Events: those the person named by --by (or PARKFLOW_USER) may fire now,
    and why not the others; without a person, the project's own rules only
    (state, suspension). --json adds "available_events":
    [{"event", "available", "reason": {"code", "params"} | null}].
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


@command(project_app, "list")
def project_list(
    ctx: Context,
    state: Annotated[str | None, typer.Option("--state", help="按状态筛选")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="仅逾期项目")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="按负责人筛选")] = None,
    as_json: Json = False,
) -> None:
    """项目列表 / list projects."""
    from db.engine import reading
    from workflow.views import list_projects
    if state and state not in ctx.app.park.lifecycle.states:
        raise ValidationError("bad_choice", field="state", value=state,
                              choices=list(ctx.app.park.lifecycle.states))
    with reading(ctx.app.engine) as session:
        rows = list_projects(session, ctx.app.park, state=state, overdue=overdue, owner=owner)
    if as_json:
        emit_json(rows)
    else:
        from parkflow.terminal import print_project_table
        print_project_table(out, rows, ctx.app.park, ctx.lang)


@command(project_app, "history")
def project_history(ctx: Context, project_id: ProjectId, as_json: Json = False) -> None:
    """项目历史 / a project's history."""
    from db.engine import reading
    from workflow.views import history
    with reading(ctx.app.engine) as session:
        rows = history(session, ctx.app.park, project_id)
    if as_json:
        emit_json(rows)
    else:
        from parkflow.terminal import print_history
        print_history(out, rows, ctx.app.park, ctx.lang)


@command(project_app, "follow-up")
def project_follow_up(
    ctx: Context,
    project_id: ProjectId,
    note: Annotated[str, typer.Option("--note", help="跟进情况")],
    by: By = None,
    at: Annotated[str | None, typer.Option("--at", help="跟进日期 YYYY-MM-DD")] = None,
) -> None:
    """记录星级项目的周问询跟进 / log the weekly follow-up of a project."""
    from db.engine import writing
    from workflow.projects import follow_up
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        follow_up(session, ctx.app.park, project_id=project_id, actor=actor or "",
                  note=note, at=at)
    out.print(ctx.say("Follow-up of project %(id)s logged", id=project_id))


@command(project_app, "suspend")
def project_suspend(
    ctx: Context,
    project_id: ProjectId,
    reason: Annotated[str, typer.Option("--reason", help="理由")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """申请暂停项目（停止计时，须领导批准）/ ask to pause a project's clock."""
    from db.engine import writing
    from workflow.approvals import file_suspension
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = file_suspension(session, ctx.app.park, project_id=project_id,
                                   reason=reason, actor=actor or "")
    show_approval(ctx, approval.id, as_json, filed=True)


@command(project_app, "resume")
def project_resume(ctx: Context, project_id: ProjectId, by: By = None) -> None:
    """恢复暂停的项目（暂停天数顺延）/ resume a suspended project."""
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


@command(app, "board")
def board(
    ctx: Context,
    group: Annotated[str | None, typer.Option("--group", help="按小组筛选")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="按负责人筛选")] = None,
) -> None:
    """项目看板（每个状态一列）/ the pipeline board."""
    from db.engine import reading
    from parkflow.terminal import print_board
    from workflow.views import list_projects
    with reading(ctx.app.engine) as session:
        rows = list_projects(session, ctx.app.park, owner=owner, group=group)
    print_board(out, rows, ctx.app.park, ctx.lang)


@command(app, "graph")
def graph(ctx: Context,
          fmt: Annotated[str, typer.Option("--format", help="mermaid")] = "mermaid") -> None:
    """按定义文件绘制生命周期图 / draw the lifecycle from its definition."""
    if fmt != "mermaid":
        raise ValidationError("bad_choice", field="format", value=fmt, choices=["mermaid"])
    from states.definition import load_lifecycle
    from workflow.machine import machine_for
    print(machine_for(load_lifecycle()).draw_mermaid(ctx.lang), end="")
