"""WeCom and DingTalk group robots, driven through httpx's in-memory MockTransport."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from urllib.parse import quote_plus

import httpx
import pytest

from notifications.chat import ChatWebhook, fit_bytes, post_markdown, post_message
from notifications.mail import DeliveryError
from notifications.render import render_message
from tests.support.mail_samples import SAMPLE_CONTEXTS

NOW_MS = 1_762_650_000_000
WECOM_URL = (
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
)
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=XXXXXX"
SECRET = "SEC000000000000000000000"
OK = {"errcode": 0, "errmsg": "ok"}

Responder = Callable[[httpx.Request], httpx.Response]


class Robot:
    """A fake robot endpoint: records requests and answers with `reply`."""

    def __init__(self, reply: Responder | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._reply = reply or (lambda request: httpx.Response(200, json=OK))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._reply(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    @property
    def last_json(self) -> object:
        return json.loads(self.requests[-1].content)


def post(
    webhook: ChatWebhook, robot: Robot, markdown: str = "### 标题\n正文", title: str = "标题"
) -> None:
    with robot.client() as client:
        post_markdown(webhook, title, markdown, client=client, now_ms=NOW_MS)


# --------------------------------------------------------------------------- payloads


def test_wecom_gets_a_markdown_message_at_its_url() -> None:
    robot = Robot()
    post(ChatWebhook("wecom", WECOM_URL), robot, markdown="### 【到期提醒】\n> 截止时间")
    [request] = robot.requests
    assert request.method == "POST"
    assert str(request.url) == WECOM_URL
    assert request.headers["content-type"] == "application/json"
    assert robot.last_json == {
        "msgtype": "markdown",
        "markdown": {"content": "### 【到期提醒】\n> 截止时间"},
    }


def test_dingtalk_gets_title_and_text() -> None:
    robot = Robot()
    post(
        ChatWebhook("dingtalk", DINGTALK_URL), robot, markdown="### 正文", title="【逾期预警】项目"
    )
    [request] = robot.requests
    assert str(request.url) == DINGTALK_URL
    assert robot.last_json == {
        "msgtype": "markdown",
        "markdown": {"title": "【逾期预警】项目", "text": "### 正文"},
    }


def test_a_signed_dingtalk_request_carries_timestamp_and_hmac_signature() -> None:
    robot = Robot()
    post(ChatWebhook("dingtalk", DINGTALK_URL, secret=SECRET), robot)
    url = robot.requests[0].url

    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{NOW_MS}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert url.params["access_token"] == "XXXXXX"
    assert url.params["timestamp"] == str(NOW_MS)
    assert url.params["sign"] == expected
    # On the wire the signature is URL-encoded as DingTalk's own samples do (quote_plus).
    assert (
        url.query.decode() == f"access_token=XXXXXX&timestamp={NOW_MS}&sign={quote_plus(expected)}"
    )


def test_the_signature_changes_with_the_timestamp() -> None:
    robot = Robot()
    webhook = ChatWebhook("dingtalk", DINGTALK_URL, secret=SECRET)
    with robot.client() as client:
        post_markdown(webhook, "t", "m", client=client, now_ms=NOW_MS)
        post_markdown(webhook, "t", "m", client=client, now_ms=NOW_MS + 1)
    first, second = (r.url.params["sign"] for r in robot.requests)
    assert first != second


def test_a_rendered_message_is_posted_as_its_markdown_with_its_subject() -> None:
    message = render_message("warning", SAMPLE_CONTEXTS["warning"])
    robot = Robot()
    with robot.client() as client:
        post_message(ChatWebhook("dingtalk", DINGTALK_URL), message, client=client, now_ms=NOW_MS)
    assert robot.last_json == {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": message.markdown},
    }


def test_content_over_the_wecom_limit_is_cut_on_a_character_boundary() -> None:
    robot = Robot()
    post(ChatWebhook("wecom", WECOM_URL), robot, markdown="逾" * 3000)  # 9000 bytes
    content = robot.last_json["markdown"]["content"]  # type: ignore[index]
    assert len(content.encode("utf-8")) <= 4096
    assert content.startswith("逾逾逾") and content.endswith("…")


def test_fit_bytes_leaves_short_text_alone() -> None:
    assert fit_bytes("短消息", 4096) == "短消息"


# --------------------------------------------------------------------------- failures


def reply_json(body: object, status: int = 200) -> Responder:
    return lambda request: httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("kind", "url", "errcode", "errmsg"),
    [
        ("wecom", WECOM_URL, 93000, "invalid webhook url"),
        ("dingtalk", DINGTALK_URL, 310000, "sign not match"),
        ("dingtalk", DINGTALK_URL, 300001, "token is not exist"),
    ],
)
def test_a_non_zero_errcode_is_permanent(kind: str, url: str, errcode: int, errmsg: str) -> None:
    robot = Robot(reply_json({"errcode": errcode, "errmsg": errmsg}))
    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook(kind, url), robot)  # type: ignore[arg-type]
    assert caught.value.permanent is True
    assert caught.value.reason == f"{kind} webhook: errcode {errcode}: {errmsg}"
    assert caught.value.code == errcode


@pytest.mark.parametrize(
    ("kind", "url", "errcode"),
    [
        ("wecom", WECOM_URL, 45009),
        ("wecom", WECOM_URL, -1),
        ("dingtalk", DINGTALK_URL, 130101),
        ("dingtalk", DINGTALK_URL, 410100),
    ],
)
def test_throttling_and_busy_errcodes_are_temporary(kind: str, url: str, errcode: int) -> None:
    robot = Robot(reply_json({"errcode": errcode, "errmsg": "send too fast"}))
    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook(kind, url), robot)  # type: ignore[arg-type]
    assert caught.value.permanent is False


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (500, False),
        (502, False),
        (503, False),
        (408, False),
        (429, False),
        (400, True),
        (403, True),
        (404, True),
    ],
)
def test_http_errors_are_classified_by_status(status: int, permanent: bool) -> None:
    robot = Robot(lambda request: httpx.Response(status, text="<html>error</html>"))
    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook("wecom", WECOM_URL), robot)
    assert caught.value.permanent is permanent
    assert f"HTTP {status}" in caught.value.reason


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError, httpx.ReadTimeout, httpx.ConnectTimeout, httpx.RemoteProtocolError],
)
def test_network_errors_are_temporary(error: type[httpx.TransportError]) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error("network trouble", request=request)

    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook("dingtalk", DINGTALK_URL), Robot(fail))
    assert caught.value.permanent is False
    assert "network trouble" in caught.value.reason


def test_a_reply_that_is_not_json_is_temporary() -> None:
    robot = Robot(lambda request: httpx.Response(200, text="<html>portal login</html>"))
    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook("wecom", WECOM_URL), robot)
    assert caught.value.permanent is False


def test_reasons_never_show_the_webhook_key() -> None:
    robot = Robot(reply_json({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with pytest.raises(DeliveryError) as caught:
        post(ChatWebhook("wecom", WECOM_URL), robot)
    assert "693a91f6" not in caught.value.reason


# --------------------------------------------------------------------------- configuration


def test_a_wecom_webhook_takes_no_secret() -> None:
    with pytest.raises(ValueError, match="WeCom"):
        ChatWebhook("wecom", WECOM_URL, secret=SECRET)


def test_an_unknown_robot_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="wecom or dingtalk"):
        ChatWebhook("feishu", WECOM_URL)  # type: ignore[arg-type]


def test_the_webhook_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="https://"):
        ChatWebhook("dingtalk", "oapi.dingtalk.com/robot/send")


def test_url_and_secret_stay_out_of_the_repr() -> None:
    text = repr(ChatWebhook("dingtalk", DINGTALK_URL, secret=SECRET))
    assert "XXXXXX" not in text and SECRET not in text and "dingtalk" in text
