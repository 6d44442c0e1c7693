"""Why a file cannot be read or written, as a cause the catalogue words (`FILE_CAUSES` in
`workflow.error_text`): the operating system's and the libraries' own sentences are English,
and a person reads “文件“x.xlsx”无法写入：所在文件夹不存在”, not “No such file or directory”.

A cause that has no words of ours (rare) is passed on as the system gave it.
"""

from __future__ import annotations

import errno

from workflow.errors import ValidationError

# the causes people meet: a mistyped path, a locked or read-only place, a full disk
_BY_ERRNO = {errno.EACCES: "permission", errno.EPERM: "permission", errno.EROFS: "read_only",
             errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EISDIR: "is_folder",
             errno.ENOTDIR: "no_folder", errno.ENAMETOOLONG: "name_too_long"}


def cause_of(exc: BaseException, *, writing: bool) -> str:
    """The cause of an `OSError` (an id of `FILE_CAUSES`), else the error's own text."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOENT:  # writing, the file is made: its folder is what is missing
            return "no_folder" if writing else "no_file"
        if exc.errno in _BY_ERRNO:
            return _BY_ERRNO[exc.errno]
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__


def unreadable(exc: BaseException | str, *, value: str, field: str = "file") -> ValidationError:
    """The error of a file that cannot be read: `exc`, or a cause id (`empty`, …)."""
    cause = exc if isinstance(exc, str) else cause_of(exc, writing=False)
    return ValidationError("unreadable_file", field=field, value=value, error=cause)


def unwritable(exc: BaseException, *, value: str, field: str = "file") -> ValidationError:
    """The error of a file that cannot be written."""
    return ValidationError("unwritable_file", field=field, value=value,
                           error=cause_of(exc, writing=True))
