"""Every problem of a definition file reads as a sentence in the reader's language.

For each problem code there is a broken definition that gives it (the shipped files, changed
one place, or a file that cannot be read); its message in zh-CN has Chinese text, and in
neither language does a problem code or any other snake_case word stand in it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from i18n import LANGS
from states.approval import APPROVAL_FILE, check_approval
from states.check import check_file
from states.definition import LIFECYCLE_FILE, check_lifecycle
from states.problem_text import MESSAGES, REASONS, render
from states.problems import Problem
from states.yaml_core import parse_yaml

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Change:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[part]
        node[last] = value
    return change


def _delete(path: str) -> Change:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[part]
        del node[last]
    return change


def _both(*changes: Change) -> Change:
    def change(raw: dict[str, Any]) -> None:
        for one in changes:
            one(raw)
    return change


# code → (which definition, the change that gives it); no id in them is snake_case
LIFECYCLE, APPROVAL = "lifecycle", "approval"
BROKEN: dict[str, tuple[str, Change]] = {
    "missing": (LIFECYCLE, _delete("states.intake.label.en")),
    "extra_forbidden": (LIFECYCLE, _set("states.intake.colour", "red")),
    "invalid_key": (LIFECYCLE, _set("states.intake.label", {"zh-CN": "入库", "en": "intake",
                                                          1: "one"})),
    "model_type": (LIFECYCLE, _set("states.intake", "intake")),
    "dict_type": (LIFECYCLE, _set("groups", ["finance"])),
    "list_type": (LIFECYCLE, _set("reminders.before_due_days", 3)),
    "string_type": (LIFECYCLE, _set("name", 5)),
    "int_type": (LIFECYCLE, _set("reminders.follow_up_every_days", "weekly")),
    "float_type": (APPROVAL, _set("max_area_m2", "large")),
    "bool_type": (LIFECYCLE, _set("states.exited.final", "yes")),
    "literal_error": (LIFECYCLE, _set("events.reactivate.roles", ["boss"])),
    "too_short": (LIFECYCLE, _set("events.visit.roles", [])),
    "greater_than": (LIFECYCLE, _set("reminders.follow_up_every_days", 0)),
    "greater_than_equal": (LIFECYCLE, _set("reminders.warning_after_days", -1)),
    "less_than_equal": (LIFECYCLE, _set("reminders.indicators.day", 31)),
    "not_identifier": (LIFECYCLE, _set("events.visit.stamps", "Visit")),
    "bad_period": (LIFECYCLE, _set("states.intake.deadline.period", "7 weeks")),
    "not_clock_time": (LIFECYCLE, _set("reminders.send_time", "9am")),
    "blank": (LIFECYCLE, _set("states.intake.label.en", "  ")),
    "unknown_state": (LIFECYCLE, _set("events.register.dest", "registred")),
    "unknown_milestone": (LIFECYCLE, _set("events.visit.stamps", "vist")),
    "unknown_event": (LIFECYCLE, _set("reminders.indicators.event", "indicatorz")),
    "missing_choices": (LIFECYCLE, _delete("events.exit.fields.reason.choices")),
    "unreachable": (LIFECYCLE, _set("events.sign.dest", "opened")),
    "unstamped_milestone": (LIFECYCLE, _both(_set("states.registered.deadline.from", "open"),
                                             _delete("events.open.stamps"))),
    "not_a_score_field": (LIFECYCLE, _set("stars.scores", ["team", "charisma"])),
    "levels_not_score": (LIFECYCLE, _set("project_fields.contact.levels",
                                         [{"zh-CN": "一", "en": "one"}] * 5)),
    "reserved_field": (LIFECYCLE, _set("project_fields.owner",
                                       {"type": "text", "label": {"zh-CN": "负责人",
                                                                  "en": "owner"}})),
    "missing_kind": (APPROVAL, _delete("kinds.suspension")),
    "unknown_space_type": (APPROVAL, _set("needs_approval.space.garage", 10)),
}
# code → the text of a file that gives it (None: no file at all)
UNREADABLE: dict[str, str | None] = {
    "unreadable": None,
    "not_yaml": "states: [intake\n",
    "duplicate_key": "initial: intake\ninitial: visited\n",
}


def problems_for(code: str, tmp_path: Path) -> list[Problem]:
    """The problems of a definition broken the way that gives `code`."""
    if code in UNREADABLE:
        path = tmp_path / "park.yaml"
        text = UNREADABLE[code]
        if text is not None:
            path.write_text(text, encoding="utf-8")
        return check_file(path)[1]
    kind, change = BROKEN[code]
    shipped = LIFECYCLE_FILE if kind == LIFECYCLE else APPROVAL_FILE
    raw = copy.deepcopy(parse_yaml(shipped.read_text(encoding="utf-8")))
    change(raw)
    return (check_lifecycle if kind == LIFECYCLE else check_approval)(raw)[1]


def test_every_problem_code_has_a_broken_definition_that_gives_it() -> None:
    assert set(BROKEN) | set(UNREADABLE) == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_problem_reads_in_chinese_and_in_english_without_a_code(
        code: str, tmp_path: Path) -> None:
    problems = [p for p in problems_for(code, tmp_path) if p.code == code]
    assert problems, f"the change for {code} gives no such problem"
    for problem in problems:
        chinese = problem.message("zh-CN")
        assert CHINESE.search(chinese), chinese
        for lang in LANGS:
            message = problem.message(lang)  # English may say "missing" (a code and a word)
            assert not SNAKE_CASE.search(message), (lang, message)
            assert code not in message or (lang == "en" and "_" not in code), (lang, message)
            if isinstance(problem.params.get("value"), str) and code != "extra_forbidden":
                assert f"“{problem.params['value']}”" in message, message  # quoted as typed


def test_the_sentences_of_the_brief(tmp_path: Path) -> None:
    [dest] = [p for p in problems_for("unknown_state", tmp_path) if p.code == "unknown_state"]
    [period] = problems_for("bad_period", tmp_path)

    assert (dest.path, dest.message("zh-CN")) == ("events.register.dest", "未知状态“registred”")
    assert period.message("zh-CN").startswith("周期格式错误：“7 weeks”")
    assert period.message("en").startswith("bad period “7 weeks”")


@pytest.mark.parametrize("cause", sorted(REASONS))
def test_the_causes_of_an_unreadable_file_parkflow_names_are_translated(cause: str) -> None:
    message = render("unreadable", {"reason": cause}, "zh-CN")

    assert CHINESE.search(message.removeprefix("无法读取文件：")), message
    assert not SNAKE_CASE.search(message)


def test_a_code_the_catalogue_does_not_list_still_reads_in_the_readers_language() -> None:
    message = render("string_pattern_mismatch", {"pattern": "^x$", "value": "y"}, "zh-CN")

    assert CHINESE.search(message) and "string_pattern_mismatch" not in message
    assert "“y”" in message
