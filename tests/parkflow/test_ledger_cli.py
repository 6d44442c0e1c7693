"""`parkflow export` and `parkflow import`: files, exit codes, JSON, languages (CLI.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from db.engine import reading
from db.models import Project, ProjectEvent
from tests.factories import ADMIN, ALICE, LEADER, SQLITE_ONLY, ledger_projects
from tests.support.command import Cli, assert_error
from workflow.park import Park

pytestmark = SQLITE_ONLY  # the command's shape; the use cases run on both backends elsewhere

HEADER = "项目名称,类别,负责人,入库日期,走访日期,走访人员,项目需求,团队人才层次,技术先进性," \
         "资本市场认可度,市场前景"
GOOD = [f"{HEADER}\n", "量子精密测量,科技成果转化类,alice@park.test,2026-11-02,2026-11-05,"
        "张三、李四,资金、空间,4,4,4,3\n", "合肥芯片,alumni,李爱丽,2026/11/16,,,,,,,\n"]
BROKEN = [f"{HEADER}\n", "量子精密测量,科技成果转化类,alice@park.test,2026-11-02,2026-11-05,"
          "张三、李四,资金、空间,7,4,4,3\n", ",alumni,李爱丽,2026/11/16,,,,,,,\n"]


def ledger_file(tmp_path: Path, lines: list[str], name: str = "台账.csv") -> str:
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8-sig")
    return str(path)


def history_count(engine: Engine) -> tuple[int, int]:
    with reading(engine) as session:
        return (session.execute(select(func.count()).select_from(Project)).scalar_one(),
                session.execute(select(func.count()).select_from(ProjectEvent)).scalar_one())


# ---------------------------------------------------------------- export

def test_export_writes_the_workbook_and_says_so(cli: Cli, engine: Engine, live: Park,
                                                people: dict[str, str], tmp_path: Path) -> None:
    ledger_projects(engine, live)
    result = cli("export", str(tmp_path / "台账.xlsx"))
    assert (result.code, result.err) == (0, "")  # no progress bar without a terminal
    assert result.out == f"截至 2026-11-20 的台账：4 个项目已写入 {tmp_path / '台账.xlsx'}\n"
    sheet = load_workbook(tmp_path / "台账.xlsx").active
    assert [c.value for c in sheet[1]][:4] == ["编号", "项目名称", "类别", "负责人"]
    assert sheet.max_row == 5


def test_export_as_csv_in_english_for_a_state_as_of_a_day(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str], tmp_path: Path) -> None:
    ledger_projects(engine, live)
    target = tmp_path / "ledger.csv"
    result = cli("export", str(target), "--state", "intake", "--as-of", "2026-11-03",
                 env={"PARKFLOW_LANG": "en"})
    assert result.code == 0, result
    assert result.out.startswith("The ledger as of 2026-11-03: 2 projects written to")
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:7] == ["ID", "Project name", "Category", "Owner", "Owner's name", "Group",
                           "Intake date"]
    assert [(r[0], r[26], r[27]) for r in rows[1:]] == [
        ("1", "In library · visit due", "2026-11-09"),
        ("3", "In library · visit due", "2026-11-09")]


def test_export_refuses_what_it_cannot_do_in_one_line(cli: Cli, people: dict[str, str],
                                                     tmp_path: Path) -> None:
    bad = [("export", str(tmp_path / "台账.xls")),
           ("export", str(tmp_path / "a.csv"), "--state", "visted"),
           ("export", str(tmp_path / "a.csv"), "--as-of", "2026-11-31"),
           ("export", str(tmp_path / "a.csv"), "--as-of", "2026-11-21"),
           ("export", str(tmp_path / "missing" / "a.csv"))]
    results = cli.all(*bad)
    assert [r.code for r in results] == [2, 2, 2, 2, 2]
    assert all(len(r.err.strip().splitlines()) == 1 for r in results), results
    assert "须为 .xlsx 或 .csv 文件" in results[0].err
    assert "状态" in results[1].err and "截至日期" in results[2].err + results[3].err
    assert "无法写入" in results[4].err


# ---------------------------------------------------------------- import

def test_a_dry_run_reports_and_imports_nothing(cli: Cli, engine: Engine,
                                               people: dict[str, str], tmp_path: Path) -> None:
    result = cli("import", ledger_file(tmp_path, GOOD), "--by", LEADER, "--dry-run")
    assert (result.code, result.err) == (0, "")
    assert result.out == "试运行：全部 2 行均可导入，未写入任何内容\n"
    assert history_count(engine) == (0, 0)


def test_import_writes_every_row_and_says_how_many(cli: Cli, engine: Engine,
                                                   people: dict[str, str],
                                                   tmp_path: Path) -> None:
    result = cli("import", ledger_file(tmp_path, GOOD), "--by", ADMIN, "--json")
    assert result.code == 0, result
    assert result.json() == {"rows": 2, "imported": 2, "problems": []}
    assert history_count(engine) == (2, 3)
    shown = cli("project", "show", "1", "--json").json()
    assert shown["state"] == "visited" and shown["owner"]["email"] == ALICE
    assert [h["fields"].get("imported") for h in shown["history"]] == [True, True]
    human = cli("project", "history", "1")
    assert "由台账导入" in human.out and "imported" not in human.out


def test_a_refused_import_lists_every_problem_and_exits_2(cli: Cli, engine: Engine,
                                                          people: dict[str, str],
                                                          tmp_path: Path) -> None:
    path = ledger_file(tmp_path, BROKEN)
    as_json, human = cli.all(("import", path, "--by", LEADER, "--json"),
                             ("import", path, "--by", LEADER))
    assert as_json.code == 2
    assert as_json.json() == {"rows": 2, "imported": 0, "problems": [
        {"row": 2, "column": "团队人才层次", "reason": "团队人才层次须为 1–5 的整数，收到“7”"},
        {"row": 3, "column": "项目名称", "reason": "缺少字段：项目名称"}]}
    assert as_json.err.strip() == "错误 台账未导入：2 行中发现 2 个问题，未写入任何内容"
    assert human.code == 2
    assert "团队人才层次须为 1–5 的整数" in human.out and "缺少字段：项目名称" in human.out
    assert history_count(engine) == (0, 0)


def test_a_ledger_repeating_a_credit_code_is_a_conflict_that_allow_duplicate_overrides(
        cli: Cli, engine: Engine, people: dict[str, str], tmp_path: Path) -> None:
    # CLI.md: a credit code another project holds, at import too: exit 5 unless
    # --allow-duplicate; the refusal says so (an export of two such projects needs it too)
    header = f"{HEADER},注册日期,公司名称,统一社会信用代码,注册地址\n"
    row = ("{name},科技成果转化类,alice@park.test,2026-11-02,2026-11-05,张三、李四,资金、空间,"
           "4,4,4,3,2026-11-10,{name}公司,91340100MA2N00001Q,合肥\n")
    path = ledger_file(tmp_path, [header, row.format(name="甲"), row.format(name="乙")])
    refused = cli("import", path, "--by", LEADER, "--dry-run", "--json")
    assert refused.code == 5
    assert refused.json()["problems"] == [{"row": 3, "column": "统一社会信用代码", "reason":
                                           "统一社会信用代码：“91340100MA2N00001Q”与第 2 行重复"}]
    assert refused.err.strip() == (  # the other project is on a row of the file, not in the library
        "错误 台账未导入：2 行中有 1 行与文件中前面的行或已有项目同名或统一社会信用代码相同，"
        "未写入任何内容。如确为不同项目，请加 --allow-duplicate 重新导入")
    allowed = cli("import", path, "--by", LEADER, "--allow-duplicate", "--json")
    assert (allowed.code, allowed.json()["imported"]) == (0, 2)


def test_a_row_entered_twice_is_refused_even_with_allow_duplicate(
        cli: Cli, engine: Engine, people: dict[str, str], tmp_path: Path) -> None:
    # the same project twice in one file is a slip of the keeper, not two projects: the
    # summary says the repeat is in the file and offers no --allow-duplicate, which would
    # have entered two identical projects
    path = ledger_file(tmp_path, [GOOD[0], GOOD[2], GOOD[1], GOOD[2]])
    refused, allowed = cli.all(("import", path, "--by", LEADER, "--json"),
                               ("import", path, "--by", LEADER, "--allow-duplicate"))
    assert refused.code == 2
    assert refused.json()["problems"] == [{"row": 4, "column": "项目名称", "reason":
                                           "与第 2 行完全相同：同一项目录入了两次，请删去其中一行"}]
    assert refused.err.strip() == (
        "错误 台账未导入：3 行中有 1 行与文件中前面的行完全相同（同一项目录入了两次），"
        "未写入任何内容。请删去重复的行后重新导入")
    assert allowed.code == 2 and "--allow-duplicate" not in allowed.err
    assert "与第 2 行完全相同" in allowed.out
    assert history_count(engine) == (0, 0)


def test_only_leaders_and_admins_import(cli: Cli, people: dict[str, str],
                                       tmp_path: Path) -> None:
    path = ledger_file(tmp_path, GOOD)
    member, stranger = cli.all(("import", path, "--by", ALICE, "--json"),
                               ("import", path, "--by", "nobody@park.test", "--json"))
    assert_error(member, 3, "not_permitted", "by")
    assert "无权执行“导入台账”（仅限：分管领导、管理员）" in member.err
    assert_error(stranger, 3, "not_permitted", "by")


def test_an_unreadable_file_is_refused_naming_it(cli: Cli, people: dict[str, str],
                                                tmp_path: Path) -> None:
    broken = tmp_path / "台账.xlsx"
    broken.write_bytes(b"not a workbook")
    results = cli.all(("import", str(broken), "--by", LEADER, "--json"),
                      ("import", str(tmp_path / "none.csv"), "--by", LEADER, "--json"))
    for result in results:
        assert_error(result, 2, "invalid", "file")


def test_why_a_file_cannot_be_read_or_written_is_said_in_the_readers_words(
        cli: Cli, engine: Engine, people: dict[str, str], tmp_path: Path) -> None:
    # the system's and calamine's English (“Cannot detect file format”, “No such file or
    # directory”) never reaches the reader: the catalogue words the cause, naming the file
    (tmp_path / "空.xlsx").write_bytes(b"")
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    folder = tmp_path / "无此目录"
    empty, broken, missing, export, report = cli.all(
        ("import", str(tmp_path / "空.xlsx"), "--by", LEADER),
        ("import", str(tmp_path / "坏.xlsx"), "--by", LEADER),
        ("import", str(tmp_path / "无此文件.csv"), "--by", LEADER),
        ("export", str(folder / "台账.xlsx")),
        ("report", "monthly", "--month", "2026-10", "--xlsx", str(folder / "月报.xlsx")))
    assert empty.err == "错误 文件“空.xlsx”无法读取：文件为空（0 字节）\n"
    assert broken.err == "错误 文件“坏.xlsx”无法读取：不是 Excel 工作簿（.xlsx），或文件已损坏\n"
    assert missing.err == f"错误 文件“{tmp_path / '无此文件.csv'}”无法读取：文件不存在\n"
    for result, name in ((export, "台账.xlsx"), (report, "月报.xlsx")):
        assert result.code == 2
        assert result.err == f"错误 文件“{folder / name}”无法写入：所在文件夹不存在\n"
    english = cli("export", str(folder / "ledger.csv"), env={"PARKFLOW_LANG": "en"})
    assert english.err == (f"error File “{folder / 'ledger.csv'}” cannot be written: its folder "
                           "does not exist\n")
