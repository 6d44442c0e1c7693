"""A write unit (`db.engine.writing`) on both databases, when it runs prepared statements only
(the API's event: its session never begins a transaction of its own): durable when the block
returns, nothing of it kept when the block fails, and its connection given back either way
(SQLite's group committer keeps one for the next write, every time the same)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, bindparam, select, update

from db.engine import reading, writing
from db.models import User, columns
from db.prepared import Prepared
from tests.factories import NOW
from workflow.park import Park
from workflow.users import add_user

_U = columns(User)
_RENAME = Prepared(update(User.__table__).where(_U.id == bindparam("user_id"))  # type: ignore[attr-defined]
                   .values(name=bindparam("name")))
_NAME = Prepared(select(_U.name).where(_U.id == bindparam("user_id")))


@pytest.fixture
def user_id(engine: Engine, park: Park) -> int:
    with writing(engine) as session:
        user = add_user(session, park.lifecycle, email="jia@example.cn", name="甲",
                        role="leader", now=NOW)
        assert user.id is not None
        return user.id


def _name(engine: Engine, user_id: int) -> str:
    with reading(engine) as session:
        row = _NAME.first(session, {"user_id": user_id})
    assert row is not None
    return str(row[0])


def test_a_unit_of_prepared_statements_is_durable_when_it_returns(engine: Engine,
                                                                  user_id: int) -> None:
    held = engine.pool.checkedout()  # type: ignore[attr-defined]

    with writing(engine) as session:
        assert _RENAME.rowcount(session, {"user_id": user_id, "name": "乙"}) == 1

    assert _name(engine, user_id) == "乙"
    assert engine.pool.checkedout() == held  # type: ignore[attr-defined]


def test_a_failed_unit_of_prepared_statements_keeps_nothing(engine: Engine,
                                                            user_id: int) -> None:
    held = engine.pool.checkedout()  # type: ignore[attr-defined]

    with pytest.raises(LookupError), writing(engine) as session:
        _RENAME.rowcount(session, {"user_id": user_id, "name": "乙"})
        raise LookupError

    assert _name(engine, user_id) == "甲"
    assert engine.pool.checkedout() == held  # type: ignore[attr-defined]


def test_a_unit_that_only_adds_an_object_writes_it(engine: Engine) -> None:
    # added, never flushed: the unit's end must flush and commit it, not drop it
    with writing(engine) as session:
        session.add(User(email="yi@example.cn", name="乙", role="member", created_at=NOW))

    with reading(engine) as session:
        names = session.execute(select(_U.name).where(_U.email == "yi@example.cn")).all()
    assert names == [("乙",)]
