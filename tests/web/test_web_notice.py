"""The admin page's holiday notice: paste it, preview every day beside the calendar, import."""

from __future__ import annotations

import re

from sqlalchemy import update

from db.engine import reading, writing
from db.models import User, columns
from tests.factories import SAMPLE_2027, SQLITE_ONLY
from tests.support.web import Web, csrf, post_form
from workflow.calendar_store import covered_years, show_calendar
from workflow.notice_import import notice_source

pytestmark = SQLITE_ONLY  # pages do not depend on the backend (the use case runs on both)

ITEMS_2027 = SAMPLE_2027[SAMPLE_2027.index("一、"):SAMPLE_2027.index("节假日期间")]


def rows(html: str) -> dict[str, str]:
    """The preview's rows: date → the change shown."""
    return dict(re.findall(r'data-date="([\d-]+)">.*?<td class="change"[^>]*>([^<]+)</td>', html,
                           re.S))


def loaded_2027(web: Web) -> bool:
    with reading(web.app.engine) as session:
        return 2027 in covered_years(session)


def test_the_admin_page_offers_to_paste_next_years_notice(web: Web) -> None:
    html = web.signed_in("admin").get("/admin").text
    assert 'action="/admin/calendar/notice/preview"' in html
    assert '<textarea id="notice-text" name="text"' in html
    assert re.search(r'id="notice-year" name="year"[^>]*value="2027"', html)  # the clock: 2026


def test_a_preview_shows_each_day_beside_the_calendar_and_imports_nothing(
        web: Web) -> None:
    admin = web.signed_in("admin")
    response = post_form(admin, "/admin/calendar/notice/preview",
                         {"text": SAMPLE_2027, "year": "2027"}, form="form-notice")
    assert response.status_code == 200, response.text
    assert response.headers["HX-Retarget"] == "#notice-preview"
    html = response.text
    shown = rows(html)
    assert len(shown) == 32 and set(shown.values()) == {"新增"}
    assert re.search(r'data-date="2027-02-20">.*?班 春节</span></td>'
                     r'<td data-label="当前日历">—</td>', html, re.S)
    assert "2027 年通知与当前日历对照" in html and "2027 年的节假日安排尚未导入" in html
    assert "放假 28 天，调休上班 4 天；新增 32，删除 0，改变 0，不变 0。" in html
    assert 'action="/admin/calendar/notice"' in html  # the confirmation
    assert not loaded_2027(web)


def test_confirming_the_preview_imports_the_year(web: Web) -> None:
    admin = web.signed_in("admin")
    preview = post_form(admin, "/admin/calendar/notice/preview",
                        {"text": ITEMS_2027, "year": "2027"}, form="form-notice").text
    text = re.search(r'<textarea name="text" hidden>(.*?)</textarea>', preview, re.S)
    assert text is not None
    response = post_form(admin, "/admin/calendar/notice",
                         {"text": text.group(1), "year": "2027"}, form="form-notice-import")
    assert response.status_code == 200, response.text
    assert response.headers["HX-Redirect"] == "/admin?year=2027"
    page = admin.get("/admin?year=2027").text
    assert "已按通知导入 2027 年的节假日安排：放假 28 天，调休上班 4 天。" in page
    assert notice_source(2027) in page and "2027-10-09" in page
    with reading(web.app.engine) as session:
        assert len(show_calendar(session, 2027)["days"]) == 32

    again = post_form(admin, "/admin/calendar/notice/preview",
                      {"text": ITEMS_2027, "year": "2027"}, form="form-notice").text
    assert set(rows(again).values()) == {"不变"}


def test_an_unreadable_sentence_is_shown_in_the_forms_error_slot(web: Web) -> None:
    broken = SAMPLE_2027.replace("放假1天，不调休。", "放假1天，不调休。具体另行通知。", 1)
    response = post_form(web.signed_in("admin"), "/admin/calendar/notice/preview",
                         {"text": broken, "year": "2027"}, form="form-notice")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#form-notice-error"
    assert 'data-error-field="text"' in response.text
    assert "无法识别通知中的这句话：“具体另行通知”" in response.text
    assert not loaded_2027(web)


def test_a_member_may_neither_preview_nor_import(web: Web) -> None:
    alice = web.signed_in("alice")
    for path in ("/admin/calendar/notice/preview", "/admin/calendar/notice"):
        response = post_form(alice, path, {"text": SAMPLE_2027, "year": "2027"})
        assert response.status_code == 403, path
    assert not loaded_2027(web)


def test_a_form_without_its_token_is_refused(web: Web) -> None:
    admin = web.signed_in("admin")
    csrf(admin)  # the session has a token; this post does not carry it
    response = admin.post("/admin/calendar/notice", data={"text": SAMPLE_2027, "year": "2027"})
    assert response.status_code == 403
    assert not loaded_2027(web)


def test_the_preview_speaks_english_to_an_english_admin_and_works_without_javascript(
        web: Web) -> None:
    with writing(web.app.engine) as session:
        session.execute(update(User).where(columns(User).email == web.people["admin"])
                        .values(lang="en"))
    admin = web.signed_in("admin")
    response = post_form(admin, "/admin/calendar/notice/preview",
                         {"text": SAMPLE_2027, "year": "2027"}, htmx=False)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Admin</h1>" in html  # the whole page, the preview in place
    assert "The notice for 2027 beside the calendar" in html
    assert re.search(r'data-date="2027-10-09">.*?work National Day</span>', html, re.S)
    assert set(rows(html).values()) == {"added"}
