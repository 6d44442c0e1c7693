"""The interface's languages: every message has its Chinese translation, templates hold no
words of their own, and the catalogues compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import LOCALE_DIR, catalogue_path, normalise, pick_lang, tr, translations
from web.rendering import TEMPLATE_DIR

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "mark": None, "tr": (2,)}
# words a template may show as they are: the product's name, and each language's own name
# on the switch (always written in that language)
# on the switch (always written in that language), and the brand mark
OWN_NAMES = {"parkflow", "English", "中文", "简体中文", "m²", "24:00", "/5", "园"}


def used_messages() -> set[str]:
    """Every msgid the templates and the web package use (as `pybabel extract` finds them)."""
    found: set[str] = set()
    for directory, method in ((TEMPLATE_DIR, "jinja2"), (ROOT / "web", "python")):
        for _, _, message, _, _ in extract_from_dir(
                str(directory), method_map=[("**.html" if method == "jinja2" else "**.py",
                                             method)],
                keywords=KEYWORDS, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_chinese_translation() -> None:
    with catalogue_path("zh-CN").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue
                  if m.id and (m.string if isinstance(m.string, str) else any(m.string or ()))}
    missing = sorted(used_messages() - translated)
    assert not missing, f"not in web/locale/zh_CN (see web/i18n.py to update): {missing}"


def test_the_catalogues_hold_no_message_nobody_uses() -> None:
    used = used_messages()
    for lang in ("zh-CN", "en"):
        with catalogue_path(lang).open("rb") as handle:
            ids = {m.id[0] if isinstance(m.id, tuple) else m.id
                   for m in read_po(handle) if m.id}
        assert ids <= used, sorted(ids - used)


def test_both_catalogues_compile_and_translate() -> None:
    assert {p.name for p in LOCALE_DIR.iterdir() if p.is_dir()} == {"zh_CN", "en"}
    assert tr("zh-CN", "Pipeline board") == "项目看板"
    assert tr("en", "Pipeline board") == "Pipeline board"
    assert translations("zh-CN").ngettext("%(num)d project", "%(num)d projects", 2) == \
        "%(num)d 个项目"
    assert tr("zh-CN", "Total %(total)s of 20", total=17) == "合计 17 分（满分 20）"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATE_DIR.glob("*.html")))
def test_templates_hold_no_words_of_their_own(template: str) -> None:
    source = (TEMPLATE_DIR / template).read_text(encoding="utf-8")
    text = re.sub(r"\{% block main_class %\}.*?\{% endblock %\}", " ", source)  # CSS classes
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r'\s[\w-]+="[^"]*"', " ", text)  # attributes written by a macro
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&\w+;", " ", text)
    words = [w for w in re.findall(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff²/:-]*", text)
             if w not in OWN_NAMES]
    assert not words, f"{template}: text outside _(): {words}"


def test_languages_are_chosen_safely() -> None:
    assert normalise("fr") == "zh-CN" and normalise(None) == "zh-CN" and normalise("en") == "en"
    assert pick_lang("en-US,en;q=0.9") == "en" and pick_lang("zh-CN,zh") == "zh-CN"
    assert pick_lang(None) == "zh-CN"
