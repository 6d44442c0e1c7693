"""Commands of the web workspace: serve, API tokens, passwords (registered on the main app)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, user_app: typer.Typer) -> None:
    """Add the web commands to the `parkflow` command."""
