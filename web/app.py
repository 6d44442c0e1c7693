"""The app factory: `create_app(deps, settings)` wires pages, the REST API, sessions and the
error handler.

Nothing is created at import time, and nothing of the composition root is imported: the
database engine and the park (with the outbox observer, so events fired here schedule their
reminders, and the clock) come in as `WebDeps`, the settings as `WebSettings`
(the composition root builds both).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import errors
from web.api import API_DESCRIPTION, api_router
from web.api.reference import lifecycle_reference
from web.config import WebSettings
from web.deps import WebDeps
from web.queries import BoardCache
from web.rendering import Pages
from web.routes import page_router
from web.security import SignInThrottle
from web.today import TodayCache
from web.uploads import BodyLimit

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "parkflow_session"

# Only our own scripts, styles and images; no inline script; no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "object-src 'none'")


def create_app(deps: WebDeps, settings: WebSettings) -> FastAPI:
    """The web workspace and the REST API on one database and park."""
    web = FastAPI(title="parkflow API", version="1",
                  description=API_DESCRIPTION + lifecycle_reference(deps.park.lifecycle),
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None)
    web.state.deps = deps
    web.state.web_settings = settings
    web.state.pages = Pages(deps.park)
    web.state.board_cache = BoardCache()
    web.state.today_cache = TodayCache()
    web.state.throttle = SignInThrottle()
    errors.install(web)
    web.include_router(api_router, prefix="/api/v1")
    web.include_router(page_router)
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    web.add_middleware(SessionMiddleware, secret_key=settings.secret_key,
                       session_cookie=SESSION_COOKIE, max_age=settings.session_idle_seconds,
                       same_site="lax", https_only=settings.cookie_secure)
    web.add_middleware(SecurityHeaders)
    web.add_middleware(BodyLimit, max_file=settings.upload_max_bytes)
    return web


class SecurityHeaders:
    """Headers that make injected markup inert and keep pages out of frames and caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                names = {name.lower() for name, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"DENY"),
                         (b"content-security-policy", CSP.encode())]
                if not scope["path"].startswith("/static/") and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend(h for h in extra if h[0] not in names)
            await send(message)

        await self.app(scope, receive, with_headers)
