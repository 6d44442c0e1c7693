"""`parkflow approvals …` and `parkflow extension request`: a leader's inbox and decisions."""

from __future__ import annotations

from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import approvals_app, extension_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out


@command(extension_app, "request", help=N_("Ask for more time on the current stage."))
def extension_request(
    ctx: Context,
    project_id: Annotated[int, typer.Argument(metavar="PROJECT_ID")],
    days: Annotated[str, typer.Option("--days", help=cli_help("Days to extend (calendar days)"))],
    reason: Annotated[str, typer.Option("--reason", help=cli_help("Reason"))],
    by: By = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.approvals import file_extension
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = file_extension(session, ctx.app.park, project_id=project_id, days=days,
                                  reason=reason, actor=actor or "")
    show_approval(ctx, approval.id, as_json, filed=True)


def show_approval(ctx: Context, approval_id: int | None, as_json: bool, *,
                  filed: bool = False) -> None:
    """An approval after a change: its JSON row, or one line saying where it stands."""
    from db.engine import reading
    from workflow.approvals import approval_json, load_approval
    assert approval_id is not None
    with reading(ctx.app.engine) as session:
        shown = approval_json(session, ctx.app.park, load_approval(session, approval_id),
                              ctx.lang)
    if as_json:
        emit_json(shown)
    elif filed:
        out.print(ctx.say("Approval %(id)s (%(kind)s) filed for a leader", id=approval_id,
                          kind=shown["kind_label"]), markup=False)
    else:
        out.print(ctx.say("Approval %(id)s: %(state)s", id=approval_id,
                          state=shown["state_label"]), markup=False)


@command(approvals_app, "list", help=N_("A leader's inbox."))
def approvals_list(
    ctx: Context,
    by: By = None,
    pending: Annotated[bool, typer.Option(
        "--pending", help=cli_help("Pending approvals only"))] = False,
    mine: Annotated[bool, typer.Option("--mine", help=cli_help("Only the ones I filed"))] = False,
    as_json: Json = False,
) -> None:
    from datetime import datetime

    from db.engine import reading
    from i18n.formats import until_iso
    from workflow.approvals import list_approvals
    actor = ctx.actor(by)
    with reading(ctx.app.engine) as session:
        rows = list_approvals(session, ctx.app.park, viewer=actor or "", pending=pending,
                              mine=mine, lang=ctx.lang)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        due = ctx.say("due %(day)s", day=until_iso(datetime.fromisoformat(r["due_at"])))
        late = f" {ctx.labels.status('overdue')}" if r["overdue"] else ""
        out.print(f"{r['id']:>4} {r['kind_label']:6} #{r['project_id']} "
                  f"{r['project_name']}  {r['state_label']}  {r['requested_by_name']}"
                  f"  {due}{late}", markup=False)
    out.print(ctx.say_n("%(num)d approval", "%(num)d approvals", len(rows)))


@command(approvals_app, "decide", help=N_("Approve, reject or return."))
def approvals_decide(
    ctx: Context,
    approval_id: Annotated[int, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Argument(metavar="approve|reject|return")],
    by: By = None,
    comment: Annotated[str | None, typer.Option(
        "--comment", help=cli_help("Comment (required to reject or return)"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.approvals import decide
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = decide(session, ctx.app.park, approval_id=approval_id,
                          decision=decision, actor=actor or "", comment=comment)
    show_approval(ctx, approval.id, as_json)


@command(approvals_app, "resubmit", help=N_("Resubmit a returned request."))
def approvals_resubmit(
    ctx: Context,
    approval_id: Annotated[int, typer.Argument(metavar="ID")],
    by: By = None,
    note: Annotated[str | None, typer.Option("--note", help=cli_help("Additional note"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.approvals import resubmit
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = resubmit(session, ctx.app.park, approval_id=approval_id,
                            actor=actor or "", note=note)
    show_approval(ctx, approval.id, as_json)


@command(approvals_app, "withdraw", help=N_("Withdraw a request you filed."))
def approvals_withdraw(ctx: Context, approval_id: Annotated[int, typer.Argument(metavar="ID")],
                       by: By = None, as_json: Json = False) -> None:
    from db.engine import writing
    from workflow.approvals import withdraw
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        approval = withdraw(session, ctx.app.park, approval_id=approval_id,
                            actor=actor or "")
    show_approval(ctx, approval.id, as_json)
