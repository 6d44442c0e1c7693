"""The links of the mails lead to the page they name, for the person they are sent to."""

from __future__ import annotations

from tests.support.mail import mail_context
from tests.support.web import Web


def test_the_digest_links_to_the_overdue_projects_it_lists(web: Web) -> None:
    """It linked /board?status=overdue: the whole board, whatever the status."""
    web.project("逾期未走访项目", intake="2026-11-02")  # its visit was due on 2026-11-09
    web.project("按时项目", intake="2026-11-19")
    context = mail_context(web, "digest", "leader")
    assert [row["name"] for row in context["overdue"]] == ["逾期未走访项目"]
    page = web.signed_in("leader").get(context["overdue_url"])
    assert page.status_code == 200
    assert "逾期未走访项目" in page.text and "按时项目" not in page.text


def test_the_calendar_mail_links_to_the_calendar_on_the_admin_page(web: Web) -> None:
    """It linked /admin/calendar, which only takes the upload (GET: 405)."""
    url = mail_context(web, "calendar_missing", "admin", year=2027)["calendar"]["admin_url"]
    path, _, fragment = url.partition("#")
    page = web.signed_in("admin").get(path)
    assert page.status_code == 200
    assert f'id="{fragment}"' in page.text
