"""A realistic context per message kind, for tests, previews and the demo.

The shapes are documented in `notifications.render`; every value is a plain str, int, None,
list or dict, as a caller builds them from the database: dates as ISO strings, labels (and
the few pre-formatted values, like an agenda's week or a report's period) in zh-CN.
"""

from __future__ import annotations

from typing import Any

BASE_URL = "https://parkflow.example.gov.cn"

_LEADER = {"name": "李建国", "email": "li.jianguo@park.example.gov.cn"}
_OWNER = {"name": "王明", "email": "wang.ming@park.example.gov.cn"}

_PROJECT = {
    "id": 42,
    "name": "星海量子计算研发中心",
    "category_label": "科技研发类",
    "state_label": "注册办理",
    "owner_name": "王明",
    "group_label": "招商一组",
    "stars": 3,
    "url": f"{BASE_URL}/projects/42",
}

_STAR_PROJECT = {
    **_PROJECT,
    "id": 17,
    "name": "微纳光电芯片中试基地",
    "category_label": "先进制造类",
    "state_label": "落地跟踪",
    "stars": 5,
    "url": f"{BASE_URL}/projects/17",
}

_SPACE_APPROVAL = {
    "id": 301,
    "kind": "space",
    "kind_label": "用房申请",
    "requested_by_name": "王明",
    "submitted_at": "2026-11-05T14:20:00+08:00",
    "reason": "企业计划 12 月初进场装修，研发团队 80 人，需整层办公空间。",
    "url": f"{BASE_URL}/approvals/301",
    "due_date": "2026-11-10",
    "details": [
        {"label": "用房类型", "value": "办公"},
        {"label": "需求面积", "value": "1,200 m²"},
        {"label": "需用日期", "value": "2026-12-01"},
        {"label": "意向载体", "value": "科创大厦"},
    ],
}

SAMPLE_CONTEXTS: dict[str, dict[str, Any]] = {
    "reminder": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": _PROJECT,
        "deadline": {
            "stage_label": "工商注册",
            "due_date": "2026-11-12",
            "explanation": (
                "入库 2026-10-12 + 1个月 = 2026-11-12；11-12 为工作日 → 截止 2026-11-12 24:00"
            ),
            "days_left": 3,
        },
    },
    "warning": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": {**_PROJECT, "state_label": "签约洽谈"},
        "deadline": {
            "stage_label": "签订投资协议",
            "due_date": "2026-11-06",
            "explanation": (
                "立项 2026-10-07 + 30日 = 2026-11-06；11-06 为工作日 → 截止 2026-11-06 24:00"
            ),
            "days_overdue": 1,
        },
    },
    "digest": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "as_of": "2026-11-09",
        "board_url": f"{BASE_URL}/board?filter=overdue",
        "overdue": [
            {
                "name": "星海量子计算研发中心",
                "url": f"{BASE_URL}/projects/42",
                "owner_name": "王明",
                "stage_label": "签订投资协议",
                "due_date": "2026-11-06",
                "days_overdue": 3,
            },
            {
                "name": "蓝鲸生物医药创新平台",
                "url": f"{BASE_URL}/projects/58",
                "owner_name": "陈思远",
                "stage_label": "工商注册",
                "due_date": "2026-10-23",
                "days_overdue": 17,
            },
        ],
    },
    "inquiry": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": _STAR_PROJECT,
        "follow_up": {
            "last_date": "2026-10-29",
            "last_summary": "企业确认设备进场时间，待园区协调电力增容。",
            "days_since": 11,
        },
    },
    "agenda": {
        "recipient": {"name": "各位同事", "email": "zhuanban@park.example.gov.cn"},
        "base_url": BASE_URL,
        "board_url": f"{BASE_URL}/board",
        "meeting": {"date": "2026-11-09", "week_label": "2026年第46周"},
        "new_intakes": [
            {
                "name": "云帆智能网联汽车测试场",
                "url": f"{BASE_URL}/projects/63",
                "category_label": "先进制造类",
                "owner_name": "赵磊",
                "intake_date": "2026-11-04",
            },
        ],
        "visits_due": [
            {
                "name": "星海量子计算研发中心",
                "url": f"{BASE_URL}/projects/42",
                "owner_name": "王明",
                "stage_label": "企业走访",
                "due_date": "2026-11-12",
            },
        ],
        "overdue": [
            {
                "name": "蓝鲸生物医药创新平台",
                "url": f"{BASE_URL}/projects/58",
                "owner_name": "陈思远",
                "stage_label": "工商注册",
                "due_date": "2026-10-23",
                "days_overdue": 17,
            },
        ],
        "star_follow_ups": [
            {
                "name": "微纳光电芯片中试基地",
                "url": f"{BASE_URL}/projects/17",
                "owner_name": "王明",
                "stars": 5,
                "last_follow_up_date": "2026-10-29",
            },
            {
                "name": "青禾合成生物产业园",
                "url": f"{BASE_URL}/projects/21",
                "owner_name": "孙倩",
                "stars": 4,
                "last_follow_up_date": None,
            },
        ],
        "pending_approvals": [
            {
                "kind_label": "用房申请",
                "subject_name": "星海量子计算研发中心",
                "requested_by_name": "王明",
                "submitted_date": "2026-11-05",
                "url": f"{BASE_URL}/approvals/301",
            },
        ],
    },
    "approval_requested": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "project": _PROJECT,
        "approval": _SPACE_APPROVAL,
        "due_today": False,
    },
    "approval_decided": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": _PROJECT,
        "approval": {
            **_SPACE_APPROVAL,
            "decision": "approved",
            "decided_by_name": "李建国",
            "decided_at": "2026-11-06T10:05:00+08:00",
            "comment": "同意。请招商一组会同载体方尽快落实装修进场安排。",
        },
    },
    "approval_returned": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": _PROJECT,
        "approval": {
            **_SPACE_APPROVAL,
            "decided_by_name": "李建国",
            "decided_at": "2026-11-06T10:05:00+08:00",
            "comment": "请补充企业近两年研发投入情况及用房面积测算依据后重新提交。",
        },
    },
    "monthly_report": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "report": {
            "period": "2026年10月",
            "url": f"{BASE_URL}/board",
            "funnel": [{"stage_label": "已入库·待走访", "count": 6},
                       {"stage_label": "已走访·待注册", "count": 7}],
            "moves": [{"event_label": "走访", "count": 5}, {"event_label": "注册", "count": 2}],
            "stage_times": [{"stage_label": "已入库·待走访", "count": 5, "average_days": 4.6}],
            "overdue_by_group": [{"label": "项目组", "count": 2}],
            "overdue_by_owner": [{"label": "王明", "count": 2}],
            "overdue_total": 2,
        },
    },
    "quarterly_report": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "report": {
            "period": "2026年第3季度",
            "url": f"{BASE_URL}/board",
            "opened": [{"name": "微纳光电芯片中试基地", "url": f"{BASE_URL}/projects/17",
                        "category_label": "科技成果转化类", "opened_on": "2026-08-18"}],
            "categories": [
                {"label": "科技成果转化类", "taken_in": 12, "opened": 3, "conversion_pct": 25,
                 "average_cycle_days": 96.5},
                {"label": "校友产业化类", "taken_in": 8, "opened": 0, "conversion_pct": 0,
                 "average_cycle_days": None},
            ],
        },
    },
    "calendar_missing": {
        "recipient": {"name": "周管理", "email": "admin@park.example.gov.cn"},
        "base_url": BASE_URL,
        "calendar": {
            "year": 2027,
            "admin_url": f"{BASE_URL}/admin/calendar",
            "projects": [
                {"name": "星海量子计算研发中心", "url": f"{BASE_URL}/projects/42",
                 "due_date": "2027-01-04"},
            ],
        },
    },
    "listing_offered": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": _PROJECT,
        "request": {
            "id": 88,
            "type_label": "办公",
            "area_m2": 1200,
            "needed_by": "2026-12-01",
        },
        "listing": {
            "id": 512,
            "carrier": "科创大厦",
            "building": "A座",
            "unit": "12层",
            "type_label": "办公",
            "area_m2": 1260,
        },
        "offered_by_name": "周晓燕",
        "note": "该楼层已完成简装，可于 11 月 20 日前安排现场踏勘。",
    },
}
