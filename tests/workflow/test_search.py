"""Finding projects (name, company, credit code, owner's name, pinyin initials) and the
project list's sorting, paging and days overdue, in SQL on both databases."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from db.engine import reading, writing
from db.models import Project, columns
from tests.factories import GOOD_USCC, NOW, PARK_TZ, VALID, fire, seed_project
from workflow.park import Park
from workflow.projects import add_project
from workflow.search import initials, is_exact_hit, normalise, pinyin_order, search_keys
from workflow.views import count_projects, days_overdue, list_projects

COMPANY = VALID["register"]["company_name"]  # 合肥量测科技有限公司


# ---------------------------------------------------------------- the keys (pure)

def test_names_sort_by_pinyin_not_by_code_point() -> None:
    assert sorted(["赵博", "李爱丽", "陈卡罗"], key=pinyin_order) == ["陈卡罗", "李爱丽", "赵博"]


@pytest.mark.parametrize(("name", "expected"), [
    ("量子精密测量仪器", "lzjmclyq"),
    ("重庆长安", "cqca"),            # a phrase picks its usual reading (重 is chóng here)
    ("银行贷款平台", "yhdkpt"),       # 行 is háng in 银行
    ("AI芯片 2号（合肥）", "aixp2hhf"),  # letters and digits kept, punctuation dropped
    ("Ｌａｂ 实验室", "labsys"),       # full-width letters become plain
    ("", ""),
])
def test_the_initials_are_the_first_letter_of_each_character(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_the_search_text_joins_name_company_and_credit_code_normalised() -> None:
    keys = search_keys(" Quantum 精密 ", "合肥量测 科技", GOOD_USCC)
    assert keys.name_initials == "quantumjm"
    assert keys.search_text == "quantum精密 合肥量测科技 91350100m000100y43"
    assert search_keys("量子").search_text == "量子"


def test_a_query_is_normalised_like_the_keys() -> None:
    assert normalise("  ＬＺ jm\t") == "lzjm"
    assert normalise(None) == normalise("   ") == ""


# ---------------------------------------------------------------- matching in SQL

@pytest.fixture
def library(engine: Engine, park: Park, people: dict[str, str]) -> dict[str, int]:
    """Three projects: a registered one of alice's (李爱丽), one of bob's (赵博), one of
    carol's (陈卡罗) with an English name."""
    quantum = seed_project(engine, park, people["alice"], "量子精密测量仪器",
                           intake="2026-11-02")
    fire(engine, park, quantum, "visit", people["alice"], at="2026-11-05")
    fire(engine, park, quantum, "register", people["alice"], at="2026-11-10")
    voice = seed_project(engine, park, people["bob"], "合肥智能语音平台", intake="2026-11-16")
    sensing = seed_project(engine, park, people["carol"], "Quantum Sensing Lab",
                           intake="2026-11-16")
    return {"quantum": quantum, "voice": voice, "sensing": sensing}


def found(engine: Engine, park: Park, search: str | None, **filters: object) -> list[int]:
    with reading(engine) as session:
        rows = list_projects(session, park, search=search, **filters)  # type: ignore[arg-type]
        total = count_projects(session, park, search=search, **filters)  # type: ignore[arg-type]
    assert total == len(rows)
    return [row["id"] for row in rows]


@pytest.mark.parametrize(("search", "which"), [
    ("lzjm", ["quantum"]),               # the initials' prefix
    ("LZJM", ["quantum"]),               # in any case
    ("jmcl", ["quantum"]),               # a substring of the initials
    ("精密", ["quantum"]),               # a Chinese substring of the name
    ("量测科技", ["quantum"]),           # the company name, from the register event
    (GOOD_USCC.lower(), ["quantum"]),    # the credit code, in any case
    ("M000100Y", ["quantum"]),           # a part of it
    ("赵博", ["voice"]),                 # the owner's name
    ("爱丽", ["quantum"]),               # a part of it
    ("hfzn", ["voice"]),
    ("精\x00密", ["quantum"]),           # control characters are dropped (PostgreSQL: NUL)
    ("quantum sensing", ["sensing"]),   # spaces do not matter
    ("quantum", ["sensing"]),           # not "quantum"'s initials in 量子精密…: lzjm
    ("  ", ["quantum", "voice", "sensing"]),  # an empty search filters nothing
    (None, ["quantum", "voice", "sensing"]),
])
def test_a_search_finds_projects_by_each_key(engine: Engine, park: Park,
                                             library: dict[str, int], search: str | None,
                                             which: list[str]) -> None:
    assert found(engine, park, search) == [library[name] for name in which]


@pytest.mark.parametrize("search", [
    "lzjx",        # initials that no name has
    "测量仪器厂",   # more than the name
    "量子精密 平台",  # two names' parts together
    "100%",        # LIKE wildcards are taken literally
    "_",
    "%",
    "park.test",   # owners are found by name, not by email
    "精密量测",     # name and company do not run into each other
])
def test_a_search_has_no_false_hits(engine: Engine, park: Park, library: dict[str, int],
                                    search: str) -> None:
    assert found(engine, park, search) == []


def test_the_company_is_found_only_once_the_registration_recorded_it(
        engine: Engine, park: Park, people: dict[str, str]) -> None:
    project = seed_project(engine, park, people["alice"], "量子精密测量仪器", intake="2026-11-02")
    fire(engine, park, project, "visit", people["alice"], at="2026-11-05")
    assert found(engine, park, "量测科技") == []
    fire(engine, park, project, "register", people["alice"], at="2026-11-10")
    assert found(engine, park, "量测科技") == [project]
    assert found(engine, park, "lzjm") == [project]  # the name's keys are kept


def test_a_search_combines_with_the_other_filters(engine: Engine, park: Park,
                                                  library: dict[str, int],
                                                  people: dict[str, str]) -> None:
    assert found(engine, park, "quantum", owner=people["carol"]) == [library["sensing"]]
    assert found(engine, park, "quantum", owner=people["alice"]) == []
    assert found(engine, park, "精密", state="registered") == [library["quantum"]]
    assert found(engine, park, "精密", state="intake") == []


def test_an_exact_hit_is_a_whole_name_company_or_credit_code(
        engine: Engine, library: dict[str, int]) -> None:
    with reading(engine) as session:
        def exact(text: str) -> bool:
            return is_exact_hit(session, project_id=library["quantum"], text=text)
        assert exact("量子精密测量仪器") and exact(COMPANY) and exact(GOOD_USCC.lower())
        assert not exact("精密") and not exact("lzjm") and not exact("")


def test_a_registration_stores_the_keys_of_name_company_and_code(
        engine: Engine, library: dict[str, int]) -> None:
    p = columns(Project)
    with reading(engine) as session:
        row = session.execute(select(p.name_initials, p.search_text, p.uscc)
                              .where(p.id == library["quantum"])).one()
    # the event writes the search text and the code; the name's initials stay as stored
    assert tuple(row) == tuple(search_keys("量子精密测量仪器", COMPANY,
                                           VALID["register"]["uscc"]).values().values())


def test_projects_added_get_their_keys_stored(engine: Engine, park: Park,
                                              people: dict[str, str]) -> None:
    with writing(engine) as session:
        project = add_project(session, park, name="  银行 贷款平台 ", category="alumni",
                              owner=people["bob"], actor=people["bob"])
    p = columns(Project)
    with reading(engine) as session:
        row = session.execute(select(p.name_initials, p.search_text)
                              .where(p.id == project.id)).one()
    assert tuple(row) == ("yhdkpt", "银行贷款平台")


# ---------------------------------------------------------------- sorting and paging

@pytest.fixture
def deadlines(engine: Engine, park: Park, people: dict[str, str]) -> dict[str, int]:
    """Four projects in `intake` (visit due 7 days after intake), at NOW (Fri 11-20 10:00):
    8 days overdue, 3 days overdue, on time, and one visited with 3 stars (due 12-02)."""
    late = seed_project(engine, park, people["alice"], "乙项目", intake="2026-11-05")
    later = seed_project(engine, park, people["bob"], "甲项目", intake="2026-11-10")
    fresh = seed_project(engine, park, people["carol"], "丙项目", intake="2026-11-18")
    starred = seed_project(engine, park, people["alice"], "丁项目", intake="2026-11-02")
    fire(engine, park, starred, "visit", people["alice"], at="2026-11-06")
    return {"late": late, "later": later, "fresh": fresh, "starred": starred}


def listed(engine: Engine, park: Park, names: dict[str, int], **options: object) -> list[str]:
    by_id = {pid: name for name, pid in names.items()}
    with reading(engine) as session:
        rows = list_projects(session, park, **options)  # type: ignore[arg-type]
    return [by_id[row["id"]] for row in rows]


@pytest.mark.parametrize(("sort", "descending", "expected"), [
    ("due", False, ["late", "later", "fresh", "starred"]),   # due 11-12, 11-17, 11-25, 12-02
    ("due", True, ["starred", "fresh", "later", "late"]),
    ("overdue", True, ["late", "later", "fresh", "starred"]),  # 8, 3 days; then not overdue
    ("overdue", False, ["later", "late", "fresh", "starred"]),  # the others as by deadline
    ("stars", True, ["starred", "late", "later", "fresh"]),  # then by deadline
    ("state", True, ["starred", "late", "later", "fresh"]),  # visited after intake
    ("name", False, ["fresh", "starred", "later", "late"]),  # pinyin: bing, ding, jia, yi
    ("name", True, ["late", "later", "starred", "fresh"]),
    ("owner", False, ["fresh", "late", "starred", "later"]),  # chen, li (by due), zhao
    ("owner", True, ["later", "late", "starred", "fresh"]),
])
def test_the_list_sorts_in_sql(engine: Engine, park: Park, deadlines: dict[str, int],
                               sort: str, descending: bool, expected: list[str]) -> None:
    assert listed(engine, park, deadlines, sort=sort, descending=descending) == expected


def test_the_list_is_paged_in_sql(engine: Engine, park: Park,
                                  deadlines: dict[str, int]) -> None:
    def page(offset: int) -> list[str]:
        return listed(engine, park, deadlines, sort="due", offset=offset, limit=3)
    assert page(0) == ["late", "later", "fresh"]
    assert page(3) == ["starred"]
    assert page(6) == []
    with reading(engine) as session:
        assert count_projects(session, park) == 4
        assert count_projects(session, park, overdue=True) == 2


@pytest.mark.parametrize(("due_at", "expected"), [
    (datetime(2026, 11, 13, 0, 0, tzinfo=PARK_TZ), 8),   # last day 11-12
    (datetime(2026, 11, 20, 0, 0, tzinfo=PARK_TZ), 1),   # last day 11-19, overdue since 00:00
    (datetime(2026, 11, 20, 10, 0, tzinfo=PARK_TZ), 1),  # overdue at this very moment
    (datetime(2026, 11, 21, 0, 0, tzinfo=PARK_TZ), None),  # due today: not yet
    (None, None),
])
def test_days_overdue_count_calendar_days_in_park_time(due_at: datetime | None,
                                                       expected: int | None) -> None:
    assert days_overdue(due_at, NOW, PARK_TZ) == expected
