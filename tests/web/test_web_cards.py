"""On a phone a table becomes cards and each cell says what it is by its `data-label` (the
phone's stylesheet shows it before the value). Every table on every page, as a member, a
leader and an admin: each body cell carries its column's label, and the one cell left without
(the card's title) is the project's name. Checked on the HTML, so it runs everywhere; the
browser test (test_phone.py) checks how the cards look."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import SQLITE_ONLY
from tests.support.phone_park import pages, park
from tests.support.web import Web

pytestmark = SQLITE_ONLY


class TableCells(HTMLParser):
    """Every body cell of the page's `.table`s: (table class, data-label or None, has a link
    to a project)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[str] = []
        self.in_body = False
        self.cells: list[list[object]] = []
        self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.tables.append(values.get("class") or "")
        elif tag == "tbody":
            self.in_body = True
        elif tag == "td" and self.in_body and "table" in self.tables[-1].split() \
                and "colspan" not in values:  # a whole-row cell: an empty state's sentence
            self.cells.append([self.tables[-1], values.get("data-label"), False])
            self.in_cell = True
        elif tag == "a" and self.in_cell and (values.get("href") or "").startswith("/projects/"):
            self.cells[-1][2] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td":
            self.in_cell = False
        elif tag == "table" and self.tables:
            self.tables.pop()


@pytest.mark.parametrize("who", ["alice", "leader", "admin"])
def test_every_table_cell_says_which_column_it_is_in(web: Web, who: str) -> None:
    ids = park(web)
    client = web.signed_in(who)
    seen = 0
    for name, path in pages(who, ids):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, (name, response.status_code)
        parser = TableCells()
        parser.feed(response.text)
        unlabelled = [(table, is_name) for table, label, is_name in parser.cells if not label]
        # a card's title, the project's name linked to its page, is the one cell without
        assert all(is_name for _table, is_name in unlabelled), (name, unlabelled)
        seen += len(parser.cells)
    assert seen > 50  # the park fills the tables: the check looked at real rows
