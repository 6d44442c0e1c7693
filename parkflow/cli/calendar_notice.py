"""`parkflow calendar import-notice`: next year's holidays from the State Council's notice.

Every text a person reads goes through `t(zh, en, ctx)`, ready to move into the gettext
catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parkflow.cli.app import calendar_app
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.options import By, Json
from parkflow.cli.output import emit_json, out, t
from workflow.errors import ValidationError

if TYPE_CHECKING:  # the rest is imported when the command runs: other commands start faster
    from rich.console import Console

    from workflow.calendar import SpecialDay
    from workflow.notice_import import NoticeImport

_CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"}


@command(calendar_app, "import-notice")
def calendar_import_notice(
    ctx: Context,
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="通知文本（- 为标准输入）")],
    year: Annotated[int, typer.Option("--year", help="通知安排的年份 YYYY")],
    by: By = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只对照，不导入")] = False,
    as_json: Json = False,
) -> None:
    """导入国务院办公厅节假日安排通知（管理员）/ import the State Council's holiday notice."""
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
        raise ValidationError("bad_value", field="FILE", value=file,
                              reason=exc.strerror or str(exc)) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("bad_value", field="FILE", value=file, reason="UTF-8 / GB18030")


def print_comparison(console: Console, result: NoticeImport, ctx: Context) -> None:
    """Every day of the notice beside what the calendar has (had) for it, then a summary."""
    from rich.table import Table

    from i18n.formats import weekday_name
    year = result.year
    before = (t(f"当前日历：{result.source_before}", f"calendar now: {result.source_before}",
                ctx) if result.source_before
              else t(f"当前日历：{year} 年尚未导入", f"calendar now: {year} not loaded", ctx))
    console.print(t(f"国务院办公厅关于{year}年部分节假日安排的通知（{before}）",
                    f"The State Council's holiday notice for {year} ({before})", ctx),
                  soft_wrap=True)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for header in (t("日期", "date", ctx), t("星期", "day", ctx), t("通知", "notice", ctx),
                   t("当前日历", "calendar now", ctx), t("变化", "change", ctx)):
        table.add_column(header, no_wrap=True)
    changes = {"added": t("新增", "added", ctx), "removed": t("删除", "removed", ctx),
               "changed": t("改变", "changed", ctx), "unchanged": t("不变", "unchanged", ctx)}
    for row in result.days:
        table.add_row(row.day.isoformat(), weekday_name(row.day, ctx.lang),
                      _special(row.notice, ctx),
                      _special(row.calendar, ctx), changes[row.change],
                      style=_CHANGE_STYLE[row.change])
    console.print(table)
    counts = result.counts()
    off, work = len(result.notice.holidays), len(result.notice.workdays)
    console.print(t(f"放假 {off} 天，调休上班 {work} 天；新增 {counts['added']}，"
                    f"删除 {counts['removed']}，改变 {counts['changed']}，"
                    f"不变 {counts['unchanged']}",
                    f"days off: {off}, make-up working days: {work}; added {counts['added']}, "
                    f"removed {counts['removed']}, changed {counts['changed']}, "
                    f"unchanged {counts['unchanged']}", ctx), soft_wrap=True)
    console.print(t(f"已导入 {year} 年的节假日安排", f"imported the arrangement of {year}", ctx)
                  if result.imported else
                  t("预览（--dry-run）：未导入", "dry run: nothing imported", ctx), soft_wrap=True)


def _special(day: SpecialDay | None, ctx: Context) -> str:
    from workflow.calendar import holiday_name
    if day is None:
        return "—"
    kind = t("班", "work", ctx) if day.is_workday else t("休", "off", ctx)
    name = holiday_name(day.name, ctx.lang)
    return f"{kind} {name}"
