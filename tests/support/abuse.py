"""What the abuse tests share: the row count of every table (nothing written), values no
input check expects, and the paths that bring a project to each state."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

import db.models  # noqa: F401  (every table registered on the metadata)
from db.engine import reading

# events that bring a new project to each state (with valid fields, by its owner)
PATH_TO = {"intake": (), "visited": ("visit",), "registered": ("visit", "register"),
           "signed": ("visit", "register", "sign"),
           "opened": ("visit", "register", "sign", "open"), "exited": ("exit",)}


def table_counts(engine: Engine) -> dict[str, int]:
    """The number of rows of every table: equal before and after means nothing was written."""
    with reading(engine) as session:
        return {table.name: int(session.execute(
                    select(func.count()).select_from(table)).scalar_one())
                for table in SQLModel.metadata.sorted_tables}


# what a text box or a JSON body can carry that no form would: controls, NUL, a lone
# surrogate (JSON's "\ud800"), right-to-left marks, markup, SQL, huge numbers as text
NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "\u202e\u0644", "<script>alert(1)</script>",
    "'; DROP TABLE projects; --", "9" * 400, "1e999", "-0", "NaN", "inf", "٣", "１２",
    "\t\n", "../../etc/passwd", "x" * 2001, "2026-Q5", "0000-Q1",
])

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                         NASTY_TEXT)
# any JSON value (and NaN/∞, which Python's json reads), nested a little
ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(JSON_SCALARS, st.floats()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)
