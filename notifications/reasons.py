"""Why an outbox row exists or ended as it did: a code and its parameters, never a sentence.

The outbox stores `reason_code` and `reason_params`; the sentence is rendered from the
catalogue when someone reads the row (`outbox list`, `reminders preview`, the inbox), in
their language. Parameters named `due`, `since` and `day` are ISO dates, shown as the
reader writes dates; `month` and `quarter` are the first day of one, shown as 2026年11月 or
2026年第4季度.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from i18n import N_, NP_, gettext, ngettext
from i18n.formats import format_day, format_skeleton
from workflow.labels import Labels

_DATES = ("due", "since", "day")

REASONS: dict[str, str] = {
    # planned
    "reminder_due_day": N_("Reminder on the due day (due %(due)s)"),
    "warning_overdue": N_("Early warning: the deadline %(due)s has passed"),
    "agenda": N_("Weekly meeting agenda (%(day)s)"),
    "digest": N_("Weekly digest (%(day)s)"),
    "monthly_report": N_("Monthly report for %(month)s (%(day)s)"),
    "quarterly_report": N_("Quarterly summary for %(quarter)s (%(day)s)"),
    "calendar_missing": N_("The holiday arrangement of %(year)s is not loaded"),
    "indicators_request": N_("The figures of %(quarter)s are asked for"),
    "relocation_warning": N_("Early warning: the registered address moved out of the zone "
                             "(%(address)s)"),
    "figures_recorded": N_("The figures were recorded"),
    "approval_requested": N_("A new request awaits a leader's approval"),
    "approval_due": N_("The approval is due today (%(due)s)"),
    "approval_decided": N_("The request was decided: %(decision)s"),
    "listing_reserved": N_("A listing was reserved for the space request"),
    # ended
    "stage_left": N_("The project left the stage or its deadline changed"),
    "reassigned": N_("The project was handed to another owner"),
    "inquiry_not_needed": N_("Followed up, or the project needs no weekly inquiry any more"),
    "approval_closed": N_("The approval was decided or withdrawn"),
    "overtaken": N_("Overtaken by a later rung of the ladder (catching up after downtime)"),
    "render_failed": N_("The message could not be written: %(error)s"),
    "delivery_failed": N_("Delivery failed: %(error)s"),
    "manual_retry": N_("Queued again by hand"),
    # rows written before reasons had codes keep their sentence
    "legacy": "%(text)s",
}
# why a row ended as it did (or is retried): not what the message is about
ENDED = frozenset({"stage_left", "reassigned", "inquiry_not_needed", "approval_closed", "overtaken",
                   "render_failed", "delivery_failed", "manual_retry", "late", "retrying"})
# rows written before the reports named their period
_WITHOUT_PERIOD: dict[str, str] = {"monthly_report": N_("Monthly report (%(day)s)"),
                                   "quarterly_report": N_("Quarterly summary (%(day)s)")}
# parameters naming a period by its first day (ISO), and how it is shown
_PERIODS = {"month": "yMMMM", "quarter": "yQQQ"}
# reasons with a count: (singular, plural, the parameter that counts)
PLURAL_REASONS: dict[str, tuple[tuple[str, str], str]] = {
    "reminder_before": (NP_("Reminder %(num)d day before the deadline (due %(due)s)",
                            "Reminder %(num)d days before the deadline (due %(due)s)"), "days"),
    "inquiry": (NP_("Star project without a follow-up for %(num)d day (since %(since)s)",
                    "Star project without a follow-up for %(num)d days (since %(since)s)"),
                "days"),
    "late": (NP_("A periodic mail more than %(num)d hour late is not sent",
                 "A periodic mail more than %(num)d hours late is not sent"), "hours"),
    "retrying": (NP_("Retrying (%(num)d attempt failed): %(error)s",
                     "Retrying (%(num)d attempts failed): %(error)s"), "attempts"),
}


def reason_text(code: str, params: Mapping[str, Any] | None, labels: Labels) -> str:
    """The sentence of a reason in the language of `labels` ("" for a row without one)."""
    lang, values = labels.lang, dict(params or {})
    for name in _DATES:
        if isinstance(values.get(name), str):
            values[name] = format_day(date.fromisoformat(values[name]), lang)
    for name, skeleton in _PERIODS.items():
        if isinstance(values.get(name), str):
            values[name] = format_skeleton(skeleton, date.fromisoformat(values[name]), lang)
    if code in _WITHOUT_PERIOD and not _PERIODS.keys() & values.keys():
        return gettext(lang, _WITHOUT_PERIOD[code], **values)
    if "decision" in values:
        values["decision"] = labels.decision(values["decision"])
    if code in PLURAL_REASONS:
        (singular, plural), count = PLURAL_REASONS[code]
        return ngettext(lang, singular, plural, int(values[count]), **values)
    if code in REASONS:
        return gettext(lang, REASONS[code], **values) if code != "legacy" else str(
            values.get("text", ""))
    return ""
