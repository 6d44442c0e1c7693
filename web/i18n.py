"""The interface languages: Babel catalogues, compiled in memory when first needed.

The catalogues are `web/locale/<locale>/LC_MESSAGES/messages.po`; msgids are the English
texts, so the English catalogue may leave a msgstr empty. The .po files are compiled to
gettext translations in memory (babel's `write_mo` into a buffer) the first time a language
is used: the repository holds only reviewable text, there is no build step to forget, and it
costs a few milliseconds once per process.

Updating the catalogues after changing templates or `_()` / `mark()` / `tr()` calls in web/
(tests/test_web_i18n.py fails until every message has its Chinese translation):

    pybabel extract -F web/babel.cfg -k mark -k tr:2 --no-location --sort-output \
        --omit-header -o web/locale/messages.pot .
    pybabel update -i web/locale/messages.pot -d web/locale --ignore-obsolete \
        --no-fuzzy-matching --omit-header
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
_LOCALES = {"zh-CN": "zh_CN", "en": "en"}


def normalise(lang: str | None) -> str:
    """One of LANGS; anything else is the default language."""
    return lang if lang in LANGS else DEFAULT_LANG


def babel_locale(lang: str) -> str:
    return _LOCALES[normalise(lang)]


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / babel_locale(lang) / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of `lang` (cached for the life of the process)."""
    locale = babel_locale(lang)
    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def tr(lang: str, message: str, **params: object) -> str:
    """Translate one message of the web layer, filling %(name)s placeholders."""
    text = translations(normalise(lang)).gettext(message)
    return text % params if params else text


def mark(message: str) -> str:
    """Mark a message for extraction where it is translated later (at render time)."""
    return message


def pick_lang(accept_language: str | None) -> str:
    """The visitor's language before sign-in: English only when the browser prefers it."""
    if not accept_language:
        return DEFAULT_LANG
    first = accept_language.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else DEFAULT_LANG
