"""The park of the 首页 and 我的待办 tests: twelve projects, three approvals, at fixed dates.

Everything goes through the use cases, dated in the past of NOW (Friday 2026-11-20 10:00);
approvals are filed and decided with the clock set to their moment, then put back. The
figures the tests expect are worked out by hand from the table below (2026 calendar:
National Day Oct 1–7; November has no holiday).

    key name        owner  history (business dates; alice, carol: project, bob: finance)
    P1  云端芯片    alice  intake 09-01 · visit 09-05 · register 10-12 · sign 10-20 ·
                           open 11-05: opened
    P2  量子传感    alice  intake 10-08 · visit 10-14 (★★★) · register 11-06 ·
                           follow-up 11-10: registered, follow-up due again 11-17
    P3  智能网联    alice  intake 11-02: visit due 11-09, 11 days late
    P4  氢能储运    alice  intake 11-16: visit due 11-23, 3 days left
    P5  柔性显示    alice  intake 11-13: visit due 11-20, today
    P6  生物医药    alice  intake 11-17: visit due 11-24, 4 days left
    P7  新材料      carol  intake 10-26: visit due 11-02, 18 days late
    P8  工业软件    bob    intake 10-19 · visit 10-23 (★★): register due 11-19, 1 day late;
                           no follow-up: due since 10-30
    P9  储能电池    bob    intake 10-12 · visit 10-16 · exit 11-03: exited
    P10 激光雷达    bob    intake 10-13 · exit 10-31: exited
    P11 精密仪器    carol  intake 11-05: visit due 11-12, 8 days late
    P12 半导体封装  carol  intake 11-09 · visit 11-16 (★): register due 12-09

    approvals: A1 carol's extension of P7, filed Fri 11-13 (decide by Wed 11-18: 2 days late)
               A2 bob's suspension of P8, filed Thu 11-19 (decide by Tue 11-24: 4 days left)
               A3 alice's extension of P3, filed 11-16, returned by the leader 11-17
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from db.engine import writing
from tests.factories import NOW
from workflow.approvals import approval_id_of, decide, file_extension, file_suspension
from workflow.clock import FixedClock
from workflow.park import Park
from workflow.projects import add_project, advance, follow_up

VISIT_3_STARS = {"visitors": "王建国,李爱丽", "needs": "funding,space", "team": "4",
                 "technology": "5", "capital": "4", "market": "4"}  # 17
VISIT_2_STARS = {**VISIT_3_STARS, "technology": "4", "market": "3"}  # 15
VISIT_1_STAR = {**VISIT_3_STARS, "team": "3", "technology": "3", "capital": "2",
                "market": "2"}  # 10
FIELDS: dict[str, dict[str, Any]] = {
    "register": {"company_name": "合肥云芯科技有限公司", "uscc": "91350100M000100Y43",
                 "address": "合肥市高新区望江西路 800 号"},
    "sign": {"agreement_no": "HT-2026-031"},
    "open": {"premises": "中安创谷 B2 栋"},
    "exit": {"reason": "relocated", "note": "迁往他市"},
}
RETURN_COMMENT = "请补充延期所需的证明材料"

# key: (name, owner, intake, [(event, day, fields)])
PROJECTS: dict[str, tuple[str, str, str, list[tuple[str, str, dict[str, Any]]]]] = {
    "P1": ("云端芯片", "alice", "2026-09-01", [
        ("visit", "2026-09-05", VISIT_2_STARS), ("register", "2026-10-12", FIELDS["register"]),
        ("sign", "2026-10-20", FIELDS["sign"]), ("open", "2026-11-05", FIELDS["open"])]),
    "P2": ("量子传感", "alice", "2026-10-08", [
        ("visit", "2026-10-14", VISIT_3_STARS),
        ("register", "2026-11-06", {**FIELDS["register"], "company_name": "合肥量传科技有限公司",
                                    "uscc": "91340100MA2N00002U"}),
        ("follow_up", "2026-11-10", {"note": "电话问询注册后的进展"})]),
    "P3": ("智能网联", "alice", "2026-11-02", []),
    "P4": ("氢能储运", "alice", "2026-11-16", []),
    "P5": ("柔性显示", "alice", "2026-11-13", []),
    "P6": ("生物医药", "alice", "2026-11-17", []),
    "P7": ("新材料", "carol", "2026-10-26", []),
    "P8": ("工业软件", "bob", "2026-10-19", [("visit", "2026-10-23", VISIT_2_STARS)]),
    "P9": ("储能电池", "bob", "2026-10-12", [
        ("visit", "2026-10-16", VISIT_2_STARS), ("exit", "2026-11-03", FIELDS["exit"])]),
    "P10": ("激光雷达", "bob", "2026-10-13", [("exit", "2026-10-31", FIELDS["exit"])]),
    "P11": ("精密仪器", "carol", "2026-11-05", []),
    "P12": ("半导体封装", "carol", "2026-11-09", [("visit", "2026-11-16", VISIT_1_STAR)]),
}


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


def build(engine: Engine, park: Park, clock: FixedClock,
          people: dict[str, str]) -> dict[str, int]:
    """The park above; its ids by key (P1…P12, A1…A3). The clock is back at NOW after."""
    ids: dict[str, int] = {}
    with writing(engine) as session:
        for key, (name, owner, intake, steps) in PROJECTS.items():
            who = people[owner]
            project = add_project(session, park, name=name, category="tech_transfer",
                                  owner=who, actor=who, intake=intake, allow_duplicate=True)
            ids[key] = project.id
            for event, day, fields in steps:
                if event == "follow_up":
                    follow_up(session, park, project_id=project.id, actor=who,
                              note=fields["note"], at=day)
                else:
                    advance(session, park, project_id=project.id, event=event, actor=who,
                            at=day, fields=fields, allow_duplicate=True)
    try:
        clock.set(at("2026-11-13", "10:00"))
        with writing(engine) as session:
            ids["A1"] = approval_id_of(file_extension(
                session, park, project_id=ids["P7"], days=10, reason="等待企业补充材料",
                actor=people["carol"]))
        clock.set(at("2026-11-16", "09:00"))
        with writing(engine) as session:
            ids["A3"] = approval_id_of(file_extension(
                session, park, project_id=ids["P3"], days=7, reason="企业负责人出差",
                actor=people["alice"]))
        clock.set(at("2026-11-17", "11:00"))
        with writing(engine) as session:
            decide(session, park, approval_id=ids["A3"], decision="return",
                   actor=people["leader"], comment=RETURN_COMMENT)
        clock.set(at("2026-11-19", "15:00"))
        with writing(engine) as session:
            ids["A2"] = approval_id_of(file_suspension(
                session, park, project_id=ids["P8"], reason="等待区政府的用地批复",
                actor=people["bob"]))
    finally:
        clock.set(NOW)
    return ids
