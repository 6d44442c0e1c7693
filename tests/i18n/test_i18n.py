"""The one catalogue: every message extracted is translated into Chinese, nothing unused is
kept, the committed .mo files are what `pybabel compile` makes of the .po files, and
languages are negotiated and formatted the way each reader expects."""

from __future__ import annotations

import re
import shlex
from datetime import date, datetime
from io import BytesIO

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import i18n
from i18n import (
    LANGS,
    LOCALE_DIR,
    babel_locale,
    gettext,
    negotiate,
    ngettext,
    normalise,
    recognise,
)
from i18n.formats import (
    format_day,
    format_list,
    format_moment,
    format_number,
    format_skeleton,
    month_name,
)
from tests.factories import PARK_TZ, ROOT


def _keywords() -> dict:
    """The keywords `make i18n` extracts with (one list, in the Makefile)."""
    line = re.search(r"^I18N_KEYWORDS := (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert line, "Makefile: I18N_KEYWORDS"
    words = shlex.split(line.group(1))
    return {**parse_keywords(["_"]), **parse_keywords(words[1::2])}


def used_messages() -> set[str]:
    """Every msgid the code and the templates use, as `make i18n` extracts them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                keywords=_keywords()):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(lang: str):
    with i18n.catalogue_path(lang).open("rb") as handle:
        return read_po(handle, locale=babel_locale(lang))


def _ids(messages) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in messages if m.id}


def test_every_message_in_the_catalogue_has_its_chinese_translation() -> None:
    untranslated = sorted(_ids(m for m in catalogue("zh-CN")
                               if not (m.string if isinstance(m.string, str)
                                       else all(m.string or ()))))
    assert not untranslated, f"fill in i18n/locale/zh_CN (make i18n): {untranslated}"


def test_no_translation_is_left_fuzzy() -> None:
    """`pybabel compile` leaves fuzzy entries out: a fuzzy one would show in English."""
    for lang in LANGS:
        assert not _ids(m for m in catalogue(lang) if m.fuzzy and m.id), lang


def test_every_message_the_code_uses_is_in_the_catalogue_and_no_other() -> None:
    used = used_messages()
    for lang in LANGS:
        ids = _ids(catalogue(lang))
        assert not used - ids, f"run make i18n: {sorted(used - ids)}"
        assert not ids - used, f"unused in {lang} (make i18n drops them): {sorted(ids - used)}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_is_what_pybabel_compile_makes_of_the_po(lang: str) -> None:
    expected = BytesIO()
    write_mo(expected, catalogue(lang), use_fuzzy=False)  # what `pybabel compile` does
    assert i18n.catalogue_path(lang, "mo").read_bytes() == expected.getvalue(), \
        f"{babel_locale(lang)}/LC_MESSAGES/messages.mo is stale: run make i18n"


def test_the_catalogue_has_the_two_languages_and_translates() -> None:
    assert {p.name for p in LOCALE_DIR.iterdir() if p.is_dir()} == {"zh_CN", "en"}
    assert gettext("zh-CN", "Pipeline board") == "项目看板"
    assert gettext("en", "Pipeline board") == "Pipeline board"
    assert ngettext("zh-CN", "%(num)d project", "%(num)d projects", 2) == "2 个项目"
    assert ngettext("en", "%(num)d project", "%(num)d projects", 1) == "1 project"
    assert gettext("zh-CN", "Total %(total)s of 20", total=17) == "合计 17 分（满分 20）"


def test_unknown_languages_read_the_default_one() -> None:
    assert normalise("fr") == "zh-CN" and normalise(None) == "zh-CN"
    assert normalise("en") == "en" and normalise("en_GB") == "en" and normalise("EN-us") == "en"
    assert gettext("fr", "Pipeline board") == "项目看板"


def test_a_tag_is_recognised_only_when_it_names_one_of_the_languages() -> None:
    assert recognise("zh_CN") == recognise("zh-Hans") == recognise(" zh ") == "zh-CN"
    assert recognise("en-US") == recognise("EN") == "en"
    assert recognise("fr") is recognise("") is recognise(None) is recognise("english") is None


@pytest.mark.parametrize(("header", "lang"), [
    (None, "zh-CN"),
    ("", "zh-CN"),
    ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("en;q=0.5, zh-TW;q=0.8", "zh-CN"),       # q-values, not the order, decide
    ("zh;q=0.3, en-GB;q=0.7", "en"),
    ("fr-FR, en;q=0.2", "en"),                 # the first one we speak
    ("fr-FR, de", "zh-CN"),                    # none we speak: the default
    ("en;q=0, zh", "zh-CN"),                   # q=0 means "not English"
    ("*", "zh-CN"),
    ("en-US;q=abc, zh-Hans-CN", "zh-CN"),      # a broken q-value counts as 0
    ("x-klingon!!, en", "en"),                 # a broken tag is passed over
])
def test_the_browser_language_is_negotiated(header: str | None, lang: str) -> None:
    assert negotiate(header) == lang


def test_dates_numbers_and_lists_are_written_the_readers_way() -> None:
    day = date(2026, 10, 30)
    assert format_day(day, "zh-CN") == "2026年10月30日"
    assert format_day(day, "en") == "Oct 30, 2026"
    moment = datetime(2026, 10, 30, 9, 5, tzinfo=PARK_TZ)
    assert format_moment(moment, "zh-CN") == "2026年10月30日 09:05"
    assert format_skeleton("yMMMM", day, "zh-CN") == "2026年10月"
    assert format_skeleton("yMMMM", day, "en") == "October 2026"
    assert format_skeleton("yQQQ", day, "zh-CN") == "2026年第4季度"
    assert month_name(10, "zh-CN") == "十月" and month_name(10, "en") == "October"
    assert format_number(1200, "zh-CN") == "1,200" and format_number(999.5, "en") == "999.5"
    assert format_list(["资金", "空间"], "zh-CN") == "资金、空间"
    assert format_list(["资金", "空间", "政策"], "zh-CN") == "资金、空间、政策"
    assert format_list(["funding", "space"], "en") == "funding and space"


# words a template may show as they are: the product's own name, each language's name on the
# language switch (always written in that language), the brand mark and units
OWN_NAMES = {"parkflow", "English", "中文", "简体中文", "m²", "24:00", "/5", "园"}
TEMPLATES = ROOT / "templates"


def words_outside_the_catalogue(source: str) -> list[str]:
    """The words of a template that are neither in a {% trans %} block nor in an expression."""
    text = re.sub(r"\{% block (main_class|accent) %\}.*?\{% endblock [-+]?%\}", " ", source)  # CSS
    text = re.sub(r"\{%[-+]? trans\b.*?\{%[-+]? endtrans [-+]?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r'\s[\w-]+="[^"]*"', " ", text)  # attributes written by a macro
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&\w+;", " ", text)
    return [w for w in re.findall(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff²/:-]*", text)
            if w not in OWN_NAMES]


@pytest.mark.parametrize("template", sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.glob("*/**/*")
    if p.suffix in (".html", ".txt", ".md")))
def test_templates_hold_no_words_of_their_own(template: str) -> None:
    words = words_outside_the_catalogue((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not words, f"{template}: text outside the catalogue: {words}"
