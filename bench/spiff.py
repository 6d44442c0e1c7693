"""The baseline of the lifecycle on SpiffWorkflow: the same five steps, persisted per step.

A BPMN process of one user task per step after the intake (visit → registration → signing
→ opening), with the same form fields as the engine's events. Each project's workflow is
started and stored at intake; then, for each event of the same plan the engine fires
(bench.engine.Plan: block by block, visit on each, then register, sign, open), one step
does what a web request on SpiffWorkflow does: read the workflow's JSON from SQLite,
deserialize it, complete the ready task with the fields, run the engine steps, serialize,
and write it back with a history row, one commit per step — on a database with the same
pragmas as the engine's (WAL, synchronous=FULL, foreign keys, busy timeout, BEGIN
IMMEDIATE). Spiff's own serializer and parser; no validation or deadlines (the engine does
more per event).
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench.common import connect_raw, sa_datetime
from bench.engine import SECOND, Plan, clean_fields

STEPS = (("visit", "visited"), ("register", "registered"), ("sign", "signed"),
         ("open", "opened"))


def _bpmn() -> str:
    """The process: start → one user task per event → end."""
    ids = ["start", *(event for event, _ in STEPS), "end"]
    tasks = "".join(f'<bpmn:userTask id="{event}" name="{state}"/>' for event, state in STEPS)
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(pairwise(ids)))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'id="defs" targetNamespace="http://bpmn.io/schema/bpmn">'
            '<bpmn:process id="lifecycle" isExecutable="true">'
            f'<bpmn:startEvent id="start"/>{tasks}<bpmn:endEvent id="end"/>{flows}'
            '</bpmn:process></bpmn:definitions>')


_SCHEMA = ("CREATE TABLE IF NOT EXISTS spiff_workflows (id INTEGER PRIMARY KEY, "
           "state TEXT NOT NULL, workflow TEXT NOT NULL, updated_at TEXT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS spiff_history (id INTEGER PRIMARY KEY, "
           "workflow_id INTEGER NOT NULL REFERENCES spiff_workflows(id), event TEXT NOT NULL,"
           " fields TEXT NOT NULL, occurred_at TEXT NOT NULL)")


class SpiffSide:
    """Fires plan steps through SpiffWorkflow with per-step persistence (see the module)."""

    def __init__(self, path: Path, plan: Plan) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

        self.plan = plan
        self.now = plan.start
        self.conn = connect_raw(path)
        for statement in _SCHEMA:
            self.conn.execute(statement)
        parser = BpmnParser()
        parser.add_bpmn_str(_bpmn().encode())
        self.spec = parser.get_spec("lifecycle")
        self.serializer = BpmnWorkflowSerializer()
        self.fields = clean_fields()
        self._workflow = BpmnWorkflow
        self._intake(sorted({pid for pid, _ in plan.steps}))

    def _intake(self, project_ids: list[int]) -> None:
        """Start and store each project's workflow (its intake), outside the timing."""
        self.conn.execute("BEGIN IMMEDIATE")
        for pid in project_ids:
            workflow = self._workflow(self.spec)
            workflow.do_engine_steps()
            self.conn.execute("INSERT INTO spiff_workflows VALUES (?, ?, ?, ?)",
                              (pid, "intake", self.serializer.serialize_json(workflow),
                               sa_datetime(self.now)))
        self.conn.execute("COMMIT")

    def step(self, project_id: int, event: str, now: datetime,
             conn: sqlite3.Connection | None = None) -> None:
        """One step, on `conn` (a thread's own) or the side's connection."""
        from SpiffWorkflow.util.task import TaskState

        execute = (conn or self.conn).execute
        execute("BEGIN IMMEDIATE")
        stored = execute("SELECT workflow FROM spiff_workflows WHERE id = ?",
                         (project_id,)).fetchone()
        workflow = self.serializer.deserialize_json(stored[0])
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if len(ready) != 1 or ready[0].task_spec.name != event:
            raise RuntimeError(f"spiff: project {project_id} not ready for {event}")
        task = ready[0]
        task.data.update(self.fields[event])
        task.run()
        workflow.do_engine_steps()
        occurred = sa_datetime(now)
        execute("INSERT INTO spiff_history (workflow_id, event, fields, occurred_at) "
                "VALUES (?, ?, ?, ?)", (project_id, event, json.dumps(self.fields[event]),
                                        occurred))
        execute("UPDATE spiff_workflows SET state = ?, workflow = ?, updated_at = ? "
                "WHERE id = ?", (task.task_spec.bpmn_name, self.serializer.serialize_json(
                    workflow), occurred, project_id))
        execute("COMMIT")

    def run(self, start: int, stop: int, latencies: list[float]) -> float:
        perf = time.perf_counter_ns
        began = perf()
        for project_id, event in self.plan.steps[start:stop]:
            self.now += SECOND
            t0 = perf()
            self.step(project_id, event, self.now)
            latencies.append((perf() - t0) / 1e6)
        return (perf() - began) / 1e9

    def outcome(self) -> dict[str, Any]:
        """Projects per state and history rows: checked against the engine's."""
        states = dict(self.conn.execute(
            "SELECT state, count(*) FROM spiff_workflows GROUP BY state").fetchall())
        history = self.conn.execute("SELECT count(*) FROM spiff_history").fetchone()[0]
        return {"history": history, "states": states}

    def close(self) -> None:
        self.conn.close()
