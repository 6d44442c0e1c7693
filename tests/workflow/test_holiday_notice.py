"""Reading the State Council's holiday notice: the published 2024–2026 notices give exactly
chinese-calendar's days, the forms of older years read too, and a doubt is an error."""

from __future__ import annotations

import chinese_calendar
import pytest
from chinese_calendar import Holiday

from tests.factories import D
from workflow.calendar import SpecialDay
from workflow.holiday_notice import Notice, NoticeError, parse_notice

# 国办发明电〔2024〕12号, as published on 2024-11-12.
NOTICE_2025 = """\
国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经党中央、国务院批准，根据2024年11月修订的《全国年节及纪念日放假办法》，自2025年1月1日起，\
全体公民放假的假日增加2天，其中春节、劳动节各增加1天。据此对放假调休原则作进一步优化完善，除个别\
特殊情形外，春节自农历除夕起放假调休8天，国庆节自10月1日起放假调休7天，劳动节放假调休5天，元旦、\
清明节、端午节、中秋节分别放假调休或连休3天（如逢周三则只在当日放假），国庆节放假如逢中秋节则合并\
放假8天。
　　按照上述原则，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排\
通知如下。
　　一、元旦：1月1日（周三）放假1天，不调休。
　　二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
　　三、清明节：4月4日（周五）至6日（周日）放假，共3天。
　　四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
　　五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
　　六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定\
及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

# 国办发明电〔2025〕7号, as published on 2025-11-04.
NOTICE_2026 = """\
国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排\
通知如下。
　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。
　　四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。
　　六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
　　鼓励单位和个人结合落实带薪年休假等制度，实际形成较长假期，推动错峰出行。节假日期间，各地区、各部门\
要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民\
群众祥和平安度过节日假期。

国务院办公厅
2025年11月4日
"""

# 国办发明电〔2023〕7号, its numbered items only: the older forms (no weekday beside a day off,
# 星期 instead of 周, “放假，与周末连休”, an item with a sentence of advice).
ITEMS_2024 = """\
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
"""

PUBLISHED = {2024: ITEMS_2024, 2025: NOTICE_2025, 2026: NOTICE_2026}


def items_of(text: str) -> str:
    """The numbered items alone, as someone copying only them would paste them."""
    start = text.index("一、")
    end = min(i for i in (text.find("鼓励单位和个人"), text.find("节假日期间")) if i > 0)
    return text[start:end]


def chinese_name(value: str) -> str:
    """chinese-calendar's name of a holiday as the notice writes it (清明 → 清明节)."""
    name = str(Holiday(value).chinese)
    return name if name in ("元旦", "春节") or name.endswith("节") else f"{name}节"


# ---------------------------------------------------------------- the published notices

@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_a_published_notice_gives_chinese_calendars_days_of_its_year_day_by_day(
        year: int) -> None:
    notice = parse_notice(PUBLISHED[year], year)
    expected_off = {d: v for d, v in chinese_calendar.holidays.items() if d.year == year}
    expected_work = {d: v for d, v in chinese_calendar.workdays.items() if d.year == year}
    assert list(notice.holidays) == sorted(expected_off)
    assert list(notice.workdays) == sorted(expected_work)
    for day, name in [*notice.holidays.items(), *notice.workdays.items()]:
        cc_name = expected_off.get(day) or expected_work[day]
        assert chinese_name(cc_name) in name.split("、"), (day, name, cc_name)


def test_the_2026_notice_names_each_holiday_and_its_adjusted_working_days() -> None:
    notice = parse_notice(NOTICE_2026, 2026)
    assert notice.year == 2026
    assert len(notice.holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert notice.holidays[D("2026-02-15")] == "春节"    # 农历腊月二十八, a Sunday
    assert notice.holidays[D("2026-02-23")] == "春节"    # “至23日”: the month of the start
    assert notice.holidays[D("2026-04-05")] == "清明节"
    assert notice.workdays == {D("2026-01-04"): "元旦", D("2026-02-14"): "春节",
                               D("2026-02-28"): "春节", D("2026-05-09"): "劳动节",
                               D("2026-09-20"): "国庆节", D("2026-10-10"): "国庆节"}


def test_the_2025_notice_reads_its_combined_item_cross_month_range_and_single_day() -> None:
    notice = parse_notice(NOTICE_2025, 2025)
    assert notice.holidays[D("2025-01-01")] == "元旦"        # 放假1天，不调休
    assert D("2024-12-31") not in notice.holidays and D("2025-01-02") not in notice.holidays
    assert [d for d in notice.holidays if d.month in (5, 6) and notice.holidays[d] == "端午节"] \
        == [D("2025-05-31"), D("2025-06-01"), D("2025-06-02")]
    assert [d.isoformat() for d, n in notice.holidays.items() if n == "国庆节、中秋节"] == [
        f"2025-10-0{n}" for n in range(1, 9)]
    assert notice.workdays[D("2025-10-11")] == "国庆节、中秋节"
    assert notice.workdays[D("2025-01-26")] == "春节"


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_numbered_items_alone_read_like_the_whole_notice(year: int) -> None:
    assert parse_notice(items_of(PUBLISHED[year]), year) == parse_notice(PUBLISHED[year], year)


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_copy_in_ascii_punctuation_or_on_one_line_reads_the_same(year: int) -> None:
    text = PUBLISHED[year]
    ascii_copy = text.translate(str.maketrans("（），：", "(),:"))
    one_line = text.replace("\n", "").replace("\u3000", "")
    expected = parse_notice(text, year)
    assert parse_notice(ascii_copy, year) == expected
    assert parse_notice(one_line, year) == expected


def test_a_line_broken_inside_an_item_still_belongs_to_it() -> None:
    # as text copied out of a PDF: lines broken mid-sentence and after a full stop
    text = NOTICE_2026.replace("放假调休，共9天。2月14日", "放假调休，共9天。\n2月14日").replace(
        "2月15日（农历腊月二十八、周日）至", "2月15日（农历腊月二十八、周日）\n至")
    assert parse_notice(text, 2026) == parse_notice(NOTICE_2026, 2026)


def test_the_notice_converts_to_calendar_entries_in_date_order() -> None:
    days = parse_notice(NOTICE_2026, 2026).special_days()
    assert days[:4] == [SpecialDay(D("2026-01-01"), False, "元旦"),
                        SpecialDay(D("2026-01-02"), False, "元旦"),
                        SpecialDay(D("2026-01-03"), False, "元旦"),
                        SpecialDay(D("2026-01-04"), True, "元旦")]
    assert len(days) == 33 + 6


# ---------------------------------------------------------------- other forms

@pytest.mark.parametrize(
    ("year", "items", "holidays", "workdays"),
    [
        # 2019: a range across New Year written with its years, a workday in the old year
        (2019, "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。"
               "2018年12月29日（星期六）上班。",
         ["2018-12-30", "2018-12-31", "2019-01-01"], ["2018-12-29"]),
        # a range crossing into the next year without years: the end follows its start
        (2026, "一、元旦：12月31日（周四）至1月2日（周六）放假，共3天。",
         ["2026-12-31", "2027-01-01", "2027-01-02"], []),
        # a single day joined to the weekend
        (2025, "一、清明节：4月4日（周五）放假，与周末连休。", ["2025-04-04"], []),
        # 2019: one day, nothing more
        (2019, "一、劳动节：5月1日放假。", ["2019-05-01"], []),
        # 2017: a day off made up on the Monday (补休)
        (2017, "一、元旦：1月1日放假，1月2日（星期一）补休。", ["2017-01-01", "2017-01-02"], []),
        # workdays written in one month: “1月28日（星期六）、29日（星期日）上班”
        (2023, "一、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、29日（星期日）上班。",
         [f"2023-01-{d}" for d in range(21, 28)], ["2023-01-28", "2023-01-29"]),
        # full-width digits
        (2026, "一、元旦：１月１日（周四）至３日（周六）放假调休，共３天。",
         ["2026-01-01", "2026-01-02", "2026-01-03"], []),
    ],
)
def test_the_forms_of_other_years_read(year: int, items: str, holidays: list[str],
                                       workdays: list[str]) -> None:
    notice = parse_notice(items, year)
    assert [d.isoformat() for d in notice.holidays] == holidays
    assert [d.isoformat() for d in notice.workdays] == workdays


def test_the_2019_new_year_item_agrees_with_chinese_calendar() -> None:
    notice = parse_notice("一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。"
                          "2018年12月29日（星期六）上班。", 2019)
    assert all(chinese_calendar.is_holiday(d) for d in notice.holidays)
    assert all(d in chinese_calendar.workdays for d in notice.workdays)


def test_an_item_of_one_day_is_a_notice_of_one_day() -> None:
    assert parse_notice("一、元旦：1月1日（周五）放假1天。", 2027) == Notice(
        2027, {D("2027-01-01"): "元旦"}, {})


def test_items_are_numbered_on_past_ten() -> None:
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    items = "".join(f"{n}、元旦：{month}月1日放假。\n" for month, n in enumerate(numerals, 1))
    assert [d.month for d in parse_notice(items, 2026).holidays] == list(range(1, 13))


# ---------------------------------------------------------------- errors

ONE_ITEM_2026 = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n"


@pytest.mark.parametrize(
    ("text", "code", "sentence"),
    [
        # a sentence it does not know
        (ONE_ITEM_2026 + "二、清明节：4月4日（周六）至6日（周一）放假，共3天。"
                         "清明前后注意森林防火。",
         "notice_unreadable", "清明前后注意森林防火"),
        (ONE_ITEM_2026 + "二、清明节：4月4日（周六）至6日（周一）放假，共3天，另行通知。",
         "notice_unreadable", "清明节：4月4日（周六）至6日（周一）放假，共3天，另行通知"),
        ("一、元旦：1月1日（周四、晴）放假。", "notice_unreadable", "元旦：1月1日（周四、晴）放假"),
        ("一、元旦1月1日（周四）放假。", "notice_unreadable", "元旦1月1日（周四）放假"),
        ("一、元旦：1月1日（周四）、2日放假。", "notice_unreadable",
         "元旦：1月1日（周四）、2日放假"),
        ("一、元旦：1日至3日放假。", "notice_unreadable", "元旦：1日至3日放假"),
        # dates that do not check
        ("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", "notice_count",
         "元旦：1月1日（周四）至3日（周六）放假调休，共4天"),
        ("一、春节：2月28日至30日放假。", "notice_bad_date", "春节：2月28日至30日放假"),
        ("一、春节：1月30日至2日放假。", "notice_range", "春节：1月30日至2日放假"),
        (ONE_ITEM_2026 + "二、春节：2月15日至23日放假调休。1月5日（周一）上班。",
         "notice_not_weekend", "1月5日（周一）上班"),
        (ONE_ITEM_2026 + "二、春节：1月4日（周日）放假。", "notice_duplicate",
         "春节：1月4日（周日）放假"),
        ("一、元旦：2030年1月1日放假。", "notice_outside_year", "元旦：2030年1月1日放假"),
        (ONE_ITEM_2026 + "三、春节：2月15日至23日放假调休。", "notice_numbering",
         "三、春节：2月15日至23日放假调休"),
        ("一、元旦：1月4日（周日）上班。", "notice_no_holiday", "元旦：1月4日（周日）上班"),
        ("经国务院批准，现将2026年元旦……的具体安排通知如下。", "notice_no_items", ""),
    ],
)
def test_a_sentence_that_does_not_read_or_check_is_an_error_quoting_it(
        text: str, code: str, sentence: str) -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(text, 2026)
    assert caught.value.code == code
    assert caught.value.sentence == sentence
    assert isinstance(caught.value, ValueError)
    if sentence:
        assert f"“{sentence}”" in str(caught.value)
        assert f"“{sentence}”" in caught.value.message("en")


def test_a_weekday_that_is_not_the_dates_is_an_error_naming_both() -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(NOTICE_2026.replace("9月20日（周日）", "9月20日（周六）"), 2026)
    assert caught.value.code == "notice_weekday"
    assert caught.value.sentence == "9月20日（周六）、10月10日（周六）上班"
    assert str(caught.value) == ("“9月20日（周六）、10月10日（周六）上班”：2026-09-20 是星期日，"
                                 "不是星期六（年份是否有误？）")
    assert caught.value.message("en") == (
        "“9月20日（周六）、10月10日（周六）上班”: 2026-09-20 is a Sunday, not a Saturday "
        "(is the year right?)")


def test_the_items_read_with_the_wrong_year_fail_on_the_first_weekday() -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(items_of(NOTICE_2026), 2027)
    assert caught.value.code == "notice_weekday"
    assert caught.value.sentence == "元旦：1月1日（周四）至3日（周六）放假调休，共3天"
    assert "2027-01-01 是星期五，不是星期四" in str(caught.value)


def test_the_whole_notice_read_with_the_wrong_year_fails_on_its_title() -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(NOTICE_2025, 2026)
    assert caught.value.code == "notice_year"
    assert caught.value.params["written"] == 2025
    assert "这是 2025 年的通知" in str(caught.value)
