"""The ledger page: leaders and admins download the ledger, check a file and import it."""

from __future__ import annotations

import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from db.engine import reading
from db.models import Project
from tests.factories import SQLITE_ONLY
from tests.support.web import Web, csrf
from web.routes.ledger import MAX_LEDGER_BYTES

pytestmark = SQLITE_ONLY  # pages do not depend on the backend (the import runs on both)

LEDGER = ("项目名称,类别,负责人,入库日期,走访日期,走访人员,项目需求,团队人才层次,技术先进性,"
          "资本市场认可度,市场前景\n"
          "量子精密测量,科技成果转化类,alice@park.test,2026-11-02,2026-11-05,张三、李四,资金、空间,"
          "4,4,4,3\n"
          "合肥芯片,alumni,李爱丽,2026-11-16,,,,,,,\n").encode("utf-8-sig")
BROKEN = LEDGER.replace(b",4,4,4,3", b",7,4,4,3")


def upload(client: Any, data: bytes, *, name: str = "台账.csv", htmx: bool = True,
           **fields: str) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/import", headers=headers, files={"file": (name, data, "text/csv")},
                       data={"csrf_token": csrf(client, "/import"), "_form": "form-import",
                             **fields})


def project_count(web: Web) -> int:
    with reading(web.app.engine) as session:
        return int(session.execute(select(func.count()).select_from(Project)).scalar_one())


def test_leaders_and_admins_find_the_ledger_page_and_members_do_not(web: Web) -> None:
    for who in ("leader", "admin"):
        client = web.signed_in(who)
        assert 'href="/import"' in client.get("/board").text
        html = client.get("/import").text
        assert 'action="/import"' in html and 'name="file"' in html and "至多 5 MB" in html
    member = web.signed_in("alice")
    assert 'href="/import"' not in member.get("/board").text
    assert member.get("/import").status_code == 403
    assert member.get("/ledger.xlsx").status_code == 403


def test_a_member_refused_the_ledger_download_is_told_so_by_name(web: Web) -> None:
    # she was downloading, and was told she might not “import a ledger”, by her email
    client = web.signed_in("alice")
    response = client.get("/ledger.xlsx")
    assert response.status_code == 403
    message = re.search(r'<p class="lead">(.*?)</p>', response.text, re.S)
    assert message is not None
    assert message.group(1) == "李爱丽 无权执行“导出台账”（仅限：分管领导、管理员）"
    refused_import = re.search(r'<p class="lead">(.*?)</p>', client.get("/import").text, re.S)
    assert refused_import is not None
    assert refused_import.group(1) == "李爱丽 无权执行“导入台账”（仅限：分管领导、管理员）"


def test_a_checked_file_shows_its_report_and_imports_nothing(web: Web) -> None:
    response = upload(web.signed_in("leader"), LEDGER)
    assert response.status_code == 200, response.text
    assert response.headers["HX-Retarget"] == "#import-report"
    assert "全部 2 行均可导入" in response.text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})" form="form-import"', response.text)
    assert digest is not None
    assert 'form="form-import" name="action" value="import"' in response.text
    assert project_count(web) == 0


def test_every_problem_is_listed_with_row_column_and_reason(web: Web) -> None:
    html = upload(web.signed_in("admin"), BROKEN, htmx=False).text  # the whole page
    assert "2 行中发现 1 个问题：全部改正之前不能导入。" in html
    assert re.search(r'<td class="num" data-label="行">2</td><td data-label="列">团队人才层次</td>'
                     r'<td data-label="问题">团队人才层次须为 1–5 的整数，收到“7”</td>', html)
    assert 'value="import"' not in html
    assert project_count(web) == 0


def test_confirming_with_the_checked_file_imports_it(web: Web) -> None:
    leader = web.signed_in("leader")
    checked = upload(leader, LEDGER).text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', checked)
    assert digest is not None
    response = upload(leader, LEDGER, action="import", digest=digest.group(1))
    assert response.status_code == 200, response.text
    assert response.headers["HX-Redirect"] == "/board"
    assert project_count(web) == 2
    assert "已导入 2 个项目" in leader.get("/board").text


def test_projects_already_in_the_library_are_imported_only_once_confirmed(web: Web) -> None:
    leader = web.signed_in("leader")

    def checked_digest() -> str:
        found = re.search(r'name="digest" value="([0-9a-f]{64})"', upload(leader, LEDGER).text)
        assert found is not None
        return found.group(1)
    upload(leader, LEDGER, action="import", digest=checked_digest())
    report = upload(leader, LEDGER).text
    assert "已在项目库中" in report and 'name="allow_duplicate"' in report
    # what the panel says agrees with what the box does: confirming imports them
    assert "全部改正之前不能导入" not in report
    assert "确认确为不同项目之后才会导入" in report
    refused = upload(leader, LEDGER, action="import", digest=checked_digest())
    assert "HX-Redirect" not in refused.headers and project_count(web) == 2
    allowed = upload(leader, LEDGER, action="import", digest=checked_digest(),
                     allow_duplicate="1")
    assert allowed.headers["HX-Redirect"] == "/board" and project_count(web) == 4


def test_a_file_with_other_problems_offers_no_confirmation(web: Web) -> None:
    html = upload(web.signed_in("leader"), BROKEN).text
    assert 'name="allow_duplicate"' not in html and 'value="import"' not in html
    assert "全部改正之前不能导入" in html


def test_another_file_than_the_one_checked_is_only_checked(web: Web) -> None:
    leader = web.signed_in("leader")
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', upload(leader, LEDGER).text)
    assert digest is not None
    other = LEDGER.replace("合肥芯片".encode(), "合肥芯片二期".encode())
    response = upload(leader, other, action="import", digest=digest.group(1))
    assert "HX-Redirect" not in response.headers and "全部 2 行均可导入" in response.text
    assert project_count(web) == 0


def test_a_file_above_the_limit_is_refused_in_the_form(web: Web) -> None:
    leader = web.signed_in("leader")
    response = upload(leader, b"x" * (MAX_LEDGER_BYTES + 1), name="大台账.csv")
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#form-import-error"
    assert "上传的文件超过 5 MB 的上限。" in response.text
    assert project_count(web) == 0


def test_a_member_may_not_upload(web: Web) -> None:
    member = web.signed_in("alice")
    response = upload(member, LEDGER, htmx=False)
    assert response.status_code == 403
    assert project_count(web) == 0


def test_the_ledger_downloads_as_a_workbook(web: Web, tmp_path: Any) -> None:
    web.project("量子精密测量", intake="2026-11-16")
    response = web.signed_in("leader").get("/ledger.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6-2026-11-20.xlsx" in \
        response.headers["content-disposition"]
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[2]][:3] == [1, "量子精密测量", "科技成果转化类"]


def test_an_imported_history_reads_as_imported_on_the_project_page(web: Web) -> None:
    leader = web.signed_in("leader")
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', upload(leader, LEDGER).text)
    assert digest is not None
    upload(leader, LEDGER, action="import", digest=digest.group(1))
    html = leader.get("/projects/1").text
    assert html.count("<dt>由台账导入</dt><dd class=\"typed\">是</dd>") == 2  # intake, visit
    assert "imported" not in html
    facts = html[html.index('id="h-facts"'):html.index('id="h-timeline"')]
    assert "由台账导入" not in facts  # a mark of the history, not a fact of the project
