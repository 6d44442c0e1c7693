"""The `parkflow` command: parse, call one use case, print, exit with the contract's code.

    app.py      the command and its groups
    context.py  per invocation: settings, the wired app, the reader's language
    exits.py    `@command`: failures → one line on stderr and the contract's exit code
    output.py   consoles, JSON for scripts, warnings
    options.py  shared options (`--by`, `--json`, `--set`)

and one module per resource, each registering its commands on import.
"""

from __future__ import annotations

import sys

from parkflow.cli import (
    approvals,
    calendar,
    calendar_notice,
    database,
    definition,
    demo,
    inbox,
    ledger,
    operations,
    projects,
    reminders,
    reports,
    serve,
    space,
    tokens,
    users,
)
from parkflow.cli.app import app

COMMANDS = (database, users, projects, approvals, space, calendar, calendar_notice, reminders,
            reports, ledger, tokens, inbox, definition, serve, demo, operations)

__all__ = ["COMMANDS", "app", "main"]


def main() -> None:
    """Entry point of the `parkflow` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
