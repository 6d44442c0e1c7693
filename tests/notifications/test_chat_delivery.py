"""Reminders reach a group's chat robot too, through the outbox, exactly once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine

from db.engine import reading, writing
from notifications.delivery import MailSettings
from notifications.outbox import list_rows
from parkflow.settings import Settings
from parkflow.wiring import App, make_park
from tests.factories import NOW, PARK_TZ
from workflow.clock import FixedClock
from workflow.projects import add_project
from workflow.users import add_user

ROBOTS = json.dumps({"project": {"wecom": "https://qyapi.example/cgi-bin/webhook/send?key=k",
                                 "dingtalk": {"url": "https://oapi.example/robot/send?access_token=t",
                                              "secret": "SEC"}}})


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: object) -> None:
        self.sent.append(str(message["To"]))  # type: ignore[index]


def test_a_reminder_goes_to_the_group_robots_once_each(db_url: str, engine: Engine) -> None:
    settings = Settings(database_url=db_url, chat_webhooks=ROBOTS)
    clock = FixedClock(NOW)
    park = make_park(settings, clock=clock)
    app = App(settings=settings, engine=engine, park=park)
    posted: list[httpx.Request] = []

    def robot(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    chat = app.chat(httpx.Client(transport=httpx.MockTransport(robot)))
    with writing(engine) as session:
        add_user(session, park.lifecycle, email="li@park.test", name="李娜", role="member",
                 group="project", now=NOW)
        add_project(session, park, name="量子测量", category="tech_transfer",
                    owner="li@park.test", actor="li@park.test", intake="2026-11-20")
    mailer = RecordingMailer()
    from notifications.delivery import run_once
    due_day = datetime(2026, 11, 27, 9, 0, tzinfo=PARK_TZ)  # intake + 7 days, 09:00
    for moment in (due_day, due_day + timedelta(minutes=5)):
        clock.set(moment)
        run_once(engine, park, mailer, MailSettings("p@park.test", "http://x"), now=moment,
                 chat=chat)

    assert mailer.sent == ["li@park.test"]
    hosts = sorted(r.url.host for r in posted)
    assert hosts == ["oapi.example", "qyapi.example"]
    wecom = next(r for r in posted if r.url.host == "qyapi.example")
    body = json.loads(wecom.content)
    assert body["msgtype"] == "markdown" and "量子测量" in body["markdown"]["content"]
    dingtalk = next(r for r in posted if r.url.host == "oapi.example")
    assert {"timestamp", "sign", "access_token"} <= set(dingtalk.url.params)
    with reading(engine) as session:
        chat_rows = [r for r in list_rows(session) if r.channel == "chat"]
    assert {r.recipient for r in chat_rows if r.status == "sent"} == {"wecom:project",
                                                                       "dingtalk:project"}
