"""One project per name, one per credit code: what refuses a second one (exit 5, Conflict).

A name counts as the same whatever its case and spacing (“量子精密测量 仪器” is “量子精密测量仪器”);
a credit code is held by the project whose latest registration carries it (its `uscc`). Each
check names the project that holds the name or the code: “已存在同名项目 #12 量子精密测量仪器”.
`allow` (`--allow-duplicate`, the web form's confirmation) lets a second one in on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from db.models import Project, columns
from db.prepared import Prepared
from states.definition import FieldDef, Lifecycle
from workflow.errors import Conflict
from workflow.search import normalise

_P = columns(Project)


def same_name(session: Session, name: str, *, except_id: int | None = None
              ) -> tuple[int, str] | None:
    """The first project (by number) whose name is `name`, spacing and case aside."""
    wanted = normalise(name)
    # the search text starts with the normalised name: a prefix narrows the rows to compare
    query = select(_P.id, _P.name).where(_P.search_text.startswith(wanted, autoescape=True))
    if except_id is not None:
        query = query.where(_P.id != except_id)
    for row in session.connection().execute(query.order_by(_P.id)):
        if normalise(row.name) == wanted:
            return row.id, row.name
    return None


def uscc_fields(lifecycle: Lifecycle) -> dict[str, set[str]]:
    """The fields of type uscc, by the event that sets them (`register`)."""
    found: dict[str, set[str]] = {}
    for event in lifecycle.events.values():
        names = {name for name, spec in event.fields.items() if spec.type == "uscc"}
        if names:
            found[event.name] = names
    return found


def uscc_holder(session: Session, code: str, *,
                except_id: int | None = None) -> tuple[int, str] | None:
    """The first project (by number) whose latest registration carries `code`."""
    row = _USCC_HOLDER.first(session, {"code": code, "except_id": except_id or 0})
    return (int(row[0]), str(row[1])) if row is not None else None


# checked on every registration: compiled once (ids start at 1: 0 excepts nobody)
_USCC_HOLDER = Prepared(select(_P.id, _P.name)
                        .where(_P.uscc == bindparam("code"), _P.id != bindparam("except_id"))
                        .order_by(_P.id).limit(1))


def check_name(session: Session, name: str, *, allow: bool = False,
               except_id: int | None = None) -> None:
    """Refuse a second project of the same name (Conflict, naming the first) unless `allow`."""
    if allow:
        return
    held = same_name(session, name, except_id=except_id)
    if held is not None:
        raise Conflict("duplicate_name", field="name", value=name, project=held[0],
                       name=held[1])


def check_codes(session: Session, codes: Mapping[str, Any], *,
                project_id: int | None = None, allow: bool = False) -> None:
    """Refuse a credit code another project holds (Conflict, naming it) unless `allow`;
    `codes`: the fields of type uscc being set, by name."""
    if allow:
        return
    for name, code in codes.items():
        if not code:
            continue
        held = uscc_holder(session, str(code), except_id=project_id)
        if held is not None:
            raise Conflict("duplicate_uscc", field=name, value=code, project=held[0],
                           name=held[1])


def codes_in(fields: Mapping[str, Any], specs: Mapping[str, FieldDef]) -> dict[str, Any]:
    """The values of the fields of type uscc among `fields`."""
    return {name: value for name, value in fields.items()
            if name in specs and specs[name].type == "uscc"}
