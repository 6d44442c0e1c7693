"""Terminal rendering with rich: the board, project tables, a project's page and history."""

from __future__ import annotations

from typing import Any

from rich.columns import Columns
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from states.definition import pick
from workflow.park import Park

STATUS_STYLE = {"on_time": "green", "due_soon": "yellow", "overdue": "bold red", None: "dim"}
STATUS_LABEL = {
    "zh-CN": {"on_time": "按期", "due_soon": "临近", "overdue": "逾期", None: "—"},
    "en": {"on_time": "on time", "due_soon": "due soon", "overdue": "overdue", None: "—"},
}


def stars_text(stars: int) -> str:
    return "★" * stars if stars else ""


def _status(status: str | None, lang: str) -> str:
    return STATUS_LABEL.get(lang, STATUS_LABEL["zh-CN"])[status]


def print_board(console: Console, rows: list[dict[str, Any]], park: Park, lang: str) -> None:
    """A column per state; each card shows owner, stars and its deadline coloured by status."""
    columns = []
    for state, spec in park.lifecycle.states.items():
        cards = [row for row in rows if row["state"] == state]
        body: list[Any] = [_card(row, lang) for row in cards] or [Text("—", style="dim")]
        columns.append(Panel(Group(*body), title=f"{pick(spec.label, lang)} ({len(cards)})",
                             width=34, border_style="cyan"))
    console.print(Columns(columns, equal=True))
    legend = Text()
    for status in ("on_time", "due_soon", "overdue"):
        legend.append(f"■ {_status(status, lang)}  ", style=STATUS_STYLE[status])
    console.print(legend)


def _card(row: dict[str, Any], lang: str) -> Text:
    text = Text()
    text.append(f"#{row['id']} {row['name']}", style="bold")
    if row["stars"]:
        text.append(f" {stars_text(row['stars'])}", style="yellow")
    text.append(f"\n  {row['owner']['name']}")
    if row["due_date"]:
        style = STATUS_STYLE[row["deadline_status"]]
        label = "截止" if lang == "zh-CN" else "due"
        text.append(f" · {label} {row['due_date']} {_status(row['deadline_status'], lang)}",
                    style=style)
    return text


def print_project_table(console: Console, rows: list[dict[str, Any]], park: Park,
                        lang: str) -> None:
    zh = lang == "zh-CN"
    table = Table(show_lines=False)
    for header in (("编号", "ID"), ("项目", "project"), ("状态", "state"), ("负责人", "owner"),
                   ("星级", "stars"), ("截止", "due"), ("", "")):
        table.add_column(header[0] if zh else header[1])
    for row in rows:
        status = row["deadline_status"]
        table.add_row(str(row["id"]), row["name"], park.lifecycle.label(row["state"], lang),
                      row["owner"]["name"], stars_text(row["stars"]), row["due_date"] or "—",
                      Text(_status(status, lang), style=STATUS_STYLE[status]))
    console.print(table)
    console.print(f"{len(rows)} {'个项目' if zh else 'projects'}")


def print_project(console: Console, view: dict[str, Any], park: Park, lang: str) -> None:
    zh = lang == "zh-CN"
    lines = Text()
    facts = [
        ("状态" if zh else "state", view["state_label"]),
        ("类别" if zh else "category", pick(park.lifecycle.categories[view["category"]], lang)),
        ("负责人" if zh else "owner", f"{view['owner']['name']} <{view['owner']['email']}>"),
        ("小组" if zh else "group",
         pick(park.lifecycle.groups[view["group"]], lang) if view["group"] else "—"),
        ("星级" if zh else "stars", stars_text(view["stars"]) or "—"),
    ]
    for label, value in facts:
        lines.append(f"{label}: ", style="bold")
        lines.append(f"{value}\n")
    deadline = view["deadline"]
    if deadline:
        status = view["deadline_status"]
        lines.append(("截止: " if zh else "due: "), style="bold")
        lines.append(f"{deadline['due_date']} 24:00 ({_status(status, lang)})\n",
                     style=STATUS_STYLE[status])
        lines.append(f"  {deadline['explanation']}\n", style="dim")
    console.print(Panel(lines, title=f"#{view['id']} {view['name']}", border_style="cyan"))
    print_history(console, view["history"], park, lang)


def print_history(console: Console, rows: list[dict[str, Any]], park: Park, lang: str) -> None:
    zh = lang == "zh-CN"
    table = Table(title="历史" if zh else "history")
    for header in (("时间", "when"), ("事件", "event"), ("状态", "state"), ("操作人", "by"),
                   ("字段", "fields")):
        table.add_column(header[0] if zh else header[1])
    for row in rows:
        event = park.lifecycle.events.get(row["event"])
        event_label = pick(event.label, lang) if event else row["event"]
        moves = (f"{park.lifecycle.label(row['from'], lang) if row['from'] else '∅'} → "
                 f"{park.lifecycle.label(row['to'], lang)}")
        fields = ", ".join(f"{k}={_show(v)}" for k, v in row["fields"].items())
        table.add_row(row["occurred_at"][:16].replace("T", " "), event_label, moves,
                      row["actor"], fields)
    console.print(table)


def _show(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)
