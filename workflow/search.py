"""Finding a project: the search keys stored on each project and the SQL that matches them.

A project keeps two keys, written where it is written (`add_project`, an event that records a
company name or credit code): `name_initials`, the pinyin initials of its name ("量子精密测量"
→ "lzjmcl"), and `search_text`, its name, company name and credit code, each normalised
(NFKC, case-folded, whitespace removed) and joined by a space. A query is normalised the same
way, so it holds no space and never matches across two parts. Matching is a LIKE on these
columns plus the owner's name, so it runs in the database on SQLite and PostgreSQL alike.

This module is the only one that imports `pypinyin` (besides the frozen copy of these rules
in the migration that filled the keys of existing projects, 695912c7a64c).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select, update
from sqlmodel import Session

from db.models import Project, User, columns
from db.prepared import Prepared

_P, _U = columns(Project), columns(User)
# whitespace, and control characters (PostgreSQL refuses NUL in a parameter)
_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_INITIALS_QUERY = re.compile(r"[a-z0-9]+")  # only such a query can match initials
SEPARATOR = " "  # between the parts of search_text; a normalised query has none

# the register event's fields that make a project findable (CLI.md: `register`)
COMPANY_FIELDS = ("company_name", "uscc")


def normalise(text: str | None) -> str:
    """What is compared: NFKC (full-width letters and digits become plain), case-folded,
    without whitespace or control characters ("Ｌｚ Jm" → "lzjm")."""
    if not text:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def initials(name: str) -> str:
    """The pinyin initials of a name, lower case, letters and digits only.

    Chinese characters give their first letter (phrases pick the usual reading: 重庆 → cq);
    other letters and digits are kept as they are: "AI芯片2号" → "aixp2h".
    """
    from pypinyin import Style, lazy_pinyin  # here: its dictionaries take ~0.2 s to load
    letters = lazy_pinyin(normalise(name), style=Style.FIRST_LETTER)
    return "".join(ch for ch in "".join(letters).lower() if ch.isascii() and ch.isalnum())


def load_pinyin() -> None:
    """Load pypinyin's dictionaries now (a writer does, before it takes the write lock)."""
    import pypinyin  # noqa: F401


def pinyin_order(text: str) -> tuple[str, ...]:
    """How a name sorts for a Chinese reader: by its pinyin, syllable by syllable
    (陈 chen < 李 li < 赵 zhao), not by code point (李 < 赵 < 陈)."""
    from pypinyin import lazy_pinyin  # here: read commands that sort no names skip it
    return tuple(lazy_pinyin(normalise(text)))


def owner_ranks(session: Session) -> dict[int, int]:
    """Each user's place in pinyin order of names (few rows: the team), for ORDER BY."""
    users = session.connection().execute(select(_U.id, _U.name)).all()
    ordered = sorted(users, key=lambda user: (pinyin_order(user.name), user.id))
    return {user.id: rank for rank, user in enumerate(ordered)}


@dataclass(frozen=True)
class SearchKeys:
    """The two stored keys of a project."""

    name_initials: str
    search_text: str
    uscc: str | None = None  # the credit code as registered: what duplicates are found by

    def values(self) -> dict[str, str | None]:
        return {"name_initials": self.name_initials, "search_text": self.search_text,
                "uscc": self.uscc}


def search_keys(name: str, company_name: str | None = None,
                uscc: str | None = None) -> SearchKeys:
    """The keys of a project with this name and, once registered, company and credit code."""
    return SearchKeys(initials(name), search_text(name, company_name, uscc), uscc or None)


def update_search_keys(session: Session, *, project_id: int, name: str,
                       fields: dict[str, Any]) -> None:
    """After an event that recorded a company name or credit code (`register`): store the
    search text rebuilt from the name and that event's values, and the credit code (the
    latest registration counts)."""
    if not any(fields.get(key) for key in COMPANY_FIELDS):
        return
    # the name is unchanged, so are its stored initials: no pinyin on the event path
    uscc = fields.get("uscc") or None
    _UPDATE_KEYS.rowcount(session, {"b_id": project_id, "uscc": uscc,
                                    "search_text": search_text(name, fields.get("company_name"),
                                                               uscc)})


def search_text(name: str, company_name: str | None = None, uscc: str | None = None) -> str:
    """The stored `search_text`: the normalised parts, joined by SEPARATOR."""
    parts: Iterable[str] = (normalise(part) for part in (name, company_name, uscc))
    return SEPARATOR.join(part for part in parts if part)


_UPDATE_KEYS = Prepared(update(Project.__table__)  # type: ignore[attr-defined]
                        .where(_P.id == bindparam("b_id"))
                        .values({name: bindparam(name) for name in ("search_text", "uscc")}))


def search_condition(text: str | None, owner_name: Any | None = None) -> ColumnElement[bool] | None:
    """The WHERE clause that finds `text` (None for an empty search: no filter).

    Matches a substring of the name, company name or credit code, of the pinyin initials of
    the name (only for a query of letters and digits) or of the owner's name. `owner_name`
    is the owner's name column when the query joins the owner already; otherwise a subquery
    on the users table is used.
    """
    query = normalise(text)
    if not query:
        return None
    matches = [_P.search_text.contains(query, autoescape=True)]
    if _INITIALS_QUERY.fullmatch(query):
        matches.append(_P.name_initials.contains(query, autoescape=True))
    if owner_name is not None:
        matches.append(_comparable(owner_name).contains(query, autoescape=True))
    else:
        matches.append(_P.owner_id.in_(select(_U.id).where(
            _comparable(_U.name).contains(query, autoescape=True))))
    return or_(*matches)


def _comparable(column: Any) -> Any:
    """A user's name as it is compared: lower case, without spaces ("Sun Wei" → "sunwei")."""
    return func.replace(func.lower(column), " ", "")


def is_exact_hit(session: Session, *, project_id: int, text: str | None) -> bool:
    """Whether `text` is the project's whole name, company name or credit code (not merely a
    part of one): a search box may then open the project straight away."""
    query = normalise(text)
    if not query:
        return False
    stored = session.connection().execute(
        select(_P.search_text).where(_P.id == project_id)).scalar()
    return query in (stored or "").split(SEPARATOR)
