"""The State Council's yearly holiday notice, read into holidays and adjusted working days.

Each autumn 《国务院办公厅关于YYYY年部分节假日安排的通知》 gives one numbered item per holiday:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。

Only the numbered items (一、二、…) are read; the title, the preamble, the closing paragraphs
and the signature are ignored. Every sentence of an item must be understood and every weekday
written beside a date must be that date's weekday (which catches a wrong year); otherwise
NoticeError names the sentence and nothing is returned. Pure text in, dates out: no database,
no clock.

    ValueError
    └── NoticeError(code, sentence, **params)   a sentence that cannot be read or does not check
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from workflow.calendar import SpecialDay

__all__ = ["Notice", "NoticeError", "parse_notice"]


_DIGITS = "一二三四五六七八九"
# An item starts at the beginning of a line or right after a full stop. The look-behind keeps
# lunar dates such as “腊月二十八、周日” from being taken for item 二十八.
_ITEM = re.compile(r"(?:^|(?<=。))[ \t\u3000]*([一二三四五六七八九十]{1,3})、", re.M)
# A paragraph ends with a full stop and a line break, or with a blank line.
_PARAGRAPH_END = re.compile(r"(?<=。)[ \t\u3000]*\r?\n|\r?\n[ \t\u3000]*\r?\n")
_STARTS_WITH_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")
_YEAR_STATED = re.compile(r"关于(\d{4})年部分节假日安排|现将(\d{4})年")

# After normalisation (NFKC: full-width digits and punctuation become ASCII, no spaces).
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_DAY_OFF = re.compile(r"放假(?:调休|公休)?(?:(\d+)天)?|与周末连休|补休")
_COUNT = re.compile(r"共(\d+)天")
_NOTHING_MORE = {"不调休", "与周末连休"}
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Sentences that an item may hold besides its dates: advice to employers (2024's 春节 item
# encourages a day off on 除夕) is not an arrangement, and the closing paragraph ends the
# last item when the whole notice was pasted as one line.
_ADVICE = "鼓励"
_CLOSING = "节假日期间"


class NoticeError(ValueError):
    """A sentence of the notice that could not be read, or whose dates do not check.

    `code` is an error code of workflow.error_text; `params` fill it (`sentence` always,
    `weekday` as 0–6, shown as the day's name in the reader's language).
    """

    def __init__(self, code: str, sentence: str, **params: Any) -> None:
        self.code = code
        self.sentence = sentence
        self.params: dict[str, Any] = {"sentence": sentence, **params}
        super().__init__(self.message())

    def message(self, lang: str = "zh-CN") -> str:
        from workflow.errors import ValidationError
        return ValidationError(self.code, **self.params).message(lang)


@dataclass(frozen=True)
class Notice:
    """What a notice arranges for `year`: each day off and each adjusted working day (调休上班),
    with the name of its holiday as the item heads it (e.g. "春节", "国庆节、中秋节")."""

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)

    def special_days(self) -> list[SpecialDay]:
        """The notice as calendar entries, in date order."""
        days = [SpecialDay(d, False, n) for d, n in self.holidays.items()]
        days += [SpecialDay(d, True, n) for d, n in self.workdays.items()]
        return sorted(days, key=lambda s: s.day)


def parse_notice(text: str, year: int) -> Notice:
    """Read the numbered items of the notice for `year`; NoticeError on any doubt."""
    items = list(_items(text))
    if not items:
        raise NoticeError("notice_no_items", "")
    _check_stated_year(text[: items[0][0]], year)
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for position, (_, number, body) in enumerate(items, start=1):
        if number != _numeral(position):  # items go 一、二、三… with none left out
            raise NoticeError("notice_numbering", _quote(f"{number}、{body.split('。')[0]}"),
                              expected=_numeral(position))
        _Item(body, year, holidays, workdays).read()
    return Notice(year, dict(sorted(holidays.items())), dict(sorted(workdays.items())))


def _items(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, number, text) of each numbered item, up to the end of its paragraph.

    A paragraph that follows and starts with a date still belongs to the item (a line broken
    after a full stop, as text copied from a PDF may be); any other one ends it.
    """
    starts = list(_ITEM.finditer(text))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        paragraphs = _PARAGRAPH_END.split(text[match.end():end])
        kept = [paragraphs[0]]
        for paragraph in paragraphs[1:]:
            if not _STARTS_WITH_DATE.match(_normal(paragraph)):
                break
            kept.append(paragraph)
        yield match.start(), match.group(1), "".join(kept)


def _numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99)."""
    tens, ones = divmod(number, 10)
    written = ("" if tens == 1 else _DIGITS[tens - 1]) + "十" if tens else ""
    return written + (_DIGITS[ones - 1] if ones else "")


def _check_stated_year(preamble: str, year: int) -> None:
    """The title and the preamble name the year; it must be the one asked for."""
    for match in _YEAR_STATED.finditer(_normal(preamble)):
        stated = int(match.group(1) or match.group(2))
        if stated != year:
            raise NoticeError("notice_year", match.group(0), written=stated, year=year)


def _normal(text: str) -> str:
    """Full-width digits and punctuation as ASCII, no white space: one form to match."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _quote(text: str) -> str:
    """A sentence as a person wrote it, on one line."""
    return re.sub(r"\s+", "", text)


@dataclass
class _Date:
    """A date as written: year and month may be left out (“至3日”)."""

    year: int | None
    month: int | None
    day: int
    note: str | None
    text: str


class _Item:
    """One numbered item: “名称：句子。句子。”, read sentence by sentence."""

    def __init__(self, body: str, year: int, holidays: dict[date, str],
                 workdays: dict[date, str]) -> None:
        self.body, self.year = body, year
        self.holidays, self.workdays = holidays, workdays
        self.name = ""
        self.days_off = 0

    def read(self) -> None:
        sentences = [s for s in (_quote(part) for part in self.body.split("。")) if s]
        if not sentences:
            raise NoticeError("notice_unreadable", _quote(self.body))
        heading, colon, first = _normal(sentences[0]).partition(":")
        names = [n for n in heading.split("、") if n]
        if not colon or not names or re.search(r"\d", heading):
            raise NoticeError("notice_unreadable", sentences[0])
        self.name = "、".join(names)
        for index, sentence in enumerate(sentences):
            words = first if index == 0 else _normal(sentence)
            if words.startswith(_CLOSING):
                break
            if not words.startswith(_ADVICE):
                _Sentence(self, sentence, words).read()
        if not self.days_off:
            raise NoticeError("notice_no_holiday", sentences[0])

    def add(self, day: date, is_workday: bool, sentence: str) -> None:
        if day in self.holidays or day in self.workdays:
            raise NoticeError("notice_duplicate", sentence, day=day.isoformat())
        if not date(self.year - 1, 12, 1) <= day <= date(self.year + 1, 1, 31):
            raise NoticeError("notice_outside_year", sentence, day=day.isoformat(),
                              year=self.year)
        if is_workday and day.weekday() < 5:
            raise NoticeError("notice_not_weekend", sentence, day=day.isoformat(),
                              weekday=day.weekday())
        (self.workdays if is_workday else self.holidays)[day] = self.name
        if not is_workday:
            self.days_off += 1


class _Sentence:
    """One sentence of an item: clauses separated by commas, each one of a few known forms."""

    def __init__(self, item: _Item, quoted: str, words: str) -> None:
        self.item, self.quoted, self.words = item, quoted, words
        self.last: date | None = None       # the date written last: “至3日” counts from it
        self.span: list[date] = []          # the days off the sentence gave last (for 共N天)

    def fail(self, code: str = "notice_unreadable", **params: Any) -> NoticeError:
        return NoticeError(code, self.quoted, **params)

    def read(self) -> None:
        for clause in self.words.split(","):
            self._clause(clause)

    def _clause(self, clause: str) -> None:
        dates, joints, rest = self._dates(clause)
        if not dates:
            count = _COUNT.fullmatch(rest)
            if count:
                self._check_count(int(count.group(1)))
            elif rest not in _NOTHING_MORE:
                raise self.fail()
            return
        if rest == "上班" and all(j == "、" for j in joints):
            for written in dates:
                self.item.add(self._resolve(written), True, self.quoted)
            return
        off = _DAY_OFF.fullmatch(rest)
        if off is None or len(dates) > 2 or (len(dates) == 2 and joints != ["至"]):
            raise self.fail()
        first = self._resolve(dates[0])
        last = self._resolve(dates[1], start=first) if len(dates) == 2 else first
        if last < first:
            raise self.fail("notice_range", first=first.isoformat(), last=last.isoformat())
        self.span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        for day in self.span:
            self.item.add(day, False, self.quoted)
        if off.group(1):
            self._check_count(int(off.group(1)))

    def _dates(self, clause: str) -> tuple[list[_Date], list[str], str]:
        """The dates a clause starts with, the words joining them, and the words after."""
        dates: list[_Date] = []
        joints: list[str] = []
        position = 0
        while match := _DATE.match(clause, position):
            year, month, day, note = match.groups()
            dates.append(_Date(int(year) if year else None, int(month) if month else None,
                               int(day), note, match.group(0)))
            position = match.end()
            joint = next((j for j in ("至", "、") if clause.startswith(j, position)), None)
            if joint is None or not _DATE.match(clause, position + 1):
                break
            joints.append(joint)
            position += 1
        return dates, joints, clause[position:]

    def _resolve(self, written: _Date, *, start: date | None = None) -> date:
        """The date meant. A missing month (and year) is the one of the date written before
        it in the sentence; a missing year is the notice's, or for the end of a range its
        start's, plus one when the end would fall before the start (“12月31日至1月2日”)."""
        before = start or self.last
        if written.month is None:
            if before is None:
                raise self.fail()
            year, month = written.year or before.year, before.month
        else:
            month = written.month
            year = written.year or (start.year if start else self.item.year)
            if start and not written.year and (month, written.day) < (start.month, start.day):
                year += 1
        try:
            resolved = date(year, month, written.day)
        except ValueError:
            raise self.fail("notice_bad_date", value=written.text) from None
        if written.note is not None:
            self._check_note(resolved, written.note)
        self.last = resolved
        return resolved

    def _check_note(self, day: date, note: str) -> None:
        """“农历除夕、周二”: the weekday must be the date's; lunar dates are not checked."""
        for part in re.split(r"[、,]", note):
            weekday = _WEEKDAY.fullmatch(part)
            if weekday is None:
                if not part.startswith("农历"):
                    raise self.fail()
                continue
            if _WEEKDAY_NUMBERS[weekday.group(1)] != day.weekday():
                raise self.fail("notice_weekday", day=day.isoformat(), weekday=day.weekday(),
                                written_weekday=_WEEKDAY_NUMBERS[weekday.group(1)])

    def _check_count(self, written: int) -> None:
        if not self.span:
            raise self.fail()
        if written != len(self.span):
            raise self.fail("notice_count", written=written, actual=len(self.span),
                            first=self.span[0].isoformat(), last=self.span[-1].isoformat())

