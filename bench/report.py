"""The result table: figure, parkflow, baseline, ratio, aim, met? — as text or JSON."""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    figure: str
    parkflow: str
    baseline: str
    ratio: str
    aim: str
    met: bool | None  # None: shown for information, no aim
    values: dict[str, Any]  # the numbers behind the strings (for --json)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: Sequence[Row], notes: Sequence[str] = ()) -> str:
    header = ("figure", "parkflow", "baseline", "ratio", "aim", "met?")
    cells = [header] + [(r.figure, r.parkflow, r.baseline, r.ratio, r.aim,
                         "—" if r.met is None else ("yes" if r.met else "NO")) for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    missed = [r.figure for r in rows if r.met is False]
    aimed = sum(1 for r in rows if r.met is not None)
    lines.append("")
    lines.append(f"aims met: {sum(1 for r in rows if r.met)}/{aimed}"
                 + (f"; missed: {'; '.join(missed)}" if missed else ""))
    lines.extend(notes)
    return "\n".join(lines)


def as_json(rows: Sequence[Row], details: dict[str, Any]) -> str:
    return json.dumps({"figures": [asdict(r) for r in rows], "details": details},
                      ensure_ascii=False, indent=2)


def load_average() -> float:
    """The 1-minute load average (0 where the platform has none): benches report it."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def busy_warning(loads: Sequence[float], cpus: int | None) -> list[str]:
    """A warning line when the machine was busy while a bench ran."""
    if max(loads) > (cpus or 1) * 0.5:
        return ["warning: the machine was busy (load average above half the CPUs): "
                "figures are noisy; run again on a quiet machine"]
    return []
