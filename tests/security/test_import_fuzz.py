"""The ledger import under arbitrary files: random cells, rows, headers and bytes.

A valid two-row ledger is broken at random (cells replaced by arbitrary text, NUL, lone
surrogates, huge numbers, markup; rows of noise added; a header renamed), written as .csv or
.xlsx, and imported. The import either writes every row, or refuses the file with a problem
per row (its row number, column and a reason) or as unreadable, naming the file; a refused
file writes nothing at all. Never another error. The unbroken ledger is always imported.
Through the web, a refused upload answers the page with its problems and writes nothing.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from db.engine import writing
from reports.ledger_import import import_ledger
from tests.factories import SQLITE_ONLY
from tests.support.abuse import NASTY_TEXT, table_counts
from tests.support.web import Web, csrf
from workflow.errors import ValidationError
from workflow.park import Park

EXAMPLES = int(os.environ.get("PARKFLOW_FUZZ_EXAMPLES", "40"))
HEADER = ["项目名称", "类别", "负责人", "入库日期", "走访日期", "走访人员", "项目需求",
          "团队人才层次", "技术先进性", "资本市场认可度", "市场前景"]
ROWS = [["量子精密测量", "科技成果转化类", "alice@park.test", "2026-11-02", "2026-11-05",
         "张三、李四", "资金、空间", "4", "4", "4", "3"],
        ["合肥芯片", "alumni", "李爱丽", "2026-11-16", "", "", "", "", "", "", ""]]
# what a person may well write instead: other spellings of valid values
KIND = st.sampled_from([" 4 ", "5", "1", "校友产业化类", "alumni", "李爱丽", "2026-11-03", "王五",
                        "政策", "funding"])
CELL = st.one_of(NASTY_TEXT, st.text(max_size=20), st.integers().map(str),
                 st.sampled_from(["2026-02-30", "2099-01-01", "1899-12-31", "0", "6", "-1",
                                  "tech_transfer", "nobody@park.test", "资金、空间、火箭"]))


def as_file(table: list[list[str]], fmt: str) -> bytes:
    """The table as a .csv (UTF-8 with BOM; a lone surrogate as the bytes it would be) or a
    one-sheet .xlsx."""
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(table)
        return text.getvalue().encode("utf-8-sig", errors="surrogatepass")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value.encode("utf-8", "replace").decode("utf-8"))
    book.close()
    return buffer.getvalue()


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[list[str]], bool]:
    """A ledger table and whether it is still the valid one."""
    table = [list(HEADER), *(list(row) for row in ROWS)]
    changes = draw(st.lists(st.tuples(st.sampled_from([0, 1, 1, 2, 2, 2]),
                                      st.integers(0, len(HEADER) - 1), KIND | CELL),
                            max_size=3))
    for row, column, value in changes:
        table[row][column] = value
    noise = draw(st.lists(st.lists(CELL, max_size=len(HEADER) + 2), max_size=2)
                 | st.just([]))
    table += noise
    intact = not noise and all(table[r][c] == ([HEADER, *ROWS])[r][c] for r, c, _ in changes)
    return table, intact


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_any_ledger_is_imported_whole_or_refused_row_by_row_with_nothing_written(
        engine: Engine, live: Park, people: dict[str, str], fmt: str) -> None:
    @FUZZ
    @given(drawn=ledgers())
    def load(drawn: tuple[list[list[str]], bool]) -> None:
        table, intact = drawn
        data = as_file(table, fmt)
        before = table_counts(engine)
        try:
            with writing(engine) as session:
                result = import_ledger(session, live, data=data, filename=f"台账.{fmt}",
                                       actor=people["leader"], lang="zh-CN",
                                       allow_duplicate=True)
        except ValidationError as refused:  # the file as a whole: unreadable, no sheet
            assert not intact and refused.field == "file", refused.code
            assert table_counts(engine) == before
            return
        if result.refused:
            assert not intact, [p.as_json() for p in result.problems]
            assert result.imported == 0
            for problem in result.problems:
                assert 1 <= problem.row <= len(table) and problem.reason, problem
            assert table_counts(engine) == before
            return
        assert result.imported == result.rows >= 1
        assert table_counts(engine)["projects"] == before["projects"] + result.imported

    load()


@pytest.mark.parametrize("data", [b"", b"\x00" * 64, b"PK\x03\x04" + os.urandom(200),
                                  "项目名称\n\ud800".encode("utf-8", "surrogatepass"),
                                  b"\xff\xfe" + "项目名称".encode("utf-16-le")])
def test_a_file_that_is_no_ledger_is_refused_naming_the_file(
        engine: Engine, live: Park, people: dict[str, str], data: bytes) -> None:
    before = table_counts(engine)
    for name in ("台账.csv", "台账.xlsx"):
        try:
            with writing(engine) as session:
                result = import_ledger(session, live, data=data, filename=name,
                                       actor=people["leader"], lang="zh-CN")
        except ValidationError as refused:
            assert refused.field == "file"
        else:
            assert result.refused or result.rows == 0
            assert result.imported == 0
    assert table_counts(engine) == before


def upload(client: Any, data: bytes, name: str) -> Any:
    return client.post("/import", headers={"HX-Request": "true"},
                       files={"file": (name, data, "text/csv")},
                       data={"csrf_token": csrf(client, "/import"), "_form": "form-import",
                             "action": "import"})


@SQLITE_ONLY
def test_a_refused_upload_shows_its_problems_and_writes_nothing(web: Web) -> None:
    leader = web.signed_in("leader")
    table = [list(HEADER), [*ROWS[0][:7], "7", "\x00", "4", "3"], ROWS[1]]
    before = table_counts(web.app.engine)
    response = upload(leader, as_file(table, "csv"), "台账.csv")
    assert response.status_code == 200, response.text
    assert "团队人才层次须为 1–5 的整数" in response.text
    assert "HX-Redirect" not in response.headers
    assert table_counts(web.app.engine) == before
