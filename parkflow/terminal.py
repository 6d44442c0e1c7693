"""Terminal rendering with rich: the board, project tables, a project's page and history.

Every id is shown by its label (workflow.labels); headers and words come from the catalogue.
"""

from __future__ import annotations

from typing import Any

from rich.columns import Columns
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from i18n import N_, gettext, ngettext
from workflow.labels import Labels
from workflow.park import Park

STATUS_STYLE = {"on_time": "green", "due_soon": "yellow", "overdue": "bold red", None: "dim"}


def stars_text(stars: int) -> str:
    return "★" * stars if stars else ""


def _status(status: str | None, labels: Labels) -> str:
    return labels.status(status) if status else "—"


def print_board(console: Console, rows: list[dict[str, Any]], park: Park, lang: str) -> None:
    """A column per state; each card shows owner, stars and its deadline coloured by status."""
    labels = Labels.of(park, lang)
    columns = []
    for state in park.lifecycle.states:
        cards = [row for row in rows if row["state"] == state]
        body: list[Any] = [_card(row, labels) for row in cards] or [Text("—", style="dim")]
        columns.append(Panel(Group(*body), title=f"{labels.state(state)} ({len(cards)})",
                             width=34, border_style="cyan"))
    console.print(Columns(columns, equal=True))
    legend = Text()
    for status in ("on_time", "due_soon", "overdue"):
        legend.append(f"■ {_status(status, labels)}  ", style=STATUS_STYLE[status])
    console.print(legend)


def _card(row: dict[str, Any], labels: Labels) -> Text:
    text = Text()
    text.append(f"#{row['id']} {row['name']}", style="bold")
    if row["stars"]:
        text.append(f" {stars_text(row['stars'])}", style="yellow")
    text.append(f"\n  {row['owner']['name']}")
    if row["due_date"]:
        style = STATUS_STYLE[row["deadline_status"]]
        due = labels.text(N_("due %(day)s"), day=row["due_date"])
        text.append(f" · {due} {_status(row['deadline_status'], labels)}", style=style)
    return text


def print_project_table(console: Console, rows: list[dict[str, Any]], park: Park,
                        lang: str) -> None:
    labels = Labels.of(park, lang)
    table = Table(show_lines=False)
    for header in (N_("No."), N_("Project"), N_("State"), N_("Owner"), N_("Stars"),
                   N_("Due")):
        table.add_column(gettext(lang, header))
    table.add_column("")
    for row in rows:
        status = row["deadline_status"]
        table.add_row(str(row["id"]), row["name"], labels.state(row["state"]),
                      row["owner"]["name"], stars_text(row["stars"]), row["due_date"] or "—",
                      Text(_status(status, labels), style=STATUS_STYLE[status]))
    console.print(table)
    console.print(ngettext(lang, "%(num)d project", "%(num)d projects", len(rows)))


def print_project(console: Console, view: dict[str, Any], park: Park, lang: str) -> None:
    labels = Labels.of(park, lang)
    lines = Text()
    facts = [
        (labels.text(N_("State")), view["state_label"]),
        (labels.text(N_("Category")), labels.category(view["category"])),
        (labels.text(N_("Owner")), f"{view['owner']['name']} <{view['owner']['email']}>"),
        (labels.text(N_("Group")), labels.group(view["group"])),
        (labels.text(N_("Stars")), stars_text(view["stars"]) or "—"),
    ]
    record = view.get("record") or {}
    facts += [(labels.record_field(name), labels.value("record", name, record[name]))
              for name in park.lifecycle.project_fields if name in record]
    deadline = view["deadline"]
    for label, value in facts:
        lines.append(_label(labels, label), style="bold")
        lines.append(f"{value}\n")
    if deadline:
        status = view["deadline_status"]
        lines.append(_label(labels, labels.text(N_("Due"))), style="bold")
        lines.append(f"{deadline['due_date']} 24:00 ({_status(status, labels)})\n",
                     style=STATUS_STYLE[status])
        lines.append(f"  {deadline['explanation']}\n", style="dim")
    console.print(Panel(lines, title=f"#{view['id']} {view['name']}", border_style="cyan"))
    print_history(console, view["history"], park, lang)


def _label(labels: Labels, label: str) -> str:
    """A label before its value: "状态：" / "State: "."""
    return labels.text(N_("%(label)s: %(value)s"), label=label, value="")


def print_history(console: Console, rows: list[dict[str, Any]], park: Park, lang: str) -> None:
    """One line per history entry: `走访人员 王建国、李娜 · 项目需求 资金、空间`, never ids."""
    labels = Labels.of(park, lang)
    table = Table(title=labels.text(N_("History")))
    for header in (N_("When"), N_("Event"), N_("State"), N_("By"), N_("Fields")):
        table.add_column(gettext(lang, header))
    for row in rows:
        moves = f"{labels.state(row['from'])} → {labels.state(row['to'])}"
        table.add_row(row["occurred_at"][:16].replace("T", " "), labels.event(row["event"]),
                      moves, row["actor"], labels.fields_line(row["event"], row["fields"]))
    console.print(table)
