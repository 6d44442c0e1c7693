"""A read (`db.engine.reading`) on both databases: it sees what was committed before it, runs
its prepared and ORM statements on one connection (on SQLite, in one snapshot) and gives that
connection back however the block ends. And a row made from read values (`db.models.loaded`),
as the API's token check makes its caller's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, func, inspect, select
from sqlalchemy.orm import Session as OrmSession

from db.engine import reading, writing
from db.models import User, columns, loaded
from db.prepared import Prepared, driver
from tests.factories import NOW
from workflow.park import Park
from workflow.users import add_user

_U = columns(User)
_PEOPLE = Prepared(select(func.count()).select_from(User))
_EMAIL = Prepared(select(_U.email).where(_U.id == bindparam("user_id")))


def _checked_out(engine: Engine) -> int:
    return engine.pool.checkedout()  # type: ignore[attr-defined]


def _add(engine: Engine, park: Park, email: str) -> int:
    with writing(engine) as session:
        user = add_user(session, park.lifecycle, email=email, name="甲", role="leader", now=NOW)
        assert user.id is not None
        return user.id


def test_a_read_sees_what_was_committed_before_it_and_gives_its_connection_back(
        engine: Engine, park: Park) -> None:
    user_id = _add(engine, park, "jia@example.cn")
    held = _checked_out(engine)  # SQLite: the group committer keeps one for the next write

    with reading(engine) as session:
        assert _EMAIL.first(session, {"user_id": user_id}) == ("jia@example.cn",)
        assert _checked_out(engine) == held + 1

    assert _checked_out(engine) == held


def test_a_read_that_fails_gives_its_connection_back(engine: Engine,
                                                      park: Park) -> None:
    _add(engine, park, "jia@example.cn")
    held = _checked_out(engine)

    with pytest.raises(LookupError), reading(engine) as session:
        session.execute(select(User)).scalars().all()  # the ORM's transaction begun too
        raise LookupError

    assert _checked_out(engine) == held


def test_prepared_and_orm_statements_of_a_read_share_one_connection(
        engine: Engine, park: Park) -> None:
    _add(engine, park, "jia@example.cn")

    with reading(engine) as session:
        before = _PEOPLE.first(session, {})
        _add(engine, park, "yi@example.cn")  # committed while the read is open
        orm = session.execute(select(func.count()).select_from(User)).scalar_one()
        same = session.connection().connection.driver_connection is driver(session)[1]

    assert same
    assert before == (1,)
    # SQLite: one snapshot for the whole read; PostgreSQL (READ COMMITTED, no transaction):
    # each statement sees what was committed before it
    assert orm == (1 if engine.dialect.name == "sqlite" else 2)


def test_a_row_made_from_read_values_is_the_row_its_constructor_makes() -> None:
    values: dict[str, Any] = {"id": 7, "email": "jia@example.cn", "name": "甲", "role": "member",
              "group": "g1", "is_group_lead": False, "lang": "zh-CN", "password_hash": None,
              "created_at": NOW, "deactivated_at": NOW + timedelta(days=1)}

    row = loaded(User, values)

    assert row.model_dump() == User(**values).model_dump() == values
    assert (row.id, row.email, row.active) == (7, "jia@example.cn", False)
    assert OrmSession.object_session(row) is None
    assert inspect(row).transient
