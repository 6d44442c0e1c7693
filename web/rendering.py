"""Pages: one Jinja environment per language (autoescaped, strict), labels and park-time dates.

Every text a template shows comes from the Babel catalogue (`_()`), from the lifecycle
definition's labels (states, events, fields, categories, groups) or from the engine's
messages — never a literal in a template.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket
from starlette.requests import Request

import templates as templates_package
from i18n import N_, babel_locale, gettext, negotiate, normalise, translations
from states.definition import pick
from workflow.park import Park

TEMPLATE_DIR = Path(templates_package.__file__).parent / "web"

STATUS_LABELS = {"on_time": N_("on time"), "due_soon": N_("due soon"),
                 "overdue": N_("overdue"), None: N_("no deadline")}
ROLE_LABELS = {"member": N_("member"), "leader": N_("leader"), "admin": N_("admin")}
LISTING_STATUS_LABELS = {"available": N_("available"), "reserved": N_("reserved"),
                         "leased": N_("leased")}
REQUEST_STATUS_LABELS = {"open": N_("open for matching"), "pending": N_("awaiting approval"),
                         "approved": N_("approved"), "rejected": N_("rejected"),
                         "withdrawn": N_("withdrawn"), "offered": N_("listing offered")}


class Labels:
    """Names people read, in one language, from the definitions and the catalogue."""

    def __init__(self, park: Park, lang: str) -> None:
        self.park, self.lang = park, lang

    def state(self, name: str | None) -> str:
        if name is None:
            return "∅"
        spec = self.park.lifecycle.states.get(name)
        return pick(spec.label, self.lang) if spec else name

    def waiting_for(self, name: str) -> str:
        spec = self.park.lifecycle.states.get(name)
        return pick(spec.waiting_for, self.lang) if spec and spec.waiting_for else ""

    def event(self, name: str) -> str:
        spec = self.park.lifecycle.events.get(name)
        if spec:
            return pick(spec.label, self.lang)
        return gettext(self.lang, _HISTORY_EVENTS[name]) if name in _HISTORY_EVENTS else name

    def field(self, event: str, name: str) -> str:
        spec = self.park.lifecycle.events.get(event)
        if spec and name in spec.fields:
            return pick(spec.fields[name].label, self.lang)
        return gettext(self.lang, _FIELD_NAMES[name]) if name in _FIELD_NAMES else name

    def value(self, event: str, name: str, value: Any) -> str:
        """A history field's value with choice labels ("funding" → 资金)."""
        spec = self.park.lifecycle.events.get(event)
        choices = spec.fields[name].choices if spec and name in spec.fields else {}
        items = value if isinstance(value, list) else [value]
        shown = [pick(choices[str(v)], self.lang) if str(v) in choices else str(v)
                 for v in items]
        return "、".join(shown) if self.lang == "zh-CN" else ", ".join(shown)

    def category(self, name: str) -> str:
        labels = self.park.lifecycle.categories.get(name)
        return pick(labels, self.lang) if labels else name

    def group(self, name: str | None) -> str:
        labels = self.park.lifecycle.groups.get(name or "")
        return pick(labels, self.lang) if labels else "—"

    def milestone(self, name: str) -> str:
        labels = self.park.lifecycle.milestones.get(name)
        return pick(labels, self.lang) if labels else name

    def status(self, status: str | None) -> str:
        return gettext(self.lang, STATUS_LABELS.get(status, STATUS_LABELS[None]))

    def role(self, role: str) -> str:
        return gettext(self.lang, ROLE_LABELS[role]) if role in ROLE_LABELS else role

    def approval_kind(self, kind: str) -> str:
        labels = self.park.approvals.kinds.get(kind)
        return pick(labels, self.lang) if labels else kind

    def approval_state(self, state: str) -> str:
        spec = self.park.approvals.lifecycle.states.get(state)
        return pick(spec.label, self.lang) if spec else state

    def decision(self, event: str) -> str:
        spec = self.park.approvals.lifecycle.events.get(event)
        return pick(spec.label, self.lang) if spec else event

    def space_type(self, name: str) -> str:
        labels = self.park.approvals.space_types.get(name)
        return pick(labels, self.lang) if labels else name

    def listing_status(self, status: str) -> str:
        text = LISTING_STATUS_LABELS.get(status)
        return gettext(self.lang, text) if text else status

    def request_status(self, status: str) -> str:
        text = REQUEST_STATUS_LABELS.get(status)
        return gettext(self.lang, text) if text else status


# history entries that are not lifecycle events
_HISTORY_EVENTS = {"intake": N_("Intake"), "follow_up": N_("Follow-up"),
                   "extension": N_("Deadline extended"), "suspend": N_("Suspended"),
                   "resume": N_("Resumed")}
_FIELD_NAMES = {"note": N_("note"), "days": N_("days"), "reason": N_("reason"),
                "approval_id": N_("approval"), "paused_days": N_("days paused")}


class Dates:
    """Dates and times as people in the park read them: in the park's zone."""

    def __init__(self, tz: ZoneInfo, lang: str) -> None:
        self.tz, self.lang = tz, lang

    def _moment(self, value: Any) -> datetime | date | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(
                value)
        if isinstance(value, datetime):
            return value.astimezone(self.tz) if value.tzinfo else value
        return value if isinstance(value, date) else None

    def day(self, value: Any) -> str:
        moment = self._moment(value)
        if moment is None:
            return "—"
        return (moment.date() if isinstance(moment, datetime) else moment).isoformat()

    def moment(self, value: Any) -> str:
        """Date and time; a business date recorded as a bare day (midnight) shows as the day."""
        moment = self._moment(value)
        if moment is None:
            return "—"
        if isinstance(moment, datetime):
            if moment.time() == time():
                return moment.date().isoformat()
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.isoformat()

    def until(self, value: Any) -> str:
        """The end of a period as people say it: midnight is 24:00 of the day before."""
        moment = self._moment(value)
        if not isinstance(moment, datetime):
            return self.moment(value)
        if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
            return f"{(moment.date() - timedelta(days=1)).isoformat()} 24:00"
        return moment.strftime("%Y-%m-%d %H:%M")

    def weekday(self, value: Any) -> str:
        moment = self._moment(value)
        if moment is None:
            return ""
        day = moment.date() if isinstance(moment, datetime) else moment
        return format_date(day, "EEE", locale=babel_locale(self.lang))


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every environment of the process (they are configured
    alike), so a second app or language does not compile the templates again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


class Pages:
    """The page renderer of one app: an environment per language, built on first use."""

    def __init__(self, park: Park, directory: Path = TEMPLATE_DIR) -> None:
        self.park = park
        self.directory = directory
        self._envs: dict[str, Environment] = {}

    def env(self, lang: str) -> Environment:
        lang = normalise(lang)
        if lang not in self._envs:
            env = Environment(loader=FileSystemLoader(self.directory), autoescape=True,
                              undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                              trim_blocks=True, lstrip_blocks=True,
                              bytecode_cache=_BYTECODE)
            env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(L=Labels(self.park, lang), D=Dates(self.park.tz, lang),
                               lang=lang, html_lang="zh-CN" if lang == "zh-CN" else "en",
                               lifecycle=self.park.lifecycle, policy=self.park.approvals,
                               lifecycle_zone=self.park.tz.key)
            self._envs[lang] = env
        return self._envs[lang]

    def render(self, lang: str, name: str, context: dict[str, Any]) -> str:
        return self.env(lang).get_template(name).render(context)


def request_lang(request: Request) -> str:
    """The viewer's language; before sign-in the visitor's choice, else the browser's."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        return normalise(viewer.lang)
    try:
        chosen = request.session.get("lang")
    except AssertionError:  # no session middleware on this route
        chosen = None
    return normalise(chosen) if chosen else negotiate(request.headers.get("accept-language"))


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def page(request: Request, name: str, context: dict[str, Any] | None = None, *,
         status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render a full page with what every page needs (viewer, CSRF token, flash, nav)."""
    from web.security import csrf_token, pop_flash

    lang = request_lang(request)
    viewer = getattr(request.state, "viewer", None)
    base = {"request": request, "viewer": viewer,
            "csrf_token": csrf_token(request), "flash": pop_flash(request),
            "path": request.url.path, "nav": getattr(request.state, "nav", ""),
            "pending_count": _pending_count(request, viewer),
            "now": pages_of(request).park.now()}
    html = pages_of(request).render(lang, name, {**base, **(context or {})})
    return HTMLResponse(html, status_code=status, headers=headers)


def _pending_count(request: Request, viewer: Any) -> int:
    """The inbox badge of a leader: approvals waiting for a decision."""
    if viewer is None or viewer.role != "leader":
        return 0
    from db.engine import reading
    from web.queries import pending_count

    deps = request.app.state.deps
    with reading(deps.engine) as session:
        return pending_count(session, deps.park, viewer.id)


def fragment(request: Request, name: str, context: dict[str, Any], *,
             status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render a piece of a page for htmx."""
    lang = request_lang(request)
    html = pages_of(request).render(lang, name, {"request": request, **context})
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, problem: Any) -> HTMLResponse:
    return page(request, "error.html", {"problem": problem}, status=problem.status,
                headers=problem.headers or None)


def error_fragment(request: Request, problem: Any) -> HTMLResponse:
    """The message for the form's error slot (htmx swaps 4xx and 5xx answers in, too)."""
    form = getattr(request.state, "form", None)
    form_id = form.get("_form") if form is not None else None
    headers = {}
    if isinstance(form_id, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,60}", form_id):
        headers = {"HX-Retarget": f"#{form_id}-error", "HX-Reswap": "innerHTML"}
    return fragment(request, "_form_error.html", {"problem": problem}, status=problem.status,
                    headers=headers)


def after_post(request: Request, to: str, message: str | None = None) -> Response:
    """Where a successful form post goes: the page `to`, with `message` shown once there."""
    from web.security import set_flash

    if message:
        set_flash(request, kind="success", message=message)
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": to})
    return RedirectResponse(to, status_code=303)
