"""A report as one self-contained HTML file (`parkflow report … --html FILE`).

The same template partial as the page (_report_body.html) draws the View; the stylesheets
(the print one included) and the scripts (the vendored ECharts and the chart script) are
inlined, so the file shows its charts offline, in a chat's preview or from a USB stick, and
prints as the same A4 handout. Links go back to the workspace at `base_url`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from i18n import normalise, product_name, translations
from reports.present import View
from web.rendering import TEMPLATE_DIR
from web.report_view import Cells

STATIC_DIR = Path(__file__).parent / "static"
STYLES = ("parkflow.css", "reports.css")
SCRIPTS = ("vendor/echarts/echarts.min.js", "parkflow-charts.js")
# what would end an inline <script> or <style> element early (or open a comment in it)
_CLOSING = re.compile(r"</(script|style)|<!--", re.IGNORECASE)


def standalone_html(view: View, lang: str, base_url: str) -> str:
    """The report `view` in `lang` as one HTML document with nothing to fetch."""
    lang = normalise(lang)
    return _env(lang).get_template("report_file.html").render(
        view=view, R=Cells(lang), base_url=base_url.rstrip("/"), lang=lang,
        product=product_name(lang), styles=_inline(STYLES), scripts=_inline(SCRIPTS))


def _escaped(text: str) -> str:
    """`</script`, `</style` and `<!--` written so an inline element holds the whole text
    (`<\\/`, `<\\!--`: the same string to JavaScript; CSS has neither outside strings)."""
    return _CLOSING.sub(lambda m: "<\\" + m.group(0)[1:] if m.group(0)[1] == "/"
                        else "<\\!--", text)


@cache
def _inline(names: tuple[str, ...]) -> Markup:
    """The static files, joined and made safe to place inside one inline element."""
    text = "\n".join((STATIC_DIR / name).read_text(encoding="utf-8") for name in names)
    return Markup(_escaped(text))


@cache
def _env(lang: str) -> Environment:
    """The templates of the pages, without a park: the file needs only the View."""
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env
