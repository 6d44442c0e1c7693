"""The bell and /messages; the admin keeps the team on the web; a deactivated person is out."""

from __future__ import annotations

import re

from db.engine import reading
from notifications.inbox import unread_count
from tests.factories import NOW, SQLITE_ONLY
from tests.support.web import PASSWORD, Web, csrf_of, post_form
from workflow.users import find_user

pytestmark = SQLITE_ONLY  # pages and forms; the use cases run on both backends

BELL = re.compile(r'class="badge" data-unread="(\d+)"')


def bell(html: str) -> int:
    found = BELL.search(html)
    return int(found.group(1)) if found else 0


def test_the_bell_counts_the_unread_messages_on_every_page(web: Web) -> None:
    # intake Mon 11-16, due Mon 11-23: the 3-days-before reminder went Fri 11-20 09:00
    project = web.project()
    alice = web.signed_in("alice")
    for path in ("/board", "/todo", "/inbox", "/account", f"/projects/{project}"):
        assert bell(alice.get(path).text) == 1, path
    assert bell(web.signed_in("bob").get("/board").text) == 0


def test_the_message_list_links_each_message_and_marks_them_read(web: Web) -> None:
    project = web.project()
    alice = web.signed_in("alice")
    page = alice.get("/messages")
    assert page.status_code == 200
    assert "截止前 3 天提醒" in page.text
    assert f'href="/projects/{project}"' in page.text
    item = page.text[page.text.index("data-message="):]
    item = re.sub(r"<[^>]+>", "", item[:item.index("</li>")])
    assert re.search(r"截止前 3 天提醒[^\n]* · ", item), item  # the subject, then its project
    ids = re.findall(r'data-message="(\d+)"', page.text)
    assert len(ids) == 1
    # without the CSRF token nothing is marked
    refused = alice.post(f"/messages/{ids[0]}/read", data={})
    assert refused.status_code == 403
    done = post_form(alice, f"/messages/{ids[0]}/read", {}, htmx=False, referer="/messages")
    assert done.status_code == 303
    with reading(web.app.engine) as session:
        assert unread_count(session, web.people["alice"], now=NOW) == 0
    assert bell(alice.get("/messages").text) == 0
    # someone else's message is not found
    assert post_form(web.signed_in("bob"), f"/messages/{ids[0]}/read", {},
                     htmx=False).status_code == 404


def test_mark_all_read(web: Web) -> None:
    web.project()
    web.project("校友芯片")
    alice = web.signed_in("alice")
    assert bell(alice.get("/board").text) == 2
    assert post_form(alice, "/messages/read", {}, htmx=False).status_code == 303
    assert bell(alice.get("/board").text) == 0
    assert "data-message=" in alice.get("/messages").text  # read, still listed
    assert "data-message=" not in alice.get("/messages?unread=1").text


def test_the_admin_changes_a_persons_group_and_lead_on_the_admin_page(web: Web) -> None:
    admin = web.signed_in("admin")
    bob_id = _id(web, "bob")
    page = admin.get("/admin")
    assert f'action="/admin/users/{bob_id}/update"' in page.text
    done = post_form(admin, f"/admin/users/{bob_id}/update",
                     {"role": "member", "group": "project", "group_lead": "1"}, htmx=False)
    assert done.status_code == 303
    with reading(web.app.engine) as session:
        bob = find_user(session, web.people["bob"])
        assert bob is not None and (bob.group, bob.is_group_lead) == ("project", True)
    member = web.signed_in("alice")
    assert post_form(member, f"/admin/users/{bob_id}/update",
                     {"role": "leader"}, htmx=False).status_code == 403


def test_the_admin_page_names_languages_not_their_tags(web: Web) -> None:
    page = web.signed_in("admin").get("/admin").text

    assert '<option value="en">English</option>' in page
    assert '<option value="zh-CN">简体中文</option>' in page
    assert re.search(r'data-label="语言">简体中文</td>', page)
    assert not re.search(r'data-label="语言">(zh-CN|en)</td>', page)


def test_reassign_then_deactivate_on_the_web_and_the_person_is_out(web: Web) -> None:
    project = web.project()
    alice_id = _id(web, "alice")
    token = web.token("alice")
    alice = web.signed_in("alice")
    admin = web.signed_in("admin")
    refused = post_form(admin, f"/admin/users/{alice_id}/deactivate", {}, htmx=False)
    assert refused.status_code == 409
    moved = post_form(admin, "/admin/reassign",
                      {"from": web.people["alice"], "to": web.people["carol"]}, htmx=False)
    assert moved.status_code == 303
    assert "陈卡罗" in admin.get(f"/projects/{project}").text
    done = post_form(admin, f"/admin/users/{alice_id}/deactivate", {}, htmx=False)
    assert done.status_code == 303
    # the open session ends, signing in is refused, the token is refused
    assert alice.get("/board").status_code == 303
    client = web.client()
    page = client.get("/login")
    again = client.post("/login", data={"email": web.people["alice"], "password": PASSWORD,
                                        "csrf_token": csrf_of(page.text)})
    assert again.status_code == 403
    assert "该账号已停用" in again.text
    assert web.client().get("/api/v1/me", headers=token).status_code == 401
    # the history stays, with her name
    assert "李爱丽" in admin.get(f"/projects/{project}").text


def _id(web: Web, who: str) -> int:
    with reading(web.app.engine) as session:
        user = find_user(session, web.people[who])
        assert user is not None and user.id is not None
        return user.id
