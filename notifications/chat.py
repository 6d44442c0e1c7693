"""Post markdown messages to WeCom (企业微信) and DingTalk group robots.

Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success and a non-zero
``errcode`` otherwise. Every failure raises `DeliveryError`:

    temporary (retry)   network errors and timeouts, HTTP 5xx / 408 / 429, a reply that is not
                        JSON, and the robots' "busy" / "too fast" errcodes (20 messages a minute)
    permanent           any other errcode (bad key, bad signature, content too long…), HTTP 4xx

The webhook URL carries the robot's key, so it never appears in reasons or reprs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from notifications.mail import DeliveryError
from notifications.render import RenderedMessage

ChatKind = Literal["wecom", "dingtalk"]

# WeCom documents 4096 bytes for markdown content; DingTalk rejects messages above 20000 bytes.
MAX_CONTENT_BYTES: dict[str, int] = {"wecom": 4096, "dingtalk": 20000}
# -1 system busy; WeCom 45009/45033 rate and concurrency limits; DingTalk 130101/410100 too fast.
TEMPORARY_ERRCODES: dict[str, frozenset[int]] = {
    "wecom": frozenset({-1, 45009, 45033}),
    "dingtalk": frozenset({-1, 130101, 410100}),
}
_ELLIPSIS = "\n\n…"


@dataclass(frozen=True)
class ChatWebhook:
    """A group robot: its kind, its webhook URL and, for DingTalk "加签" robots, the secret."""

    kind: ChatKind
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in MAX_CONTENT_BYTES:
            raise ValueError(f"chat webhook kind must be wecom or dingtalk, not {self.kind!r}")
        if not self.url.startswith(("https://", "http://")):
            raise ValueError(f"{self.kind} webhook URL must start with https://")
        if self.secret is not None and self.kind != "dingtalk":
            raise ValueError("only DingTalk robots sign requests; a WeCom webhook takes no secret")


def post_markdown(
    webhook: ChatWebhook, title: str, markdown: str, *, client: httpx.Client, now_ms: int
) -> None:
    """Post one markdown message; raise DeliveryError if the robot did not accept it."""
    url = signed_url(webhook, now_ms=now_ms)
    payload = markdown_payload(webhook.kind, title, markdown)
    try:
        response = client.post(url, json=payload)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{webhook.kind} webhook timed out: {exc}", permanent=False) from exc
    except httpx.RequestError as exc:
        raise DeliveryError(f"{webhook.kind} webhook unreachable: {exc}", permanent=False) from exc
    _check_reply(webhook.kind, response)


def post_message(
    webhook: ChatWebhook, message: RenderedMessage, *, client: httpx.Client, now_ms: int
) -> None:
    """Post the markdown form of a rendered message, titled with its subject."""
    post_markdown(webhook, message.subject, message.markdown, client=client, now_ms=now_ms)


def markdown_payload(kind: ChatKind, title: str, markdown: str) -> dict[str, Any]:
    """The JSON body each robot expects, with the content cut to the robot's size limit."""
    content = fit_bytes(markdown, MAX_CONTENT_BYTES[kind])
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}


def signed_url(webhook: ChatWebhook, *, now_ms: int) -> httpx.URL:
    """The URL to post to: DingTalk robots with a secret get ``timestamp`` and ``sign`` added."""
    url = httpx.URL(webhook.url)
    if webhook.kind != "dingtalk" or webhook.secret is None:
        return url
    # copy_merge_params keeps access_token and percent-encodes the base64 (+ / =) correctly.
    return url.copy_merge_params(
        {"timestamp": str(now_ms), "sign": dingtalk_sign(webhook.secret, now_ms)}
    )


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")), before URL encoding."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def fit_bytes(text: str, limit: int) -> str:
    """`text` if it fits in `limit` UTF-8 bytes, else cut on a character boundary and marked."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    room = limit - len(_ELLIPSIS.encode("utf-8"))
    return encoded[:room].decode("utf-8", "ignore").rstrip() + _ELLIPSIS


def _check_reply(kind: str, response: httpx.Response) -> None:
    status = response.status_code
    if status >= 500 or status in (408, 429):
        raise DeliveryError(f"{kind} webhook: HTTP {status}", permanent=False, code=status)
    if status >= 400:
        raise DeliveryError(
            f"{kind} webhook: HTTP {status} {_excerpt(response)}", permanent=True, code=status
        )
    try:
        body = response.json()
    except ValueError:
        raise DeliveryError(
            f"{kind} webhook: reply is not JSON: {_excerpt(response)}", permanent=False
        ) from None
    errcode = body.get("errcode", 0) if isinstance(body, dict) else 0
    if errcode in (0, None):
        return
    errmsg = body.get("errmsg", "")
    permanent = errcode not in TEMPORARY_ERRCODES[kind]
    raise DeliveryError(
        f"{kind} webhook: errcode {errcode}: {errmsg}", permanent=permanent, code=errcode
    )


def _excerpt(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:200]
