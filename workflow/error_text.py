"""The sentence of every error code, rendered when a person reads it, in their language.

An error carries its code, the field it concerns and parameters that are ids and values
(`required`, field `market`; `invalid_transition`, state `intake`, event `sign`). The
sentence comes from the catalogue and every id in it is shown by its label:
“缺少字段：市场前景”, “项目处于“已入库·待走访”，不能“签约””.

How a parameter is shown depends on its name (see `_shown`): `field`, `event`, `state`,
`approval_state`, `request_status`, `outbox_status`, `listing_type`, `request_type`, `kind` (an
approval's) are ids
shown by their label; `roles` and `choices` are lists of ids shown as a list of labels;
dates, datetimes and areas are formatted for the reader; anything else (what the person
typed, a number, an email) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from i18n import N_, gettext
from i18n.formats import format_day, format_moment, format_number, weekday_name
from workflow.labels import Labels

MESSAGES: dict[str, str] = {
    # input
    "required": N_("Missing field: %(field)s"),
    "unknown_field": N_("The event “%(event)s” takes no field “%(field)s”"),
    "not_a_score": N_("%(field)s must be a whole number from 1 to 5, not “%(value)s”"),
    "bad_choice": N_("%(field)s: “%(value)s” is not one of %(choices)s"),
    "empty": N_("%(field)s must not be empty"),
    "uscc_length": N_("%(field)s must have 18 characters, not %(length)s"),
    "uscc_charset": N_("%(field)s has an invalid character “%(char)s”"),
    "uscc_check": N_("%(field)s has a wrong check character (it should be %(expected)s)"),
    "bad_period": N_("%(field)s: “%(value)s” is not a period (%(expected)s)"),
    "period_not_begun": N_("%(field)s: the period “%(value)s” has not begun yet"),
    "bad_date": N_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD or an ISO date and time)"),
    "in_future": N_("%(field)s: %(value)s is in the future"),
    "before_previous": N_("%(field)s: %(value)s is before the previous event (%(previous)s)"),
    "not_before": N_("%(field)s: %(value)s is before %(earliest)s"),
    "not_after_now": N_("%(field)s: %(value)s must be later than now"),
    "year_range": N_("%(field)s: “%(value)s” must lie in the years %(low)s to %(high)s"),
    "unknown_event": N_("Unknown event “%(value)s”; the events are %(choices)s"),
    "too_long": N_("%(field)s is too long (%(length)s characters, at most %(limit)s)"),
    "too_short": N_("%(field)s must have at least %(limit)s characters"),
    "out_of_range": N_("%(field)s must be a whole number from %(low)s to %(high)s, "
                       "not “%(value)s”"),
    "not_an_email": N_("%(field)s: “%(value)s” is not an email address"),
    "not_an_area": N_("%(field)s: “%(value)s” is not an area in m²"),
    "area_range": N_("%(field)s must be more than 0 and at most %(max_area)s m²"),
    "wrong_role": N_("%(field)s: %(value)s must be one of %(roles)s"),
    "wrong_listing_type": N_("Listing %(listing)s is a %(listing_type)s; the request is for "
                             "a %(request_type)s"),
    "control_character": N_("%(field)s contains a control character"),
    "file_size": N_("%(field)s “%(value)s” must hold between 1 byte and %(limit)s kB"),
    "not_utf8": N_("%(field)s “%(value)s” is not UTF-8 text"),
    "not_text": N_("%(field)s “%(value)s” is neither UTF-8 nor GB18030 text"),
    "not_a_number": N_("%(field)s: “%(value)s” is not a number"),
    "negative": N_("%(field)s must not be negative (it was %(value)s)"),
    "number_too_large": N_("%(field)s must be less than %(limit)s, not “%(value)s”"),
    "not_a_count": N_("%(field)s must be a whole number, 0 or more, not “%(value)s”"),
    "bad_quarter": N_("%(field)s: “%(value)s” is not a quarter (YYYY-Qn, e.g. 2026-Q3)"),
    "unreadable_file": N_("%(field)s “%(value)s” cannot be read: %(error)s"),
    "unwritable_file": N_("%(field)s “%(value)s” cannot be written: %(error)s"),
    "not_initialised": N_("The %(field)s is not initialised (%(value)s): run parkflow init"),
    # a database that cannot be reached (workflow.database_failures); `database` is its
    # address without the password (host:port/name) or its file
    "db_no_server": N_("Cannot connect to the database %(database)s: no server answers there "
                       "(is it running? are the host and port right?)"),
    "db_unknown_host": N_("Cannot connect to the database %(database)s: the host name is not "
                          "known"),
    "db_no_database": N_("Cannot connect to the database %(database)s: the server has no "
                         "database “%(name)s”"),
    "db_no_role": N_("Cannot connect to the database %(database)s: the server has no user "
                     "(role) “%(name)s”"),
    "db_authentication": N_("Cannot connect to the database %(database)s: authentication "
                            "failed for the user “%(user)s” (is the password right?)"),
    "db_cannot_open": N_("Cannot open the database file %(database)s (does its folder exist, "
                         "and may parkflow write there?)"),
    "db_connection_lost": N_("The connection to the database %(database)s was lost; try again "
                             "in a moment"),
    "db_cannot_connect": N_("Cannot connect to the database %(database)s: %(error)s"),
    "bad_set": N_("--set “%(value)s” must be written FIELD=VALUE"),
    "unknown_user_field": N_("%(field)s: there is no user %(value)s"),
    "user_exists": N_("The user %(value)s exists already"),
    # the project's record (states/lifecycle.yaml `project_fields`)
    "unknown_record_field": N_("A project has no field “%(field)s”; its fields are "
                               "%(known)s"),
    "bad_phone": N_("%(field)s: “%(value)s” is neither a mobile number (11 digits starting "
                    "with 13 to 19) nor a landline number (e.g. 0551-65321234)"),
    "not_a_positive_count": N_("%(field)s must be a whole number, 1 or more, not "
                               "“%(value)s”"),
    "no_change": N_("Nothing to change: give at least one field with a new value"),
    # a request the web's forms, addresses or the API's schema refuse (web.inputs)
    "below_minimum": N_("%(field)s must be at least %(limit)s, not “%(value)s”"),
    "not_above": N_("%(field)s must be more than %(limit)s, not “%(value)s”"),
    "above_maximum": N_("%(field)s must be at most %(limit)s, not “%(value)s”"),
    "unexpected_field": N_("There is no field “%(value)s” here"),
    "not_json": N_("The request body is not valid JSON"),
    "bad_body": N_("The request body is not what this request takes: an object of its fields"),
    # the command line itself (parkflow.cli.usage)
    "unknown_command": N_("There is no command %(value)s"),
    "unknown_command_close": N_("There is no command %(value)s; did you mean %(names)s?"),
    "unknown_option": N_("This command has no option %(value)s"),
    "unknown_option_close": N_("This command has no option %(value)s; did you mean "
                               "%(names)s?"),
    "option_needs_value": N_("%(value)s needs a value"),
    "option_takes_no_value": N_("%(value)s is a switch and takes no value"),
    "extra_arguments": N_("Unexpected extra arguments: %(value)s"),
    "missing_command": N_("Say which command to run"),
    "bad_value": N_("%(field)s: “%(value)s” is not a valid value"),
    "bad_command_line": N_("The command line is not valid: %(error)s"),
    "unknown_lang": N_("%(field)s: “%(value)s” is not a language of parkflow; write %(names)s"),
    # permission
    "unknown_actor": N_("Unknown user %(value)s (--by / PARKFLOW_USER)"),
    "no_actor": N_("Say who acts with --by or PARKFLOW_USER"),
    "not_allowed_role": N_("%(actor)s may not “%(event)s” on project %(project)s "
                           "(only: %(roles)s)"),
    "not_allowed": N_("%(actor)s may not “%(event)s” (only: %(roles)s)"),
    "only_roles": N_("only: %(roles)s"),
    "admin_only": N_("Only an admin may do this"),
    "user_deactivated": N_("The user %(value)s is deactivated"),
    # lookup
    "project_not_found": N_("Project %(value)s not found"),
    "relocation_not_found": N_("There is no move out of the zone numbered %(value)s"),
    "user_not_found": N_("User %(value)s not found"),
    "report_figure_not_found": N_("This report has no such figure, or no project behind it"),
    "message_not_found": N_("Message %(value)s not found"),
    "page_not_found": N_("There is no such page."),
    # conflict
    "invalid_transition": N_("The project is “%(state)s”; it cannot “%(event)s”"),
    "concurrent_change": N_("Project %(project)s was changed by someone else at the same "
                            "time; reload it and try again"),
    "suspended": N_("Project %(project)s is suspended; resume it first"),
    "duplicate_name": N_("A project of the same name exists already: #%(project)s %(name)s"),
    "duplicate_uscc": N_("%(field)s %(value)s is already held by project #%(project)s "
                         "%(name)s"),
    "owns_active_projects": N_("%(value)s still owns %(count)s active projects; reassign them "
                               "first (parkflow project reassign)"),
    "same_owner": N_("%(field)s: the projects of %(value)s cannot be reassigned to the same "
                     "person"),
    "relocation_acknowledged": N_("The move out of the zone %(value)s was acknowledged "
                                  "already"),
    # approvals
    "approval_not_found": N_("Approval %(value)s not found"),
    "leaders_only": N_("%(actor)s is not a leader and may not decide"),
    "self_approval": N_("Nobody decides on a request they filed (%(actor)s)"),
    "requester_only": N_("Only the requester may do this (%(actor)s is not)"),
    # an approval is named by its kind and its project's name (`kind`, `name`), never its id
    "not_pending": N_("%(kind)s for “%(name)s” is “%(approval_state)s”, no longer pending"),
    "not_returned": N_("%(kind)s for “%(name)s” is “%(approval_state)s”; only a returned one "
                       "can be resubmitted"),
    "no_deadline": N_("The stage of project %(project)s (“%(state)s”) has no deadline to "
                      "extend"),
    "extension_pending": N_("“%(name)s” already has a deadline extension awaiting a decision "
                            "for this stage"),
    "suspension_pending": N_("“%(name)s” already has a suspension awaiting a decision"),
    "cannot_suspend": N_("Project %(project)s is already suspended or has left the library"),
    "not_suspended": N_("Project %(project)s is not suspended"),
    "stage_left": N_("Project %(project)s has left the stage extension %(value)s was for"),
    # space
    "request_not_found": N_("Space request %(value)s not found"),
    "duplicate_request": N_("The same request is open already: space request %(value)s "
                            "(withdraw it to file it again)"),
    "request_closed": N_("Space request %(value)s is “%(request_status)s”: it can no longer be "
                         "withdrawn"),
    "listing_not_found": N_("Listing %(value)s not found"),
    "request_not_cleared": N_("Space request %(value)s is “%(request_status)s”; a listing is "
                              "offered only once it is approved (or needs no approval)"),
    "listing_taken": N_("Listing %(value)s is already reserved or leased"),
    "duplicate_listing": N_("%(name)s is listed already (listing %(value)s)"),
    "listing_too_small": N_("Listing %(listing)s (%(area)s m²) is smaller than the "
                            "%(wanted)s m² requested; say why with a note to offer it anyway"),
    # accounts and API tokens
    "token_not_found": N_("API token %(value)s not found"),
    "token_revoked": N_("API token %(value)s was revoked on %(when)s"),
    "token_not_yours": N_("API token %(value)s does not belong to %(actor)s"),
    "wrong_password": N_("%(field)s is not right"),
    # outbox
    "outbox_not_found": N_("Outbox message %(value)s not found"),
    "outbox_not_failed": N_("Outbox message %(value)s is “%(outbox_status)s”; only failed "
                            "ones can be retried"),
    # calendar files
    "calendar_empty": N_("The calendar file has no days"),
    "calendar_header": N_("Calendar file, line %(line)s: the header must be “%(expected)s”, "
                          "not “%(actual)s”"),
    "calendar_columns": N_("Calendar file, line %(line)s: 3 columns (date,kind,name) are "
                           "needed, not %(count)s"),
    "calendar_kind": N_("Calendar file, line %(line)s: the kind “%(value)s” must be holiday "
                        "or workday"),
    "calendar_name": N_("Calendar file, line %(line)s: the name is empty"),
    "calendar_date": N_("Calendar file, line %(line)s: “%(value)s” is not a date "
                        "(YYYY-MM-DD)"),
    "calendar_duplicate": N_("Calendar file, line %(line)s: the day %(value)s is there twice "
                             "(first on line %(first)s)"),
    # the State Council's holiday notice (workflow/holiday_notice.py)
    "notice_no_items": N_("The notice has no numbered items (一、二、…): paste the whole notice "
                          "or its numbered items"),
    "notice_unreadable": N_("Cannot read this sentence of the notice: “%(sentence)s”"),
    "notice_weekday": N_("“%(sentence)s”: %(day)s is a %(weekday)s, not a %(written_weekday)s "
                         "(is the year right?)"),
    "notice_year": N_("This is the notice for %(written)s (“%(sentence)s”), not for %(year)s"),
    "notice_count": N_("“%(sentence)s”: says %(written)s days, but %(first)s to %(last)s is "
                       "%(actual)s days"),
    "notice_range": N_("“%(sentence)s”: it ends (%(last)s) before it starts (%(first)s)"),
    "notice_bad_date": N_("“%(sentence)s”: %(value)s is not a date"),
    "notice_not_weekend": N_("“%(sentence)s”: the make-up working day %(day)s is a "
                             "%(weekday)s, not a weekend day"),
    "notice_duplicate": N_("“%(sentence)s”: %(day)s appears twice in the notice"),
    "notice_outside_year": N_("“%(sentence)s”: %(day)s lies outside the %(year)s arrangement"),
    "notice_numbering": N_("“%(sentence)s”: this item should be numbered “%(expected)s、” (is "
                           "one missing?)"),
    "notice_no_holiday": N_("“%(sentence)s”: this item names no day off"),
    "definition": N_("The lifecycle definition is broken: %(reason)s"),
    # backup and restore (workflow.backups)
    "backup_exists": N_("%(field)s “%(value)s” exists already; a backup never overwrites a "
                        "file: give a new name"),
    "database_not_empty": N_("%(field)s %(value)s already holds data (%(tables)s): a backup "
                             "is restored only into an empty database"),
    "tool_missing": N_("%(tool)s was not found: a backup of a PostgreSQL %(field)s needs the "
                       "PostgreSQL client programs (e.g. the postgresql-client package) on "
                       "the PATH"),
    "tool_failed": N_("%(tool)s failed: %(error)s"),
    "backup_no_file": N_("%(field)s %(value)s is not a file: there is nothing to back up "
                         "or restore"),
    # the ledger (台账): its file, header and rows
    "ledger_format": N_("%(field)s “%(value)s” must be an .xlsx or .csv file"),
    "file_suffix": N_("%(field)s “%(value)s” must end in %(suffix)s"),
    "unknown_column": N_("Unknown column “%(value)s”"),
    "duplicate_column": N_("Column “%(value)s” repeats column “%(first)s”"),
    "missing_column": N_("The column %(field)s is missing"),
    "missing_event_column": N_("The column %(field)s is missing: the definition requires it "
                               "of every %(event)s (its date column is there)"),
    "ambiguous_user": N_("%(field)s: %(value)s names several people (%(emails)s); write the "
                         "email"),
    "duplicate_project": N_("%(field)s: “%(value)s” is already in the library: project "
                            "#%(project)s %(name)s"),
    "duplicate_row": N_("%(field)s: “%(value)s” is also on row %(row)s"),
    "repeated_row": N_("The same as row %(row)s in every column: one project entered twice; "
                       "delete one of the two rows"),
    "bad_deadline_changes": N_("%(field)s: “%(value)s” is not a list of deadline changes "
                               "(for example “%(example)s”)"),
    "stage_not_reached": N_("%(field)s: the row's dates never reach “%(state)s”"),
    "cannot_suspend_state": N_("%(field)s: a project in “%(state)s” cannot be suspended"),
    "derived_state": N_("%(field)s: “%(value)s” disagrees with the row's dates, which give "
                        "“%(state)s”"),
    "derived_mismatch": N_("%(field)s: “%(value)s” disagrees with the row's dates and fields, "
                           "which give %(expected)s"),
    "derived_blank": N_("%(field)s: “%(value)s” should be empty: the row's dates and fields "
                        "give none"),
}


# why a file cannot be read or written (`workflow.file_errors`): the `error` of
# unreadable_file and unwritable_file, when it is one of these
FILE_CAUSES = {
    "no_file": N_("there is no such file"),
    "no_folder": N_("its folder does not exist"),
    "permission": N_("permission denied"),
    "read_only": N_("the disk is read-only"),
    "disk_full": N_("the disk is full"),
    "is_folder": N_("it is a folder, not a file"),
    "name_too_long": N_("the name is too long"),
    "empty": N_("the file is empty"),
    "not_workbook": N_("it is not an Excel workbook (.xlsx), or it is damaged"),
    "not_csv": N_("it is not a CSV file, or it is damaged"),
}


def render(code: str, field: str | None, params: Mapping[str, Any], labels: Labels) -> str:
    """The sentence of an error in the language of `labels`."""
    event = params.get("event")
    shown = {name: _shown(name, value, labels, field, event) for name, value in params.items()}
    if field is not None:
        shown["field"] = labels.field(field, event)
    text = gettext(labels.lang, MESSAGES[code], **shown)
    if field is not None and text.startswith(shown["field"]):  # "needs: …" → "Needs: …"
        text = text[:1].upper() + text[1:]
    return text


def _weekday(index: int, lang: str) -> str:
    """The name of the day of the week `index` (Monday 0): 星期日 / Sunday."""
    return weekday_name(date(2024, 1, 1 + int(index)), lang, width="wide")  # 2024-01-01: a Monday


def _shown(name: str, value: Any, labels: Labels, field: str | None,
           event: str | None) -> Any:
    by_name: dict[str, Callable[[Any], str]] = {
        "event": labels.event, "state": labels.state,
        "approval_state": labels.approval_state, "request_status": labels.request_status,
        "outbox_status": labels.outbox_status, "listing_type": labels.space_type,
        "request_type": labels.space_type, "roles": labels.roles,
        "kind": labels.approval_kind,
        "choices": lambda keys: labels.choices(field or "", keys, event),
        "names": lambda names: labels.list(names, alternatives=True),  # literal: options, …
        "known": lambda keys: labels.list(labels.field(k, "record") for k in keys),
        "area": lambda n: format_number(n, labels.lang),
        "wanted": lambda n: format_number(n, labels.lang),
        "max_area": lambda n: format_number(n, labels.lang),
        "weekday": lambda i: _weekday(i, labels.lang),
        "written_weekday": lambda i: _weekday(i, labels.lang),
        "error": lambda e: labels.text(FILE_CAUSES[e]) if e in FILE_CAUSES else e,
    }
    if name in by_name:
        return by_name[name](value)
    if isinstance(value, datetime):
        return format_moment(value, labels.lang)
    if isinstance(value, date):
        return format_day(value, labels.lang)
    return value
