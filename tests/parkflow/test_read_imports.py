"""Read commands import only what they use: `project show`, `project list` and `board` load
neither the web stack, the scheduler nor the mailers (issue 11: start-up is mostly imports).

Each command runs in a fresh interpreter through the installed entry point (`parkflow.cli
.main`), with the test's database and clock; a wrapper writes the names in `sys.modules` to a
file when the command exits, whatever its exit code.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.factories import seed_project
from tests.support.command import Cli
from workflow.park import Park

# top-level packages, and modules of our own, that a read command must not load
FORBIDDEN_PACKAGES = ("fastapi", "starlette", "uvicorn", "web", "apscheduler", "smtplib",
                      "aiosmtplib", "aiosmtpd")
FORBIDDEN_MODULES = ("notifications.mail", "notifications.delivery", "notifications.render",
                     "parkflow.cli.serve_app",
                     # the observers of make_park: imported by the first change, not by a read
                     "notifications.approval_mail", "notifications.after_opening")

def loaded_modules(cli: Cli, *args: str) -> tuple[object, list[str]]:
    """The exit code of `parkflow ARGS` and the modules loaded when it finished."""
    code, modules = cli.observed("", "sorted(sys.modules)", *args)
    return code, list(modules)


def forbidden(modules: list[str]) -> list[str]:
    return [m for m in modules
            if m.split(".")[0] in FORBIDDEN_PACKAGES
            or any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES)]


@pytest.mark.parametrize("args", [("project", "show", "{id}", "--json"),
                                  ("project", "list", "--json"),
                                  ("board",)])
def test_read_commands_load_neither_the_web_the_scheduler_nor_the_mailers(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str],
        args: tuple[str, ...]) -> None:
    project_id = seed_project(engine, park, people["alice"])
    code, modules = loaded_modules(cli, *(a.format(id=project_id) for a in args))
    assert code in (0, None)
    assert "parkflow.cli" in modules and "sqlalchemy" in modules  # the command did run
    assert forbidden(modules) == []
    if engine.dialect.name == "sqlite":  # the tables name PostgreSQL's types and options lazily
        assert [m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")] == []


def test_the_check_sees_a_command_that_loads_the_mailers(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    """The same wrapper on `reminders run`, which sends: the check is not blind."""
    seed_project(engine, park, people["alice"])
    _, modules = loaded_modules(cli, "reminders", "run")
    assert "notifications.delivery" in forbidden(modules)


def test_a_json_read_command_does_not_load_the_console(
        cli: Cli, engine: Engine, park: Park, people: dict[str, str]) -> None:
    """`--json` prints with json.dumps: rich's console is made only when something uses it."""
    project_id = seed_project(engine, park, people["alice"])
    code, modules = loaded_modules(cli, "project", "show", str(project_id), "--json")
    assert code in (0, None)
    assert "parkflow.cli.output" in modules
    assert [m for m in modules if m.split(".")[0] == "rich"] == []  # nor any of rich
    _, shown = loaded_modules(cli, "project", "show", str(project_id))
    assert "rich.console" in shown  # the same command for a person does print with it
