"""Rendering mail: every kind has every part in every language, renders its sample, refuses
a context it cannot render, and escapes what it is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from notifications.render import KINDS, LANGS, PARTS, TEMPLATES_DIR, RenderError, render_message
from tests.support.mail import SCRIPT, sample
from tests.support.mail_samples import SAMPLE_CONTEXTS

# --------------------------------------------------------------------------- rendering

def test_every_kind_has_every_part_once_for_every_language() -> None:
    folders = {
        p.name
        for p in (TEMPLATES_DIR / "email").iterdir()
        if p.is_dir() and not p.name.startswith("_")
    }
    assert folders == set(KINDS)
    for kind in KINDS:
        assert {p.name for p in (TEMPLATES_DIR / "email" / kind).iterdir()} == set(PARTS), kind


def test_every_kind_has_a_sample_context() -> None:
    assert set(SAMPLE_CONTEXTS) == set(KINDS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_its_sample_in_both_languages(kind: str, lang: str) -> None:
    context = sample(kind)
    message = render_message(kind, context, lang=lang)

    assert (
        message.subject
        and "\n" not in message.subject
        and message.subject == message.subject.strip()
    )
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in message.html
    link = (context["project"]["url"] if "project" in context
            else context.get("overdue_url") or context.get("report", {}).get("url")
            or context["calendar"]["admin_url"])
    for form in (message.text, message.html, message.markdown):
        assert link in form
    if "deadline" in context:
        explanation = context["deadline"]["explanation"]
        assert explanation in message.text and explanation in message.markdown
        assert explanation in message.html


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind in KINDS for key in SAMPLE_CONTEXTS[kind]]
)
def test_a_missing_context_key_is_a_render_error(kind: str, key: str) -> None:
    context = sample(kind)
    del context[key]
    with pytest.raises(RenderError) as caught:
        render_message(kind, context)
    assert caught.value.kind == kind and key in caught.value.reason


def test_a_missing_nested_key_is_a_render_error() -> None:
    context = sample("reminder")
    del context["deadline"]["explanation"]
    with pytest.raises(RenderError, match="explanation"):
        render_message("reminder", context)


def test_a_value_of_the_wrong_type_is_a_render_error() -> None:
    context = sample("inquiry")
    context["project"]["stars"] = None
    with pytest.raises(RenderError, match="TypeError"):
        render_message("inquiry", context)


def test_an_unknown_kind_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="unknown kind"):
        render_message("birthday", {})


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("zh-CN", "zh-CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("fr", "zh-CN"),
        ("", "zh-CN"),
    ],
)
def test_languages_resolve_and_unknown_ones_fall_back_to_chinese(
    requested: str, expected: str
) -> None:
    message = render_message("reminder", sample("reminder"), lang=requested)
    assert message == render_message("reminder", sample("reminder"), lang=expected)


def test_chinese_is_the_default_language() -> None:
    message = render_message("reminder", sample("reminder"))
    assert message.subject.startswith("【到期提醒】")
    assert message.text.startswith("王明，您好：")


@pytest.mark.parametrize("kind", [k for k in KINDS if "project" in SAMPLE_CONTEXTS[k]])
def test_a_project_name_is_escaped_in_html_and_intact_elsewhere(kind: str) -> None:
    context = sample(kind)
    context["project"]["name"] = SCRIPT
    message = render_message(kind, context)
    assert SCRIPT not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert SCRIPT in message.text
    assert "＜script＞alert(1)＜/script＞" in message.markdown  # inert in a group chat


MARK = "<i>&\"</i>"  # no template writes it; escaped, it reads &lt;i&gt;&amp;&#34;&lt;/i&gt;


def _text_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every string in a context (keys of dicts, indices of lists)."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_leaves(item, (*path, index))


@pytest.mark.parametrize("kind", KINDS)
def test_no_text_of_the_context_reaches_the_html_part_unescaped(kind: str) -> None:
    """Each string of the sample, in turn, carries markup: wherever the HTML part shows it
    (through a plain-text macro too: a comment, a reason, an owner's name), it is escaped.
    A string the kind cannot render with the markup (a date, an id) is left out."""
    shown = 0
    for path in _text_leaves(SAMPLE_CONTEXTS[kind]):
        context = sample(kind)
        holder = context
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = holder[path[-1]] + MARK
        try:
            message = render_message(kind, context)
        except (RenderError, ValueError, KeyError):
            continue
        assert MARK not in message.html, (kind, path)
        shown += "&lt;i&gt;&amp;&#34;&lt;/i&gt;" in message.html
    assert shown, kind  # the check saw the markup somewhere


CHAT_MARK = "[点此](https://evil.example)<@all>**粗**`码`\n# 标题"
# as the group reads it
CHAT_INERT = "［点此］(https://evil.example)＜@all＞＊＊粗＊＊｀码｀ ＃ 标题"


@pytest.mark.parametrize("kind", KINDS)
def test_no_text_of_the_context_is_markdown_in_the_chat_part(kind: str) -> None:
    """Each string of the sample, in turn, carries chat markdown (a link, an @all, bold, a
    code span, a heading on a new line): the group sees it as text, not as markup."""
    shown = 0
    for path in _text_leaves(SAMPLE_CONTEXTS[kind]):
        if str(path[-1]).endswith("url"):
            continue  # the links the template makes
        context = sample(kind)
        holder = context
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = holder[path[-1]] + CHAT_MARK
        try:
            message = render_message(kind, context)
        except (RenderError, ValueError, KeyError):
            continue
        for markup in ("](https://evil", "<@all>", "**粗**", "`码`", "\n# 标题"):
            assert markup not in message.markdown, (kind, path, markup)
        shown += CHAT_INERT in message.markdown
    assert shown, kind  # the check saw the text somewhere


def test_digest_rows_are_escaped_in_html() -> None:
    context = sample("digest")
    context["overdue"][0]["name"] = SCRIPT
    message = render_message("digest", context)
    assert SCRIPT not in message.html and "&lt;script&gt;" in message.html
    assert SCRIPT in message.text


def test_a_newline_in_a_name_cannot_break_the_subject_line() -> None:
    context = sample("reminder")
    context["project"]["name"] = "星海\nBcc: victim@example.com"
    assert "\n" not in render_message("reminder", context).subject


def test_a_reminder_on_the_due_day_says_today() -> None:
    context = sample("reminder")
    context["deadline"]["days_left"] = 0
    assert "今日到期" in render_message("reminder", context).subject
    assert "is due today" in render_message("reminder", context, lang="en").subject


def test_the_digest_lists_the_most_overdue_project_first() -> None:
    text = render_message("digest", sample("digest")).text
    assert text.index("蓝鲸生物医药创新平台") < text.index("星海量子计算研发中心")


def test_a_rejected_approval_reads_as_a_refusal() -> None:
    context = sample("approval_decided")
    context["approval"].update(decision="rejected", comment=None)
    message = render_message("approval_decided", context)
    assert "未获批准" in message.subject and "不予同意" in message.text


def test_the_owner_hears_of_someone_elses_request_by_their_name_not_as_yours() -> None:
    context = sample("approval_decided")
    requester = render_message("approval_decided", context)
    context["recipient"] = {"name": "李娜", "email": "li.na@park.example.gov.cn"}
    owner = render_message("approval_decided", context)

    assert "您于" in requester.text and "王明 于" not in requester.text
    for body in (owner.text, owner.html, owner.markdown):
        assert "您于" not in body and "王明 于" in body


def test_an_approval_decision_must_be_approved_or_rejected() -> None:
    context = sample("approval_decided")
    context["approval"]["decision"] = "returned"
    with pytest.raises(RenderError, match="decision"):
        render_message("approval_decided", context)


def test_the_returned_approval_carries_the_comment() -> None:
    comment = SAMPLE_CONTEXTS["approval_returned"]["approval"]["comment"]
    message = render_message("approval_returned", sample("approval_returned"))
    assert comment in message.text and comment in message.html and comment in message.markdown


def test_empty_agenda_sections_say_so() -> None:
    context = sample("agenda")
    sections = context["report"]["sections"]
    for section in sections:
        section["rows"] = []
    message = render_message("agenda", context)
    assert message.text.count("（无）") == len(sections) == 2
    assert message.html.count("（无）") == 2


def test_a_reports_text_names_each_cell_by_its_column() -> None:
    """A text part has no table head: the numbers stood alone (`项目组 | 1`)."""
    message = render_message("agenda", sample("agenda"))
    assert ("1. 云帆智能网联汽车测试场  类别：科技成果转化类  负责人：赵磊  "
            "入库日期：2026年11月4日") in message.text
    assert "1. 项目组  逾期：1" in message.text
    assert "- 项目组 · 逾期：[1](" in render_message("agenda", sample("agenda"),
                                                  markdown=True).markdown


def test_the_agenda_says_which_week_its_figures_cover() -> None:
    """The meeting's week is the one after the figures': the mail now says so."""
    for lang, sentence in (("zh-CN", "以下数据为上周（2026年11月2日 – 11月8日）情况。"),
                           ("en", "The figures below cover last week, 2026年11月2日 – 11月8日.")):
        message = render_message("agenda", sample("agenda"), lang=lang)
        assert sentence in message.text and sentence in message.markdown
        assert "<strong>2026年11月2日 – 11月8日</strong>" in message.html


def test_a_reminder_to_a_group_chat_names_the_owner_rather_than_you() -> None:
    """A chat message reaches a group's robot: 您负责的项目 spoke to nobody in particular."""
    for lang, owner in (("zh-CN", "王明负责的项目"), ("en", "owned by 王明")):
        chat = render_message("reminder", sample("reminder"), lang=lang, markdown=True).markdown
        assert owner in chat and "您负责" not in chat and "your project" not in chat


@pytest.mark.parametrize("kind", KINDS)
def test_the_owner_is_called_one_name_in_chinese(kind: str) -> None:
    """负责人, as the facts label the owner: the 预警 said 负责人：李娜 then 请责任人 李娜."""
    message = render_message(kind, sample(kind))
    assert "责任人" not in message.text + message.html + message.markdown


def test_two_chinese_sentences_have_no_space_between_them() -> None:
    """需要您审批。 本审批…: an English habit in a Chinese mail."""
    context = sample("approval_requested")
    context["due_today"] = True
    assert "需要您审批。本审批将于今日" in render_message("approval_requested", context).text
    english = render_message("approval_requested", context, lang="en").text
    assert "It awaits your decision. It is due today" in english


@pytest.mark.parametrize("kind", ["warning", "relocation_warning"])
def test_an_english_warning_asks_the_lead_of_the_group(kind: str) -> None:
    """"the lead of Project group": the group's label is a noun phrase that wants its article."""
    context = sample(kind)
    context["project"]["group_label"] = "Project group"
    assert "the lead of the Project group" in render_message(kind, context, lang="en").text


def test_an_offered_units_building_and_number_stay_apart_in_the_subject() -> None:
    """Building B2, unit 302 read 中安创谷B2302 in the subject, B2 302 in the body."""
    context = sample("listing_offered")
    context["listing"].update(carrier="中安创谷", building="B2", unit="302")
    message = render_message("listing_offered", context)
    assert "中安创谷 B2 302" in message.subject and "B2 302" in message.text
