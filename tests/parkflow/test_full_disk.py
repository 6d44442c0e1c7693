"""Fault: the disk under a SQLite database fills up (issue 11, Faults). A small tmpfs holds
the database; events are fired until it is full; every write after that ends in one clear
line (no traceback) and is not saved, nothing accepted before is lost, and once space is
freed `parkflow check` is clean and work goes on.

Mounting a tmpfs needs root and a sandbox that allows `mount`; elsewhere the test is
skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from db.engine import make_engine, writing
from parkflow.wiring import make_park
from tests.factories import NOW, fire, seed_project
from tests.support.command import Cli
from workflow.clock import FixedClock
from workflow.users import add_user

OWNER = "alice@park.test"
FREE_AFTER_FILLER = 640 * 1024  # what the filler leaves: room for some dozens of events


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("the full-disk fault mounts a small tmpfs: it needs root and mount")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"the sandbox refuses to mount a tmpfs ({done.stderr.strip()}): the "
                    "full-disk fault cannot be staged here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """A file that takes all the space but `leave` bytes."""
    stats = os.statvfs(folder)
    filler = folder / "filler"
    filler.write_bytes(b"\0" * max(stats.f_bavail * stats.f_frsize - leave, 0))
    return filler


def test_a_full_disk_refuses_each_write_clearly_and_loses_nothing_accepted(
        small_disk: Path, sqlite_template: Path) -> None:
    database = small_disk / "parkflow.db"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    park = make_park(clock=FixedClock(NOW))
    engine = make_engine(url)
    with writing(engine) as session:
        add_user(session, park.lifecycle, email=OWNER, name="李爱丽", role="member",
                 group="project", now=NOW)
    filler = fill(small_disk, FREE_AFTER_FILLER)

    # the event loop: projects entered and visited until the disk refuses
    accepted: list[int] = []
    with pytest.raises(OperationalError) as full:  # the loop ends by it
        for n in range(10_000):
            project_id = seed_project(engine, park, OWNER, f"满盘项目{n}",
                                      intake="2026-11-18")
            accepted.append(project_id)
            fire(engine, park, project_id, "visit", OWNER, at="2026-11-19")
    assert getattr(full.value.orig, "sqlite_errorname", None) == "SQLITE_FULL"
    assert len(accepted) > 3  # the loop ran before the disk filled
    engine.dispose()

    cli = Cli(url, small_disk.parent)
    refused = cli.all(
        ["project", "add", "盘满后的项目", "--category", "tech_transfer", "--owner", OWNER,
         "--by", OWNER, "--json"],
        ["project", "advance", str(accepted[0]), "register", "--by", OWNER,
         "--set", "company_name=量测科技", "--set", "uscc=91350100M000100Y43",
         "--set", "address=望江西路", "--json"])
    for result in refused:
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert result.code == 1 and len(lines) == 1, result
        assert "磁盘已满" in lines[0] and "未保存" in lines[0], result
        assert result.json()["error"]["kind"] == "internal"

    listed = cli("project", "list", "--json")  # reading still works on a full disk
    assert listed.code == 0, listed
    names = {row["name"] for row in listed.json()}
    assert {p["id"] for p in listed.json()} >= set(accepted)
    assert "盘满后的项目" not in names

    filler.unlink()
    checked = cli("check", "--json")
    assert checked.code == 0 and checked.json()["ok"] is True, checked
    assert checked.json()["projects"] == len(accepted)
    after = cli("project", "add", "腾出空间后的项目", "--category", "tech_transfer", "--owner",
                OWNER, "--by", OWNER, "--json")
    assert after.code == 0, after
    assert cli("check").code == 0
