"""The ledger (台账) page of leaders and admins: download it, bring an existing one in.

Bringing one in takes two steps. The upload is checked as a dry run and the report shown
(rows, every problem with its row, column and reason); importing sends the same file again
with the digest of the one checked, and the server checks it once more as it writes. Nothing
is kept between the two steps: with the page's script the chosen file stays in its field;
without it the browser asks for the file again. A different file is only checked, not
imported. Files above the upload limit (the settings' upload_max_bytes, MAX_LEDGER_BYTES by
default) are refused with 413 as they stream in (web/uploads.py), before they are read.
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from db.engine import writing
from i18n import N_, ngettext
from reports.ledger import build_ledger, export_ledger
from reports.ledger_import import ImportResult, digest_of, import_ledger
from web.deps import AppDep, CurrentUser, SessionDep, WebSettingsDep
from web.inputs import allowed_duplicate
from web.rendering import after_post, fragment, page
from web.uploads import TooLarge
from workflow.errors import ValidationError
from workflow.labels import Labels
from workflow.project_import import require_importer

router = APIRouter()

MAX_LEDGER_BYTES = 5_000_000  # the default upload limit (WebSettings): some 50,000 rows
REPORT_ID = "import-report"
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


@router.get("/import")
def import_page(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    require_importer(session, viewer.email)
    return _page(request, None)


def _page(request: Request, report: ImportResult | None) -> Response:
    request.state.nav = "import"
    limit = request.app.state.web_settings.upload_max_bytes
    return page(request, "import.html", {"report": report, "limit_mb": f"{limit / 10**6:g}"})


@router.post("/import")
async def import_upload(
    request: Request, app: AppDep, viewer: CurrentUser, file: UploadFile,
    settings: WebSettingsDep,
    action: Annotated[str, Form(max_length=10)] = "check",
    digest: Annotated[str, Form(max_length=64)] = "",
    allow_duplicate: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Check the file (a dry run), or import it when confirmed with the digest checked (its
    projects of names or credit codes the library holds already only with the box ticked)."""
    limit = settings.upload_max_bytes
    data = await file.read(limit + 1)
    name = file.filename or ""
    if len(data) > limit:
        raise TooLarge(limit, "file")
    if not data:
        raise ValidationError("file_size", field="file", value=name, limit=limit // 1000)
    confirmed = action == "import" and digest == digest_of(data)

    def run() -> ImportResult:
        with writing(app.engine) as session:
            return import_ledger(session, app.park, data=data, filename=name,
                                 actor=viewer.email, lang=viewer.lang, dry_run=not confirmed,
                                 allow_duplicate=allowed_duplicate({"allow_duplicate":
                                                                    allow_duplicate}))
    report = await run_in_threadpool(run)
    if confirmed and not report.refused:
        return after_post(request, "/board", ngettext(
            viewer.lang, "%(num)d project imported", "%(num)d projects imported",
            report.imported))
    if request.headers.get("HX-Request") != "true":  # without the script: the whole page
        return _page(request, report)
    return fragment(request, "_import_report.html", {"report": report},
                    headers={"HX-Retarget": f"#{REPORT_ID}", "HX-Reswap": "innerHTML"})


@router.get("/ledger.{fmt}")
def download(app: AppDep, session: SessionDep, viewer: CurrentUser,
             fmt: Annotated[str, Path(pattern="^(xlsx|csv)$")]) -> Response:
    """Today's ledger, in the viewer's language: also what an import reads."""
    require_importer(session, viewer.email, action="export")
    labels = Labels.of(app.park, viewer.lang)
    ledger = build_ledger(session, app.park, labels)
    buffer = io.BytesIO()
    export_ledger(buffer, fmt, ledger, labels)
    filename = f"{labels.text(N_('Ledger'))}-{ledger.as_of.isoformat()}.{fmt}"
    return Response(buffer.getvalue(), media_type=MEDIA[fmt], headers={
        "Content-Disposition": _attachment(filename)})


def _attachment(filename: str) -> str:
    """A download's name, Chinese included (RFC 6266: an ASCII fallback, then UTF-8)."""
    from urllib.parse import quote
    ascii_name = filename.encode("ascii", "ignore").decode() or "ledger"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
