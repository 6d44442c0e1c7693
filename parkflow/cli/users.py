"""`parkflow user …`: add and list people, set a password."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from i18n import N_
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.groups import user_app
from parkflow.cli.help import cli_help
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out


@command(user_app, "add", help=N_("Add a user."))
def user_add(
    ctx: Context,
    email: str,
    name: Annotated[str, typer.Option("--name", help=cli_help("Full name"))],
    role: Annotated[str, typer.Option("--role", help="member|leader|admin")],
    group: Annotated[str | None, typer.Option("--group",
                                              help="platform|project|finance|general")] = None,
    group_lead: Annotated[bool, typer.Option(
        "--group-lead",
        help=cli_help("Group lead (receives the group's early warnings)"))] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh-CN|en")] = "zh-CN",
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help=cli_help("Read the password from standard input"))] = False,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.users import add_user, user_json
    password_hash = _read_password_hash() if password_stdin else None
    with writing(ctx.app.engine) as session:
        user = add_user(session, ctx.app.park.lifecycle, email=email, name=name, role=role,
                        group=group, group_lead=group_lead, lang=lang,
                        password_hash=password_hash, now=ctx.app.park.now())
        shown = user_json(user)
    if as_json:
        emit_json(shown)
    else:
        out.print(ctx.say("Added %(name)s <%(email)s>", name=shown["name"],
                          email=shown["email"]), markup=False)


def _read_password_hash() -> str:
    from workflow.passwords import hash_password
    password = sys.stdin.readline().rstrip("\n")
    return hash_password(password)


@command(user_app, "list", help=N_("List users."))
def user_list(ctx: Context, as_json: Json = False) -> None:
    from db.engine import reading
    from workflow.users import list_users
    with reading(ctx.app.engine) as session:
        users = list_users(session)
    if as_json:
        emit_json(users)
        return
    labels = ctx.labels
    for u in users:
        lead = f" {ctx.say('group lead')}" if u["group_lead"] else ""
        out.print(f"{u['email']:32} {u['name']:8} {labels.role(u['role'])}  "
                  f"{labels.group(u['group'])}{lead}", markup=False)


@command(user_app, "set-password", help=N_("Set or change a password (for the web)."))
def set_password(
    ctx: Context,
    email: str,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin",
            help=cli_help("Read the password from standard input (required)"))] = False,
) -> None:
    from db.engine import writing
    from workflow.accounts import set_password as store
    from workflow.errors import ValidationError
    if not password_stdin:
        raise ValidationError("required", field="--password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    ctx.actor(email)  # messages in that person's language
    with writing(ctx.app.engine) as session:
        user = store(session, email=email, password=password)
    out.print(ctx.say("Password of %(name)s <%(email)s> set", name=user.name,
                      email=user.email), markup=False)


@command(user_app, "update", help=N_("Change a user's role, group or group lead (admins)."))
def user_update(
    ctx: Context,
    email: str,
    by: By = None,
    role: Annotated[str | None, typer.Option("--role", help="member|leader|admin")] = None,
    group: Annotated[str | None, typer.Option("--group",
                                              help="platform|project|finance|general")] = None,
    group_lead: Annotated[bool | None, typer.Option(
        "--group-lead/--no-group-lead",
        help=cli_help("Group lead (receives the group's early warnings)"))] = None,
    as_json: Json = False,
) -> None:
    from db.engine import writing
    from workflow.users import update_user, user_json
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        user = update_user(session, ctx.app.park.lifecycle, actor=actor or "", email=email,
                           role=role, group=group, group_lead=group_lead)
        shown = user_json(user)
    if as_json:
        emit_json(shown)
    else:
        out.print(ctx.say("Updated %(name)s <%(email)s>", name=shown["name"],
                          email=shown["email"]), markup=False)


@command(user_app, "deactivate", help=N_(
    "Deactivate a user: no sign-in, no API token; their history stays (admins)."))
def user_deactivate(ctx: Context, email: str, by: By = None, as_json: Json = False) -> None:
    from db.engine import writing
    from workflow.users import deactivate_user, user_json
    actor = ctx.actor(by)
    with writing(ctx.app.engine) as session:
        user = deactivate_user(session, ctx.app.park.lifecycle, actor=actor or "", email=email,
                               now=ctx.app.park.now())
        shown = user_json(user)
    if as_json:
        emit_json(shown)
    else:
        out.print(ctx.say("Deactivated %(name)s <%(email)s>", name=shown["name"],
                          email=shown["email"]), markup=False)
