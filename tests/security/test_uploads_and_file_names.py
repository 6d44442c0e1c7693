"""Oversized uploads and hostile file names.

Uploads: the limit comes from the settings (PARKFLOW_UPLOAD_MAX_BYTES); a file above it is
refused with 413 and the catalogue's message, while its body streams in (a declared length
before a byte is read; a chunked body once it passes the limit), and nothing is written.

File names: downloads are named by the server alone (RFC 6266: a plain ASCII fallback and the
UTF-8 `filename*`), so no path reaches a Content-Disposition; an uploaded file's name is only
shown, never used as a path; addresses that try to climb out (`..`, encoded slashes, NUL) find
nothing; the command writes exactly the file it is given and refuses, exit 2 naming the file,
what it cannot write.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi import FastAPI

from parkflow.settings import Settings
from parkflow.wiring import web_app, web_settings
from tests.factories import SQLITE_ONLY
from tests.support.abuse import table_counts
from tests.support.command import Cli, assert_error
from tests.support.serving import serving
from tests.support.web import SECRET, Web, csrf, login
from web.config import WebSettings
from web.routes.ledger import MAX_LEDGER_BYTES
from web.uploads import FORM_ROOM

# SQLite only: the limit and the names do not depend on the backend
LIMIT = 100_000  # 0.1 MB: a small limit keeps the uploads of these tests small
LEDGER = ("项目名称,类别,负责人,入库日期\n合肥芯片,alumni,李爱丽,2026-11-16\n").encode("utf-8-sig")


@pytest.fixture
def small(web: Web) -> FastAPI:
    """The workspace of `web` with an upload limit of LIMIT bytes."""
    return web_app(web.app, WebSettings(secret_key=SECRET, secret_from_env=True,
                                        upload_max_bytes=LIMIT))


def leader_of(web: Web, asgi: FastAPI) -> Any:
    from starlette.testclient import TestClient
    client = TestClient(asgi, raise_server_exceptions=True, follow_redirects=False)
    login(client, web.people["leader"])
    return client


def upload(client: Any, data: bytes, name: str = "台账.csv", **headers: str) -> Any:
    return client.post("/import", headers={"HX-Request": "true", **headers},
                       files={"file": (name, data, "text/csv")},
                       data={"csrf_token": csrf(client, "/import"), "_form": "form-import"})


# ---------------------------------------------------------------- the limit

def test_the_limit_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKFLOW_UPLOAD_MAX_BYTES", "250000")
    assert web_settings(Settings.from_env()).upload_max_bytes == 250_000
    monkeypatch.setenv("PARKFLOW_UPLOAD_MAX_BYTES", "0")
    with pytest.raises(ValueError, match="PARKFLOW_UPLOAD_MAX_BYTES"):
        Settings.from_env()
    monkeypatch.delenv("PARKFLOW_UPLOAD_MAX_BYTES")
    assert Settings.from_env().upload_max_bytes == MAX_LEDGER_BYTES == \
        WebSettings().upload_max_bytes


@SQLITE_ONLY
def test_the_page_says_the_limit_of_the_settings(web: Web, small: FastAPI) -> None:
    assert "至多 0.1 MB" in leader_of(web, small).get("/import").text


@SQLITE_ONLY
@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT + FORM_ROOM + 1, 20 * LIMIT])
def test_a_file_above_the_limit_is_413_with_the_catalogues_message_and_nothing_written(
        web: Web, small: FastAPI, size: int) -> None:
    leader = leader_of(web, small)
    before = table_counts(web.app.engine)
    body = LEDGER + b"x" * (size - len(LEDGER))
    # htmx names the form it sent: the message goes to its error slot even when the body
    # was refused before the form could be read
    response = upload(leader, body, **{"HX-Trigger": "form-import"})
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#form-import-error"
    assert "上传的文件超过 0.1 MB 的上限。" in response.text
    assert table_counts(web.app.engine) == before


@SQLITE_ONLY
def test_a_file_at_the_limit_is_checked(web: Web, small: FastAPI) -> None:
    leader = leader_of(web, small)
    padded = LEDGER + b"\n" * (LIMIT - len(LEDGER))
    response = upload(leader, padded)
    assert response.status_code == 200, response.text
    assert "全部 1 行均可导入" in response.text


@SQLITE_ONLY
def test_an_api_body_above_the_limit_is_413_in_the_api_shape(web: Web, small: FastAPI) -> None:
    from starlette.testclient import TestClient
    client = TestClient(small, raise_server_exceptions=True)
    token = web.token("alice")
    before = table_counts(web.app.engine)
    response = client.post("/api/v1/projects", headers={**token,
                                                        "Content-Type": "application/json"},
                           content=b'{"name": "' + b"x" * (LIMIT + FORM_ROOM) + b'"}')
    assert response.status_code == 413
    assert response.json() == {"error": {"kind": "too_large", "field": "body",
                                         "message": "请求内容超过 0.1 MB 的上限。"}}
    assert table_counts(web.app.engine) == before


@SQLITE_ONLY
def test_a_chunked_body_is_cut_off_as_it_streams_in(small: FastAPI) -> None:
    """No Content-Length: the body is counted as it arrives and refused once past the
    limit; the rest is never asked for."""
    chunk = b"x" * 10_000
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}  # never ends

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/v1/projects", "raw_path": b"",
             "query_string": b"", "root_path": "", "server": ("testserver", 80),
             "client": ("127.0.0.1", 1234),
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"transfer-encoding", b"chunked")]}
    asyncio.run(small(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled * len(chunk) <= LIMIT + FORM_ROOM + len(chunk)


@pytest.fixture
def served(small: FastAPI) -> Iterator[int]:
    """The small-limit workspace served by a real uvicorn on a free loopback port."""
    with serving(small) as port:
        yield port


@SQLITE_ONLY
def test_a_declared_length_above_the_limit_is_refused_before_the_body_is_sent(
        web: Web, served: int) -> None:
    """A real server: the headers announce 50 MB, no byte of the body follows, and the
    answer is 413 all the same."""
    before = table_counts(web.app.engine)
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        conn.sendall(b"POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                     b"Content-Length: 50000000\r\n\r\n")
        answer = conn.recv(65536).decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413 "), answer[:200]
    assert table_counts(web.app.engine) == before


# ---------------------------------------------------------------- names

def disposition_names(header: str) -> tuple[str, str]:
    """The ASCII `filename` and the decoded UTF-8 `filename*` of a Content-Disposition."""
    plain = re.fullmatch(r'attachment; filename="([ -~]*)"; filename\*=UTF-8\'\'([^;\s]+)',
                         header)
    assert plain, header
    return plain.group(1), unquote(plain.group(2), errors="strict")


@SQLITE_ONLY
@pytest.mark.parametrize("path", ["/ledger.xlsx", "/ledger.csv"])
def test_a_download_is_named_by_the_server_in_the_rfc_6266_form(web: Web, path: str) -> None:
    response = web.signed_in("leader").get(path)
    assert response.status_code == 200
    ascii_name, name = disposition_names(response.headers["content-disposition"])
    for shown in (ascii_name, name):
        assert not re.search(r'[/\\"\x00-\x1f]|\.\.', shown), shown
    assert name == f"台账-2026-11-20.{path.rsplit('.', 1)[1]}"


@SQLITE_ONLY
@pytest.mark.parametrize("path", [
    "/ledger..%2F..%2Fetc%2Fpasswd", "/ledger.csv%00.html", "/ledger.%2e%2e%2fx",
    "/reports/monthly/..%2F..%2Fetc%2Fpasswd.xlsx", "/reports/monthly/2026-10%00.xlsx",
    "/reports/monthly/2026-10%22%3B%20filename%3Dx.xlsx", "/reports/..%2F..%2Fetc/2026-10.xlsx",
    "/static/..%2F..%2Fparkflow%2Fsettings.py", "/static/%2e%2e/app.py",
])
def test_an_address_that_climbs_out_finds_nothing(web: Web, path: str) -> None:
    response = web.signed_in("leader").get(path)
    # not found, or a path parameter refused by its pattern
    assert response.status_code in (404, 422), (path, response.status_code)
    assert "attachment" not in response.headers.get("content-disposition", "")


@SQLITE_ONLY
@pytest.mark.parametrize("name", ["../../etc/x.csv", "..\\..\\windows\\x.csv", "/etc/passwd.csv",
                                  "C:\\temp\\x.csv", "a\x00b.csv", '"; filename="evil.csv',
                                  "<img src=x onerror=alert(1)>.csv"])
def test_an_uploaded_files_name_is_never_a_path(web: Web, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                name: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    leader = web.signed_in("leader")
    before = table_counts(web.app.engine)
    response = leader.post("/import", headers={"HX-Request": "true"},
                           files={"file": (name, LEDGER, "text/csv")},
                           data={"csrf_token": csrf(leader, "/import"), "_form": "form-import",
                                 "action": "import", "digest": "0" * 64})
    assert response.status_code in (200, 422), response.text
    assert "<img src=x" not in response.text  # shown, if at all, as text
    assert "content-disposition" not in response.headers
    assert table_counts(web.app.engine) == before
    # nothing written where the name points, here or above
    assert list(work.iterdir()) == [] and list(work.parent.iterdir()) == [work]


# ---------------------------------------------------------------- the command

@SQLITE_ONLY
@pytest.mark.parametrize("args", [
    ("report", "weekly", "--json", "--html", "no-such-folder/x.html"),
    ("report", "weekly", "--json", "--xlsx", "no-such-folder/x.xlsx"),
    ("report", "weekly", "--json", "--html", "."),
    ("report", "weekly", "--json", "--xlsx", "."),
    ("export", "no-such-folder/x.xlsx"),
    ("export", "."),
    ("export", "../x.exe"),
])
def test_the_command_refuses_a_file_it_cannot_write_naming_it(
        cli: Cli, people: dict[str, str], args: tuple[str, ...]) -> None:
    before = sorted(p.name for p in cli.cwd.parent.iterdir())
    result = cli(*args)
    assert result.code == 2, result
    assert "文件" in result.err and len(result.err.strip().splitlines()) == 1, result.err
    if "--json" in args:
        assert_error(result, 2, "invalid", "file")
    assert sorted(p.name for p in cli.cwd.parent.iterdir()) == before


@SQLITE_ONLY
def test_the_command_writes_exactly_the_file_it_is_given(cli: Cli, people: dict[str, str]
                                                         ) -> None:
    (cli.cwd / "out").mkdir()
    result = cli("export", "out/../台账.csv")
    assert result.code == 0, result
    assert (cli.cwd / "台账.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert list((cli.cwd / "out").iterdir()) == []
