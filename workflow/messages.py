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
    "not_allowed_role": {"zh-CN": "{actor} 无权对项目 {project} 执行“{event}”（仅限：{roles}）",
                         "en": "{actor} may not fire '{event}' on project {project} "
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
    # outbox
    "outbox_not_found": {"zh-CN": "发件记录 {value} 不存在",
                         "en": "outbox message {value} not found"},
    "outbox_not_failed": {"zh-CN": "发件记录 {value} 的状态为 {status}，只有失败的记录可以重试",
                          "en": "outbox message {value} is {status}; only failed ones can be "
                                "retried"},
    # calendar
    "calendar_file": {"zh-CN": "日历文件{field}：{reason}",
                      "en": "calendar file{field}: {reason}"},
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
