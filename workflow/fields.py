"""Validation of the fields an event carries, driven by the definition's field types."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from states.definition import EventDef, FieldDef
from workflow.errors import ValidationError, several

# GB 32100-2015: 31 symbols (no I, O, S, V, Z); weights are 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LIST_SPLIT = re.compile(r"[,，、;；]")
# a mainland mobile (13…–19…, 11 digits) or a landline with its area code (0551-65321234,
# 055165321234, 010-12345678); spaces and a +86 in front are dropped
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
RECORD = "record"  # the `event` of a project field's errors: the project's record


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str, field: str = "uscc") -> str:
    # NFKC: a code typed with a Chinese input method in full-width mode (９１３４…) is the code
    code = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    if len(code) != 18:
        raise ValidationError("uscc_length", field=field, length=len(code))
    for char in code:
        if char not in USCC_ALPHABET:
            raise ValidationError("uscc_charset", field=field, char=char)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError("uscc_check", field=field, expected=expected)
    return code


TEXT_LIMIT = 2000  # what the text columns keep
NUMBER_LIMIT = 1e15  # a figure (万元, a count) beyond any firm; floats stay exact below it
ITEM_LIMIT = 500  # one item of a list (a visitor's name), as the API's schema allows


# C0 controls but tab and line breaks, DEL, and lone surrogates (a JSON "\ud800"): no text a
# person types has them, PostgreSQL refuses NUL and surrogates, and they make an import fail
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def check_length(text: str, field: str, limit: int = TEXT_LIMIT) -> str:
    """Refuse text longer than its column keeps, or with characters no column should keep
    (controls, lone surrogates), naming the field."""
    if len(text) > limit:
        raise ValidationError("too_long", field=field, limit=limit, length=len(text))
    if _UNSTORABLE.search(text):
        raise ValidationError("control_character", field=field)
    return text


def validate_fields(event: EventDef, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise an event's fields; refuse unknown ones and missing required ones.

    Every bad or missing field is reported at once (`InvalidFields`), not the first alone."""
    for name in raw:
        if name not in event.fields:
            raise ValidationError("unknown_field", field=name, event=event.name)
    clean: dict[str, Any] = {}
    problems: list[ValidationError] = []
    for name, spec in event.fields.items():
        try:
            value = validate_field(event, spec, raw.get(name))
        except ValidationError as exc:
            problems.append(exc)
            continue
        if value is not None:
            clean[name] = value
    if problems:
        raise several(problems)
    return clean


def validate_field(event: EventDef, spec: FieldDef, value: Any) -> Any:
    """One field of an event, checked and normalised (None: absent and not required).

    `validate_fields` checks an event's fields with it; an import checks each cell with it,
    to report every bad field of a row and not only the first.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise ValidationError("required", field=spec.name, event=event.name)
        return None
    try:
        return _normalise(spec, value)
    except ValidationError as exc:  # the field's label is the event's
        exc.params.setdefault("event", event.name)
        raise


def validate_record(fields: Mapping[str, FieldDef], raw: Mapping[str, Any], *,
                    partial: bool = False) -> dict[str, Any]:
    """Check and normalise a project's own fields (`project_fields` of the definition):
    unknown ones refused; a required one missing refused unless `partial` (an edit)."""
    for name in raw:
        if name not in fields:
            raise ValidationError("unknown_record_field", field=name, known=list(fields))
    clean: dict[str, Any] = {}
    for name, spec in fields.items():
        if partial and name not in raw:
            continue
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                raise ValidationError("required", field=name, event=RECORD)
            if partial:
                clean[name] = None  # an edit that clears the field
            continue
        try:
            clean[name] = _normalise(spec, value)
        except ValidationError as exc:
            exc.params.setdefault("event", RECORD)
            raise
    return clean


# what a yes or no (JSON's true or false, through the API) is refused as, by field type: no
# field of a definition is one
_NOT_YES_OR_NO = {"score": "not_a_score", "number": "not_a_number", "count": "not_a_number",
                  "integer": "not_a_number"}


def _normalise(spec: FieldDef, value: Any) -> Any:
    if isinstance(value, bool):  # quoted as JSON wrote it
        raise ValidationError(_NOT_YES_OR_NO.get(spec.type, "bad_value"), field=spec.name,
                              value=str(value).lower())
    if spec.type == "phone":
        return _phone(spec, value)
    if spec.type == "score":
        return _score(spec, value)
    if spec.type == "uscc":
        return validate_uscc(str(value), spec.name)
    if spec.type == "choices":
        return _choices(spec, value)
    if spec.type in ("number", "count", "integer"):
        return _amount(spec, value)
    if spec.type == "quarter":
        return _quarter(spec, value)
    if spec.type == "list":
        items = [check_length(item, spec.name, spec.max_length or ITEM_LIMIT)
                 for item in _items(value)]
        if not items:
            raise ValidationError("empty", field=spec.name)
        return items
    text = str(value).strip()
    if not text:
        raise ValidationError("empty", field=spec.name)
    return check_length(text, spec.name, spec.max_length or TEXT_LIMIT)


def _score(spec: FieldDef, value: Any) -> int:
    if isinstance(value, int):  # not a bool: _normalise refused those
        score = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        score = int(value)
    else:
        raise ValidationError("not_a_score", field=spec.name, value=value)
    if not 1 <= score <= 5:
        raise ValidationError("not_a_score", field=spec.name, value=value)
    return score


def _phone(spec: FieldDef, value: Any) -> str:
    text = re.sub(r"[\s()（）]", "", str(value))
    text = re.sub(r"^(\+86|0086)-?", "", text)
    if not (_MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text)):
        raise ValidationError("bad_phone", field=spec.name, value=str(value).strip())
    return text


_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")
_QUARTER = re.compile(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*")


def _amount(spec: FieldDef, value: Any) -> int | float:
    """A figure: a number ≥ 0 (万元), a whole number ≥ 0 for a count, ≥ 1 for an integer."""
    if not isinstance(value, int | float | str):
        raise ValidationError("not_a_number", field=spec.name, value=value)
    text = str(value).replace(",", "").replace("，", "")
    if not _NUMBER.fullmatch(text):
        raise ValidationError("not_a_number", field=spec.name, value=value)
    number = float(text)
    if number < 0:
        raise ValidationError("negative", field=spec.name, value=value)
    if number >= NUMBER_LIMIT:  # 400 nines would be stored as ∞, which JSON cannot hold
        raise ValidationError("number_too_large", field=spec.name, value=str(value)[:40],
                              limit=f"{int(NUMBER_LIMIT):,}")
    if spec.type == "integer" and not (number.is_integer() and number >= 1):
        raise ValidationError("not_a_positive_count", field=spec.name, value=value)
    if spec.type in ("count", "integer"):
        if not number.is_integer():
            raise ValidationError("not_a_count", field=spec.name, value=value)
        return int(number)
    return int(number) if number.is_integer() else number


def quarter_of(text: str) -> tuple[int, int] | None:
    """`2026-Q3` → (2026, 3); None when it is not a quarter."""
    match = _QUARTER.fullmatch(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _quarter(spec: FieldDef, value: Any) -> str:
    found = quarter_of(str(value))
    if found is None or not 1900 <= found[0] <= 2200:
        raise ValidationError("bad_quarter", field=spec.name, value=value)
    return f"{found[0]}-Q{found[1]}"


def choice_key(value: str, options: Mapping[str, Mapping[str, str] | Iterable[str]]) -> str | None:
    """The option `value` names: its key, or its label in any language, as people type what
    they read (errors offer the labels). Full width, case, spaces and "·" are ignored."""
    wanted = _folded(value)
    for key, labels in options.items():
        names = labels.values() if isinstance(labels, Mapping) else labels
        if wanted == _folded(key) or any(wanted == _folded(name) for name in names):
            return key
    return None


def check_choice(value: str, options: Mapping[str, Mapping[str, str] | Iterable[str]],
                 field: str) -> str:
    """`choice_key`, or the error that offers the options (by their labels)."""
    key = choice_key(value, options)
    if key is None:
        raise ValidationError("bad_choice", field=field, value=value, choices=list(options))
    return key


def _folded(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-·")


def _choices(spec: FieldDef, value: Any) -> str | list[str]:
    items = _items(value)
    if not items:  # `[]` or `","`: nothing chosen
        raise ValidationError("empty", field=spec.name)
    if spec.single and len(items) > 1:
        raise ValidationError("bad_choice", field=spec.name, value=",".join(items),
                              choices=list(spec.choices))
    keys = [check_choice(item, spec.choices, spec.name) for item in items]
    return keys[0] if spec.single else sorted(set(keys), key=list(spec.choices).index)


def _items(value: Any) -> list[str]:
    parts = value if isinstance(value, list | tuple) else _LIST_SPLIT.split(str(value))
    return [str(p).strip() for p in parts if str(p).strip()]
