"""`parkflow backup`, `restore` and `check` from the command line (CLI.md, Operations):
exit codes, one line on stderr, the check's human lines with names and labels, its JSON
with ids.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, update

from db.engine import writing
from db.models import Project, columns
from tests.factories import SQLITE_ONLY, bring_to, new_project
from tests.support.command import Cli
from workflow.park import Park

_P = columns(Project)


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_check_passes_a_consistent_database_and_exits_0(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    bring_to(engine, live, people, "registered")
    human = cli("check")
    assert human.code == 0, human
    assert "数据库一致" in human.out and "1 个项目" in human.out
    assert cli("check", "--json").json() == {"ok": True, "projects": 1, "problems": []}


def test_check_lists_every_inconsistency_by_name_and_exits_1(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str]) -> None:
    first = bring_to(engine, live, people, "registered")
    second = new_project(engine, live, people["bob"])
    with writing(engine) as session:  # planted behind the engine's back
        session.execute(update(Project).where(_P.id == first).values(state="signed"))
        session.execute(update(Project).where(_P.id == second).values(version=7))
    human = cli("check")
    assert human.code == 1, human
    lines = human.out.splitlines()
    assert any(line.startswith(f"#{first} 量子精密测量：") and "已签约" in line
               and "signed" not in line for line in lines), human.out
    assert any(line.startswith(f"#{second} ") and "版本号为 7" in line for line in lines)
    assert "不一致" in lines[-1]
    found = cli("check", "--json")
    assert found.code == 1
    body = found.json()
    assert body["ok"] is False and body["projects"] == 2
    assert {(p["project"], p["kind"]) for p in body["problems"]} >= {
        (first, "state_mismatch"), (second, "version_mismatch")}
    english = cli("check", "--json", env={"PARKFLOW_LANG": "en"}).json()
    assert any("history ends in" in p["message"] for p in english["problems"])


@SQLITE_ONLY
def test_backup_refuses_an_existing_file_and_restore_a_database_in_use(
        cli: Cli, engine: Engine, live: Park, people: dict[str, str], tmp_path: Path) -> None:
    new_project(engine, live, people["alice"])
    target = tmp_path / "backups" / "parkflow.db"
    target.parent.mkdir()
    made = cli("backup", str(target))
    assert made.code == 0 and str(target) in made.out, made
    again = cli("backup", str(target))
    assert again.code == 5 and str(target) in one_line(again.err), again
    refused = cli("restore", str(target))
    assert refused.code == 5, refused
    assert "已有数据" in one_line(refused.err)

    fresh = tmp_path / "fresh.db"
    restored = cli("restore", str(target), env={"PARKFLOW_DATABASE_URL": f"sqlite:///{fresh}"})
    assert restored.code == 0, restored
    in_fresh = {"PARKFLOW_DATABASE_URL": f"sqlite:///{fresh}"}
    assert cli("check", env=in_fresh).code == 0
    assert cli("project", "list", "--json", env=in_fresh).json() == \
        cli("project", "list", "--json").json()


def test_a_backup_without_the_postgresql_tools_names_the_missing_one(
        cli: Cli, engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        missing = cli("restore", str(tmp_path / "nothing.db"))  # SQLite: no such file
        assert missing.code == 2 and "nothing.db" in one_line(missing.err)
        return
    done = cli("backup", str(tmp_path / "x.dump"), env={"PATH": str(tmp_path)})
    assert done.code == 2, done
    assert "pg_dump" in one_line(done.err)
    assert not (tmp_path / "x.dump").exists()
