"""`parkflow definition check FILE [--json]` and `parkflow definition schema`, as subprocesses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from states.approval import APPROVAL_FILE, approval_schema
from states.definition import LIFECYCLE_FILE
from states.schema import definition_schema
from tests.factories import PARKFLOW
from tests.support.command import command_env

BROKEN = LIFECYCLE_FILE.read_text(encoding="utf-8").replace(
    "dest: registered", "dest: registred").replace(
    "{from: sign, period: 1 month, roll_forward: true}", "{from: sign, period: 4 weeks}")


def parkflow(*args: str, lang: str | None = "en",
             cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a reader runs it; `lang=None` leaves PARKFLOW_LANG unset."""
    env = command_env(PARKFLOW_LANG=lang) if lang is not None else command_env()
    done = subprocess.run([str(PARKFLOW), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False, cwd=cwd)
    assert "Traceback" not in done.stdout + done.stderr, done
    return done


def test_a_valid_definition_checks_with_exit_code_0() -> None:
    done = parkflow("definition", "check", str(LIFECYCLE_FILE), lang="zh-CN")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "lifecycle.yaml: 定义有效\n"


def test_a_broken_definition_exits_2_listing_every_problem_with_its_path(
        tmp_path: Path) -> None:
    path = tmp_path / "park.yaml"
    path.write_text(BROKEN, encoding="utf-8")

    done = parkflow("definition", "check", str(path))

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "park.yaml: states.signed.deadline.period: bad period “4 weeks” "
        "(write it like “7 days” or “1 month”)",
        "park.yaml: events.register.dest: unknown state “registred”",
        "park.yaml: states.registered: cannot be reached from “intake”",
        "park.yaml: states.signed: cannot be reached from “intake”",
        "park.yaml: states.opened: cannot be reached from “intake”",
        "park.yaml: 5 problems",
    ]


def test_the_problems_are_in_chinese_by_default_and_in_english_for_an_english_reader(
        tmp_path: Path) -> None:
    path = tmp_path / "park.yaml"
    path.write_text(BROKEN, encoding="utf-8")

    chinese = parkflow("definition", "check", str(path), lang=None, cwd=tmp_path)
    english = parkflow("definition", "check", str(path), lang="en", cwd=tmp_path)

    assert (chinese.returncode, english.returncode) == (2, 2)
    assert chinese.stderr.splitlines() == [
        "park.yaml: states.signed.deadline.period: "
        "周期格式错误：“4 weeks”（应写作“7 days”“1 month”这样的形式）",
        "park.yaml: events.register.dest: 未知状态“registred”",
        "park.yaml: states.registered: 从初始状态“intake”无法到达",
        "park.yaml: states.signed: 从初始状态“intake”无法到达",
        "park.yaml: states.opened: 从初始状态“intake”无法到达",
        "park.yaml: 5 个问题",
    ]
    assert "unknown state “registred”" in english.stderr and "未知" not in english.stderr
    assert list(tmp_path.iterdir()) == [path]  # a check needs no database


def test_check_json_gives_each_problem_its_path_code_and_parameters(tmp_path: Path) -> None:
    path = tmp_path / "park.yaml"
    path.write_text(BROKEN, encoding="utf-8")

    done = parkflow("definition", "check", str(path), "--json", lang="zh-CN")

    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert (report["kind"], report["valid"]) == ("lifecycle", False)
    assert report["problems"][1] == {"path": "events.register.dest", "code": "unknown_state",
                                     "message": "未知状态“registred”",
                                     "params": {"state": "registred"}}
    english = json.loads(parkflow("definition", "check", str(path), "--json").stdout)
    assert english["problems"][1]["message"] == "unknown state “registred”"
    valid = json.loads(parkflow("definition", "check", str(APPROVAL_FILE), "--json").stdout)
    assert (valid["kind"], valid["valid"], valid["problems"]) == ("approval", True, [])


def test_a_file_that_cannot_be_read_exits_2_naming_it(tmp_path: Path) -> None:
    done = parkflow("definition", "check", str(tmp_path / "nowhere.yaml"), "--json")

    assert done.returncode == 2
    [problem] = json.loads(done.stdout)["problems"]
    assert (problem["path"], problem["code"]) == ("", "unreadable")
    assert problem["message"] == "cannot read the file: no such file"


def test_definition_schema_prints_the_json_schema_of_each_format() -> None:
    lifecycle = parkflow("definition", "schema")
    approval = parkflow("definition", "schema", "--approval")

    assert (lifecycle.returncode, approval.returncode) == (0, 0)
    assert json.loads(lifecycle.stdout) == definition_schema()
    assert json.loads(approval.stdout) == approval_schema()
