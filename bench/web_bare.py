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

`--pg-url URL` in place of `--db`: the same write on a PostgreSQL database (PgWriter);
`--workers N`: N uvicorn worker processes, as `parkflow serve --workers N` runs them.
"""

from __future__ import annotations

import argparse
import json
import os
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


class PgWriter:
    """The same write on PostgreSQL (psycopg, a connection per thread, statements prepared
    by the driver as parkflow's are): BEGIN, SELECT the row, INSERT the history row
    RETURNING its id, compare-and-set UPDATE, COMMIT — bench.events_pg's raw side."""

    def __init__(self, database_url: str, actor_id: int) -> None:
        import psycopg
        self.url, self.actor_id = database_url, actor_id
        self.fields = clean_fields()
        self._local = threading.local()
        with psycopg.connect(database_url) as conn:
            names = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'projects' AND column_name <> 'created_at' ORDER BY ordinal_position")]
        self.col = {name: i for i, name in enumerate(names)}
        self.mutable = [name for name in names if name not in _FIXED]
        self.select = f"SELECT {', '.join(_quote(n) for n in names)} FROM projects WHERE id = %s"
        self.update = (f"UPDATE projects SET "
                       f"{', '.join(f'{_quote(n)} = %s' for n in self.mutable)}"
                       " WHERE id = %s AND version = %s")
        self.insert = _INSERT.replace("?", "%s") + " RETURNING id"

    def conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            import psycopg
            conn = self._local.conn = psycopg.connect(self.url, prepare_threshold=0)
        return conn

    def fire(self, project_id: int, event: str) -> dict[str, Any]:
        from psycopg.types.json import Jsonb
        if event not in SOURCE:
            raise Refused(f"unknown event {event}")
        conn, col = self.conn(), self.col
        now = datetime.now(UTC)
        try:
            with conn.cursor() as cur:
                row = cur.execute(self.select, (project_id,)).fetchone()
                if row is None or row[col["state"]] != SOURCE[event]:
                    raise Refused(f"project {project_id} is not in {SOURCE[event]}")
                values = self.fields[event]
                milestones = dict(row[col["milestones"]] or {})
                milestones[event] = now.astimezone(PARK_TZ).date().isoformat()
                stars = row[col["stars"]]
                if event == "visit":
                    total = sum(values[name] for name in _SCORES)
                    stars = 3 if total >= 16 else 2 if total >= 13 else 1 if total >= 10 else 0
                inserted = cur.execute(self.insert, (project_id, event, SOURCE[event],
                                                     DEST[event], self.actor_id, now, now,
                                                     Jsonb(dict(values)))).fetchone()
                version = row[col["version"]]
                new = {"state": DEST[event], "stars": stars, "milestones": Jsonb(milestones),
                       "adjustments": Jsonb([]), "exited_from": None,
                       "due_at": now + timedelta(days=30) if event != "open" else None,
                       "stage_entry_id": inserted[0] if inserted else None,
                       "last_event_at": now, "version": version + 1}
                old = [Jsonb(v) if isinstance(v, dict | list) else v for v in row]
                cur.execute(self.update, (*(new[n] if n in new else old[col[n]]
                                            for n in self.mutable), project_id, version))
                if cur.rowcount != 1:
                    raise Refused(f"project {project_id} changed concurrently")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return {"id": project_id, "state": DEST[event], "stars": stars, "version": version + 1}


def _quote(name: str) -> str:
    return f'"{name}"'


def create_bare(db: Path | str, page: bytes, actor_id: int) -> Any:
    """The bare app on the SQLite file `db`, or on the PostgreSQL database at URL `db`."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    writer: Writer | PgWriter = (PgWriter(db, actor_id) if isinstance(db, str)
                                 else Writer(db, actor_id))

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


_ARGS_ENV = "PARKFLOW_BENCH_BARE_ARGS"  # the arguments, for each of several workers


def app_from_env() -> Any:
    """The bare app of one worker (uvicorn --workers: a factory each worker calls)."""
    args = json.loads(os.environ[_ARGS_ENV])
    return create_bare(args["pg_url"] or Path(args["db"]), Path(args["page"]).read_bytes(),
                       args["actor"])


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.web_bare", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="a SQLite file")
    source.add_argument("--pg-url", help="a PostgreSQL database")
    parser.add_argument("--page", type=Path, required=True)
    parser.add_argument("--actor", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    # as parkflow/cli/serve.py serves parkflow (several workers: each builds its app)
    if args.workers > 1:
        os.environ[_ARGS_ENV] = json.dumps({"db": str(args.db) if args.db else None,
                                            "pg_url": args.pg_url, "page": str(args.page),
                                            "actor": args.actor})
        uvicorn.run("bench.web_bare:app_from_env", factory=True, workers=args.workers,
                    host="127.0.0.1", port=args.port, log_level="info", server_header=False)
        return
    app = create_bare(args.pg_url or args.db, args.page.read_bytes(), args.actor)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info", server_header=False)


if __name__ == "__main__":
    main()
