"""Pages: one Jinja environment per language (autoescaped, strict), labels and park-time dates.

Every text a template shows comes from the Babel catalogue (`_()`), from the lifecycle
definition's labels (states, events, fields, categories, groups) or from the engine's
messages — never a literal in a template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, nodes
from jinja2.bccache import Bucket
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape
from starlette.requests import Request

import templates as templates_package
from i18n import negotiate, normalise, product_name, translations
from i18n.formats import format_number, until_iso, weekday_name
from workflow.labels import Labels
from workflow.park import Park

TEMPLATE_DIR = Path(templates_package.__file__).parent / "web"
# a day or a moment in running text (2026-12-06, 2026-11-18 24:00), kept on one line
DATE_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")


def initial(text: str) -> str:
    """A label that starts a line, with a capital: the definition's English labels are written
    to sit inside a sentence ("intake 2026-10-28 + 1 month"), Chinese has no case."""
    return text[:1].upper() + text[1:]


class Dates:
    """Dates and times as people in the park read them, in the park's zone; and figures."""

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

    def number(self, value: float) -> str:
        """An area or an amount as typed: 999.5 stays 999.5 (a rounded 1,000 m² made a request
        under the approval threshold look like one at it)."""
        return format_number(value, self.lang)

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
        return until_iso(moment)

    def weekday(self, value: Any) -> str:
        moment = self._moment(value)
        if moment is None:
            return ""
        day = moment.date() if isinstance(moment, datetime) else moment
        return weekday_name(day, self.lang)

    def unbroken(self, text: Any) -> Markup:
        """Running text (escaped) whose dates never break across lines: a narrow screen may
        break after a hyphen, which would split 2026-12-06 into "2026-12-" and "06"."""
        return Markup(DATE_IN_TEXT.sub(lambda m: f'<span class="date">{m.group(0)}</span>',
                                       str(escape(text))))

    def with_weekdays(self, values: list[Any]) -> list[str]:
        """Days each followed by the day of the week: 2026-09-27 周日."""
        return [f"{self.day(value)} {self.weekday(value)}" for value in values]


class _Translated(NodeTransformer):
    """Each `_("text")` with nothing to fill in, replaced by its translation when the template
    is compiled: the very value the call would return on every render (jinja2.ext's newstyle
    gettext: the catalogue's text, marked safe, formatted with no values), without the call.
    A page calls it dozens of times, the board once more per card."""

    def __init__(self, gettext: Callable[[str], str]) -> None:
        self.gettext = gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # jinja2.visitor names it so
        self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in ("_", "gettext")
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and not node.kwargs
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        try:
            text = Markup(self.gettext(node.args[0].value)) % {}
        except (TypeError, ValueError, KeyError):  # left to fail (or not) as it would
            return node
        return nodes.MarkSafe(nodes.Const(str(text)), lineno=node.lineno)


class _PageEnvironment(Environment):
    """The pages' environment of one language: constant texts translated at compile time."""

    lang: str = ""
    texts: Callable[[str], str] = staticmethod(lambda text: text)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        translated = _Translated(self.texts).visit(template)
        assert isinstance(translated, nodes.Template)
        return translated


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every environment of the process (they are configured
    alike), so a second app does not compile the templates again; one set per language
    (their constant texts are compiled in)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        return super().get_bucket(environment, f"{getattr(environment, 'lang', '')}:{name}",
                                  filename, source)

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
            # auto_reload off: the templates ship with the code and change only with it; on,
            # every page stat()ed each template it extends, includes or imports
            env = _PageEnvironment(loader=FileSystemLoader(self.directory), autoescape=True,
                                   undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                                   trim_blocks=True, lstrip_blocks=True,
                                   bytecode_cache=_BYTECODE, auto_reload=False)
            catalogue = translations(lang)
            env.lang, env.texts = lang, catalogue.gettext
            env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(L=Labels.of(self.park, lang), D=Dates(self.park.tz, lang),
                               lang=lang, html_lang=lang, product=product_name(lang),
                               lifecycle=self.park.lifecycle, policy=self.park.approvals,
                               lifecycle_zone=self.park.tz.key)
            env.filters["initial"] = initial
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
            "unread_count": _unread_count(request, viewer),
            "now": pages_of(request).park.now()}
    html = pages_of(request).render(lang, name, {**base, **(context or {})})
    return HTMLResponse(html, status_code=status, headers=headers)


def _pending_count(request: Request, viewer: Any) -> int:
    """The inbox badge of a leader: approvals waiting for a decision."""
    if viewer is None or viewer.role != "leader":
        return 0
    from web.queries import pending_count

    deps = request.app.state.deps
    with _session(request) as session:
        return pending_count(session, deps.park, viewer.id)


def _unread_count(request: Request, viewer: Any) -> int:
    """The bell: the viewer's unread messages (one COUNT on the outbox's recipient index)."""
    if viewer is None:
        return 0
    from notifications.inbox import unread_count

    deps = request.app.state.deps
    with _session(request) as session:
        return unread_count(session, viewer.email, now=deps.park.now())


@contextmanager
def _session(request: Request) -> Iterator[Any]:
    """The request's own reading session when it has one (web.deps.get_session), else a
    short one of its own."""
    current = getattr(request.state, "db_session", None)
    if current is not None:
        yield current
        return
    from db.engine import reading
    with reading(request.app.state.deps.engine) as session:
        yield session


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
    if form_id is None:  # a body refused unread (too large): htmx names the form it sent
        form_id = request.headers.get("HX-Trigger")
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
