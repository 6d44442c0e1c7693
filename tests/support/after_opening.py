"""The events that follow a project after it opened (落地后跟踪), as the tests fire them.

They keep the project `opened`; tests/factories.py adds them to its matrix of events.
"""

from __future__ import annotations

from typing import Any

AFTER_OPENING = ("equity_change", "address_change", "indicators", "need")
INSIDE = "合肥市高新区创新大道 2800 号"  # an address inside the shipped zone
OUTSIDE = "上海市浦东新区张江路 100 号"  # one outside it
FIGURES = {"quarter": "2026-Q3", "revenue": "1,250.5", "tax": "80", "rnd": "300",
           "employees": "46", "ip": "3"}

AFTER_VALID: dict[str, dict[str, Any]] = {
    "equity_change": {"note": "天使轮投资方入股 10%"},
    "address_change": {"address": INSIDE},
    "indicators": FIGURES,
    "need": {"kind": "space", "note": "研发团队扩大，需新增 800 m² 实验室"},
}
AFTER_STORED: dict[str, dict[str, Any]] = {
    "equity_change": AFTER_VALID["equity_change"],
    "address_change": AFTER_VALID["address_change"],
    "indicators": {"quarter": "2026-Q3", "revenue": 1250.5, "tax": 80, "rnd": 300,
                   "employees": 46, "ip": 3},
    "need": AFTER_VALID["need"],
}
