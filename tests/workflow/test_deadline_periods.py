"""Periods of the lifecycle's deadline rules: read from their text, labelled in each language."""

from __future__ import annotations

import pytest

from workflow.deadlines import Period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 days", Period(days=7)),
        ("10 days", Period(days=10)),
        ("1 day", Period(days=1)),
        ("1 month", Period(months=1)),
        ("2 months", Period(months=2)),
        ("  3 Months ", Period(months=3)),
        ("7天", Period(days=7)),
        ("1个月", Period(months=1)),
    ],
)
def test_a_period_is_parsed_from_its_text(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize("text", ["", "7", "days", "0 days", "-1 days", "1 week", "1.5 months"])
def test_an_unreadable_period_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError, match=f"'{text}'"):
        Period.parse(text)


def test_an_empty_period_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="positive"):
        Period()


@pytest.mark.parametrize(
    ("period", "lang", "expected"),
    [
        (Period(days=7), "zh-CN", "7天"),
        (Period(months=1), "zh-CN", "1个月"),
        (Period(days=7), "en", "7 days"),
        (Period(days=1), "en", "1 day"),
        (Period(months=1), "en", "1 month"),
        (Period(months=2), "en", "2 months"),
        (Period(months=1, days=5), "zh-CN", "1个月5天"),
        (Period(months=1, days=5), "en", "1 month 5 days"),
    ],
)
def test_a_period_has_a_label_in_each_language(period: Period, lang: str, expected: str) -> None:
    assert period.label(lang) == expected


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        Period(days=7).label("fr")
