"""The per-invocation context of a command: settings, the wired app, the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from i18n import DEFAULT_LANG, gettext, ngettext, normalise
from parkflow.settings import Settings

if TYPE_CHECKING:
    from workflow.labels import Labels


class Context:
    """Per-invocation state: settings, the app (wired lazily), the language of messages."""

    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._app: Any = None
        # `parkflow init`: a database without tables is what it is there to set up
        self.initialising = False
        self.lang = normalise(self.settings.lang or DEFAULT_LANG)

    @property
    def app(self) -> Any:
        if self._app is None:
            from parkflow.wiring import build_app
            self._app = build_app(self.settings)
        return self._app

    @property
    def labels(self) -> Labels:
        """The park's labels in the reader's language: what human output shows for ids."""
        from workflow.labels import Labels
        return Labels.of(self.app.park, self.lang)

    def say(self, msgid: str, **params: Any) -> str:
        """One message of the catalogue in the reader's language."""
        return gettext(self.lang, msgid, **params)

    def say_n(self, singular: str, plural: str, n: int, **params: Any) -> str:
        """A message with a count (`%(num)d`), singular or plural."""
        return ngettext(self.lang, singular, plural, n, **params)

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
                return normalise(user.lang) if user else self.lang
        except Exception:  # an unreachable database is reported by the command itself
            return self.lang
