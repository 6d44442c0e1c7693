"""`GET /healthz` for monitoring: the process answers and the database too."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from db.engine import reading
from web.deps import AppDep

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(app: AppDep) -> JSONResponse:
    try:
        with reading(app.engine) as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # report, never raise: this is what monitoring reads
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__},
                            status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "time": app.park.now().isoformat()})
