"""A write command loads nothing while it holds the write lock (issue 11, Faults).

SQLite has one writer at a time; a second process's writer waits at most the busy timeout
(5 s) for the lock. The reminder observers and the pinyin dictionaries, which read commands
skip, were imported inside the first write unit (~0.35 s under the lock in `project add`,
seconds on a loaded machine), and the other of two commands run together failed with
"database is locked" (on a full disk: tests/parkflow/test_full_disk.py). Each command runs
in a fresh interpreter; a wrapper notes the modules loaded between the writer's BEGIN and
its COMMIT.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.factories import VALID, seed_project
from tests.support.command import Cli, sets
from workflow.park import Park

WRAPPER = """
import json, sys
from sqlalchemy import Engine, event
out, args = sys.argv[1], sys.argv[2:]
seen = {}

@event.listens_for(Engine, "begin")
def locked(conn):
    if conn.get_execution_options().get("sqlite_immediate") and "lock" not in seen:
        seen["lock"] = set(sys.modules)

@event.listens_for(Engine, "commit")
def committed(conn):
    if "lock" in seen and "inside" not in seen:
        seen["inside"] = sorted(set(sys.modules) - seen["lock"])

sys.argv = ["parkflow", *args]
from parkflow.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    json.dump({"code": code, "inside": seen.get("inside")}, f)
"""


def loaded_under_the_lock(cli: Cli, *args: str) -> tuple[object, list[str] | None]:
    """The exit code of `parkflow ARGS` and the modules its first write unit loaded."""
    out = cli.cwd / "inside.json"
    done = subprocess.run([sys.executable, "-c", WRAPPER, str(out), *args], cwd=cli.cwd,
                          env=cli.env(), capture_output=True, text=True, timeout=120,
                          check=False)
    assert "Traceback" not in done.stderr, done.stderr
    result = json.loads(Path(out).read_text())
    return result["code"], result["inside"]


def test_a_write_command_imports_before_it_takes_the_write_lock(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    alice = people["alice"]
    code, inside = loaded_under_the_lock(
        cli, "project", "add", "量子精密测量", "--category", "tech_transfer", "--owner", alice,
        "--by", alice)
    assert code in (0, None) and inside == [], inside  # a commit was seen, with no import

    project_id = seed_project(engine, park, alice, "镜像项目", intake="2026-11-18")
    code, inside = loaded_under_the_lock(
        cli, "project", "advance", str(project_id), "visit", "--by", alice,
        "--at", "2026-11-19", *sets(VALID["visit"]))
    assert code in (0, None) and inside == [], inside
