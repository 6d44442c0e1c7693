"""A person's messages in the app (/messages): what went to them by mail, from the outbox,
with links; mark one or all read. The bell in the header counts the unread ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from db.engine import writing
from i18n import gettext
from notifications.inbox import mark_all_read, mark_read, messages_for
from web.deps import AppDep, CurrentUser, SessionDep
from web.rendering import after_post, page
from workflow.labels import Labels

router = APIRouter()

# the page shows the latest ones; `parkflow inbox` lists them all
SHOWN = 200
MessageId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/messages")
def messages_page(request: Request, app: AppDep, session: SessionDep, viewer: CurrentUser,
                  unread: bool = False) -> Response:
    park = app.park
    rows = messages_for(session, viewer.email, now=park.now(),
                        labels=Labels.of(park, viewer.lang), tz=park.tz, unread=unread,
                        limit=SHOWN)
    request.state.nav = "messages"
    return page(request, "messages.html", {"messages": rows, "unread_only": unread})


@router.post("/messages/{message_id}/read")
def read_one(request: Request, app: AppDep, viewer: CurrentUser,
             message_id: MessageId) -> Response:
    with writing(app.engine) as session:
        mark_read(session, viewer.email, message_id=message_id, now=app.park.now())
    return after_post(request, "/messages")


@router.post("/messages/read")
def read_all(request: Request, app: AppDep, viewer: CurrentUser) -> Response:
    with writing(app.engine) as session:
        count = mark_all_read(session, viewer.email, now=app.park.now())
    return after_post(request, "/messages", gettext(
        viewer.lang, "%(count)s messages marked read.", count=count))
