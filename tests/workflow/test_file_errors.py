"""Why a file cannot be read or written, in the reader's words (`workflow.file_errors`)."""

from __future__ import annotations

import errno
import re

import pytest

from workflow.error_text import FILE_CAUSES
from workflow.file_errors import cause_of, unreadable, unwritable

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize(("code", "writing", "cause", "zh"), [
    (errno.ENOENT, True, "no_folder", "所在文件夹不存在"),
    (errno.ENOENT, False, "no_file", "文件不存在"),
    (errno.EACCES, True, "permission", "没有访问权限"),
    (errno.EPERM, False, "permission", "没有访问权限"),
    (errno.ENOSPC, True, "disk_full", "磁盘空间已满"),
    (errno.EROFS, True, "read_only", "磁盘为只读"),
    (errno.EISDIR, True, "is_folder", "这是一个文件夹，不是文件"),
    (errno.ENOTDIR, True, "no_folder", "所在文件夹不存在"),
])
def test_the_common_causes_are_worded_by_the_catalogue_naming_the_file(
        code: int, writing: bool, cause: str, zh: str) -> None:
    exc = OSError(code, "an English sentence of the system", "/srv/台账.xlsx")
    assert cause_of(exc, writing=writing) == cause
    error = (unwritable if writing else unreadable)(exc, value="/srv/台账.xlsx")
    verb = "写入" if writing else "读取"
    assert error.message("zh-CN") == f"文件“/srv/台账.xlsx”无法{verb}：{zh}"
    assert "English" not in error.message("en")


@pytest.mark.parametrize("cause", sorted(FILE_CAUSES))
def test_every_cause_reads_in_chinese(cause: str) -> None:
    message = unreadable(cause, value="x.csv").message("zh-CN")
    assert not ENGLISH_WORD.search(message.replace("Excel", "").replace("xlsx", "")
                                   .replace("CSV", "").replace("csv", "")), message


def test_a_cause_without_our_words_is_passed_on_as_the_system_gave_it() -> None:
    exc = OSError(errno.EIO, "Input/output error")
    assert unwritable(exc, value="a.xlsx").message("en") == (
        "File “a.xlsx” cannot be written: Input/output error")
