"""The command line's own refusals (an unknown option or command, a missing argument, a value
of the wrong type) follow the contract like every other failure: one line on stderr in the
reader's language, naming the field, exit 2, and under --json the error object on stdout.
`parkflow --lang L` picks the language of one invocation, help included.

Pure command-line logic: SQLite only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import CJK, SQLITE_ONLY
from tests.support.command import Cli, assert_error

pytestmark = SQLITE_ONLY

# (command line, the error's field, what the Chinese line says, what the English one says)
REFUSALS = [
    (["project", "show", "1", "--bye", "--json"], None,
     "此命令没有 --bye 这个选项；您是要用 --by 吗？",
     "This command has no option --bye; did you mean --by?"),
    (["project", "shw", "1", "--json"], None,
     "没有 shw 这个命令；您是要用 show 吗？", "There is no command shw; did you mean show?"),
    (["projekt", "--json"], None, "没有 projekt 这个命令；您是要用 project 吗？",
     "There is no command projekt; did you mean project?"),
    (["project", "show", "--json"], "id", "缺少字段：编号", "Missing field: number"),
    (["project", "show", "abc", "--json"], "id", "编号：“abc”不是数字",
     "Number: “abc” is not a number"),
    (["project", "show", "1", "2", "--json"], None, "多余的参数：2",
     "Unexpected extra arguments: 2"),
    (["project", "show", "1", "--json", "--by"], None, "--by 后面需要一个值",
     "--by needs a value"),
]


@pytest.mark.parametrize(("args", "field", "chinese", "english"), REFUSALS,
                         ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_a_refused_command_line_is_one_line_in_the_readers_language(
        cli: Cli, args: list[str], field: str | None, chinese: str, english: str) -> None:
    zh, en, en_by_option = (cli(*args), cli(*args, env={"PARKFLOW_LANG": "en"}),
                            cli("--lang", "en", *args))

    assert_error(zh, 2, "invalid", field)
    assert zh.json()["error"]["message"] == chinese
    assert zh.err.startswith("错误 ")
    # the parser refuses an option without its value before it knows the command: no hint
    assert ("用法见 parkflow" in zh.err) == (args[-1] != "--by"), zh.err
    assert "Usage" not in zh.err and "Error" not in zh.err
    for english_run in (en, en_by_option):
        assert_error(english_run, 2, "invalid", field)
        assert english_run.json()["error"]["message"] == english
        assert not CJK.search(english_run.out + english_run.err), english_run


def test_without_json_only_the_line_is_printed(cli: Cli) -> None:
    result = cli("project", "list", "--json=yes")

    assert (result.code, result.out) == (2, "")
    assert result.err.strip() == "错误 --json 是开关选项，不带值"


def test_the_help_hint_names_the_command_that_refused(cli: Cli) -> None:
    result = cli("report", "weekly", "--week", "2026-W48")

    assert result.code == 2
    assert result.err.strip().endswith("（用法见 parkflow report weekly --help）"), result.err


def test_lang_picks_the_language_of_one_invocation(cli: Cli) -> None:
    default, english, assigned = (cli("project", "show", "999"),
                                  cli("--lang", "en", "project", "show", "999"),
                                  cli("--lang=en", "project", "show", "999"))

    assert default.code == english.code == assigned.code == 4
    assert default.err.strip() == "错误 项目 999 不存在"
    assert english.err.strip() == assigned.err.strip() == "error Project 999 not found"


def test_lang_outranks_the_environment(cli: Cli) -> None:
    result = cli("--lang", "zh-CN", "project", "show", "999", env={"PARKFLOW_LANG": "en"})

    assert result.err.strip() == "错误 项目 999 不存在"


def test_an_unknown_language_is_refused_naming_the_option(cli: Cli) -> None:
    result = cli("--lang", "fr", "project", "show", "1", "--json")

    assert_error(result, 2, "invalid", "lang")
    assert result.json()["error"]["message"] == "语言：“fr”不是本系统支持的语言，请写 zh-CN、en"


def test_a_users_unknown_language_is_refused_with_the_tags_to_write(cli: Cli) -> None:
    result = cli("user", "add", "li@park.test", "--name", "李雷", "--role", "member",
                 "--group", "project", "--lang", "fr", "--json")

    assert_error(result, 2, "invalid", "lang")
    assert result.json()["error"]["message"] == "语言：“fr”不是本系统支持的语言，请写 zh-CN、en"
    assert cli("user", "list", "--json").json() == []


def test_help_follows_lang(cli: Cli) -> None:
    chinese, english = cli("project", "show", "--help"), cli("--lang", "en", "project", "show",
                                                              "--help")

    assert chinese.code == english.code == 0
    assert "项目详情" in chinese.out
    assert "Show a project" in english.out and not CJK.search(english.out)


def test_the_config_files_language_holds_for_help_and_refusals_too(cli: Cli,
                                                                   tmp_path: Path) -> None:
    config = tmp_path / "english.toml"
    config.write_text('lang = "en"\n', encoding="utf-8")
    english = {"PARKFLOW_CONFIG": str(config)}

    refused = cli("project", "shw", "1", env=english)
    helped = cli("project", "show", "--help", env=english)
    chosen = cli("--lang", "zh-CN", "project", "shw", "1", env=english)

    assert refused.err.strip() == ("error There is no command shw; did you mean show? "
                                   "(see parkflow project --help)")
    assert "Show a project" in helped.out and not CJK.search(helped.out)
    assert chosen.err.startswith("错误 没有 shw 这个命令")
