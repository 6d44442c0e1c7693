"""What a refusal must leave alone: the watched tables, the outbox rows."""


from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from db.engine import reading, writing
from db.models import (
    OutboxMessage,
    columns,
)
from workflow.errors import WorkflowError

with warnings.catch_warnings():  # starlette's TestClient warns that httpx will be replaced
    warnings.simplefilter("ignore")




# ---------------------------------------------------------------- refusals change nothing

WATCHED = ("projects", "project_events", "approvals", "approval_events", "space_listings",
           "space_requests", "outbox")


def fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a refusal could touch, in id order."""
    with reading(engine) as session:
        return {name: [tuple(row) for row in session.execute(
            select(SQLModel.metadata.tables[name]).order_by(text("id")))]
            for name in WATCHED}


def refused(engine: Engine, kind: type[WorkflowError], field: str | None,
            action: Callable[..., object], *args: Any, **kwargs: Any) -> WorkflowError:
    """Run `action(session, *args, **kwargs)` in a write transaction; it must fail with
    `kind` on `field` and leave every table exactly as it was."""
    before = fingerprint(engine)
    with pytest.raises(kind) as caught, writing(engine) as session:
        action(session, *args, **kwargs)
    assert caught.value.field == field, caught.value
    assert fingerprint(engine) == before
    return caught.value


def outbox_rows(engine: Engine, *, kind: str | None = None, project_id: int | None = None,
                status: str | None = None) -> list[OutboxMessage]:
    """The outbox, in id order, filtered by what is given."""
    o = columns(OutboxMessage)
    query = select(OutboxMessage).order_by(o.id)
    if kind is not None:
        query = query.where(o.kind == kind)
    if project_id is not None:
        query = query.where(o.project_id == project_id)
    if status is not None:
        query = query.where(o.status == status)
    with reading(engine) as session:
        return list(session.execute(query).scalars())


