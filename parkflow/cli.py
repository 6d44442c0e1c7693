"""The `parkflow` command: parse, call one use case, print, exit with the contract's code.

Exit codes (CLI.md): 0 ok · 2 invalid input · 3 not permitted · 4 not found · 5 conflict.
Errors are one line on stderr in the user's language; with --json also {"error": …} on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from parkflow.cli_definition import definition_app
from parkflow.settings import Settings
from workflow.errors import ValidationError, WorkflowError

app = typer.Typer(help="parkflow — 科技项目入园工作专班的流程与审批引擎", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help="用户 / users", no_args_is_help=True)
project_app = typer.Typer(help="项目 / projects", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历 / business calendar", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(project_app, name="project")
app.add_typer(calendar_app, name="calendar")
reminders_app = typer.Typer(help="提醒与预警 / reminders", no_args_is_help=True)
outbox_app = typer.Typer(help="发件箱 / outbox", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")
app.add_typer(outbox_app, name="outbox")
space_app = typer.Typer(help="用房 / space", no_args_is_help=True)
listing_app = typer.Typer(help="房源 / listings", no_args_is_help=True)
extension_app = typer.Typer(help="延期 / extensions", no_args_is_help=True)
approvals_app = typer.Typer(help="审批 / approvals", no_args_is_help=True)
space_app.add_typer(listing_app, name="listing")
app.add_typer(space_app, name="space")
app.add_typer(extension_app, name="extension")
app.add_typer(approvals_app, name="approvals")
app.add_typer(definition_app, name="definition")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

By = Annotated[str | None, typer.Option("--by", help="操作人邮箱 (默认 PARKFLOW_USER)")]
Json = Annotated[bool, typer.Option("--json", help="输出 JSON")]


# ---------------------------------------------------------------- plumbing

class Context:
    """Per-invocation state: settings, the app (wired lazily), the language of messages."""

    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._app: Any = None
        self.lang = self.settings.lang or "zh-CN"

    @property
    def app(self) -> Any:
        if self._app is None:
            from parkflow.wiring import build_app
            self._app = build_app(self.settings)
        return self._app

    def actor(self, by: str | None) -> str | None:
        actor = by or self.settings.user
        if actor and not self.settings.lang:
            self.lang = self._lang_of(actor)
        return actor

    def _lang_of(self, email: str) -> str:
        from db.engine import reading
        from workflow.users import find_user
        try:
            with reading(self.app.engine) as session:
                user = find_user(session, email)
                return user.lang if user else self.lang
        except Exception:  # an unreachable database is reported by the command itself
            return self.lang


def run(action: Callable[[Context], Any], *, as_json: bool = False) -> None:
    """Run one command body; map every failure to one line and the contract's exit code."""
    ctx: Context | None = None
    try:
        ctx = Context()
        action(ctx)
    except WorkflowError as exc:
        lang = _lang(ctx)
        fail(exc.message(lang), exc.exit_code, exc.as_json(lang) if as_json else None, lang)
    except typer.Exit:
        raise
    except Exception as exc:  # never a traceback in front of a person
        message = _describe_unexpected(exc, _lang(ctx))
        fail(message, 1, {"error": {"kind": "internal", "field": None, "message": message}}
             if as_json else None, _lang(ctx))


def _lang(ctx: Context | None) -> str:
    return ctx.lang if ctx else os.environ.get("PARKFLOW_LANG") or "zh-CN"


def _describe_unexpected(exc: Exception, lang: str) -> str:
    from sqlalchemy.exc import OperationalError, ProgrammingError
    if isinstance(exc, OperationalError | ProgrammingError):
        hint = ("数据库不可用或尚未初始化（请先运行 parkflow init）" if lang == "zh-CN"
                else "database unavailable or not initialised (run `parkflow init`)")
        return f"{hint}: {str(exc.orig).splitlines()[0] if exc.orig else exc}"
    return f"{type(exc).__name__}: {exc}"


def fail(message: str, code: int, payload: dict[str, Any] | None = None,
         lang: str = "zh-CN") -> NoReturn:
    if payload is not None:
        print(json.dumps(payload, ensure_ascii=False))
    label = "错误" if lang == "zh-CN" else "error"
    err.print(Text.assemble((label, "red"), " ", message), soft_wrap=True)
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    # indented for a person at a terminal; compact (and fast) for scripts
    indent = 2 if sys.stdout.isatty() else None
    print(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError("bad_set", field="set", value=pair)
        fields[name.strip()] = value
    return fields


def t(zh: str, en: str, ctx: Context) -> str:
    return zh if ctx.lang == "zh-CN" else en


# ---------------------------------------------------------------- commands

@app.command()
def init() -> None:
    """创建或迁移数据库结构并载入节假日日历 / create or migrate the schema, seed the calendar."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from db.migrate import upgrade
        from workflow.calendar_store import seed_calendar
        upgrade(ctx.app.engine)
        with writing(ctx.app.engine) as session:
            years = seed_calendar(session, ctx.app.park, now=ctx.app.park.now())
        seeded = f"{years[0]}–{years[-1]}" if years else t("无新增", "none new", ctx)
        out.print(t(f"数据库已就绪；已载入节假日年份：{seeded}",
                    f"database ready; calendar years loaded: {seeded}", ctx))
    run(body)


@user_app.command("add")
def user_add(
    email: str,
    name: Annotated[str, typer.Option("--name", help="姓名")],
    role: Annotated[str, typer.Option("--role", help="member|leader|admin")],
    group: Annotated[str | None, typer.Option("--group",
                                              help="platform|project|finance|general")] = None,
    group_lead: Annotated[bool, typer.Option("--group-lead", help="组长（接收本组预警）")] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh-CN|en")] = "zh-CN",
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="从标准输入读取密码")] = False,
    as_json: Json = False,
) -> None:
    """添加用户 / add a user."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.users import add_user
        password_hash = _read_password_hash() if password_stdin else None
        with writing(ctx.app.engine) as session:
            user = add_user(session, ctx.app.park.lifecycle, email=email, name=name, role=role,
                            group=group, group_lead=group_lead, lang=lang,
                            password_hash=password_hash, now=ctx.app.park.now())
            shown = {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                     "group": user.group, "group_lead": user.is_group_lead, "lang": user.lang}
        if as_json:
            emit_json(shown)
        else:
            out.print(t(f"已添加用户 {user.name} <{user.email}>",
                        f"added {user.name} <{user.email}>", ctx))
    run(body, as_json=as_json)


def _read_password_hash() -> str:
    from workflow.passwords import hash_password
    password = sys.stdin.readline().rstrip("\n")
    return hash_password(password)


@user_app.command("list")
def user_list(as_json: Json = False) -> None:
    """列出用户 / list users."""
    def body(ctx: Context) -> None:
        from sqlmodel import select

        from db.engine import reading
        from db.models import User
        with reading(ctx.app.engine) as session:
            users = [{"id": u.id, "email": u.email, "name": u.name, "role": u.role,
                      "group": u.group, "group_lead": u.is_group_lead, "lang": u.lang}
                     for u in session.exec(select(User).order_by(User.id)).all()]  # type: ignore[arg-type]
        if as_json:
            emit_json(users)
            return
        for u in users:
            out.print(f"{u['email']:32} {u['name']:8} {u['role']:7} {u['group'] or '-'}"
                      f"{' 组长' if u['group_lead'] else ''}")
    run(body, as_json=as_json)


@project_app.command("add")
def project_add(
    name: str,
    category: Annotated[str, typer.Option("--category", help="tech_transfer|alumni|platform")],
    owner: Annotated[str, typer.Option("--owner", help="负责人邮箱")],
    by: By = None,
    intake_date: Annotated[str | None, typer.Option("--intake-date",
                                                    help="入库日期 YYYY-MM-DD")] = None,
    as_json: Json = False,
) -> None:
    """项目入库 / enter a project into the library."""
    def body(ctx: Context) -> None:
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
    run(body, as_json=as_json)


@project_app.command("advance")
def project_advance(
    project_id: Annotated[int, typer.Argument(metavar="ID")],
    event: str,
    by: By = None,
    at: Annotated[str | None, typer.Option("--at", help="业务日期 YYYY-MM-DD 或 ISO 时间")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE（可重复）")] = None,
    as_json: Json = False,
) -> None:
    """推进项目（触发事件）/ fire an event on a project."""
    def body(ctx: Context) -> None:
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
        label = ctx.app.park.lifecycle.label(transition.after.state, ctx.lang)
        out.print(t(f"项目 {project_id} → {label}", f"project {project_id} → {label}", ctx))
        _print_deadline(view, ctx)
    run(body, as_json=as_json)


@project_app.command("show")
def project_show(project_id: Annotated[int, typer.Argument(metavar="ID")],
                 as_json: Json = False) -> None:
    """项目详情：状态、负责人、星级、截止日期及其说明、历史 / show a project."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.views import project_view
        with reading(ctx.app.engine) as session:
            view = project_view(session, ctx.app.park, project_id, ctx.lang)
        if as_json:
            emit_json(view)
        else:
            from parkflow.terminal import print_project
            print_project(out, view, ctx.app.park, ctx.lang)
        _warn_calendar(view, ctx)
    run(body, as_json=as_json)


@project_app.command("list")
def project_list(
    state: Annotated[str | None, typer.Option("--state", help="按状态筛选")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="仅逾期项目")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="按负责人筛选")] = None,
    as_json: Json = False,
) -> None:
    """项目列表 / list projects."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.views import list_projects
        if state and state not in ctx.app.park.lifecycle.states:
            raise ValidationError("bad_choice", field="state", value=state,
                                  choices=", ".join(ctx.app.park.lifecycle.states))
        with reading(ctx.app.engine) as session:
            rows = list_projects(session, ctx.app.park, state=state, overdue=overdue,
                                 owner=owner)
        if as_json:
            emit_json(rows)
        else:
            from parkflow.terminal import print_project_table
            print_project_table(out, rows, ctx.app.park, ctx.lang)
    run(body, as_json=as_json)


@project_app.command("history")
def project_history(project_id: Annotated[int, typer.Argument(metavar="ID")],
                    as_json: Json = False) -> None:
    """项目历史 / a project's history."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.views import history
        with reading(ctx.app.engine) as session:
            rows = history(session, ctx.app.park, project_id)
        if as_json:
            emit_json(rows)
        else:
            from parkflow.terminal import print_history
            print_history(out, rows, ctx.app.park, ctx.lang)
    run(body, as_json=as_json)


@app.command()
def board(
    group: Annotated[str | None, typer.Option("--group", help="按小组筛选")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="按负责人筛选")] = None,
) -> None:
    """项目看板（每个状态一列）/ the pipeline board."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from parkflow.terminal import print_board
        from workflow.views import list_projects
        with reading(ctx.app.engine) as session:
            rows = list_projects(session, ctx.app.park, owner=owner, group=group)
        print_board(out, rows, ctx.app.park, ctx.lang)
    run(body)


@app.command()
def graph(fmt: Annotated[str, typer.Option("--format", help="mermaid")] = "mermaid") -> None:
    """按定义文件绘制生命周期图 / draw the lifecycle from its definition."""
    def body(ctx: Context) -> None:
        if fmt != "mermaid":
            raise ValidationError("bad_choice", field="format", value=fmt, choices="mermaid")
        from states.definition import load_lifecycle
        from workflow.machine import machine_for
        print(machine_for(load_lifecycle()).draw_mermaid(ctx.lang), end="")
    run(body)


@calendar_app.command("import")
def calendar_import(file: Path, by: By = None) -> None:
    """导入节假日安排（CSV: date,kind,name）/ import a holiday arrangement (admin)."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.calendar_store import import_calendar
        from workflow.users import require_actor
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ValidationError("bad_value", field="FILE", value=str(file),
                                  reason=exc.strerror or str(exc)) from exc
        with writing(ctx.app.engine) as session:
            actor = require_actor(session, ctx.actor(by))
            years = import_calendar(session, ctx.app.park, text=text, source=file.name,
                                    actor=actor, now=ctx.app.park.now())
        out.print(t(f"已导入 {', '.join(map(str, years))} 年的节假日安排",
                    f"imported the arrangement of {', '.join(map(str, years))}", ctx))
    run(body)


@calendar_app.command("show")
def calendar_show(year: int, as_json: Json = False) -> None:
    """显示某年的节假日与调休 / show a year's holidays and adjusted working days."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.calendar_store import show_calendar
        with reading(ctx.app.engine) as session:
            shown = show_calendar(session, year)
        if as_json:
            emit_json(shown)
            return
        if not shown["covered"]:
            err.print(t(f"[yellow]警告[/yellow] {year} 年的节假日安排尚未导入",
                        f"[yellow]warning[/yellow] the {year} arrangement is not loaded", ctx))
        for day in shown["days"]:
            kind = t("休", "off", ctx) if day["kind"] == "holiday" else t("班", "work", ctx)
            out.print(f"{day['date']}  {kind}  {day['name']}")
    run(body, as_json=as_json)


@app.command()
def demo(
    database: Annotated[str | None, typer.Option(
        "--database", help="SQLite 文件（默认 demo/parkflow-demo.db）")] = None,
) -> None:
    """创建演示园区并显示看板 / build a demo park and print its board."""
    def body(ctx: Context) -> None:
        from parkflow.demo import run_demo
        run_demo(out, database=database, lang=ctx.lang)
    run(body)


@project_app.command("follow-up")
def project_follow_up(
    project_id: Annotated[int, typer.Argument(metavar="ID")],
    note: Annotated[str, typer.Option("--note", help="跟进情况")],
    by: By = None,
    at: Annotated[str | None, typer.Option("--at", help="跟进日期 YYYY-MM-DD")] = None,
) -> None:
    """记录星级项目的周问询跟进 / log the weekly follow-up of a project."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.projects import follow_up
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            follow_up(session, ctx.app.park, project_id=project_id, actor=actor or "",
                      note=note, at=at)
        out.print(t(f"已记录项目 {project_id} 的跟进", f"follow-up of project {project_id} logged",
                    ctx))
    run(body)


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


@reminders_app.command("run")
def reminders_run(
    now: Annotated[str | None, typer.Option("--now", help="视为当前时间（ISO）")] = None,
    as_json: Json = False,
) -> None:
    """执行一次扫描与投递 / one sweep and one delivery pass."""
    def body(ctx: Context) -> None:
        from notifications.delivery import run_once
        counts = run_once(ctx.app.engine, ctx.app.park, ctx.app.mailer(),
                          ctx.app.mail_settings(), now=_now(ctx, now), chat=ctx.app.chat())
        if as_json:
            emit_json(counts)
        else:
            out.print(t("已发送 {sent}，失败 {failed}，重试中 {retrying}，"
                        "跳过 {skipped}，取消 {cancelled}",
                        "sent {sent}, failed {failed}, retrying {retrying}, skipped {skipped}, "
                        "cancelled {cancelled}", ctx).format(**counts))
            if not ctx.settings.smtp_url:
                out.print(t(f"未配置 SMTP：邮件已写入 {ctx.settings.mail_dir}/",
                            f"no SMTP configured: mail written to {ctx.settings.mail_dir}/", ctx))
    run(body, as_json=as_json)


@reminders_app.command("preview")
def reminders_preview(
    until: Annotated[str, typer.Option("--until", help="预览截至日期 YYYY-MM-DD（含当天）")],
    now: Annotated[str | None, typer.Option("--now", help="视为当前时间（ISO）")] = None,
    as_json: Json = False,
) -> None:
    """预览将要发出的提醒、预警与汇总（不发送）/ what would go out, sending nothing."""
    def body(ctx: Context) -> None:
        from datetime import datetime, time, timedelta

        from db.engine import reading
        from notifications.preview import preview
        from workflow.moments import park_date
        moment = _now(ctx, now)
        end_day = park_date(until, field="until", tz=ctx.app.park.tz)
        end = datetime.combine(end_day + timedelta(days=1), time(), tzinfo=ctx.app.park.tz)
        if end <= moment:
            raise ValidationError("bad_value", field="until", value=until,
                                  reason=t("须晚于当前时间", "must be after now", ctx))
        with reading(ctx.app.engine) as session:
            rows = preview(session, ctx.app.park, now=moment, until=end - timedelta(seconds=1))
        if as_json:
            emit_json(rows)
            return
        _print_messages(rows)
        out.print(t(f"共 {len(rows)} 封", f"{len(rows)} messages", ctx))
    run(body, as_json=as_json)


def _print_messages(rows: list[dict[str, Any]]) -> None:
    """Outbox or preview rows, a line each."""
    for row in rows:
        number = f"{row['id']:>5} " if row["id"] is not None else ""
        out.print(f"{number}{row['send_at'][:16].replace('T', ' ')}  {row['kind']:9} "
                  f"{row['status']:9} #{row['project_id'] or '-':<5} "
                  f"{', '.join(row['recipients'])}  {row['reason']}")


@outbox_app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(
        "--status", help="pending|sent|failed|skipped|cancelled")] = None,
    as_json: Json = False,
) -> None:
    """发件记录：发给谁、何时、为何 / what went out, to whom, when and why."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from notifications.outbox import STATUSES, list_rows, row_json
        if status is not None and status not in STATUSES:
            raise ValidationError("bad_choice", field="status", value=status,
                                  choices=", ".join(STATUSES))
        tz = ctx.app.park.tz
        with reading(ctx.app.engine) as session:
            rows = [row_json(r, tz) for r in list_rows(session, status=status)]
        if as_json:
            emit_json(rows)
            return
        _print_messages(rows)
        out.print(t(f"共 {len(rows)} 条", f"{len(rows)} rows", ctx))
    run(body, as_json=as_json)


@outbox_app.command("retry")
def outbox_retry(
    message_id: Annotated[int, typer.Argument(metavar="ID")],
    now: Annotated[str | None, typer.Option("--now", help="视为当前时间（ISO）")] = None,
) -> None:
    """重新投递一条失败的邮件 / send a failed message again."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from notifications.outbox import retry
        with writing(ctx.app.engine) as session:
            retry(session, message_id, now=_now(ctx, now))
        out.print(t(f"发件记录 {message_id} 将重新投递", f"message {message_id} queued again", ctx))
    run(body)


@app.command()
def scheduler(every: Annotated[int, typer.Option("--every", help="扫描间隔（秒）")] = 60) -> None:
    """常驻进程：定时扫描、投递与每周任务 / long-running: sweep, delivery, weekly jobs."""
    def body(ctx: Context) -> None:
        import logging

        from notifications.scheduler import run_forever
        app_ = ctx.app
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
        sweep = app_.sweep()

        def tick() -> None:
            counts = sweep()
            if counts and any(counts.values()):
                err.print(f"{app_.park.now().astimezone(app_.park.tz):%Y-%m-%d %H:%M} {counts}")

        err.print(t("调度器已启动（Ctrl+C 退出）", "scheduler started (Ctrl+C to stop)", ctx))
        run_forever(tick, app_.park.lifecycle.reminders, app_.park.tz, every_seconds=every)
    run(body)


# ---------------------------------------------------------------- space and approvals

@listing_app.command("add")
def listing_add(
    carrier: Annotated[str, typer.Option("--carrier", help="载体")],
    building: Annotated[str, typer.Option("--building", help="楼栋")],
    unit: Annotated[str, typer.Option("--unit", help="单元")],
    area: Annotated[str, typer.Option("--area", help="面积（m²）")],
    type_: Annotated[str, typer.Option("--type", help="office|lab|plant")],
    as_json: Json = False,
) -> None:
    """登记房源 / add a listing to the space inventory."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.space import add_listing, listing_json
        park = ctx.app.park
        with writing(ctx.app.engine) as session:
            listing = add_listing(session, park, carrier=carrier, building=building, unit=unit,
                                  area=area, type=type_, now=park.now())
            shown = listing_json(listing, park.approvals, ctx.lang)
        if as_json:
            emit_json(shown)
        else:
            print(shown["id"])
    run(body, as_json=as_json)


@listing_app.command("list")
def listing_list(
    available: Annotated[bool, typer.Option("--available", help="仅可用房源")] = False,
    type_: Annotated[str | None, typer.Option("--type", help="office|lab|plant")] = None,
    min_area: Annotated[str | None, typer.Option("--min-area", help="最小面积（m²）")] = None,
    as_json: Json = False,
) -> None:
    """房源列表 / list the space inventory."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.space import format_area, list_listings
        with reading(ctx.app.engine) as session:
            rows = list_listings(session, ctx.app.park, available=available, type=type_,
                                 min_area=min_area, lang=ctx.lang)
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            out.print(f"{r['id']:>4} {r['carrier']} {r['building']} {r['unit']}  "
                      f"{r['type_label']} {format_area(r['area'])} m²  {r['status']}")
    run(body, as_json=as_json)


@space_app.command("request")
def space_request(
    target: Annotated[str, typer.Argument(metavar="PROJECT_ID|list",
                                          help="项目编号，或 list 列出申请")],
    type_: Annotated[str | None, typer.Option("--type", help="office|lab|plant")] = None,
    area: Annotated[str | None, typer.Option("--area", help="面积（m²）")] = None,
    needed_by: Annotated[str | None, typer.Option("--needed-by", help="需用日期")] = None,
    by: By = None,
    carrier: Annotated[str | None, typer.Option("--carrier", help="意向载体")] = None,
    note: Annotated[str | None, typer.Option("--note", help="说明")] = None,
    project: Annotated[int | None, typer.Option("--project",
                                                help="（list）按项目筛选")] = None,
    as_json: Json = False,
) -> None:
    """提交用房申请（大面积/厂房须领导审批）；`space request list` 列出申请 / file or list."""
    if target == "list":
        _space_request_list(project, as_json)
        return

    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.space import request_space
        if not target.isdigit():
            raise ValidationError("bad_value", field="PROJECT_ID", value=target,
                                  reason="project id / 项目编号")
        for name, value in (("type", type_), ("area", area), ("needed_by", needed_by)):
            if value is None:
                raise ValidationError("required", field=name)
        assert type_ is not None and area is not None and needed_by is not None
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            result = request_space(session, ctx.app.park, project_id=int(target), type=type_,
                                   area=area, needed_by=needed_by, actor=actor or "",
                                   carrier=carrier, note=note, lang=ctx.lang)
        if as_json:
            emit_json(result)
            return
        path = (t(f"已提交审批 {result['approval_id']}", f"approval {result['approval_id']} filed",
                  ctx) if result["needs_approval"]
                else t("直接进入匹配", "straight to matching", ctx))
        out.print(f"{t('用房申请', 'space request', ctx)} {result['id']}: {path} — "
                  f"{result['reason']}")
    run(body, as_json=as_json)


def _space_request_list(project: int | None, as_json: bool) -> None:
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.space import format_area, list_requests
        with reading(ctx.app.engine) as session:
            rows = list_requests(session, ctx.app.park, project_id=project, lang=ctx.lang)
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            out.print(f"{r['id']:>4} #{r['project_id']} {r['project_name']}  {r['type']} "
                      f"{format_area(r['area'])} m²  {r['needed_by']}  {r['status']}"
                      f"{'  → ' + str(r['listing_id']) if r['listing_id'] else ''}")
    run(body, as_json=as_json)


@space_app.command("offer")
def space_offer(
    request_id: Annotated[int, typer.Argument(metavar="REQUEST_ID")],
    listing_id: Annotated[int, typer.Argument(metavar="LISTING_ID")],
    by: By = None,
    note: Annotated[str | None, typer.Option("--note", help="说明（房源小于需求时必填）")] = None,
    as_json: Json = False,
) -> None:
    """为已批准（或无需审批）的申请预留房源 / reserve a listing for a request."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.space import offer
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            result = offer(session, ctx.app.park, request_id=request_id, listing_id=listing_id,
                           actor=actor or "", note=note)
        if as_json:
            emit_json(result)
        else:
            out.print(t(f"房源 {listing_id} 已为申请 {request_id} 预留",
                        f"listing {listing_id} reserved for request {request_id}", ctx))
    run(body, as_json=as_json)


@extension_app.command("request")
def extension_request(
    project_id: Annotated[int, typer.Argument(metavar="PROJECT_ID")],
    days: Annotated[str, typer.Option("--days", help="延期天数（日历日）")],
    reason: Annotated[str, typer.Option("--reason", help="理由")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """申请延长当前阶段期限 / ask for more time on the current stage."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.approvals import file_extension
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            approval = file_extension(session, ctx.app.park, project_id=project_id, days=days,
                                      reason=reason, actor=actor or "")
        _show_approval(ctx, approval.id, as_json, filed=True)
    run(body, as_json=as_json)


@project_app.command("suspend")
def project_suspend(
    project_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="理由")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """申请暂停项目（停止计时，须领导批准）/ ask to pause a project's clock."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.approvals import file_suspension
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            approval = file_suspension(session, ctx.app.park, project_id=project_id,
                                       reason=reason, actor=actor or "")
        _show_approval(ctx, approval.id, as_json, filed=True)
    run(body, as_json=as_json)


def _show_approval(ctx: Context, approval_id: int | None, as_json: bool, *,
                   filed: bool = False) -> None:
    from db.engine import reading
    from workflow.approvals import approval_json, load_approval
    assert approval_id is not None
    with reading(ctx.app.engine) as session:
        shown = approval_json(session, ctx.app.park, load_approval(session, approval_id),
                              ctx.lang)
    if as_json:
        emit_json(shown)
    elif filed:
        out.print(t(f"已提交审批 {approval_id}（{shown['kind_label']}），待分管领导审批",
                    f"approval {approval_id} ({shown['kind_label']}) filed for a leader", ctx))
    else:
        out.print(t(f"审批 {approval_id}：{shown['state_label']}",
                    f"approval {approval_id}: {shown['state_label']}", ctx))


@project_app.command("resume")
def project_resume(project_id: Annotated[int, typer.Argument(metavar="ID")],
                   by: By = None) -> None:
    """恢复暂停的项目（暂停天数顺延）/ resume a suspended project."""
    def body(ctx: Context) -> None:
        from db.engine import reading, writing
        from workflow.approvals import resume
        from workflow.views import project_view
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            resume(session, ctx.app.park, project_id=project_id, actor=actor or "")
        with reading(ctx.app.engine) as session:
            view = project_view(session, ctx.app.park, project_id, ctx.lang)
        out.print(t(f"项目 {project_id} 已恢复", f"project {project_id} resumed", ctx))
        _print_deadline(view, ctx)
    run(body)


@approvals_app.command("list")
def approvals_list(
    by: By = None,
    pending: Annotated[bool, typer.Option("--pending", help="仅待审批")] = False,
    mine: Annotated[bool, typer.Option("--mine", help="仅本人提交的")] = False,
    as_json: Json = False,
) -> None:
    """审批列表（领导的待办）/ a leader's inbox."""
    def body(ctx: Context) -> None:
        from db.engine import reading
        from workflow.approvals import list_approvals
        actor = ctx.actor(by)
        with reading(ctx.app.engine) as session:
            rows = list_approvals(session, ctx.app.park, viewer=actor or "", pending=pending,
                                  mine=mine, lang=ctx.lang)
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            late = t(" 已超期", " overdue", ctx) if r["overdue"] else ""
            out.print(f"{r['id']:>4} {r['kind_label']:6} #{r['project_id']} "
                      f"{r['project_name']}  {r['state_label']}  {r['requested_by_name']}"
                      f"  {t('期限', 'due', ctx)} {r['due_at'][:10]}{late}")
        out.print(t(f"共 {len(rows)} 条", f"{len(rows)} approvals", ctx))
    run(body, as_json=as_json)


@approvals_app.command("decide")
def approvals_decide(
    approval_id: Annotated[int, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Argument(metavar="approve|reject|return")],
    by: By = None,
    comment: Annotated[str | None, typer.Option("--comment",
                                                help="审批意见（驳回/退回必填）")] = None,
    as_json: Json = False,
) -> None:
    """批准、驳回或退回 / approve, reject or return."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.approvals import decide
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            approval = decide(session, ctx.app.park, approval_id=approval_id,
                              decision=decision, actor=actor or "", comment=comment)
        _show_approval(ctx, approval.id, as_json)
    run(body, as_json=as_json)


@approvals_app.command("resubmit")
def approvals_resubmit(
    approval_id: Annotated[int, typer.Argument(metavar="ID")],
    by: By = None,
    note: Annotated[str | None, typer.Option("--note", help="补充说明")] = None,
    as_json: Json = False,
) -> None:
    """补充后重新提交被退回的申请 / resubmit a returned request."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.approvals import resubmit
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            approval = resubmit(session, ctx.app.park, approval_id=approval_id,
                                actor=actor or "", note=note)
        _show_approval(ctx, approval.id, as_json)
    run(body, as_json=as_json)


@approvals_app.command("withdraw")
def approvals_withdraw(approval_id: Annotated[int, typer.Argument(metavar="ID")],
                       by: By = None, as_json: Json = False) -> None:
    """撤回本人提交的申请 / withdraw a request you filed."""
    def body(ctx: Context) -> None:
        from db.engine import writing
        from workflow.approvals import withdraw
        actor = ctx.actor(by)
        with writing(ctx.app.engine) as session:
            approval = withdraw(session, ctx.app.park, approval_id=approval_id,
                                actor=actor or "")
        _show_approval(ctx, approval.id, as_json)
    run(body, as_json=as_json)


def _print_deadline(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline")
    if deadline:
        out.print(t("截止：", "due: ", ctx) + deadline["explanation"])
    _warn_calendar(view, ctx)


def _warn_calendar(view: dict[str, Any], ctx: Context) -> None:
    deadline = view.get("deadline") or {}
    for warning in deadline.get("warnings", []):
        err.print(f"[yellow]{t('警告', 'warning', ctx)}[/yellow] {warning}")


def main() -> None:
    """Entry point of the `parkflow` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


def _register_web_commands() -> None:
    from parkflow.cli_web import register
    register(app, user_app)


_register_web_commands()
