"""A realistic context per message kind, for the template and chat tests.

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
    "requested_by_email": "wang.ming@park.example.gov.cn",
    "submitted_at": "2026-11-05T14:20:00+08:00",
    "reason": "企业计划 12 月初进场装修，研发团队 80 人，需整层办公空间。",
    "url": f"{BASE_URL}/approvals/301",
    "due_date": "2026-11-10",
    "decisions": {"approve": "批准", "reject": "驳回", "return": "退回补充"},
    "details": [
        {"label": "用房类型", "value": "办公"},
        {"label": "需求面积", "value": "1,200 m²"},
        {"label": "需用日期", "value": "2026-12-01"},
        {"label": "意向载体", "value": "科创大厦"},
    ],
}

_INTAKES = {
    "title": "本周入库", "headers": ["项目", "类别", "负责人", "入库日期"],
    "numeric": [False, False, False, False],
    "rows": [[{"text": "云帆智能网联汽车测试场", "url": f"{BASE_URL}/projects/63"},
              {"text": "科技成果转化类", "url": None}, {"text": "赵磊", "url": None},
              {"text": "2026年11月4日", "url": None}]],
}
_OVERDUE = {
    "title": "月末逾期（按小组）", "headers": ["小组", "逾期"], "numeric": [False, True],
    "rows": [[{"text": "项目组", "url": None},
              {"text": "1", "url": f"{BASE_URL}/reports/monthly/2026-10/projects"
                                  "?figure=overdue_at_end.groups.project"}]],
}
# a report as notifications.reports.plain gives it to the templates
_REPORT = {
    "title": "月调度 · 2026年10月",
    "period": "2026年10月",
    "as_of": "按发生日期统计本期事项（含补录）",
    "url": f"{BASE_URL}/reports/monthly/2026-10",
    "figures": [{"label": "新入库", "value": 6,
                 "url": f"{BASE_URL}/reports/monthly/2026-10/projects?figure=intakes"},
                {"label": "走访", "value": 5, "url": None}],
    "sections": [_OVERDUE, {**_INTAKES, "rows": []}],
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
        "overdue_url": f"{BASE_URL}/projects?overdue=1",
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
        "meeting": {"date": "2026-11-09", "week_label": "2026年第46周"},
        "report": {
            **_REPORT,
            "title": "周例会 · 2026年11月2日 – 11月8日",
            "period": "2026年11月2日 – 11月8日",
            "url": f"{BASE_URL}/reports/weekly/2026-W45",
            "figures": [{"label": "本周入库", "value": 1, "url": None},
                        {"label": "逾期未走访", "value": 0, "url": None}],
            "sections": [_INTAKES, _OVERDUE],
        },
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
        "report": {**_REPORT, "overdue_total": 1},
    },
    "quarterly_report": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "report": {
            **_REPORT,
            "title": "季总结 · 2026年第3季度",
            "period": "2026年第3季度",
            "url": f"{BASE_URL}/reports/quarterly/2026-Q3",
            "figures": [{"label": "开业项目", "value": 1,
                         "url": f"{BASE_URL}/reports/quarterly/2026-Q3/projects?figure=opened"}],
            "opened_count": 1,
        },
    },
    "calendar_missing": {
        "recipient": {"name": "周管理", "email": "admin@park.example.gov.cn"},
        "base_url": BASE_URL,
        "calendar": {
            "year": 2027,
            "admin_url": f"{BASE_URL}/admin#h-calendar",
            "projects": [
                {"name": "星海量子计算研发中心", "url": f"{BASE_URL}/projects/42",
                 "due_date": "2027-01-04"},
            ],
        },
    },
    "relocation_warning": {
        "recipient": _LEADER,
        "base_url": BASE_URL,
        "project": {**_STAR_PROJECT, "state_label": "已开业"},
        "relocation": {
            "address": "江苏省苏州市工业园区星湖街 328 号",
            "previous_address": "合肥市高新区望江西路 800 号",
            "zone_label": "合肥高新区",
            "occurred_on": "2026-11-18",
            "recorded_by_name": "王明",
            "home_url": f"{BASE_URL}/",
        },
    },
    "indicators_request": {
        "recipient": _OWNER,
        "base_url": BASE_URL,
        "project": {**_STAR_PROJECT, "state_label": "已开业"},
        "figures": {
            "quarter_label": "2026年第4季度",
            "asked": ["营业收入（万元）", "纳税额（万元）", "研发投入（万元）", "从业人数",
                      "新增知识产权"],
            "last_quarter_label": "2026年第3季度",
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
