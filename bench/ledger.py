"""The import of a 10,000-row ledger (.xlsx), its time split into reading, checking, writing.

    python -m bench.ledger [--rows N] [--json]

The ledger is made here (one project in six at each stage, a few exited), written by the
export's own writer; the park is a fresh SQLite database with four members and an admin.
The baseline is the floor of the same run: inserting the same projects and history rows with
raw sqlite3 `executemany` in one transaction (no rule checked, no reminder planned).
Aim: the whole import under 15 s.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sqlite3
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Row, as_json, busy_warning, load_average, table
from db.engine import make_engine, writing
from db.migrate import upgrade
from parkflow.wiring import make_park
from reports.ledger_import import import_ledger
from reports.present import ColumnKind
from reports.spreadsheet import Table, read_table, write_table
from workflow.calendar_store import seed_calendar
from workflow.clock import FixedClock
from workflow.fields import uscc_check_char
from workflow.park import Park
from workflow.users import add_user

NOW_TEXT = "2026-11-20T10:00:00+08:00"
OWNERS = ["li@park.bench", "zhang@park.bench", "liu@park.bench", "wu@park.bench"]
HEADER = ["项目名称", "类别", "负责人", "入库日期", "走访日期", "走访人员", "项目需求",
          "团队人才层次", "技术先进性", "资本市场认可度", "市场前景", "注册日期", "公司名称",
          "统一社会信用代码", "注册地址", "签约日期", "协议编号", "开业日期", "经营场所",
          "退库日期", "退库原因", "说明"]
AIM_SECONDS = 15.0


def ledger_rows(count: int) -> list[list[Any]]:
    """`count` projects of 2025–2026, each as far along as its draw says."""
    draw = random.Random(9)
    rows = []
    for n in range(count):
        day = date(2025, 1, 1) + timedelta(days=draw.randrange(0, 600))
        stage = n % 6
        cells: list[Any] = [f"项目{n:05d}", draw.choice(["科技成果转化类", "alumni", "platform"]),
                            draw.choice(OWNERS), day]

        def step() -> date:
            nonlocal day
            day += timedelta(days=draw.randrange(1, 20))
            return day
        events: list[Any] = [None] * 18
        if stage >= 1:
            events[0:7] = [step(), "王建国、李娜", "资金、空间",
                           *(draw.randrange(1, 6) for _ in range(4))]
        if stage >= 2:
            first17 = f"91340100{n:09d}"
            events[7:11] = [step(), f"合肥项目{n}科技有限公司", first17 + uscc_check_char(first17),
                            "合肥市高新区"]
        if stage >= 3:
            events[11:13] = [step(), f"HT-{n}"]
        if stage >= 4:
            events[13:15] = [step(), "中安创谷 B2 栋"]
        if stage == 5 and n % 12 == 5:
            events[15:18] = [step(), "迁往他处", "迁往他市"]
        rows.append(cells + events)
    return rows


def fresh_park(path: Path) -> tuple[Any, Park]:
    """An empty park on a SQLite file, wired as the command wires it (reminders planned)."""
    now = datetime.fromisoformat(NOW_TEXT)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    park = make_park(clock=FixedClock(now))
    with writing(engine) as session:
        seed_calendar(session, park, now=now)
        for email in OWNERS:
            add_user(session, park.lifecycle, email=email, name=email.split("@")[0],
                     role="member", group="project", now=now)
        add_user(session, park.lifecycle, email="admin@park.bench", name="admin", role="admin",
                 now=now)
    return engine, park


def raw_floor(path: Path, rows: list[list[Any]]) -> float:
    """The same projects and one history row per date, by raw sqlite3 in one transaction."""
    connection = sqlite3.connect(path, isolation_level=None)
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO projects (name, category, state, owner_id, stars, milestones, adjustments,"
        " version, last_event_at, created_at) VALUES (?, ?, 'intake', 1, 0, '{}', '[]', 1, ?, ?)",
        [(r[0], "alumni", str(r[3]), NOW_TEXT) for r in rows])
    connection.executemany(
        "INSERT INTO project_events (project_id, event, to_state, actor_id, occurred_at,"
        " recorded_at, fields) VALUES (?, 'intake', 'intake', 1, ?, ?, '{}')",
        [(n + 1, str(r[3]), NOW_TEXT) for n, r in enumerate(rows)
         for _ in [d for d in (r[3], r[4], r[11], r[15], r[17], r[19]) if d]])
    connection.execute("ROLLBACK")
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = ledger_rows(args.rows)
    buffer = io.BytesIO()
    kinds: list[ColumnKind] = ["date" if name.endswith("日期") else "text" for name in HEADER]
    write_table(buffer, Table("台账", HEADER, rows, kinds), "xlsx")
    data = buffer.getvalue()
    loads = [load_average()]
    with tempfile.TemporaryDirectory() as folder:
        engine, park = fresh_park(Path(folder) / "bench.db")
        started = time.perf_counter()
        read_table(data, "xlsx")
        reading = time.perf_counter() - started
        stamps: dict[str, float] = {}

        def mark(stage: str, _done: int, _total: int) -> None:
            stamps[stage] = time.perf_counter()  # the last news of each stage: its end
        started, cpu = time.perf_counter(), time.process_time()
        with writing(engine) as session:
            result = import_ledger(session, park, data=data, filename="台账.xlsx",
                                   actor="admin@park.bench", lang="zh-CN", progress=mark)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        loads.append(load_average())
        engine.dispose()
        floor = raw_floor(Path(folder) / "bench.db", rows)
    assert result.imported == args.rows, result.problems[:5]
    checked = stamps.get("check", started) - started  # reading the file, then every cell
    checking = checked - reading + (stamps.get("rules", 0.0) - stamps.get("check", 0.0))
    writing_s = total - reading - checking
    figures = {"rows": args.rows, "bytes": len(data), "total_s": round(total, 3),
               "reading_s": round(reading, 3), "checking_s": round(checking, 3),
               "writing_s": round(writing_s, 3), "cpu_s": round(cpu, 3),
               "raw_insert_s": round(floor, 3)}
    out = [Row(f"import of a {args.rows:,}-row .xlsx", f"{total:.2f} s", f"{floor:.2f} s",
               f"{total / floor:.1f}×" if floor else "—", f"< {AIM_SECONDS:.0f} s",
               total < AIM_SECONDS, figures),
           Row("  reading (python-calamine)", f"{reading:.2f} s", "—", "—", "—", None, {}),
           Row("  checking (every cell, then the engine's rules)", f"{checking:.2f} s", "—", "—",
               "—", None, {}),
           Row("  writing (batches; reminders ahead)", f"{writing_s:.2f} s", "—", "—", "—",
               None, {}),
           Row("  CPU time of the import (this process)", f"{cpu:.2f} s", "—", "—", "—", None,
               {})]
    if args.json:
        print(as_json(out, figures))
    else:
        print(table(out, busy_warning(loads, os.cpu_count())))


if __name__ == "__main__":
    main()
