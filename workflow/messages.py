"""Messages people read, in Simplified Chinese (the default) and English.

Keys are stable codes used by the errors and the command line; `{field}` and other
placeholders are filled from the error's parameters.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANG = "zh-CN"

MESSAGES: dict[str, dict[str, str]] = {
    # input
    "required": {"zh-CN": "缺少字段 {field}{label}",
                 "en": "missing field {field}{label}"},
    "unknown_field": {"zh-CN": "事件 {event} 不接受字段 {field}",
                      "en": "event {event} does not take the field {field}"},
    "not_a_score": {"zh-CN": "字段 {field}{label} 须为 1–5 的整数，收到 {value!r}",
                    "en": "field {field}{label} must be an integer 1–5, got {value!r}"},
    "bad_choice": {"zh-CN": "字段 {field}{label} 的取值 {value!r} 无效，可选：{choices}",
                   "en": "field {field}{label}: {value!r} is not one of {choices}"},
    "empty": {"zh-CN": "字段 {field}{label} 不能为空", "en": "field {field}{label} is empty"},
    "uscc_length": {"zh-CN": "统一社会信用代码 {field} 须为 18 位，收到 {length} 位",
                    "en": "unified social credit code {field} must have 18 characters, "
                          "got {length}"},
    "uscc_charset": {"zh-CN": "统一社会信用代码 {field} 含非法字符 {char!r}",
                     "en": "unified social credit code {field} has an invalid character {char!r}"},
    "uscc_check": {"zh-CN": "统一社会信用代码 {field} 校验位错误（应为 {expected}）",
                   "en": "unified social credit code {field} has a wrong check digit "
                         "(expected {expected})"},
    "bad_date": {"zh-CN": "字段 {field} 的日期 {value!r} 无效，应为 YYYY-MM-DD 或 ISO 日期时间",
                 "en": "field {field}: {value!r} is not a date (YYYY-MM-DD or ISO datetime)"},
    "in_future": {"zh-CN": "字段 {field} 的时间 {value} 晚于当前时间",
                  "en": "field {field}: {value} is in the future"},
    "before_previous": {"zh-CN": "字段 {field} 的时间 {value} 早于上一事件（{previous}）",
                        "en": "field {field}: {value} is before the previous event ({previous})"},
    "unknown_event": {"zh-CN": "未知事件 {value!r}，可用事件：{choices}",
                      "en": "unknown event {value!r}; events: {choices}"},
    "too_long": {"zh-CN": "字段 {field} 过长（{length} 字，最多 {limit} 字）",
                 "en": "field {field} is too long ({length} characters, at most {limit})"},
    "bad_value": {"zh-CN": "字段 {field} 的取值 {value!r} 无效：{reason}",
                  "en": "field {field}: {value!r} is invalid: {reason}"},
    "bad_set": {"zh-CN": "--set 参数 {value!r} 应为 FIELD=VALUE",
                "en": "--set {value!r} must be FIELD=VALUE"},
    "unknown_user_field": {"zh-CN": "字段 {field}：用户 {value} 不存在",
                           "en": "field {field}: no user {value}"},
    "user_exists": {"zh-CN": "用户 {value} 已存在", "en": "user {value} already exists"},
    # permission
    "unknown_actor": {"zh-CN": "未知用户 {value}（--by / PARKFLOW_USER）",
                      "en": "unknown user {value} (--by / PARKFLOW_USER)"},
    "no_actor": {"zh-CN": "请用 --by 或 PARKFLOW_USER 指明操作人",
                 "en": "say who acts with --by or PARKFLOW_USER"},
    "not_allowed_role": {"zh-CN": "{actor} 无权对项目 {project} 执行“{event}”{label}"
                                  "（仅限：{roles}）",
                         "en": "{actor} may not fire '{event}'{label} on project {project} "
                               "(only: {roles})"},
    "admin_only": {"zh-CN": "仅管理员可执行此操作", "en": "only an admin may do this"},
    # lookup
    "project_not_found": {"zh-CN": "项目 {value} 不存在", "en": "project {value} not found"},
    "user_not_found": {"zh-CN": "用户 {value} 不存在", "en": "user {value} not found"},
    # conflict
    "invalid_transition": {"zh-CN": "项目当前状态为“{state}”，不能执行“{event}”",
                           "en": "the project is '{state}'; '{event}' is not allowed there"},
    "concurrent_change": {"zh-CN": "项目 {project} 已被他人同时修改，请刷新后重试",
                          "en": "project {project} was changed by someone else at the same "
                                "time; reload and try again"},
    "suspended": {"zh-CN": "项目 {project} 处于暂停状态，请先恢复（parkflow project resume）",
                  "en": "project {project} is suspended; resume it first "
                        "(parkflow project resume)"},
    # approvals
    "approval_not_found": {"zh-CN": "审批 {value} 不存在", "en": "approval {value} not found"},
    "leaders_only": {"zh-CN": "{actor} 不是分管领导，不能审批", "en": "{actor} is not a leader "
                     "and may not decide"},
    "self_approval": {"zh-CN": "不能审批本人提交的申请（{actor}）",
                      "en": "nobody decides on a request they filed ({actor})"},
    "requester_only": {"zh-CN": "只有申请人可以执行此操作（{actor} 不是申请人）",
                       "en": "only the requester may do this ({actor} is not)"},
    "not_pending": {"zh-CN": "审批 {value} 当前为“{state}”，已不在待审批状态",
                    "en": "approval {value} is {state}, no longer pending"},
    "not_returned": {"zh-CN": "审批 {value} 当前为“{state}”，只有被退回的申请可以重新提交",
                     "en": "approval {value} is {state}; only a returned one can be resubmitted"},
    "no_deadline": {"zh-CN": "项目 {project} 当前阶段（{state}）没有办理时限，无需延期",
                    "en": "project {project}'s stage ({state}) has no deadline to extend"},
    "extension_pending": {"zh-CN": "项目 {project} 本阶段已有待审批的延期申请（{approval}）",
                          "en": "project {project} already has a pending extension for this "
                                "stage ({approval})"},
    "suspension_pending": {"zh-CN": "项目 {project} 已有待审批的暂停申请（{approval}）",
                           "en": "project {project} already has a pending suspension "
                                 "({approval})"},
    "cannot_suspend": {"zh-CN": "项目 {project} 已暂停或已退库，不能暂停",
                       "en": "project {project} is already suspended or has left the library"},
    "not_suspended": {"zh-CN": "项目 {project} 未处于暂停状态", "en": "project {project} is not "
                      "suspended"},
    "stage_left": {"zh-CN": "项目 {project} 已离开申请延期时的阶段，延期申请 {value} 不再适用",
                   "en": "project {project} has left the stage extension {value} was for"},
    # space
    "request_not_found": {"zh-CN": "用房申请 {value} 不存在",
                          "en": "space request {value} not found"},
    "listing_not_found": {"zh-CN": "房源 {value} 不存在", "en": "listing {value} not found"},
    "request_not_cleared": {"zh-CN": "用房申请 {value} 当前为 {status}，"
                                     "须经批准（或无需审批）后才能推介",
                            "en": "space request {value} is {status}; it must be approved (or "
                                  "need no approval) before a listing is offered"},
    "listing_taken": {"zh-CN": "房源 {value} 已被预留或已出租", "en": "listing {value} is "
                      "already reserved or leased"},
    "listing_too_small": {"zh-CN": "房源 {listing} 面积 {area} m² 小于申请的 {wanted} m²，"
                                   "如仍要推介请用 --note 说明理由",
                          "en": "listing {listing} ({area} m²) is smaller than the {wanted} m² "
                                "requested; say why with --note to offer it anyway"},
    # accounts and API tokens
    "token_not_found": {"zh-CN": "API 令牌 {value} 不存在", "en": "API token {value} not found"},
    "token_revoked": {"zh-CN": "API 令牌 {value} 已于 {when} 吊销",
                      "en": "API token {value} was revoked on {when}"},
    "token_not_yours": {"zh-CN": "API 令牌 {value} 不属于 {actor}",
                        "en": "API token {value} does not belong to {actor}"},
    "wrong_password": {"zh-CN": "字段 {field}：当前密码不正确",
                       "en": "field {field}: the current password is wrong"},
    # outbox
    "outbox_not_found": {"zh-CN": "发件记录 {value} 不存在",
                         "en": "outbox message {value} not found"},
    "outbox_not_failed": {"zh-CN": "发件记录 {value} 的状态为 {status}，只有失败的记录可以重试",
                          "en": "outbox message {value} is {status}; only failed ones can be "
                                "retried"},
    # calendar
    "calendar_line": {"zh-CN": "日历文件第 {line} 行：{reason}",
                      "en": "calendar file, line {line}: {reason_en}"},
    "calendar_empty": {"zh-CN": "日历文件中没有任何日期", "en": "the calendar file has no days"},
    # the State Council's holiday notice (workflow/holiday_notice.py)
    "notice_no_items": {"zh-CN": "通知中没有找到编号条目（一、二、……）："
                                 "请粘贴通知全文或其中的编号条目",
                        "en": "the notice has no numbered items (一、二、…): paste the whole "
                              "notice or its numbered items"},
    "notice_unreadable": {"zh-CN": "无法识别通知中的这句话：“{sentence}”",
                          "en": "cannot read this sentence of the notice: “{sentence}”"},
    "notice_weekday": {"zh-CN": "“{sentence}”：{day} 是{actual}，不是{written}（年份是否有误？）",
                       "en": "“{sentence}”: {day} is a {actual_en}, not a {written_en} "
                             "(is the year right?)"},
    "notice_year": {"zh-CN": "这是 {written} 年的通知（“{sentence}”），不是 {year} 年的",
                    "en": "this is the notice for {written} (“{sentence}”), not for {year}"},
    "notice_count": {"zh-CN": "“{sentence}”：写明共 {written} 天，"
                              "但 {first} 至 {last} 是 {actual} 天",
                     "en": "“{sentence}”: says {written} days, but {first} to {last} is "
                           "{actual} days"},
    "notice_range": {"zh-CN": "“{sentence}”：结束日期 {last} 早于开始日期 {first}",
                     "en": "“{sentence}”: it ends ({last}) before it starts ({first})"},
    "notice_bad_date": {"zh-CN": "“{sentence}”：{value} 不是有效日期",
                        "en": "“{sentence}”: {value} is not a date"},
    "notice_not_weekend": {"zh-CN": "“{sentence}”：调休上班日 {day} 是{actual}，不是周末",
                           "en": "“{sentence}”: the make-up working day {day} is a "
                                 "{actual_en}, not a weekend day"},
    "notice_duplicate": {"zh-CN": "“{sentence}”：{day} 在通知中出现了两次",
                         "en": "“{sentence}”: {day} appears twice in the notice"},
    "notice_outside_year": {"zh-CN": "“{sentence}”：{day} 不在 {year} 年的安排之内",
                            "en": "“{sentence}”: {day} lies outside the {year} arrangement"},
    "notice_numbering": {"zh-CN": "“{sentence}”：条目编号应为“{expected}、”（是否漏了一条？）",
                         "en": "“{sentence}”: this item should be numbered “{expected}、” "
                               "(is one missing?)"},
    "notice_no_holiday": {"zh-CN": "“{sentence}”：这一条没有写放假日期",
                          "en": "“{sentence}”: this item names no day off"},
    "definition": {"zh-CN": "流程定义有误：{reason}",
                   "en": "broken lifecycle definition: {reason}"},
}


def render_message(code: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """Fill the message `code` in `lang`; unknown languages fall back to Chinese."""
    texts = MESSAGES[code]
    template = texts.get(lang) or texts[DEFAULT_LANG]
    labels = params.pop("labels", None)
    if labels:
        text = labels.get(lang) or labels[DEFAULT_LANG]
        params["label"] = f"（{text}）" if lang == DEFAULT_LANG else f" ({text})"
    params.setdefault("label", "")
    return template.format(**params)
