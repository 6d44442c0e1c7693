"""The command's help comes from the catalogue, in PARKFLOW_LANG (default zh-CN)."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.factories import CJK, PARKFLOW
from tests.support.command import command_env

HELPS = [("--help",), ("project", "--help"), ("project", "show", "--help"),
         ("space", "request", "--help"), ("calendar", "import-notice", "--help")]


def help_of(args: tuple[str, ...], **env: str) -> str:
    done = subprocess.run([str(PARKFLOW), *args], env=command_env(COLUMNS="200", **env),
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_help_is_chinese_by_default_and_english_when_asked(args: tuple[str, ...]) -> None:
    chinese, english = help_of(args), help_of(args, PARKFLOW_LANG="en")

    assert CJK.search(chinese) and chinese != english
    # English help has no Chinese but the product's own name
    assert not CJK.search(english.replace("科技项目入园工作专班", "")), english
    assert not re.search(r" / [a-z]", chinese)  # no more "中文 / english" pairs side by side


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_the_frame_of_a_help_page_is_in_the_help_language_too(args: tuple[str, ...]) -> None:
    chinese, english = help_of(args), help_of(("--lang", "en", *args))

    frame = ("Usage:", "Show this message and exit.", "─ Options ")
    assert all(text in english for text in frame), english
    assert not any(text in chinese for text in frame), chinese
    assert "用法：" in chinese and "显示本帮助并退出。" in chinese and "─ 选项 " in chinese
    assert "<bool>" not in chinese + english  # a switch takes no value: none is shown


def test_a_group_is_not_described_by_the_words_of_one_of_its_commands() -> None:
    # `project` was described 项目列表, the words of `project list`
    import typer
    from typer.core import TyperGroup as Group

    from parkflow.cli import app
    root = typer.main.get_command(app)
    assert isinstance(root, Group)
    groups = [group for group in root.commands.values() if isinstance(group, Group)]

    assert groups
    for group in groups:
        words = {command.help for command in group.commands.values()}
        assert group.help not in words, group.name
