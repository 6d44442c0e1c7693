"""After opening (落地后跟踪): the early warning of a move out of the zone, written to the
outbox with the event that recorded the new address.

A registered address outside the park's zone (the definition's `zone`) warns the owner, the
owner's group lead(s) and every leader at once (迁出预警), and the group's chat robots; the
warning shows on 首页 until a leader acknowledges it (`workflow.relocation`). Figures recorded
for a quarter settle that project's pending request for them.
"""

from __future__ import annotations

from sqlmodel import Session

from notifications import outbox
from notifications.planning import INDICATORS_KIND, Planned, unique
from notifications.reminders import ladder_readers
from workflow.park import Park
from workflow.projects import Transition
from workflow.relocation import moved_out

RELOCATION_KIND = "relocation_warning"


def on_after_opening(session: Session, park: Park, change: object) -> None:
    """Park observer: warn of a move out of the zone; settle answered figure requests."""
    if not isinstance(change, Transition) or change.imported:
        return
    slot = park.lifecycle.reminders.indicators
    if slot is not None and change.event == slot.event:
        outbox.cancel(session, project_id=change.after.id, kinds=(INDICATORS_KIND,),
                      keep_series=None, reason="figures_recorded")
    address = moved_out(park, change.event, change.fields)
    if address is None:
        return
    project, now = change.after, park.now()
    owner, others = ladder_readers(session, project.owner_id, project.group)
    series = f"relocation:{project.id}:{change.history_id}"
    planned = [Planned(dedupe_key=f"{series}:{reader}", kind=RELOCATION_KIND, recipient=reader,
                       send_at=now, reason=RELOCATION_KIND, reason_params={"address": address},
                       project_id=project.id, series=series,
                       payload={"history_id": change.history_id, "address": address},
                       channel="chat" if reader.startswith(("wecom:", "dingtalk:"))
                       else "email")
               for reader in unique([owner, *others,
                                     *park.chat_targets.get(project.group or "", ())])]
    outbox.enqueue(session, planned, now=now)
