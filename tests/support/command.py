"""The `parkflow` command under test: a subprocess at the fixed moment, its results."""


from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # starlette's TestClient warns that httpx will be replaced
    warnings.simplefilter("ignore")


from tests.factories import ERROR_KEYS, NOW, PARKFLOW

# ---------------------------------------------------------------- the command

@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass(frozen=True)
class With:
    """A command run with extra environment variables."""

    env: dict[str, str]
    args: Sequence[str]


def command_env(**settings: str) -> dict[str, str]:
    """This process's environment without any PARKFLOW_ variable, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKFLOW_")}
    env.update(settings)
    return env


_OBSERVED = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
seen = {{}}
{setup}
sys.argv = ["parkflow", *args]
from parkflow.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    json.dump({{"code": code, "report": {report}}}, f)
"""


@dataclass
class Cli:
    """`parkflow` as a subprocess, pointed at one database, at the fixed moment NOW
    (PARKFLOW_TEST_NOW, the test-only clock setting)."""

    db_url: str
    cwd: Path

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**command_env(PARKFLOW_DATABASE_URL=self.db_url,
                              PARKFLOW_MAIL_DIR=str(self.cwd / "mail"),
                              PARKFLOW_TEST_NOW=NOW.isoformat()), **(extra or {})}

    def __call__(self, *args: str, env: dict[str, str] | None = None,
                 stdin: str | None = None) -> Result:
        done = subprocess.run([str(PARKFLOW), *args], cwd=self.cwd, env=self.env(env),
                              input=stdin, capture_output=True, text=True, timeout=120,
                              check=False)
        result = Result(done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in result.out + result.err, result
        return result

    def observed(self, setup: str, report: str, *args: str) -> tuple[object, Any]:
        """`parkflow ARGS` in a fresh interpreter through the entry point: the Python `setup`
        runs first (it may keep what it sees in the dict `seen`), then the command; its exit
        code, and the value of the expression `report` when it exits, whatever the code."""
        out = self.cwd / "observed.json"
        script = _OBSERVED.format(setup=setup, report=report)
        done = subprocess.run([sys.executable, "-c", script, str(out), *args], cwd=self.cwd,
                              env=self.env(), capture_output=True, text=True, timeout=120,
                              check=False)
        assert "Traceback" not in done.stderr, done.stderr
        result = json.loads(out.read_text())
        return result["code"], result["report"]

    def all(self, *commands: Sequence[str] | With) -> list[Result]:
        """Run independent commands side by side; results in the order given."""
        def one(command: Sequence[str] | With) -> Result:
            if isinstance(command, With):
                return self(*command.args, env=command.env)
            return self(*command)
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(one, commands))

    def started_together(self, *commands: Sequence[str]) -> list[Result]:
        """Start every process before waiting for any."""
        procs = [subprocess.Popen([str(PARKFLOW), *c], cwd=self.cwd, env=self.env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            results.append(Result(proc.returncode, out, err))
        assert all("Traceback" not in r.out + r.err for r in results), results
        return results


def sets(fields: dict[str, str]) -> list[str]:
    """`--set name=value` for each field."""
    return [arg for name, value in fields.items() for arg in ("--set", f"{name}={value}")]


def assert_error(result: Result, code: int, kind: str, field: str | None) -> None:
    """A failure: the exit code, one line on stderr, and the error object on stdout."""
    assert result.code == code, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result
    body = result.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert (body["error"]["kind"], body["error"]["field"]) == (kind, field), body
    assert body["error"]["message"] and body["error"]["message"] in lines[0]


