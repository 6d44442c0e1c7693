"""A project's own record (states/lifecycle.yaml `project_fields`) and its edits.

The record is set at intake (`add_project(record=…)`) and kept on the project's row (the
JSON column `record`) and in the intake's history entry. An edit changes some of its fields,
or the project's name, by whoever may fire the project's events; it is one history entry
`edit` whose fields are the changes, each {"from": old, "to": new} (shown “旧 → 新”), written
with the row in one compare-and-set UPDATE, like an event. A new name another project holds
is refused (exit 5) unless `allow_duplicate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from db.models import Project, ProjectEvent, User, columns
from db.prepared import Prepared
from workflow.access import check_may_act
from workflow.duplicates import check_codes, check_name, codes_in, uscc_fields
from workflow.errors import Conflict, NotFound, ValidationError
from workflow.fields import validate_record
from workflow.park import Park
from workflow.projects import NAME_LIMIT, load_snapshot, record_history, user_id
from workflow.search import search_keys
from workflow.users import require_actor

EDIT = "edit"  # the history entry of an edit
_P, _E = columns(Project), columns(ProjectEvent)
_SAVE_RECORD = (
    update(Project.__table__)  # type: ignore[attr-defined]
    .where(_P.id == bindparam("b_id"), _P.version == bindparam("b_version"))
    .values(record=bindparam("n_record", type_=_P.record.type),
            version=bindparam("b_version") + 1))


_RECORD = Prepared(select(_P.record).where(_P.id == bindparam("project_id")))


def project_record(session: Session, project_id: int) -> dict[str, Any]:
    """A project's record as it stands (NotFound for an unknown project)."""
    row = _RECORD.first(session, {"project_id": project_id})
    if row is None:
        raise NotFound("project_not_found", field="id", value=project_id)
    return dict(row[0] or {})


def edit_project(session: Session, park: Park, *, project_id: int, actor: str | User,
                 fields: Mapping[str, Any], allow_duplicate: bool = False) -> dict[str, Any]:
    """Change some of a project's record fields (or its name); the changes, as recorded."""
    before = load_snapshot(session, project_id)
    actor_user = require_actor(session, actor)
    check_may_act(park.lifecycle.default_roles, before, actor_user, EDIT)
    wanted = dict(fields)
    new_name = wanted.pop("name", None)
    clean = validate_record(park.lifecycle.project_fields, wanted, partial=True)
    record = project_record(session, project_id)
    changes: dict[str, Any] = {name: {"from": record.get(name), "to": value}
                               for name, value in clean.items() if record.get(name) != value}
    if new_name is not None:
        name = _name(str(new_name))
        if name != before.name:
            check_name(session, name, allow=allow_duplicate, except_id=project_id)
            changes["name"] = {"from": before.name, "to": name}
    if not changes:
        raise ValidationError("no_change", field="set")
    check_codes(session, {k: v["to"] for k, v in
                          codes_in(changes, park.lifecycle.project_fields).items()},
                project_id=project_id, allow=allow_duplicate)
    record.update({k: v["to"] for k, v in changes.items() if k != "name"})
    record = {k: v for k, v in record.items() if v is not None}
    saved = session.connection().execute(_SAVE_RECORD, {
        "b_id": project_id, "b_version": before.version, "n_record": record})
    if saved.rowcount != 1:
        raise Conflict("concurrent_change", field="version", project=project_id)
    if "name" in changes:
        _rename(session, park, project_id, changes["name"]["to"])
    now = park.now()
    record_history(session, project_id=project_id, event=EDIT, from_state=before.state,
                   to_state=before.state, actor_id=user_id(actor_user),
                   occurred_at=max(now, before.last_event_at), recorded_at=now,
                   fields=changes)
    return changes


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise ValidationError("empty", field="name")
    if len(name) > NAME_LIMIT:
        raise ValidationError("too_long", field="name", limit=NAME_LIMIT, length=len(name))
    return name


def _rename(session: Session, park: Park, project_id: int, name: str) -> None:
    """The new name, with its search keys (the latest registration's company and code)."""
    company: Mapping[str, Any] = {}
    events = sorted(uscc_fields(park.lifecycle)) or ["register"]
    row = session.connection().execute(
        select(_E.fields).where(_E.project_id == project_id, _E.event.in_(events))
        .order_by(_E.id.desc()).limit(1)).first()
    if row is not None:
        company = row.fields or {}
    keys = search_keys(name, company.get("company_name"), company.get("uscc"))
    session.connection().execute(update(Project.__table__)  # type: ignore[attr-defined]
                                 .where(_P.id == project_id).values(name=name, **keys.values()))
