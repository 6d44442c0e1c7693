"""The few statistics the reports use: nearest-rank percentiles and rates."""

from __future__ import annotations

import math
from collections.abc import Sequence


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent` % at or
    below it (the median of 1, 2, 3, 4 is 2). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole rounded to 4 places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None
