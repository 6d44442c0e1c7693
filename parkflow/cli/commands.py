"""Every command, registered on the groups by importing its module."""

from __future__ import annotations

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
from parkflow.cli.groups import app

COMMANDS = (database, users, projects, approvals, space, calendar, calendar_notice, reminders,
            reports, ledger, tokens, inbox, definition, serve, demo, operations)

__all__ = ["COMMANDS", "app"]
