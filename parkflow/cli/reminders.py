"""`parkflow reminders …`, `parkflow outbox …` and the long-running `parkflow scheduler`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import app, outbox_app, reminders_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import Json
from parkflow.cli.output import emit_json, err, out
from workflow.errors import ValidationError

Now = Annotated[str | None, typer.Option("--now", help=cli_help("Take this as now (ISO)"))]


def _now(ctx: Context, now: str | None) -> Any:
    """--now for reminders: an ISO datetime or date (park time); default the real now."""
    from datetime import datetime, time

    from workflow.moments import parse_day_or_moment
    if now is None:
        return ctx.app.park.now()
    parsed = parse_day_or_moment(now, "now")
    tz = ctx.app.park.tz
    if isinstance(parsed, datetime):
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    return datetime.combine(parsed, time(), tzinfo=tz)


@command(reminders_app, "run", help=N_("One sweep and one delivery pass."))
def reminders_run(ctx: Context, now: Now = None, as_json: Json = False) -> None:
    from notifications.delivery import run_once
    counts = run_once(ctx.app.engine, ctx.app.park, ctx.app.mailer(),
                      ctx.app.mail_settings(), now=_now(ctx, now), chat=ctx.app.chat())
    if as_json:
        emit_json(counts)
    else:
        out.print(ctx.say("Sent %(sent)s, failed %(failed)s, retrying %(retrying)s, skipped "
                          "%(skipped)s, cancelled %(cancelled)s", **counts))
        if not ctx.settings.smtp_url:
            out.print(ctx.say("No SMTP configured: the mail was written to %(folder)s/",
                              folder=ctx.settings.mail_dir), markup=False)


@command(reminders_app, "preview", help=N_("What would go out, sending nothing."))
def reminders_preview(
    ctx: Context,
    until: Annotated[str, typer.Option(
        "--until",
        help=cli_help("Preview through this date, YYYY-MM-DD (inclusive)"))],
    now: Now = None,
    as_json: Json = False,
) -> None:
    from datetime import datetime, time, timedelta

    from db.engine import reading
    from notifications.preview import preview
    from workflow.moments import park_date
    moment = _now(ctx, now)
    end_day = park_date(until, field="until", tz=ctx.app.park.tz)
    end = datetime.combine(end_day + timedelta(days=1), time(), tzinfo=ctx.app.park.tz)
    if end <= moment:
        raise ValidationError("not_after_now", field="until", value=until)
    with reading(ctx.app.engine) as session:
        rows = preview(session, ctx.app.park, now=moment, until=end - timedelta(seconds=1),
                       lang=ctx.lang)
    if as_json:
        emit_json(rows)
        return
    _print_messages(ctx, rows)
    out.print(ctx.say_n("%(num)d message", "%(num)d messages", len(rows)))


def _print_messages(ctx: Context, rows: list[dict[str, Any]]) -> None:
    """Outbox or preview rows, a line each: kinds and statuses by their labels."""
    labels = ctx.labels
    for row in rows:
        number = f"{row['id']:>5} " if row["id"] is not None else ""
        out.print(f"{number}{row['send_at'][:16].replace('T', ' ')}  "
                  f"{labels.outbox_kind(row['kind'])}  {labels.outbox_status(row['status'])}  "
                  f"#{row['project_id'] or '-':<5} "
                  f"{', '.join(row['recipients'])}  {row['reason']}", markup=False)


@command(outbox_app, "list", help=N_("What went out, to whom, when and why."))
def outbox_list(
    ctx: Context,
    status: Annotated[str | None, typer.Option(
        "--status", help="pending|sent|failed|skipped|cancelled")] = None,
    as_json: Json = False,
) -> None:
    from db.engine import reading
    from notifications.outbox import list_rows, row_json
    from workflow.fields import check_choice
    from workflow.labels import OUTBOX_STATUSES, in_every_language
    if status is not None:
        status = check_choice(status, in_every_language(OUTBOX_STATUSES), "status")
    tz, labels = ctx.app.park.tz, ctx.labels
    with reading(ctx.app.engine) as session:
        rows = [row_json(r, tz, labels) for r in list_rows(session, status=status)]
    if as_json:
        emit_json(rows)
        return
    _print_messages(ctx, rows)
    out.print(ctx.say_n("%(num)d row", "%(num)d rows", len(rows)))


@command(outbox_app, "retry", help=N_("Send a failed message again."))
def outbox_retry(ctx: Context, message_id: Annotated[int, typer.Argument(metavar="ID")],
                 now: Now = None) -> None:
    from db.engine import writing
    from notifications.outbox import retry
    with writing(ctx.app.engine) as session:
        retry(session, message_id, now=_now(ctx, now))
    out.print(ctx.say("Outbox message %(id)s queued again", id=message_id))


@command(app, "scheduler", help=N_("Long-running: sweep, delivery, weekly jobs."))
def scheduler(ctx: Context,
              every: Annotated[int, typer.Option(
                  "--every",
                  help=cli_help("Sweep interval (seconds)"))] = 60) -> None:
    import logging

    from notifications.scheduler import run_forever
    app_ = ctx.app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    sweep = app_.sweep()

    def tick() -> None:
        counts = sweep()
        if counts and any(counts.values()):  # the sentence `reminders run` prints
            err.print(f"{app_.park.now().astimezone(app_.park.tz):%Y-%m-%d %H:%M} "
                      + ctx.say("Sent %(sent)s, failed %(failed)s, retrying %(retrying)s, "
                                "skipped %(skipped)s, cancelled %(cancelled)s", **counts),
                      markup=False)

    err.print(ctx.say("Scheduler started (Ctrl+C to stop)"))
    run_forever(tick, app_.park.lifecycle.reminders, app_.park.tz, every_seconds=every)
