"""The project list page's model: its query (filters, search, order, page) and one page of
rows, counted, sorted and paged in SQL by workflow.views."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from web.queries import BoardFilters, sql_filters, with_days
from workflow.park import Park
from workflow.views import SORTS, count_projects, list_projects

PAGE_SIZE = 50
RESULTS = "project-results"  # the id of the part htmx replaces (count, table, pages)
MAX_SEARCH = 100  # characters of a search kept
DEFAULT_SORT = "due"  # the nearest deadline first, as the board orders its cards
# the direction a column sorts in when first chosen: most days overdue and most stars first
FIRST_DIRECTION = {"name": "asc", "state": "asc", "owner": "asc", "due": "asc",
                   "overdue": "desc", "stars": "desc"}
# the order menu (on a phone, where the column headers are hidden): each column the way its
# header first sorts it, then the other way; its value is `column.direction`
ORDER_MENU = ("due", "overdue", "stars", "name", "state", "owner")


@dataclass(frozen=True)
class ListQuery:
    """What the list shows, as its URL says it."""

    filters: BoardFilters = field(default_factory=BoardFilters)
    state: str | None = None
    overdue: bool = False
    search: str = ""
    sort: str = DEFAULT_SORT
    direction: str = "asc"
    page: int = 1

    @classmethod
    def read(cls, filters: BoardFilters, park: Park, *, state: str | None,
             overdue: str | None, q: str | None, sort: str | None, direction: str | None,
             page: str | None, order: str | None = None) -> ListQuery:
        """From the query string; a value that means nothing is ignored. `order` (the order
        menu's `column.direction`) stands for `sort` and `direction` when it means one."""
        column, _, way = (order or "").partition(".")
        if column in SORTS and way in ("asc", "desc"):
            sort, direction = column, way
        sort = sort if sort in SORTS else DEFAULT_SORT
        return cls(
            filters=filters,
            state=state if state in park.lifecycle.states else None,
            overdue=overdue in ("1", "true", "on"),
            search=(q or "").strip()[:MAX_SEARCH],
            sort=sort,
            direction=direction if direction in ("asc", "desc") else FIRST_DIRECTION[sort],
            page=int(page) if page and page.isdigit() and 0 < int(page) < 1_000_000 else 1)

    @property
    def descending(self) -> bool:
        return self.direction == "desc"

    @property
    def order(self) -> str:
        """The order as the order menu's value."""
        return f"{self.sort}.{self.direction}"

    @staticmethod
    def order_menu() -> list[tuple[str, str, str]]:
        """The order menu's choices: (value, column, direction)."""
        return [(f"{column}.{way}", column, way) for column in ORDER_MENU
                for way in dict.fromkeys((FIRST_DIRECTION[column], "asc", "desc"))]

    @property
    def default_order(self) -> bool:
        return (self.sort, self.direction) == (DEFAULT_SORT, "asc")

    def query(self, **changes: Any) -> str:
        """This list's query string with `changes` (another page, another order)."""
        moved = replace(self, **changes)
        return moved.filters.query(
            state=moved.state or "", overdue="1" if moved.overdue else "", q=moved.search,
            sort="" if moved.default_order else moved.sort,
            dir="" if moved.default_order else moved.direction,
            page=str(moved.page) if moved.page > 1 else "")

    def sorted_by(self, column: str) -> str:
        """The query of a column header's link: by that column (the other way round when it
        already is), from the first page."""
        if column == self.sort:
            direction = "asc" if self.descending else "desc"
        else:
            direction = FIRST_DIRECTION[column]
        return self.query(sort=column, direction=direction, page=1)

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    @property
    def filtered(self) -> bool:
        """Whether a filter of the filter bar narrows the list (the search is not one)."""
        return bool(self.filters.active or self.state or self.overdue)

    def cleared(self) -> str:
        """The query of the same search and order without any filter."""
        return self.query(filters=BoardFilters(), state=None, overdue=False, page=1)


@dataclass(frozen=True)
class ProjectPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    query: ListQuery

    @property
    def previous(self) -> str | None:
        return self.query.query(page=self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.query.query(page=self.page + 1) if self.page < self.pages else None


def project_page(session: Session, park: Park, query: ListQuery,
                 viewer_email: str) -> ProjectPage:
    """One page of the list (a page past the last shows the last), with days overdue."""
    where: dict[str, Any] = {"state": query.state, "overdue": query.overdue,
                             "search": query.search or None,
                             **sql_filters(query.filters, viewer_email)}
    total = count_projects(session, park, **where)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    rows = list_projects(session, park, sort=query.sort, descending=query.descending,
                         offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, **where)
    with_days(rows, park)
    return ProjectPage(rows=rows, total=total, page=page, pages=pages,
                       query=replace(query, page=page))
