"""The size limit of request bodies, enforced as they stream in.

An upload above the limit is refused with 413 before it is read whole: a declared
Content-Length above the limit is refused at the first read, before any byte of the body is
taken; a body without one (chunked) is counted as it arrives and refused once it passes the
limit. Nothing of a refused body reaches a use case. The limit is the largest file
(`WebSettings.upload_max_bytes`) plus room for the form's other fields.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_ROOM = 64 * 1024  # the multipart framing and the form's small fields beside the file


class TooLarge(HTTPException):
    """A request body (or the file in it) above the upload limit."""

    def __init__(self, limit: int, field: str) -> None:
        super().__init__(413)
        self.limit, self.field = limit, field


def limit_text(limit: int) -> str:
    """The limit as a person reads it, in MB (5, 0.5)."""
    return f"{limit / 10**6:g}"


class BodyLimit:
    """Refuse any request whose body passes `max_file + FORM_ROOM` bytes, with 413."""

    def __init__(self, app: ASGIApp, max_file: int) -> None:
        self.app, self.max_file = app, max_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        kind = headers.get(b"content-type", b"").lower()
        field = "file" if kind.startswith(b"multipart/") else "body"
        most = self.max_file + FORM_ROOM
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if declared.isdigit() and int(declared) > most:
                raise TooLarge(self.max_file, field)  # refused before the body is read
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > most:
                    raise TooLarge(self.max_file, field)
            return message

        await self.app(scope, counted, send)
