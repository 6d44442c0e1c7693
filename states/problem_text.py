"""The sentence of every definition problem, rendered when a person reads it, in their language.

A `Problem` carries its path, a code and parameters (`unknown_state`, state `registred`); the
sentence comes from the catalogue: “未知状态“registred”” / “unknown state “registred””. The
path is a location in the file and is shown as it is. The ids in the parameters are what the
file says (a misspelt state has no label to show), so they are quoted as written.

Some codes are our own (the cross-reference checks, the YAML reader), the others are pydantic's
error types that the definition's models can raise; a code missing here reads as “not valid
here”, never as pydantic's English. How a parameter is shown depends on its name (`_shown`):
`expected` and `kinds` are lists, `reason` is a catalogue message where parkflow names the
cause (“no such file”) and the YAML parser's own words otherwise, `value` is written as YAML
writes it (`true`, `null`); a `value` the sentence does not quote is added after it
(“expected a whole number (got “a year”)”).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from i18n import N_, NP_, gettext, ngettext
from i18n.formats import format_list, format_number

MESSAGES: dict[str, str | tuple[str, str]] = {
    # the shape of a value (pydantic's error types, in the definition's strict models)
    "missing": N_("missing"),
    "extra_forbidden": N_("unknown key (not part of the format)"),
    "invalid_key": N_("a key must be text"),
    "model_type": N_("expected a mapping"),
    "dict_type": N_("expected a mapping"),
    "list_type": N_("expected a list"),
    "string_type": N_("expected text"),
    "int_type": N_("expected a whole number"),
    "float_type": N_("expected a number"),
    "bool_type": N_("expected true or false"),
    "literal_error": N_("expected %(expected)s"),
    "too_short": NP_("must have at least %(num)d entry", "must have at least %(num)d entries"),
    "greater_than": N_("must be more than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    # the format's own value checks (states.schema)
    "not_identifier": N_("“%(value)s” is not an identifier (a lower-case letter, then "
                         "lower-case letters, digits or _)"),
    "bad_period": N_("bad period “%(value)s” (write it like “7 days” or “1 month”)"),
    "not_clock_time": N_("“%(value)s” is not a time of day (HH:MM)"),
    "blank": N_("must not be blank"),
    # what refers to nothing (states.references, states.approval)
    "unknown_state": N_("unknown state “%(state)s”"),
    "unknown_milestone": N_("unknown milestone “%(milestone)s”"),
    "unknown_event": N_("unknown event “%(event)s”"),
    "missing_choices": N_("missing (a choices field lists its choices)"),
    "unreachable": N_("cannot be reached from “%(initial)s”"),
    "unstamped_milestone": N_("no event stamps the milestone “%(milestone)s”"),
    "not_a_score_field": N_("“%(field)s” is not a score field of any event"),
    "levels_not_score": N_("only a score field describes its levels"),
    "reserved_field": N_("“%(field)s” is the project's own (name, category, owner)"),
    "missing_kind": N_("missing (the kinds are %(kinds)s)"),
    "unknown_space_type": N_("unknown space type “%(space_type)s”"),
    # reading the file (states.yaml_core)
    "unreadable": N_("cannot read the file: %(reason)s"),
    "not_yaml": N_("line %(line)s, column %(column)s: not valid YAML: %(reason)s"),
    "duplicate_key": N_("line %(line)s, column %(column)s: the key “%(key)s” is given twice"),
}
# a code that is not listed above: a pydantic error type none of the models raised so far
UNLISTED = N_("not valid here (see parkflow definition schema)")
GOT = N_("%(problem)s (got “%(value)s”)")
# where the value given adds nothing to the sentence: the path names the unknown key already
_VALUE_NOT_SHOWN = {"extra_forbidden"}
# the causes of an unreadable file that parkflow names itself
REASONS = {"no_such_file": N_("no such file"), "is_a_folder": N_("it is a folder"),
           "permission": N_("permission denied"), "not_utf8": N_("it is not UTF-8 text")}


def render(code: str, params: Mapping[str, Any], lang: str) -> str:
    """The sentence of a problem in `lang`."""
    message = MESSAGES.get(code, UNLISTED)
    shown = {name: _shown(name, value, lang) for name, value in params.items()}
    if isinstance(message, tuple):
        text = ngettext(lang, *message, int(params.get("min_length", 1)), **shown)
    else:
        text = gettext(lang, message, **shown)
    if "value" in params and "%(value)s" not in str(message) and code not in _VALUE_NOT_SHOWN:
        text = gettext(lang, GOT, problem=text, value=shown["value"])
    return text


def _shown(name: str, value: Any, lang: str) -> Any:
    if name == "expected" and isinstance(value, list | tuple):
        return format_list(value, lang, style="or")
    if name == "kinds" and isinstance(value, list | tuple):
        return format_list(value, lang)
    if name == "reason" and isinstance(value, str):
        return gettext(lang, REASONS[value]) if value in REASONS else value
    if name == "value":
        return _as_yaml(value)
    if name in ("gt", "ge", "le") and isinstance(value, int | float):
        return format_number(value, lang)
    return value


def _as_yaml(value: Any) -> str:
    """A scalar as the definition file writes it: true, false, null, 7, text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)
