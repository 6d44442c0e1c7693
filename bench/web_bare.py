"""The baseline server of the web benchmark: a bare Starlette app, no parkflow.

`python -m bench.web_bare --db PATH --page PATH --actor ID --port N` serves it with uvicorn
configured as `parkflow serve` configures it (one process, the default event loop and HTTP
parser, log level info with the access log, no server header), so the difference between
the two sides is parkflow's own work:

- `GET /page`: a static HTML page of the board's size (the bytes of a board page the run
  fetched from parkflow), from memory — the floor of serving that page over HTTP;
- `POST /events/{id}`: the database write of firing `visit` (or another lifecycle event) as
  the raw side of `python -m bench` does it: BEGIN IMMEDIATE, SELECT the whole row, INSERT the
  history row with the event's fields as JSON, compare-and-set UPDATE of every mutable column
  `WHERE id = ? AND version = ?`, COMMIT; on a sqlite3 connection per worker thread with the
  product's pragmas (WAL, synchronous=FULL, foreign_keys, busy_timeout=5000). It runs in the
  thread pool, as FastAPI runs parkflow's `def` endpoints. Nothing else: no authentication,
  validation, deadline calendar, observers or response model;
- `GET /healthz`: for the start-up wait.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import PARK_TZ, connect_raw, sa_datetime
from bench.engine import DEST, SOURCE, clean_fields

_INSERT = ("INSERT INTO project_events (project_id, event, from_state, to_state, actor_id, "
           "occurred_at, recorded_at, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_SCORES = ("team", "technology", "capital", "market")
# Columns an event never changes; the compare-and-set UPDATE writes all the others.
_FIXED = ("id", "name", "category", "owner_id", "group", "created_at")


class Refused(Exception):
    """The project is not where the event starts, or changed under us."""


class Writer:
    """The raw write of one event, on a connection per thread (sqlite3 objects stay in the
    thread that made them)."""

    def __init__(self, path: Path, actor_id: int) -> None:
        self.path, self.actor_id = path, actor_id
        self.fields = clean_fields()
        self._local = threading.local()
        conn = connect_raw(path)
        try:
            names = [row[1] for row in conn.execute("PRAGMA table_info(projects)")
                     if row[1] != "created_at"]
        finally:
            conn.close()
        self.col = {name: i for i, name in enumerate(names)}
        self.mutable = [name for name in names if name not in _FIXED]
        self.select = f"SELECT {', '.join(_quote(n) for n in names)} FROM projects WHERE id = ?"
        self.update = (f"UPDATE projects SET {', '.join(f'{_quote(n)} = ?' for n in self.mutable)}"
                       " WHERE id = ? AND version = ?")

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_raw(self.path)
        return conn

    def fire(self, project_id: int, event: str) -> dict[str, Any]:
        if event not in SOURCE:
            raise Refused(f"unknown event {event}")
        execute, col = self.conn().execute, self.col
        now = datetime.now(UTC)
        execute("BEGIN IMMEDIATE")
        try:
            row = execute(self.select, (project_id,)).fetchone()
            if row is None or row[col["state"]] != SOURCE[event]:
                raise Refused(f"project {project_id} is not in {SOURCE[event]}")
            values = self.fields[event]
            milestones = json.loads(row[col["milestones"]])
            milestones[event] = now.astimezone(PARK_TZ).date().isoformat()
            stars = row[col["stars"]]
            if event == "visit":
                total = sum(values[name] for name in _SCORES)
                stars = 3 if total >= 16 else 2 if total >= 13 else 1 if total >= 10 else 0
            occurred = sa_datetime(now)
            history_id = execute(_INSERT, (project_id, event, SOURCE[event], DEST[event],
                                           self.actor_id, occurred, occurred,
                                           json.dumps(values))).lastrowid
            version = row[col["version"]]
            new = {"state": DEST[event], "stars": stars, "milestones": json.dumps(milestones),
                   "adjustments": "[]", "exited_from": None,
                   "due_at": sa_datetime(now + timedelta(days=30)) if event != "open" else None,
                   "stage_entry_id": history_id, "last_event_at": occurred,
                   "version": version + 1}
            changed = execute(self.update, (*(new[n] if n in new else row[col[n]]
                                              for n in self.mutable),
                                            project_id, version)).rowcount
            if changed != 1:
                raise Refused(f"project {project_id} changed concurrently")
            execute("COMMIT")
        except BaseException:
            execute("ROLLBACK")
            raise
        return {"id": project_id, "state": DEST[event], "stars": stars, "version": version + 1}


def _quote(name: str) -> str:
    return f'"{name}"'


def create_bare(db: Path, page: bytes, actor_id: int) -> Any:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    writer = Writer(db, actor_id)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def static_page(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    async def fire(request: Request) -> Response:
        body = await request.json()
        try:
            result = await run_in_threadpool(writer.fire, int(request.path_params["id"]),
                                             str(body.get("event", "")))
        except Refused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(result)

    return Starlette(routes=[Route("/healthz", healthz), Route("/page", static_page),
                             Route("/events/{id:int}", fire, methods=["POST"])])


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.web_bare", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--page", type=Path, required=True)
    parser.add_argument("--actor", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    app = create_bare(args.db, args.page.read_bytes(), args.actor)
    # as parkflow/cli/serve.py serves parkflow
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info", server_header=False)


if __name__ == "__main__":
    main()
