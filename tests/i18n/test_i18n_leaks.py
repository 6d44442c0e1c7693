"""No id of the definition or the engine reaches a person: every error, label, mail and the
command's human output show labels.

The ids: states, events, fields, choices, roles, categories, groups, milestones, outbox
statuses and kinds, approval kinds and states, space types, listing and request statuses.
In zh-CN none of them may appear in the prose (addresses, URLs and command options removed);
in English, where some ids are ordinary words ("visit", "open"), no snake_case id may appear
and every id is shown by its label.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import writing
from i18n import LANGS, gettext
from notifications.outbox import STATUSES
from notifications.render import KINDS, render_message
from states.definition import pick
from tests.factories import NOW, PARK_TZ
from tests.support.command import Cli
from tests.support.mail_samples import SAMPLE_CONTEXTS
from workflow.approvals import file_extension
from workflow.clock import FixedClock
from workflow.error_text import MESSAGES
from workflow.errors import WorkflowError
from workflow.labels import (
    ACTIONS,
    DEADLINE_STATUSES,
    LISTING_STATUSES,
    OUTBOX_KINDS,
    OUTBOX_STATUSES,
    REQUEST_STATUSES,
    ROLES,
    Labels,
)
from workflow.park import Park
from workflow.projects import add_project, advance
from workflow.space import request_space

MOMENT = datetime(2026, 11, 20, 9, 30, tzinfo=PARK_TZ)
PARK = Park.default(clock=FixedClock(MOMENT))


def definition_ids(park: Park) -> dict[str, set[str]]:
    """Every id a person could be shown, by what it names."""
    lifecycle, approvals = park.lifecycle, park.approvals
    machines = (lifecycle, approvals.lifecycle)
    fields = {f for m in machines for e in m.events.values() for f in e.fields}
    choices = {c for m in machines for e in m.events.values() for f in e.fields.values()
               for c in f.choices}
    return {
        "state": {s for m in machines for s in m.states},
        "event": {e for m in machines for e in m.events} | set(ACTIONS),
        "field": fields, "choice": choices, "role": set(ROLES),
        "category": set(lifecycle.categories), "group": set(lifecycle.groups),
        "milestone": set(lifecycle.milestones), "outbox_status": set(STATUSES),
        "outbox_kind": set(OUTBOX_KINDS) | set(KINDS), "approval_kind": set(approvals.kinds),
        "space_type": set(approvals.space_types), "listing_status": set(LISTING_STATUSES),
        "request_status": set(REQUEST_STATUSES),
        "deadline_status": {s for s in DEADLINE_STATUSES if s},
    }


IDS = set().union(*definition_ids(PARK).values())
SNAKE_IDS = {i for i in IDS if "_" in i}
# what is not prose: addresses, URLs, command lines and their options, a CSV file's header
_NOT_PROSE = re.compile(r"\S+@\S+|\w+://\S+|--[a-z][a-z-]*|parkflow(?: [a-z][a-z-]*)+"
                        r"|[A-Z][A-Z0-9_]*_[A-Z0-9_]+|\b[a-z_]+(?:,[a-z_]+)+\b")


def leaked(text: str, lang: str) -> set[str]:
    """The ids standing in `text` as words (in English: the snake_case ones only)."""
    prose = _NOT_PROSE.sub(" ", text)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", prose))
    return words & (IDS if lang == "zh-CN" else SNAKE_IDS)


# ---------------------------------------------------------------- labels

def _expected_labels(labels: Labels) -> dict[str, dict[str, str]]:
    """What each id must be shown as: its definition's or its catalogue's label."""
    lifecycle, approvals, lang = PARK.lifecycle, PARK.approvals, labels.lang
    shown = {
        "state": {**{s: pick(d.label, lang) for s, d in approvals.lifecycle.states.items()},
                  **{s: pick(d.label, lang) for s, d in lifecycle.states.items()}},
        "event": {**{e: gettext(lang, m) for e, m in ACTIONS.items()},
                  **{e: pick(d.label, lang) for e, d in approvals.lifecycle.events.items()},
                  **{e: pick(d.label, lang) for e, d in lifecycle.events.items()}},
        "role": {r: gettext(lang, m) for r, m in ROLES.items()},
        "category": {c: pick(v, lang) for c, v in lifecycle.categories.items()},
        "group": {g: pick(v, lang) for g, v in lifecycle.groups.items()},
        "milestone": {m: pick(v, lang) for m, v in lifecycle.milestones.items()},
        "outbox_status": {s: gettext(lang, m) for s, m in OUTBOX_STATUSES.items()},
        "outbox_kind": {k: gettext(lang, m) for k, m in OUTBOX_KINDS.items()},
        "approval_kind": {k: pick(v, lang) for k, v in approvals.kinds.items()},
        "space_type": {t: pick(v, lang) for t, v in approvals.space_types.items()},
        "listing_status": {s: gettext(lang, m) for s, m in LISTING_STATUSES.items()},
        "request_status": {s: gettext(lang, m) for s, m in REQUEST_STATUSES.items()},
        "deadline_status": {s: gettext(lang, m) for s, m in DEADLINE_STATUSES.items() if s},
    }
    return shown


SHOW = {"state": "state", "event": "event", "role": "role", "category": "category",
        "group": "group", "milestone": "milestone", "outbox_status": "outbox_status",
        "outbox_kind": "outbox_kind", "approval_kind": "approval_kind",
        "space_type": "space_type", "listing_status": "listing_status",
        "request_status": "request_status", "deadline_status": "status"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_id_is_shown_by_its_label(lang: str) -> None:
    labels = Labels.of(PARK, lang)
    expected = _expected_labels(labels)
    ids = definition_ids(PARK)
    for kind, method in SHOW.items():
        assert set(expected[kind]) == ids[kind], kind  # every id has a label
        for name, label in expected[kind].items():
            shown = getattr(labels, method)(name)
            assert shown == label, (kind, name)
            assert not leaked(shown, lang), (kind, name, shown)
    for machine in (PARK.lifecycle, PARK.approvals.lifecycle):
        for event in machine.events.values():
            for name, spec in event.fields.items():
                assert labels.field(name, event.name) == pick(spec.label, lang)
                for key, choice in spec.choices.items():
                    assert labels.choice(name, key, event.name) == pick(choice, lang)
                    assert not leaked(labels.value(event.name, name, key), lang)


def test_a_history_line_shows_field_and_choice_labels() -> None:
    zh, en = Labels.of(PARK, "zh-CN"), Labels.of(PARK, "en")
    fields = {"visitors": ["王建国", "李娜"], "needs": ["funding", "space"]}
    assert zh.fields_line("visit", fields) == "走访人员 王建国、李娜 · 项目需求 资金、空间"
    assert en.fields_line("visit", fields) == "visitors 王建国 and 李娜 · needs funding and space"
    assert zh.fields_line("exit", {"reason": "not_qualified"}) == "退库原因 不符合条件"
    assert "not_qualified" not in en.fields_line("exit", {"reason": "not_qualified"})


def test_a_step_of_an_approvals_route_reads_as_what_it_did() -> None:
    zh, en = Labels.of(PARK, "zh-CN"), Labels.of(PARK, "en")
    # the buttons say what to do, the route what was done (it read “王建国 Reject”)
    assert (en.decision("reject"), en.decided("reject")) == ("Reject", "Rejected")
    assert [zh.decided(e) for e in ("approve", "return", "resubmit")] == [
        "已批准", "已退回补充", "已重新提交"]
    # a request waiting for a leader and its approval say the same (it read "Submitted")
    for labels in (zh, en):
        assert labels.approval_state("submitted").lower() == labels.request_status("pending")


# ---------------------------------------------------------------- errors

SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "required": {"field": "market", "event": "visit"},
    "unknown_field": {"field": "colour", "event": "visit"},
    "not_a_score": {"field": "team", "value": "9", "event": "visit"},
    "bad_choice": {"field": "needs", "value": "cash", "event": "visit",
                   "choices": ["funding", "space", "policy", "applications"]},
    "empty": {"field": "visitors", "event": "visit"},
    "uscc_length": {"field": "uscc", "length": 17, "event": "register"},
    "uscc_charset": {"field": "uscc", "char": "I", "event": "register"},
    "uscc_check": {"field": "uscc", "expected": "3", "event": "register"},
    "bad_date": {"field": "at", "value": "2026-13-01"},
    "bad_period": {"field": "month", "value": "2026-13", "expected": "YYYY-MM"},
    "period_not_begun": {"field": "month", "value": "2099-01"},
    "in_future": {"field": "at", "value": MOMENT},
    "before_previous": {"field": "at", "value": MOMENT, "previous": MOMENT},
    "not_before": {"field": "needed_by", "value": date(2026, 11, 1),
                   "earliest": date(2026, 11, 20)},
    "not_after_now": {"field": "until", "value": "2026-01-01"},
    "year_range": {"field": "at", "value": "1800-01-01", "low": 1900, "high": 2200},
    "unknown_event": {"field": "event", "value": "vist",
                      "choices": list(PARK.lifecycle.events)},
    "too_long": {"field": "note", "limit": 2000, "length": 2001},
    "relocation_not_found": {"field": "id", "value": 12},
    "relocation_acknowledged": {"field": "id", "value": 12},
    "negative": {"field": "revenue", "value": "-5", "event": "indicators"},
    "number_too_large": {"field": "revenue", "value": "9" * 20, "limit": "1,000,000,000,000,000",
                         "event": "indicators"},
    "not_a_count": {"field": "employees", "value": "3.5", "event": "indicators"},
    "bad_quarter": {"field": "quarter", "value": "2026-Q5", "event": "indicators"},
    "too_short": {"field": "password", "limit": 8},
    "out_of_range": {"field": "days", "value": "0", "low": 1, "high": 365},
    "not_an_email": {"field": "email", "value": "wang"},
    "unknown_record_field": {"field": "colour", "known": list(PARK.lifecycle.project_fields)},
    "bad_phone": {"field": "phone", "value": "12345", "event": "record"},
    "not_a_positive_count": {"field": "team_size", "value": "0", "event": "record"},
    "no_change": {"field": "set"},
    "below_minimum": {"field": "year", "value": "1200", "limit": 1900},
    "not_above": {"field": "area", "value": "0", "limit": 0},
    "above_maximum": {"field": "days", "event": "extension", "value": "900", "limit": 365},
    "unexpected_field": {"field": "colour", "value": "colour"},
    "not_json": {},
    "bad_body": {},
    "duplicate_name": {"field": "name", "value": "量子精密测量", "project": 12,
                       "name": "量子精密测量"},
    "duplicate_uscc": {"field": "uscc", "value": "91350100M000100Y43", "project": 12,
                       "name": "量子精密测量", "event": "register"},
    "not_an_area": {"field": "area", "value": "big"},
    "area_range": {"field": "area", "value": "0", "max_area": 1_000_000.0},
    "wrong_role": {"field": "owner", "value": "zhou@park.test", "roles": ("member", "leader")},
    "wrong_listing_type": {"field": "listing", "listing": 3, "listing_type": "lab",
                           "request_type": "office"},
    "control_character": {"field": "name"},
    "file_size": {"field": "file", "value": "2027.csv", "limit": 64},
    "not_utf8": {"field": "file", "value": "2027.csv"},
    "not_a_number": {"field": "project", "value": "abc"},
    "unreadable_file": {"field": "file", "value": "2027.csv", "error": "no_file"},
    "unwritable_file": {"field": "file", "value": "周例会.xlsx", "error": "permission"},
    "not_initialised": {"field": "database", "value": "sqlite:///parkflow.db"},
    "db_no_server": {"field": "database", "database": "127.0.0.1:5499/parkflow"},
    "db_unknown_host": {"field": "database", "database": "db.park:5432/parkflow"},
    "db_no_database": {"field": "database", "database": "127.0.0.1:5432/x", "name": "x"},
    "db_no_role": {"field": "database", "database": "127.0.0.1:5432/x", "name": "pf"},
    "db_authentication": {"field": "database", "database": "127.0.0.1:5432/x", "user": "pf"},
    "db_cannot_open": {"field": "database", "database": "/srv/parkflow/parkflow.db"},
    "db_connection_lost": {"field": "database", "database": "127.0.0.1:5432/parkflow"},
    "db_cannot_connect": {"field": "database", "database": "127.0.0.1:5432/parkflow",
                          "error": "SSL required"},
    "backup_exists": {"field": "file", "value": "parkflow-2026-11-20.db"},
    "database_not_empty": {"field": "database", "value": "sqlite:///parkflow.db",
                           "tables": "users, projects"},
    "tool_missing": {"field": "database", "tool": "pg_dump"},
    "tool_failed": {"field": "database", "tool": "pg_restore", "error": "connection refused"},
    "backup_no_file": {"field": "database", "value": "sqlite://"},
    "bad_set": {"value": "团队=4"},
    "unknown_user_field": {"field": "owner", "value": "nobody@park.test"},
    "user_exists": {"field": "email", "value": "wang@park.test"},
    "unknown_command": {"value": "shw"},
    "unknown_command_close": {"value": "shw", "names": ["show", "history"]},
    "unknown_option": {"value": "--bye"},
    "unknown_option_close": {"value": "--bye", "names": ["--by"]},
    "option_needs_value": {"value": "--at"},
    "option_takes_no_value": {"value": "--json"},
    "extra_arguments": {"value": "8 9"},
    "missing_command": {},
    "bad_value": {"field": "at", "value": "soon"},
    "bad_command_line": {"error": "Option '-x' is ambiguous"},
    "unknown_lang": {"field": "lang", "value": "fr", "names": ["zh-CN", "en"]},
    "unknown_actor": {"field": "by", "value": "nobody@park.test"},
    "no_actor": {"field": "by"},
    "not_allowed_role": {"field": "by", "actor": "bob@park.test", "project": 1,
                         "event": "reactivate", "roles": ("owner", "group", "leader")},
    "not_allowed": {"field": "by", "actor": "bob@park.test", "event": "listing",
                    "roles": ("admin", "leader")},
    "admin_only": {"field": "by"},
    "only_roles": {"roles": ("leader",)},
    "user_deactivated": {"field": "by", "value": "bob@park.test"},
    "message_not_found": {"field": "id", "value": 9},
    "page_not_found": {"field": "kind", "value": "x"},
    "owns_active_projects": {"field": "email", "value": "bob@park.test", "count": 3},
    "same_owner": {"field": "to", "value": "bob@park.test"},
    "project_not_found": {"field": "id", "value": 9},
    "user_not_found": {"field": "email", "value": "nobody@park.test"},
    "report_figure_not_found": {},
    "invalid_transition": {"field": "event", "event": "sign", "state": "intake"},
    "concurrent_change": {"field": "version", "project": 1},
    "suspended": {"field": "event", "project": 1},
    "approval_not_found": {"field": "id", "value": 9},
    "leaders_only": {"field": "by", "actor": "bob@park.test"},
    "self_approval": {"field": "by", "actor": "leader@park.test"},
    "requester_only": {"field": "by", "actor": "bob@park.test"},
    "not_pending": {"field": "id", "value": 1, "approval_state": "approved",
                    "kind": "extension", "name": "量子精密测量"},
    "not_returned": {"field": "id", "value": 1, "approval_state": "submitted",
                     "kind": "space", "name": "量子精密测量"},
    "no_deadline": {"field": "project", "project": 1, "state": "opened"},
    "extension_pending": {"field": "project", "project": 1, "approval": 2,
                          "name": "量子精密测量"},
    "suspension_pending": {"field": "project", "project": 1, "approval": 2,
                           "name": "量子精密测量"},
    "cannot_suspend": {"field": "project", "project": 1},
    "not_suspended": {"field": "project", "project": 1},
    "stage_left": {"field": "id", "value": 2, "project": 1},
    "request_not_found": {"field": "request", "value": 9},
    "listing_not_found": {"field": "listing", "value": 9},
    "request_not_cleared": {"field": "request", "value": 1, "request_status": "pending"},
    "request_closed": {"field": "request", "value": 1, "request_status": "offered"},
    "duplicate_request": {"field": "area", "value": 3, "event": "space"},
    "listing_taken": {"field": "listing", "value": 1},
    "duplicate_listing": {"field": "unit", "value": 3, "name": "中安创谷 B1 501"},
    "listing_too_small": {"field": "note", "listing": 1, "area": 900.0, "wanted": 1200.0},
    "token_not_found": {"field": "id", "value": 9},
    "token_revoked": {"field": "id", "value": 1, "when": date(2026, 11, 2)},
    "token_not_yours": {"field": "by", "value": 1, "actor": "bob@park.test"},
    "wrong_password": {"field": "current_password"},
    "outbox_not_found": {"field": "id", "value": 9},
    "outbox_not_failed": {"field": "id", "value": 1, "outbox_status": "sent"},
    "calendar_empty": {"field": "file"},
    "calendar_header": {"field": "file", "line": 1, "expected": "date,kind,name",
                        "actual": "a,b"},
    "calendar_columns": {"field": "file", "line": 2, "count": 2},
    "calendar_kind": {"field": "file", "line": 2, "value": "holday"},
    "calendar_name": {"field": "file", "line": 2},
    "calendar_date": {"field": "file", "line": 2, "value": "2027-13-01"},
    "calendar_duplicate": {"field": "file", "line": 3, "value": "2027-10-01", "first": 2},
    "not_text": {"field": "file", "value": "notice.txt"},
    "notice_no_items": {},
    "notice_unreadable": {"field": "text", "sentence": "具体另行通知"},
    "notice_weekday": {"field": "text", "sentence": "1月26日（周日）上班", "day": "2025-01-26",
                       "weekday": 6, "written_weekday": 5},
    "notice_year": {"field": "text", "sentence": "现将2026年", "written": 2026, "year": 2027},
    "notice_count": {"field": "text", "sentence": "放假调休，共8天", "written": 8, "actual": 7,
                     "first": "2027-10-01", "last": "2027-10-07"},
    "notice_range": {"field": "text", "sentence": "10月7日至10月1日", "first": "2027-10-07",
                     "last": "2027-10-01"},
    "notice_bad_date": {"field": "text", "sentence": "2月30日", "value": "2月30日"},
    "notice_not_weekend": {"field": "text", "sentence": "10月8日上班", "day": "2027-10-08",
                           "weekday": 4},
    "notice_duplicate": {"field": "text", "sentence": "10月1日", "day": "2027-10-01"},
    "notice_outside_year": {"field": "text", "sentence": "3月1日", "day": "2029-03-01",
                            "year": 2027},
    "notice_numbering": {"field": "text", "sentence": "三、劳动节", "expected": "二"},
    "notice_no_holiday": {"field": "text", "sentence": "五、端午节：调休上班"},
    "definition": {"reason": "lifecycle.yaml cannot be read"},
    "ledger_format": {"field": "file", "value": "ledger.xls"},
    "file_suffix": {"field": "file", "value": "weekly.txt", "suffix": ".xlsx"},
    "unknown_column": {"value": "备注"},
    "duplicate_column": {"value": "name", "first": "项目名称"},
    "missing_column": {"field": "owner"},
    "ambiguous_user": {"field": "owner", "value": "王伟", "emails": "wang1@park.test, "
                       "wang2@park.test"},
    "duplicate_project": {"field": "name", "value": "量子精密测量", "project": 3,
                          "name": "量子精密测量"},
    "duplicate_row": {"field": "uscc", "value": "91350100M000100Y43", "row": 4},
    "repeated_row": {"field": "name", "row": 2},
    "missing_event_column": {"field": "visitors", "event": "visit"},
    "bad_deadline_changes": {"field": "due_date", "value": "延期 x 天",
                             "example": "延期 15 天、暂停 3 天"},
    "stage_not_reached": {"field": "due_date", "state": "signed"},
    "cannot_suspend_state": {"field": "due_date", "state": "exited"},
    "derived_state": {"field": "state", "value": "已洽谈", "state": "intake"},
    "derived_mismatch": {"field": "due_date", "value": "2030-01-01", "expected": "2026-12-02"},
    "derived_blank": {"field": "stars", "value": "3"},
}
# every field a choice may be refused for, with its choices
CHOICES = [("needs", "visit", ["funding", "space"]), ("reason", "exit", ["not_qualified"]),
           ("role", None, ["member", "leader", "admin"]), ("group", None, ["project"]),
           ("category", None, ["tech_transfer"]), ("type", None, ["office", "plant"]),
           ("decision", None, ["approve", "reject", "return"]),
           ("state", None, ["intake", "registered"]),
           ("status", None, ["pending", "cancelled"]), ("event", None, ["follow_up"])]


def test_every_error_code_has_a_sample() -> None:
    assert set(SAMPLE_PARAMS) == set(MESSAGES)


def _error(code: str, params: dict[str, Any]) -> WorkflowError:
    values = dict(params)
    return WorkflowError(code, field=values.pop("field", None), **values)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(SAMPLE_PARAMS))
def test_no_error_message_shows_an_id(code: str, lang: str) -> None:
    message = _error(code, SAMPLE_PARAMS[code]).message(lang, Labels.of(PARK, lang))
    assert not leaked(message, lang), message
    field = SAMPLE_PARAMS[code].get("field")
    if field and "%(field)s" in MESSAGES[code]:  # the field is named, by its label
        event = SAMPLE_PARAMS[code].get("event")
        assert Labels.of(PARK, lang).field(field, event).lower() in message.lower(), message


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("field", "event", "keys"), CHOICES)
def test_choices_are_offered_by_their_labels(field: str, event: str | None, keys: list[str],
                                             lang: str) -> None:
    error = _error("bad_choice", {"field": field, "value": "?", "choices": keys,
                                  **({"event": event} if event else {})})
    message = error.message(lang, Labels.of(PARK, lang))
    assert not leaked(message, lang), message


def test_the_sentences_of_the_brief() -> None:
    zh = Labels.of(PARK, "zh-CN")
    assert _error("required", SAMPLE_PARAMS["required"]).message("zh-CN", zh) == \
        "缺少字段：市场前景"
    assert _error("invalid_transition", SAMPLE_PARAMS["invalid_transition"]).message(
        "zh-CN", zh) == "项目处于“已入库·待走访”，不能“签约”"
    assert "仅限：负责人、同组成员、分管领导" in _error(
        "not_allowed_role", SAMPLE_PARAMS["not_allowed_role"]).message("zh-CN", zh)


# ---------------------------------------------------------------- mail and chat

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_mail_or_chat_message_shows_an_id(kind: str, lang: str) -> None:
    rendered = render_message(kind, copy.deepcopy(SAMPLE_CONTEXTS[kind]), lang=lang)
    html_prose = re.sub(r"<[^>]*>", " ", rendered.html)
    for part in (rendered.subject, rendered.text, html_prose, rendered.markdown):
        assert not leaked(part, lang), (kind, lang, leaked(part, lang))


# ---------------------------------------------------------------- the command

def _seed(engine: Engine, people: dict[str, str]) -> None:
    """A visited project with needs, a large and a small space request, an extension, and
    a project exited for a snake_case reason; its outbox planned as the command would."""
    from parkflow.wiring import make_park
    park = make_park(clock=FixedClock(NOW))
    alice, leader = people["alice"], people["leader"]
    with writing(engine) as session:
        first = add_project(session, park, name="量子精密测量", category="tech_transfer",
                            owner=alice, actor=alice, intake="2026-11-16").id
        advance(session, park, project_id=first, event="visit", actor=alice, at="2026-11-18",
                fields={"visitors": "王建国,李娜", "needs": "funding,space", "team": "4",
                        "technology": "4", "capital": "4", "market": "4"})
        request_space(session, park, project_id=first, type="office", area="300",
                      needed_by="2026-12-31", actor=alice)
        request_space(session, park, project_id=first, type="plant", area="1500",
                      needed_by="2026-12-31", actor=alice)
        file_extension(session, park, project_id=first, days=10, reason="等待工商核准",
                       actor=alice)
        second = add_project(session, park, name="区块链溯源服务", category="platform",
                             owner=alice, actor=alice, intake="2026-11-16").id
        advance(session, park, project_id=second, event="exit", actor=leader,
                at="2026-11-19", fields={"reason": "not_qualified", "note": "不符合入园条件"})


def _command(db_url: str, cwd: Path, lang: str, *args: str) -> str:
    """`parkflow` at NOW, in `lang`, on a wide terminal: what it printed."""
    done = Cli(db_url, cwd)(*args, env={"PARKFLOW_LANG": lang, "COLUMNS": "240"})
    assert done.code == 0, done
    return done.out + done.err


HUMAN = [("project", "show", "1"), ("project", "history", "1"), ("project", "history", "2"),
         ("outbox", "list"), ("reminders", "preview", "--until", "2026-12-31"),
         ("space", "request", "list"), ("approvals", "list", "--by", "leader@park.test")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_commands_human_output_shows_labels_not_ids(
        engine: Engine, people: dict[str, str], db_url: str, tmp_path: Path,
        lang: str) -> None:
    _seed(engine, people)
    shown = {args: _command(db_url, tmp_path, lang, *args) for args in HUMAN}
    for args, text in shown.items():
        assert not leaked(text, lang), (args, leaked(text, lang), text)
    if lang == "zh-CN":
        assert "走访人员 王建国、李娜 · 项目需求 资金、空间" in shown[("project", "history", "1")]
        assert "退库原因 不符合条件" in shown[("project", "history", "2")]
        assert "提醒" in shown[("outbox", "list")] and "待发送" in shown[("outbox", "list")]
        preview = shown[("reminders", "preview", "--until", "2026-12-31")]
        assert "预警" in preview and "待发送" in preview
        requests, zh = shown[("space", "request", "list")], Labels.of(PARK, lang)
        assert zh.space_type("office") in requests and zh.request_status("open") in requests
    else:
        assert "visitors 王建国 and 李娜 · needs funding and space" in \
            shown[("project", "history", "1")]
        assert "not qualified" in shown[("project", "history", "2")]
