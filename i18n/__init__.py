"""The one language system: a gettext catalogue (Babel) for everything a person reads.

Engine errors, command output, web pages, mail and chat all take their sentences from
`i18n/locale/<locale>/LC_MESSAGES/messages.po` (compiled to `messages.mo` by `make i18n`).
Message ids are the English sentences; the Chinese catalogue translates every one of them.
Labels of the definition's ids (states, events, fields, choices) come from the definition
itself; everything else a person reads comes from here. This package imports nothing of
parkflow, so every layer may use it.

    LANGS, DEFAULT_LANG          the languages people read: zh-CN (default) and en
    normalise(lang)              one of LANGS ("en-US" → en, anything unknown → zh-CN)
    recognise(lang)              one of LANGS, or None for a tag that names neither
    negotiate(accept_language)   the best of LANGS for an HTTP Accept-Language header
    translations(lang)           the compiled catalogue (cached babel.support.Translations)
    gettext(lang, msgid, **p)    one message, %(name)s placeholders filled from p
    ngettext(lang, s, p, n, **p) the same, singular or plural by n
    product_name(lang)           the product's one name (pages, mail)
    N_(msgid)                    marks a message for extraction, translated where it is shown
    NP_(singular, plural)        the same for a message with a plural form

Dates, numbers and lists: `i18n.formats`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale, parse_locale
from babel.support import Translations

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "LOCALE_DIR",
    "NP_",
    "N_",
    "babel_locale",
    "gettext",
    "negotiate",
    "ngettext",
    "normalise",
    "product_name",
    "recognise",
    "translations",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGS: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
_LOCALES = {"zh-CN": "zh_CN", "en": "en"}
_LANG_OF_LOCALE = {locale.lower(): lang for lang, locale in _LOCALES.items()}


def normalise(lang: str | None) -> str:
    """One of LANGS: "en", "en-US", "en_GB" → en; anything else → zh-CN, the default."""
    return recognise(lang) or DEFAULT_LANG


def recognise(lang: str | None) -> str | None:
    """The one of LANGS a tag names ("en-US" → en, "zh_CN", "zh-Hans" → zh-CN), else None:
    where a person chose the language (a setting), "fr" is a mistake to report, not zh-CN."""
    tag = (lang or "").strip().replace("_", "-")
    if tag in LANGS:
        return tag
    primary = tag.lower().partition("-")[0]
    return {"en": "en", "zh": DEFAULT_LANG}.get(primary)


def babel_locale(lang: str | None) -> str:
    """The Babel locale identifier of a language: zh-CN → zh_CN."""
    return _LOCALES[normalise(lang)]


def catalogue_path(lang: str, suffix: str = "po") -> Path:
    """Where the catalogue of `lang` lives (the .po source or the compiled .mo)."""
    return LOCALE_DIR / babel_locale(lang) / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of `lang`, loaded once per process."""
    path = catalogue_path(lang, "mo")
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def gettext(lang: str, msgid: str, **params: Any) -> str:
    """The message `msgid` in `lang`, its %(name)s placeholders filled from `params`."""
    text = translations(normalise(lang)).gettext(msgid)
    return text % params if params else text


def ngettext(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural form for `n` in `lang`; `num` is `n` unless given."""
    text = translations(normalise(lang)).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction where it is translated later, when it is shown."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form; `ngettext(lang, *marked, n)` translates it."""
    return singular, plural


# The one name of the product: page titles, the web's brand, mail headers and footers.
PRODUCT = N_("parkflow Science Park Task Force")


def product_name(lang: str) -> str:
    """The product's name in `lang`: parkflow 科技项目入园工作专班."""
    return gettext(lang, PRODUCT)


def negotiate(accept_language: str | None) -> str:
    """The language to answer in, from an Accept-Language header (q-values respected).

    Any Chinese (zh, zh-CN, zh-Hans, zh-TW…) reads the Simplified catalogue; English in any
    region reads the English one; nothing acceptable gives the default, zh-CN.
    """
    return asked_lang(accept_language) or DEFAULT_LANG


def asked_lang(accept_language: str | None) -> str | None:
    """The language an Accept-Language header asks for (as `negotiate`), None if it names
    none of ours."""
    preferred = [_locale_of(tag) for tag, _ in _ranges(accept_language or "")]
    chosen = negotiate_locale([p for p in preferred if p], list(_LOCALES.values()))
    return _LANG_OF_LOCALE.get((chosen or "").lower())


def _ranges(header: str) -> list[tuple[str, float]]:
    """The language ranges of a header, best first (RFC 9110 §12.5.4); q=0 means "not this"."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        tag, *options = (part.strip() for part in item.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and 0 < quality <= 1:
            ranges.append((tag, quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(tag, quality) for tag, quality, _ in ranges]


def _locale_of(tag: str) -> str | None:
    """A Babel locale identifier for one language tag, or None if it is not one."""
    try:
        language, territory = parse_locale(tag, sep="-")[:2]
    except ValueError:
        return None
    if language == "zh":
        return "zh_CN"
    return f"{language}_{territory}" if territory else language
