"""Render a kind of message for one recipient: subject, plain text, HTML and chat markdown.

Templates live in the top-level ``templates`` package, one per kind and part, whatever the
language::

    templates/email/_base.html            the HTML frame every body.html extends
    templates/email/_macros.html|.txt     building blocks of the HTML and the text parts
    templates/email/<kind>/subject.txt    one line
    templates/email/<kind>/body.txt       plain-text part
    templates/email/<kind>/body.html      HTML part (autoescaped)
    templates/email/<kind>/body.md        markdown for WeCom / DingTalk robots

Every sentence is a ``{% trans %}`` block of the one catalogue (i18n); each language has its
own cached environment with its translations installed. Dates, numbers and months go through
the filters ``day``, ``moment``, ``period_end``, ``number`` and ``stars`` (i18n.formats).
Languages are ``zh-CN`` (the default) and ``en``; any other falls back to zh-CN. The
environments use ``StrictUndefined``: a context missing a key raises `RenderError`. The
renderer adds ``lang``, ``product`` and ``subject`` (the rendered subject line, for the HTML
title and the chat heading); everything else comes from the caller.

Contexts are plain dicts of strings, ints, lists and dicts (`tests/support/mail_samples.py` has a
realistic one per kind). Dates are ISO strings (``2026-11-12``, ``2026-11-05T14:20:00+08:00``);
labels (stage, category, state, approval kind) are passed already in the recipient's
language. Keys used by several kinds:

    recipient  {name, email}                     ``name`` is the salutation ("王明" / "各位领导")
    base_url   str                               the site root, shown in the footer
    project    {id, name, category_label, state_label, owner_name, group_label, stars, url}
    approval   {id, kind, kind_label, requested_by_name, submitted_at, reason, url, due_date,
                details: [{label, value}], decisions: {approve, reject, return}, ...}
               ``details`` are pre-formatted label/value rows; ``decisions`` the labels of the
               decision buttons (the approval definition's events)

Kind by kind (besides ``recipient`` and ``base_url``, which every kind needs):

    reminder            project; deadline {stage_label, due_date, explanation, days_left}
                        (days_left 0 = due today)
    warning             project; deadline {stage_label, due_date, explanation, days_overdue}
    digest              as_of (date); overdue_url; overdue: [{name, url, owner_name,
                        stage_label, due_date, days_overdue}]
    inquiry             project; follow_up {last_date: str|None, last_summary: str|None,
                        days_since: int|None}  (None = never followed up)
    agenda              meeting {date, week_label}; report (below): last week's meeting report
    approval_requested  project; approval; due_today
    approval_decided    project; approval + {decision: "approved"|"rejected", requested_by_email,
                        decided_by_name, decided_at, comment: str|None}
    approval_returned   project; approval + {decided_by_name, decided_at, comment}
    calendar_missing    calendar {year, admin_url, projects: [{name, url, due_date}]}
    monthly_report      report {title, period, as_of, url, figures: [{label, value, url|None}],
                        sections: [{title, headers, numeric: [bool], rows: [[{text,
                        url|None}]]}], overdue_total}; attachments: [Attachment] (the workbook)
    quarterly_report    report as monthly, with opened_count instead of overdue_total
    listing_offered     project; request {id, type_label, area_m2, needed_by};
                        listing {id, carrier, building, unit, type_label, area_m2};
                        offered_by_name; note: str|None
    relocation_warning  project; relocation {address, previous_address: str|None, zone_label,
                        occurred_on (date), recorded_by_name, home_url}
    indicators_request  project; figures {quarter_label, asked: [label],
                        last_quarter_label: str|None}  (labels in the recipient's language)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

import templates
from i18n import LANGS, normalise, product_name, translations
from i18n.formats import format_day, format_moment, format_number, format_period_end

__all__ = ["KINDS", "LANGS", "PARTS", "TEMPLATES_DIR", "RenderError", "RenderedMessage",
           "environment", "render_message", "resolve_lang"]

KINDS: tuple[str, ...] = (
    "reminder",
    "warning",
    "digest",
    "inquiry",
    "agenda",
    "approval_requested",
    "approval_decided",
    "approval_returned",
    "listing_offered",
    "calendar_missing",
    "monthly_report",
    "quarterly_report",
    "relocation_warning",
    "indicators_request",
)
TEMPLATES_DIR = Path(templates.__file__).parent
PARTS: tuple[str, ...] = ("subject.txt", "body.txt", "body.html", "body.md")


@dataclass(frozen=True)
class RenderedMessage:
    """One message in every form a channel needs."""

    subject: str
    text: str
    html: str
    markdown: str  # for chat robots


class RenderError(Exception):
    """A template could not be rendered (unknown kind, missing context key, template bug)."""

    def __init__(self, kind: str, lang: str, reason: str) -> None:
        self.kind = kind
        self.lang = lang
        self.reason = reason
        super().__init__(f"cannot render {kind!r} ({lang}): {reason}")


def resolve_lang(lang: str | None) -> str:
    """Map a requested language to a supported one: "en", "en-US", "en_GB" → "en"; else zh-CN."""
    return normalise(lang)


def _moment(value: Any, lang: str) -> str:
    """A day and time; a bare day as the day."""
    when = _when(value)
    return format_moment(when, lang) if isinstance(when, datetime) else format_day(when, lang)


def _when(value: Any) -> date | datetime:
    if isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)


@cache
def environment(lang: str) -> jinja2.Environment:
    """The environment of one language: its translations, its formats; ``*.html`` escaped."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # compiled once per process: no stat of the file per render
        cache_size=-1,  # every kind's parts stay compiled in memory
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_catalogue_calls(catalogue), lang=lang, product=product_name(lang),
                       text_macros=TextMacros(env),
                       # between two sentences: Chinese puts none after its full stop
                       sentence_gap="" if lang.startswith("zh") else " ")
    env.filters.update(
        day=lambda v: format_day(_when(v), lang),
        moment=lambda v: _moment(v, lang),
        period_end=lambda v: format_period_end(_when(v), lang),
        number=lambda v: format_number(v, lang),
        stars=lambda n: "★" * n,
    )
    return env


class TextMacros:
    """The plain-text macros (``_macros.txt``) as the HTML parts use them (``{% set t =
    text_macros %}``): what they return is text, which the HTML escapes like any value.

    Imported into an escaping template, Jinja would mark a macro's output safe though the
    macro itself escaped nothing: a comment, a reason or a name a person typed reached the
    HTML as markup (``<script>``, a remote image). Called from here, a macro runs as the
    plain-text template it is, and its output stays plain text."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env

    def __getattr__(self, name: str) -> Any:
        macro = getattr(self._env.get_template("email/_macros.txt").module, name)
        return lambda *args, **kwargs: str(macro(*args, **kwargs))


def _catalogue_calls(catalogue: Any) -> dict[str, Any]:
    """``gettext``, ``ngettext`` and ``_`` as jinja2.ext.i18n installs them in newstyle (the
    text a Markup when autoescaping, then always %-formatted with the keywords; ``num`` set
    for plurals), calling the catalogue directly: the extension's own reach it through two
    or three ``Context.call`` each, and a mail has some forty sentences. They take only the
    evaluation context (autoescape): a context argument would make Jinja derive a new context
    for every sentence after a ``{% set %}`` in a block."""

    @jinja2.pass_eval_context
    def gettext(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **variables: Any) -> str:
        text = catalogue.gettext(message)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @jinja2.pass_eval_context
    def ngettext(eval_ctx: jinja2.nodes.EvalContext, singular: str, plural: str, number: int,
                 /, **variables: Any) -> str:
        variables.setdefault("num", number)
        text = catalogue.ngettext(singular, plural, number)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext, "_": gettext}


def render_message(
    kind: str, context: Mapping[str, Any], *, lang: str = "zh-CN", markdown: bool = True
) -> RenderedMessage:
    """Render `kind` for one recipient in `lang` (unknown languages fall back to zh-CN);
    `markdown=False` leaves out the chat form (empty), which an email does not use."""
    resolved = resolve_lang(lang)
    if kind not in KINDS:
        raise RenderError(kind, resolved, f"unknown kind; known kinds: {', '.join(KINDS)}")
    _check_decision(kind, resolved, context)
    env = environment(resolved)
    try:
        subject = _one_line(_render(env, kind, "subject.txt", context))
        values = {**context, "subject": subject}
        return RenderedMessage(
            subject=subject,
            text=_render(env, kind, "body.txt", values),
            html=_render(env, kind, "body.html", values),
            markdown=_render(env, kind, "body.md", chat_text(values)) if markdown else "",
        )
    except Exception as exc:
        # Missing keys, but also wrong types (``"★" * None``): the caller's outbox needs one
        # exception to mark the row failed, whatever the template tripped over.
        raise RenderError(kind, resolved, f"{type(exc).__name__}: {exc}") from exc


# What a group robot's markdown makes of ASCII in text people type: a link ([…](…)), an
# @mention or a tag (<@all>, <font>), bold, a code span, a heading, a quote. Neither WeCom nor
# DingTalk documents an escape, so each such character becomes its full-width twin, which
# reads the same; a line break becomes a space (a new line could start a heading).
_CHAT_TWINS = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "｀",
                             "#": "＃", "\n": " ", "\r": " "})


def chat_text(value: Any) -> Any:
    """The context as the chat part shows it: every string made inert as markdown, except
    the addresses (keys ending in ``url``), which the template makes the links."""
    if isinstance(value, str):
        return value.translate(_CHAT_TWINS)
    if isinstance(value, Mapping):
        return {key: item if str(key).endswith("url") else chat_text(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [chat_text(item) for item in value]
    return value


def template_name(kind: str, part: str) -> str:
    """The loader name of one part, e.g. ``email/reminder/body.html``."""
    return f"email/{kind}/{part}"


def _render(env: jinja2.Environment, kind: str, part: str, values: Mapping[str, Any]) -> str:
    return _template(env, kind, part).render(values)


@cache
def _template(env: jinja2.Environment, kind: str, part: str) -> jinja2.Template:
    """The compiled template of one part, looked up once per environment."""
    return env.get_template(template_name(kind, part))


def _check_decision(kind: str, lang: str, context: Mapping[str, Any]) -> None:
    """An approval decision outside the two known ones would be worded as a refusal: refuse it."""
    if kind != "approval_decided":
        return
    approval = context.get("approval")
    decision = approval.get("decision") if isinstance(approval, Mapping) else None
    if decision not in ("approved", "rejected"):
        raise RenderError(
            kind, lang, f"approval.decision must be 'approved' or 'rejected', got {decision!r}"
        )


def _one_line(text: str) -> str:
    """Join a rendered subject into one stripped line (no header injection via newlines)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
