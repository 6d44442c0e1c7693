"""The per-invocation context of a command: settings, the wired app, the reader's language."""

from __future__ import annotations

from typing import Any

from parkflow.settings import Settings


class Context:
    """Per-invocation state: settings, the app (wired lazily), the language of messages."""

    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._app: Any = None
        self.lang = self.settings.lang or "zh-CN"

    @property
    def app(self) -> Any:
        if self._app is None:
            from parkflow.wiring import build_app
            self._app = build_app(self.settings)
        return self._app

    def actor(self, by: str | None) -> str | None:
        actor = by or self.settings.user
        if actor and not self.settings.lang:
            self.lang = self._lang_of(actor)
        return actor

    def _lang_of(self, email: str) -> str:
        from db.engine import reading
        from workflow.users import find_user
        try:
            with reading(self.app.engine) as session:
                user = find_user(session, email)
                return user.lang if user else self.lang
        except Exception:  # an unreachable database is reported by the command itself
            return self.lang
