"""`parkflow init`: the schema and the holiday calendar."""

from __future__ import annotations

from parkflow.cli.app import app
from parkflow.cli.context import Context
from parkflow.cli.exits import command
from parkflow.cli.output import out, t


@command(app, "init")
def init(ctx: Context) -> None:
    """创建或迁移数据库结构并载入节假日日历 / create or migrate the schema, seed the calendar."""
    from db.engine import writing
    from db.migrate import upgrade
    from workflow.calendar_store import seed_calendar
    upgrade(ctx.app.engine)
    with writing(ctx.app.engine) as session:
        years = seed_calendar(session, ctx.app.park, now=ctx.app.park.now())
    seeded = f"{years[0]}–{years[-1]}" if years else t("无新增", "none new", ctx)
    out.print(t(f"数据库已就绪；已载入节假日年份：{seeded}",
                f"database ready; calendar years loaded: {seeded}", ctx))
