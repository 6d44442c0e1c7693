"""What people read instead of ids: every id of the definition and the engine, by its label.

States, events, fields, choices, categories, groups and milestones are labelled by the
definition (states/lifecycle.yaml, states/approval.yaml); the engine's own ids (roles,
statuses, outbox kinds, history entries that are not lifecycle events, input fields that
belong to no event) by the catalogue. Text a person reads shows these labels, never the ids;
`--json` and the API keep the ids.

    labels = Labels.of(park, "zh-CN")
    labels.state("intake")                      已入库·待走访
    labels.field("market")                      市场前景
    labels.fields_line("visit", {"needs": ["funding", "space"]})     项目需求 资金、空间
    labels.outbox_status("pending")             待发送
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from i18n import LANGS, N_, gettext, normalise
from i18n.formats import format_list
from states.approval import ApprovalPolicy, load_approval_policy
from states.definition import EventDef, Lifecycle, load_lifecycle, pick
from states.definition import Labels as LabelText
from workflow.calendar import holiday_name

if TYPE_CHECKING:
    from workflow.park import Park

# people's roles (users) and the roles of an event (who may fire it)
ROLES = {"owner": N_("owner"), "group": N_("group member"), "leader": N_("leader"),
         "admin": N_("admin"), "member": N_("member"), "requester": N_("requester"),
         "system": N_("parkflow itself")}
OUTBOX_STATUSES = {"pending": N_("to be sent"), "sent": N_("sent"), "failed": N_("failed"),
                   "skipped": N_("skipped"), "cancelled": N_("cancelled")}
OUTBOX_KINDS = {
    "reminder": N_("reminder"), "warning": N_("early warning"), "digest": N_("weekly digest"),
    "inquiry": N_("follow-up inquiry"), "agenda": N_("meeting agenda"),
    "approval_requested": N_("approval request"), "approval_decided": N_("approval decision"),
    "approval_returned": N_("approval returned"), "listing_offered": N_("listing offered"),
    "calendar_missing": N_("holiday arrangement missing"),
    "monthly_report": N_("monthly report"), "quarterly_report": N_("quarterly report"),
    "relocation_warning": N_("relocation warning"), "indicators_request": N_("figures request"),
}
DEADLINE_STATUSES = {"on_time": N_("on time"), "due_soon": N_("due soon"),
                     "overdue": N_("overdue"), None: N_("no deadline")}
LISTING_STATUSES = {"available": N_("available"), "reserved": N_("reserved"),
                    "leased": N_("leased")}
REQUEST_STATUSES = {"open": N_("open for matching"), "pending": N_("awaiting approval"),
                    "approved": N_("approved"), "rejected": N_("rejected"),
                    "withdrawn": N_("withdrawn"), "offered": N_("listing offered")}


def in_every_language(table: Mapping[str, str]) -> dict[str, list[str]]:
    """A catalogued table's labels in each language: what a person may type for each key."""
    return {key: [gettext(lang, msgid) for lang in LANGS] for key, msgid in table.items()}


# history entries that are not lifecycle events, and what else a person may be refused
ACTIONS = {"intake": N_("Intake"), "follow_up": N_("Follow-up"),
           "extension": N_("Deadline extended"), "suspend": N_("Suspended"),
           "resume": N_("Resumed"), "recalculated": N_("Deadline recalculated"),
           "edit": N_("Edit"), "submit": N_("Submit"), "space": N_("Space request"),
           "offer": N_("Offer a listing"), "listing": N_("Add a listing"),
           "import": N_("Import a ledger"), "export": N_("Download the ledger"),
           "reassign": N_("Reassigned"),
           "relocation_ack": N_("Relocation warning acknowledged")}
# input fields that belong to no event of the definition
FIELDS = {
    "note": N_("note"), "days": N_("days"), "reason": N_("reason"),
    "approval_id": N_("approval"), "paused_days": N_("days paused"), "by": N_("acting person"),
    "email": N_("email"), "name": N_("name"), "role": N_("role"), "group": N_("group"),
    "lang": N_("language"), "password": N_("password"),
    "current_password": N_("current password"), "id": N_("number"), "file": N_("file"),
    "event": N_("event"), "at": N_("Date it happened"), "intake_date": N_("intake date"),
    "needed_by": N_("needed by"), "type": N_("type"), "area": N_("area"),
    "min_area": N_("minimum area"), "carrier": N_("carrier"), "building": N_("building"),
    "unit": N_("unit"), "listing": N_("listing"), "listing_id": N_("listing"),
    "request": N_("space request"), "project": N_("project"), "decision": N_("decision"),
    "version": N_("version"), "owner": N_("owner"), "category": N_("category"),
    "comment": N_("comment"), "from_due_at": N_("previous deadline"),
    "to_due_at": N_("new deadline"), "state": N_("state"), "status": N_("status"),
    "until": N_("until"), "set": N_("field"), "format": N_("format"),
    "calendar_years": N_("holiday arrangements"), "source": N_("source"),
    "database": N_("database"), "now": N_("current time"), "month": N_("month"),
    "quarter": N_("quarter"), "search": N_("search"),
    "from": N_("previous owner"), "to": N_("new owner"),
    "week": N_("week"), "as_of": N_("as of"), "imported": N_("imported from a ledger"),
    "warning": N_("early warning"), "year": N_("year"), "project_id": N_("project"),
    # the API's query parameters and body
    "overdue": N_("overdue only"), "pending": N_("pending only"), "mine": N_("mine only"),
    "fields": N_("event fields"),
}
# the inputs of the actions that are not lifecycle events, as their forms label them: the
# form and an error about the input take the label from here (`field(name, action)`)
ACTION_FIELDS = {
    "follow_up": {"note": N_("What was learnt"), "at": N_("Date")},
    "extension": {"days": N_("Extra calendar days"), "reason": N_("Reason")},
    "suspend": {"reason": N_("Reason")},
    "space": {"type": N_("Type"), "area": N_("Area (m²)"), "needed_by": N_("Needed by"),
              "carrier": N_("Preferred carrier"), "note": N_("Note")},
    # entering a project into the library (the record's own fields are the definition's)
    "intake": {"name": N_("Project name"), "category": N_("Category"),
               "owner": N_("Responsible owner"), "intake_date": N_("Intake date")},
    # the admin's form that adds a person
    "user": {"email": N_("Email address"), "name": N_("Name"), "role": N_("Role"),
             "group": N_("Group"), "lang": N_("Language"), "password": N_("First password")},
}
# the history entries whose fields are the project's record (`project_fields`), and the
# `event` of a record field's errors
RECORD_ENTRIES = ("record", "intake", "edit")
# each language by its own name, as the language switch shows it
LANGUAGES = {"zh-CN": "简体中文", "en": "English"}


class Labels:
    """The labels of one language, from a park's definitions and the catalogue."""

    def __init__(self, lifecycle: Lifecycle, approvals: ApprovalPolicy, lang: str) -> None:
        self.lifecycle, self.approvals, self.lang = lifecycle, approvals, normalise(lang)

    @classmethod
    def of(cls, park: Park, lang: str) -> Labels:
        return cls(park.lifecycle, park.approvals, lang)

    @classmethod
    def default(cls, lang: str) -> Labels:
        """From the packaged definitions (for a message rendered without a park at hand)."""
        lifecycle, approvals = _packaged()
        return cls(lifecycle, approvals, lang)

    def text(self, msgid: str, **params: Any) -> str:
        return gettext(self.lang, msgid, **params)

    def pick(self, labels: LabelText) -> str:
        return pick(labels, self.lang)

    def _catalogued(self, table: Mapping[Any, str], key: Any) -> str:
        return gettext(self.lang, table[key]) if key in table else str(key)

    def list(self, items: Iterable[object], *, alternatives: bool = False) -> str:
        return format_list(items, self.lang, style="or" if alternatives else "standard")

    # ------------------------------------------------------------ the definition

    def state(self, name: str | None) -> str:
        if name is None:
            return "∅"
        spec = self.lifecycle.states.get(name)
        return self.pick(spec.label) if spec else self.approval_state(name)

    def stage(self, name: str) -> str:
        """What a stage waits for ("面对面走访"), else its label."""
        spec = self.lifecycle.states.get(name)
        if spec and spec.waiting_for:
            return self.pick(spec.waiting_for)
        return self.state(name)

    def waiting_for(self, name: str) -> str:
        spec = self.lifecycle.states.get(name)
        return self.pick(spec.waiting_for) if spec and spec.waiting_for else ""

    def event(self, name: str) -> str:
        spec = self.lifecycle.events.get(name)
        if spec:
            return self.pick(spec.label)
        if name in ACTIONS:
            return gettext(self.lang, ACTIONS[name])
        decision = self.approvals.lifecycle.events.get(name)
        return self.pick(decision.label) if decision else name

    def category(self, name: str) -> str:
        labels = self.lifecycle.categories.get(name)
        return self.pick(labels) if labels else name

    def group(self, name: str | None) -> str:
        labels = self.lifecycle.groups.get(name or "")
        return self.pick(labels) if labels else "—"

    def milestone(self, name: str) -> str:
        labels = self.lifecycle.milestones.get(name)
        return self.pick(labels) if labels else name

    def approval_kind(self, kind: str) -> str:
        labels = self.approvals.kinds.get(kind)
        return self.pick(labels) if labels else kind

    def approval_state(self, state: str) -> str:
        spec = self.approvals.lifecycle.states.get(state)
        return self.pick(spec.label) if spec else state

    def decision(self, event: str) -> str:
        spec = self.approvals.lifecycle.events.get(event)
        return self.pick(spec.label) if spec else event

    def decided(self, event: str) -> str:
        """What a step of an approval's route did, as its outcome (Rejected), not the button's
        imperative (Reject)."""
        spec = self.approvals.lifecycle.events.get(event)
        if spec and spec.dest in self.approvals.lifecycle.states:
            return self.approval_state(spec.dest)
        return self.decision(event)

    def space_type(self, name: str) -> str:
        labels = self.approvals.space_types.get(name)
        return self.pick(labels) if labels else name

    # ------------------------------------------------------------ the engine's own ids

    def role(self, role: str) -> str:
        return self._catalogued(ROLES, role)

    def roles(self, roles: Iterable[str]) -> str:
        return self.list((self.role(r) for r in roles), alternatives=True)

    def outbox_status(self, status: str) -> str:
        return self._catalogued(OUTBOX_STATUSES, status)

    def outbox_kind(self, kind: str) -> str:
        return self._catalogued(OUTBOX_KINDS, kind)

    def status(self, status: str | None) -> str:
        """A deadline's status: on time, due soon, overdue, or no deadline."""
        return gettext(self.lang, DEADLINE_STATUSES.get(status, DEADLINE_STATUSES[None]))

    def listing_status(self, status: str) -> str:
        return self._catalogued(LISTING_STATUSES, status)

    def request_status(self, status: str) -> str:
        return self._catalogued(REQUEST_STATUSES, status)

    def language(self, lang: str) -> str:
        return LANGUAGES.get(lang, lang)

    def holiday(self, name: str) -> str:
        """A holiday's stored (Chinese) name in this language."""
        return holiday_name(name, self.lang)

    # ------------------------------------------------------------ fields and their values

    def _event_def(self, event: str | None) -> EventDef | None:
        if event is None:
            return None
        return self.lifecycle.events.get(event) or self.approvals.lifecycle.events.get(event)

    def _field_spec(self, name: str, event: str | None) -> Any:
        spec = self._event_def(event)
        if spec and name in spec.fields:
            return spec.fields[name]
        if event in RECORD_ENTRIES and name in self.lifecycle.project_fields:
            return self.lifecycle.project_fields[name]
        if name in FIELDS:  # the engine's own before any event's namesake
            return None
        for events in (self.lifecycle.events, self.approvals.lifecycle.events):
            for candidate in events.values():
                if name in candidate.fields:
                    return candidate.fields[name]
        return self.lifecycle.project_fields.get(name)

    def field(self, name: str, event: str | None = None) -> str:
        action = ACTION_FIELDS.get(event or "", {})
        if name in action:
            return gettext(self.lang, action[name])
        spec = self._field_spec(name, event)
        if spec is not None:
            return self.pick(spec.label)
        return self._catalogued(FIELDS, name)

    def choice(self, field: str, key: str, event: str | None = None) -> str:
        """One value a field may take, by its label ("funding" → 资金, "lab" → 实验室)."""
        spec = self._field_spec(field, event)
        if spec is not None and key in spec.choices:
            return self.pick(spec.choices[key])
        by_field = {"category": self.category, "group": self.group, "role": self.role,
                    "lang": self.language, "type": self.space_type, "decision": self.decision,
                    "event": self.event, "state": self.state, "kind": self.approval_kind,
                    "status": self.outbox_status}
        show = by_field.get(field)
        return show(key) if show else key

    def choices(self, field: str, keys: Iterable[str], event: str | None = None) -> str:
        return self.list((self.choice(field, k, event) for k in keys), alternatives=True)

    def value(self, event: str, field: str, value: Any) -> str:
        """A recorded field value as people read it: choice labels, lists, dates."""
        if value is None or value == "":
            return "—"
        if isinstance(value, Mapping) and set(value) == {"from", "to"}:  # an edit: old → new
            return (f"{self.value(event, field, value['from'])} → "
                    f"{self.value(event, field, value['to'])}")
        items = value if isinstance(value, list) else [value]
        return self.list(self._one_value(event, field, v) for v in items)

    def _one_value(self, event: str, field: str, value: Any) -> str:
        if isinstance(value, bool):
            return self.text(N_("yes")) if value else self.text(N_("no"))
        spec = self._field_spec(field, event)
        if spec is not None and str(value) in spec.choices:
            return self.pick(spec.choices[str(value)])
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and "T" in value:
            try:  # an ISO moment recorded in the history: shown as the day and time
                return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        return str(value)

    def record_field(self, name: str) -> str:
        """A field of the project's record (联系人, 所属行业…)."""
        return self.field(name, "record")

    def level(self, field: str, score: int, event: str | None = None) -> str:
        """What a score level means for a score field (“国内领先，填补国内空白”), or ""."""
        spec = self._field_spec(field, event)
        levels = getattr(spec, "levels", ())
        return self.pick(levels[score - 1]) if 1 <= score <= len(levels) else ""

    def fields_line(self, event: str, fields: Mapping[str, Any]) -> str:
        """A history entry's fields: `走访人员 王建国、李娜 · 项目需求 资金、空间`.

        In the order the definition lists them: PostgreSQL's JSONB keeps no key order.
        """
        spec = self._event_def(event)
        listed = spec.fields if spec else (
            self.lifecycle.project_fields if event in RECORD_ENTRIES else {})
        order = {name: n for n, name in enumerate(listed)}
        names = sorted(fields, key=lambda name: (order.get(name, len(order)), name))
        return " · ".join(f"{self.field(name, event)} {self.value(event, name, fields[name])}"
                          for name in names)


@cache
def _packaged() -> tuple[Lifecycle, ApprovalPolicy]:
    return load_lifecycle(), load_approval_policy()
