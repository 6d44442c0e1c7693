"""`parkflow demo`: a demo park in a fresh SQLite file, then its board.

Everything goes through the same use cases a person would use, with business dates in the
past, so deadlines, stars and overdue stages are real.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from db.engine import make_engine, reading, writing
from db.migrate import upgrade
from i18n import gettext
from notifications.delivery import MailSettings, run_once
from notifications.mail import EmlFolderMailer
from parkflow.settings import Settings
from parkflow.terminal import print_board
from parkflow.wiring import clock_for, make_park
from workflow.approvals import decide, file_extension, file_suspension, resubmit
from workflow.calendar_store import seed_calendar
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.space import add_listing, offer, request_space
from workflow.users import add_user
from workflow.views import list_projects

DEFAULT_DEMO_DB = Path("demo") / "parkflow-demo.db"
DEMO_PASSWORD = "parkflow-demo"  # documented in the README; demo data only

USERS = [
    ("leader@park.example", "王建国", "leader", None, False),
    ("vice@park.example", "陈敏", "leader", None, False),
    ("admin@park.example", "周管理", "admin", None, False),
    ("li@park.example", "李娜", "member", "project", True),
    ("zhang@park.example", "张伟", "member", "project", False),
    ("liu@park.example", "刘洋", "member", "platform", True),
    ("yang@park.example", "杨静", "member", "platform", False),
    ("zhao@park.example", "赵磊", "member", "finance", True),
    ("huang@park.example", "黄婷", "member", "finance", False),
    ("wu@park.example", "吴强", "member", "general", True),
    ("sun@park.example", "孙丽", "member", "general", False),
]


@dataclass(frozen=True)
class DemoProject:
    name: str
    category: str
    owner: str
    intake_days_ago: int
    path: tuple[str, ...]  # events fired, in order
    scores: tuple[int, int, int, int] = (3, 3, 3, 3)


# Days ago of each event are spread between the intake and today.
PROJECTS = [
    DemoProject("量子精密测量仪器", "tech_transfer", "li", 2, ()),
    DemoProject("固态锂电池电解质", "tech_transfer", "zhang", 5, ()),
    DemoProject("类脑芯片设计", "alumni", "liu", 12, ()),
    DemoProject("工业互联网安全网关", "platform", "zhao", 20, ()),
    DemoProject("医用手术机器人", "tech_transfer", "wu", 1, ()),
    DemoProject("钙钛矿光伏组件", "alumni", "huang", 6, ()),
    DemoProject("高通量基因测序仪", "tech_transfer", "li", 15, ("visit",), (5, 5, 4, 4)),
    DemoProject("智能语音交互平台", "platform", "yang", 25, ("visit",), (4, 4, 3, 3)),
    DemoProject("合成生物材料中试", "alumni", "sun", 40, ("visit",), (3, 4, 3, 2)),
    DemoProject("无人机集群调度", "tech_transfer", "zhang", 10, ("visit",), (2, 3, 2, 2)),
    DemoProject("新型显示驱动芯片", "alumni", "zhao", 33, ("visit",), (4, 5, 4, 4)),
    DemoProject("氢燃料电池电堆", "tech_transfer", "liu", 45, ("visit", "register"), (4, 4, 4, 4)),
    DemoProject("碳化硅功率器件", "alumni", "wu", 70, ("visit", "register"), (3, 3, 4, 3)),
    DemoProject("科大量子通信实验室", "platform", "yang", 38, ("visit", "register"), (5, 4, 4, 5)),
    DemoProject("柔性电子皮肤", "tech_transfer", "huang", 50, ("visit", "register"), (2, 3, 3, 3)),
    DemoProject("工业视觉检测系统", "alumni", "li", 60,
                ("visit", "register", "sign"), (4, 3, 3, 4)),
    DemoProject("超导磁体研发平台", "platform", "sun", 90,
                ("visit", "register", "sign"), (5, 5, 3, 4)),
    DemoProject("脑机接口康复设备", "tech_transfer", "zhao", 75,
                ("visit", "register", "sign"), (4, 4, 4, 3)),
    DemoProject("先进封装测试线", "alumni", "zhang", 100,
                ("visit", "register", "sign", "open"), (4, 4, 5, 4)),
    DemoProject("智能网联汽车测试场", "platform", "liu", 120,
                ("visit", "register", "sign", "open"), (3, 4, 4, 4)),
    DemoProject("生物医药CRO平台", "tech_transfer", "wu", 110,
                ("visit", "register", "sign", "open"), (3, 3, 3, 3)),
    DemoProject("微纳光学元件", "alumni", "yang", 95,
                ("visit", "register", "sign", "open"), (5, 4, 4, 3)),
    DemoProject("农业遥感大数据", "tech_transfer", "huang", 30, ("exit",)),
    DemoProject("二手设备租赁", "alumni", "sun", 55, ("visit", "exit"), (2, 2, 2, 2)),
    DemoProject("区块链溯源服务", "platform", "zhao", 65, ("visit", "register", "exit"),
                (2, 3, 2, 3)),
    DemoProject("高端数控机床", "tech_transfer", "li", 8, ()),
    DemoProject("储能系统集成", "alumni", "wu", 27, ("visit",), (4, 3, 4, 4)),
    DemoProject("环境监测传感网", "platform", "liu", 3, ()),
    DemoProject("第三代半导体外延片", "tech_transfer", "zhang", 36, ("visit", "register"),
                (5, 5, 5, 4)),
    DemoProject("AI药物筛选平台", "alumni", "yang", 18, ("visit",), (5, 4, 5, 4)),
]


def event_fields(event: str, project: DemoProject, index: int) -> dict[str, Any]:
    team, technology, capital, market = project.scores
    if event == "visit":
        return {"visitors": "王建国,李娜", "needs": "funding,space",
                "team": team, "technology": technology, "capital": capital, "market": market}
    if event == "register":
        return {"company_name": f"合肥{project.name}科技有限公司", "uscc": demo_uscc(index),
                "address": "合肥市高新区望江西路 800 号"}
    if event == "sign":
        return {"agreement_no": f"KDGG-2026-{index:03d}"}
    if event == "open":
        return {"premises": f"中安创谷 B{index % 6 + 1} 栋"}
    return {"reason": "relocated", "note": "企业决定迁往他市"}


def demo_uscc(index: int) -> str:
    """A syntactically valid unified social credit code (check digit computed)."""
    from workflow.fields import uscc_check_char
    first17 = f"91340100MA{index:07d}"[:17]
    return first17 + uscc_check_char(first17)


def build_demo(engine: Engine, park: Park) -> None:
    """Users in every group, a leader, and ~30 projects spread over every state."""
    upgrade(engine)
    now = park.now()
    today = now.astimezone(park.tz).date()
    from workflow.passwords import hash_password
    password_hash = hash_password(DEMO_PASSWORD)
    with writing(engine) as session:
        seed_calendar(session, park, now=now)
        for email, name, role, group, lead in USERS:
            add_user(session, park.lifecycle, email=email, name=name, role=role, group=group,
                     group_lead=lead, password_hash=password_hash, now=now)
    for index, project in enumerate(PROJECTS, start=1):
        owner = f"{project.owner}@park.example"
        with writing(engine) as session:
            created = add_project(session, park, name=project.name, category=project.category,
                                  owner=owner, actor=owner,
                                  intake=_day(today, project.intake_days_ago, park))
            for step, event in enumerate(project.path, start=1):
                ago = project.intake_days_ago * (len(project.path) - step + 1) // (
                    len(project.path) + 1)
                advance(session, park, project_id=created.id, event=event,
                        actor=owner, at=_day(today, ago, park),
                        fields=event_fields(event, project, index))
    build_space_and_approvals(engine, park, today)
    build_after_opening(engine, park, [index for index, project in enumerate(PROJECTS, start=1)
                                       if project.path[-1:] == ("open",)])


LEADER, VICE = "leader@park.example", "vice@park.example"
# the space inventory (全区一张图): carrier, building, unit, m², type
LISTINGS = [
    ("中安创谷", "B1", "501", 1300, "office"),
    ("中安创谷", "B2", "302", 320, "office"),
    ("科大硅谷", "A3", "1201", 650, "lab"),
    ("高新区标准化厂房", "C5", "1F", 2400, "plant"),
    ("中安创谷", "B4", "808", 180, "office"),
]


def build_space_and_approvals(engine: Engine, park: Park, today: date) -> None:
    """Listings, space requests (one waiting for a leader, one offered), an extension that
    went back once before its approval, and a suspended project: every part of the space flow
    and the approval route shows on a leader's first look."""
    with writing(engine) as session:
        for carrier, building, unit, area, kind in LISTINGS:
            add_listing(session, park, carrier=carrier, building=building, unit=unit,
                        area=area, type=kind, actor=LEADER, now=park.now())
    needed = (today + timedelta(days=30)).isoformat()
    with writing(engine) as session:  # 高通量基因测序仪 (#7): a large office, to a leader first
        request_space(session, park, project_id=7, type="office", area=1200, needed_by=needed,
                      actor="li@park.example", carrier="中安创谷", note="研发与装配各半")
    with writing(engine) as session:  # 工业视觉检测系统 (#16): small, matched at once
        small = request_space(session, park, project_id=16, type="office", area=300,
                              needed_by=needed, actor="li@park.example")
        offer(session, park, request_id=small["id"], listing_id=2, actor="li@park.example",
              note="面积略大，企业同意按 320 m² 签约")
    with writing(engine) as session:  # 碳化硅功率器件 (#13): returned once, then approved
        extension = file_extension(session, park, project_id=13, days=15,
                                   reason="等待股东会决议", actor="wu@park.example")
        decide(session, park, approval_id=extension.id or 0, decision="return",
               actor=LEADER, comment="请补充股东会召开时间")
        resubmit(session, park, approval_id=extension.id or 0, actor="wu@park.example",
                 note="股东会定于下月 5 日召开")
        decide(session, park, approval_id=extension.id or 0, decision="approve",
               actor=VICE, comment="同意延期 15 天")
    with writing(engine) as session:  # 合成生物材料中试 (#9): paused by a leader
        suspension = file_suspension(session, park, project_id=9, reason="等待区政府决策",
                                     actor="sun@park.example")
        decide(session, park, approval_id=suspension.id or 0, decision="approve",
               actor=LEADER, comment="同意暂停，决策后恢复")


def build_after_opening(engine: Engine, park: Park, opened: list[int]) -> None:
    """Life after opening (落地后跟踪): each opened project reports the figures of the last
    two quarters (a rising trend on its page), recorded now by its owner."""
    from reports.periods import period_containing
    today = park.now().astimezone(park.tz).date()
    last = period_containing("quarterly", today).previous()
    quarters = [last.previous(), last]
    for project_id in opened:
        owner = f"{PROJECTS[project_id - 1].owner}@park.example"
        with writing(engine) as session:
            for step, quarter in enumerate(quarters, start=1):
                scale = project_id * 10 + step * 15
                advance(session, park, project_id=project_id, event="indicators", actor=owner,
                        fields={"quarter": quarter.key, "revenue": scale * 12,
                                "tax": scale, "rnd": scale * 2, "employees": 20 + scale // 5,
                                "ip": step + project_id % 3})


def _day(today: date, days_ago: int, park: Park) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(10, 0), tzinfo=park.tz)


def run_demo(console: Console, *, database: str | None, lang: str) -> Path:
    path = Path(database) if database else DEFAULT_DEMO_DB
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings.from_env()
    park = make_park(settings, clock=clock_for(settings))
    build_demo(engine, park)
    with reading(engine) as session:
        rows = list_projects(session, park)
    print_board(console, rows, park, lang)
    mail_dir = path.parent / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    counts = run_once(engine, park, EmlFolderMailer(mail_dir),
                      MailSettings(sender="parkflow@park.example",
                                   base_url="http://127.0.0.1:8000"), now=park.now())
    console.print(gettext(
        lang, "Demo park built in %(path)s: %(users)s users, %(projects)s projects.\n"
        "Today's reminders and warnings: %(sent)s sent (%(skipped)s skipped, overtaken by a "
        "later rung); no SMTP configured, so they are .eml files in %(mail)s/.\n"
        "Try: . .venv/bin/activate; export PARKFLOW_DATABASE_URL=sqlite:///%(path)s\n"
        "     parkflow project show 7 ; parkflow outbox list ; "
        "parkflow reminders preview --until 2026-12-31",
        path=path, users=len(USERS), projects=len(rows), sent=counts["sent"],
        skipped=counts["skipped"], mail=mail_dir), markup=False)
    return path
