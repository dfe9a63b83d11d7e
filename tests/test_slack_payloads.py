"""Whatever reaches /slack/events, the bot stays up: real Slack bodies from other projects' test
suites, forged requests and validly signed nonsense, each followed by a customer's mention that
must still be answered. Unsigned means 401 whatever the body; signed but malformed means a 4xx
with the reason, never a 500 or a traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from bot.runtime.server import connect
from handlers.slack import SlackAdapter
from tests.conftest import MakeApp
from tests.standins.slack_api import SlackStandIn
from tests.test_slack import (  # the Slack rig and its fixtures
    PASSWORD_QUESTION,
    SECRET,
    SlackRig,
    event_envelope,
    make_rig,  # noqa: F401
    mention,
    rig,  # noqa: F401
    signed_headers,
    standin,  # noqa: F401
)

REAL = json.loads((Path(__file__).parent / "data" / "slack_payloads.json").read_text())["cases"]
DEEP = 10_000


Headers = Callable[[bytes], dict[str, str]]


def slack_signature(raw: bytes, secret: str = SECRET, age: int = 0) -> dict[str, str]:
    """Signed as Slack signs, `age` seconds ago: HMAC-SHA256 of `v0:{timestamp}:` and the body."""
    timestamp = str(int(time.time()) - age)
    base = b"v0:" + timestamp.encode() + b":" + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True)
class Request:
    name: str
    body: bytes
    status: int
    content_type: str = "application/json"
    # Made when the request is sent: a signature is valid for five minutes only.
    headers: Headers = slack_signature

    async def send(self, to: SlackRig) -> aiohttp.ClientResponse:
        headers = {"Content-Type": self.content_type, **self.headers(self.body)}
        async with to.session.post(to.url, data=self.body, headers=headers) as response:
            await response.read()
            return response


def signed(name: str, body: str | bytes, status: int, content_type: str = "") -> Request:
    raw = body.encode() if isinstance(body, str) else body
    return Request(name, raw, status, content_type or "application/json")


def unsigned(name: str, body: bytes, headers: Headers = lambda raw: {}) -> Request:
    return Request(name, body, 401, headers=headers)


def form(payload: Any) -> str:
    return "payload=" + quote(json.dumps(payload))


def envelope(event: Any) -> str:
    return json.dumps({**event_envelope({}), "event": event})


A_MENTION = json.dumps(event_envelope(mention(PASSWORD_QUESTION))).encode()

UNSIGNED = [
    unsigned("no signature headers", A_MENTION),
    unsigned("wrong secret", A_MENTION, lambda raw: slack_signature(raw, secret="x")),
    unsigned("stale timestamp", A_MENTION, lambda raw: slack_signature(raw, age=600)),
    unsigned(
        "timestamp not a number",
        A_MENTION,
        lambda raw: {**slack_signature(raw), "X-Slack-Request-Timestamp": "soon"},
    ),
    unsigned(
        "timestamp of 5,000 digits",
        A_MENTION,
        lambda raw: {**slack_signature(raw), "X-Slack-Request-Timestamp": "9" * 5000},
    ),
    unsigned(
        "signature with non-ASCII characters",
        A_MENTION,
        lambda raw: {**slack_signature(raw), "X-Slack-Signature": "v0=\u00e9t\u00e9"},
    ),
    unsigned("signature of another body", b"{}", lambda raw: slack_signature(A_MENTION)),
    unsigned("invalid JSON", b'{"type": '),
    unsigned("a JSON array", b"[]"),
    unsigned("JSON null", b"null"),
    unsigned(f"{DEEP:,} nested arrays", b"[" * DEEP + b"]" * DEEP),
    unsigned(f"{DEEP:,} nested objects", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    unsigned("bytes that are not UTF-8", b"\xff\xfe{\x00\x80"),
    unsigned("form payload that is not JSON", b"payload=%7Bnope"),
    unsigned("empty body", b""),
]

block_actions_in_a_view: dict[str, Any] = {
    "type": "block_actions",
    "team": {"id": "T1", "domain": "test"},
    "user": {"id": "UALICE", "team_id": "T1"},
    "api_app_id": "A1",
    "trigger_id": "1.2.3",
    "container": {"type": "view", "view_id": "V1"},
    "view": {"id": "V1", "type": "home", "team_id": "T1", "callback_id": ""},
    "actions": [
        {"action_id": "faqbot:feedback:0", "value": "helpful", "type": "button", "action_ts": "1"}
    ],
}
in_a_modal = {
    **block_actions_in_a_view,
    "container": {"type": "view", "view_id": "V2"},
    "view": {"id": "V2", "type": "modal", "callback_id": "x", "team_id": "T1"},
    "actions": [{"action_id": "faqbot:human:0", "value": "human", "action_ts": "2"}],
}
desk_click_in_a_view = {
    **block_actions_in_a_view,
    "actions": [{"action_id": "faqbot-desk:claim", "value": "T-1", "action_ts": "3"}],
}
no_channel_message = {
    **block_actions_in_a_view,
    "container": {"type": "message", "message_ts": "1.1"},
    "message": {"type": "message", "ts": "1.1", "bot_id": "BBOT"},
}
a_dict_for_a_user = event_envelope(mention("hi"))
a_dict_for_a_user["event"]["user"] = {"id": "UALICE"}

SIGNED_MALFORMED = [
    signed("JSON null", "null", 400),
    signed("a JSON array", "[]", 400),
    signed("a JSON string", '"event_callback"', 400),
    signed("a JSON number", "1", 400),
    signed("invalid JSON", '{"type": "event_callback", ', 400),
    signed(f"{DEEP:,} nested arrays", "[" * DEEP + "]" * DEEP, 400),
    signed(f"{DEEP:,} nested objects", '{"a":' * DEEP + "1" + "}" * DEEP, 400),
    signed("bytes that are not UTF-8", b"\xff\xfe{\x00\x80", 401),
    signed("event is a list", envelope([{"type": "message"}]), 400),
    signed("event is a string", envelope("app_mention"), 400),
    signed("event is null", envelope(None), 400),
    signed("event has no type", envelope({"text": "hi", "user": "U1"}), 400),
    signed("event type is a number", envelope({"type": 5}), 400),
    signed("type is a list", json.dumps({"type": ["event_callback"]}), 400),
    signed("team is a number", json.dumps({**event_envelope(mention("hi")), "team": 5}), 400),
    signed("authorizations is a string", json.dumps({"authorizations": "T1"}), 400),
    signed("event text is an object", envelope({**mention("hi"), "text": {"a": 1}}), 400),
    signed(
        "reaction item channel is a number",
        envelope({"type": "reaction_added", "item": {"channel": 1}}),
        400,
    ),
    signed(
        "actions is empty",
        form({**block_actions_in_a_view, "actions": []}),
        400,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "an action without action_id",
        form({**block_actions_in_a_view, "actions": [{"value": "x"}]}),
        400,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "view is null",
        form({"type": "view_submission", "view": None}),
        400,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "form payload that is not JSON", "payload=%7Bnope", 400, "application/x-www-form-urlencoded"
    ),
    signed("form payload that is a list", form([1, 2]), 400, "application/x-www-form-urlencoded"),
    signed("url_verification without a challenge", json.dumps({"type": "url_verification"}), 200),
    signed(
        "url_verification challenge is an object",
        json.dumps({"type": "url_verification", "challenge": {}}),
        400,
    ),
    signed("mention from a user given as an object", json.dumps(a_dict_for_a_user), 200),
    signed("empty JSON object", "{}", 404),
    signed(
        "a faqbot button in the App Home",
        form(block_actions_in_a_view),
        200,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "a faqbot button in a modal", form(in_a_modal), 200, "application/x-www-form-urlencoded"
    ),
    signed(
        "a desk button in a view",
        form(desk_click_in_a_view),
        200,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "a faqbot button on a message with no channel",
        form(no_channel_message),
        200,
        "application/x-www-form-urlencoded",
    ),
    signed(
        "ssl_check",
        urlencode({"ssl_check": "1", "token": "x"}),
        200,
        "application/x-www-form-urlencoded",
    ),
]


def real(case: dict[str, Any]) -> Request:
    body = case["body"]
    if case["form"]:
        # Interactions the bot does not offer are Bolt's "unhandled request"; events are acked.
        return signed(case["name"], form(body), 404, "application/x-www-form-urlencoded")
    return signed(case["name"], json.dumps(body), 200)


REAL_REQUESTS = [real(case) for case in REAL]


CASES = {
    **{f"unsigned: {r.name}": r for r in UNSIGNED},
    **{f"signed: {r.name}": r for r in SIGNED_MALFORMED},
    **{f"real: {r.name}": r for r in REAL_REQUESTS},
}


@pytest.mark.parametrize("request_", CASES.values(), ids=CASES.keys())
async def test_any_request_gets_its_status_no_traceback_and_the_next_mention_is_answered(
    rig: SlackRig,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    request_: Request,
) -> None:
    response = await request_.send(rig)
    assert response.status == request_.status, await response.text()
    event = mention(PASSWORD_QUESTION)
    assert await rig.event(event) == 200
    answer = await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])
    assert "Forgot password?" in answer["text"]
    await rig.adapter.drain()
    troubles = [r for r in caplog.records if r.exc_info or r.levelname in ("ERROR", "CRITICAL")]
    assert not troubles, [r.getMessage() for r in troubles]


async def test_unsigned_requests_never_reach_the_bot(
    rig: SlackRig,  # noqa: F811
) -> None:
    for request_ in UNSIGNED:
        assert (await request_.send(rig)).status == 401
    await rig.adapter.drain()
    assert not rig.standin.called("chat.postMessage")
    assert not rig.standin.called("auth.test")  # Bolt never even started on them


async def test_url_verification_echoes_the_challenge(
    rig: SlackRig,  # noqa: F811
) -> None:
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRN", "type": "url_verification"})
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    async with rig.session.post(rig.url, data=body, headers=headers) as response:
        assert response.status == 200
        assert await response.json() == {"challenge": "3eZbrw1aBm2rZgRN"}


async def test_app_rate_limited_is_acknowledged_and_logged(
    rig: SlackRig,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    [case] = [case for case in REAL if case["name"] == "app_rate_limited"]
    response = await rig.post(json.dumps(case["body"]), "application/json")
    assert response.status == 200
    assert any(
        "rate-limited" in r.getMessage() and "T123456" in r.getMessage() for r in caplog.records
    )


async def test_a_malformed_request_is_refused_with_its_reason(
    rig: SlackRig,  # noqa: F811
) -> None:
    body = envelope([{"type": "message"}])
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    async with rig.session.post(rig.url, data=body, headers=headers) as response:
        assert response.status == 400
        assert "event" in await response.text()


async def test_a_body_over_a_megabyte_is_refused_unread(
    rig: SlackRig,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    huge = Request("2 MB", b'{"type": "event_callback", "x": "' + b"a" * 2**21 + b'"}', 413)
    assert (await huge.send(rig)).status == 413
    event = mention(PASSWORD_QUESTION)
    assert await rig.event(event) == 200
    await rig.standin.wait_call("chat.postMessage", thread_ts=event["ts"])
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]


# ---- the same over Socket Mode, where the connection stands for the signature

SOCKET_MALFORMED = [
    ("events_api", {"type": "event_callback", "event": [{"type": "message"}]}),
    ("events_api", {"type": "event_callback", "event": "app_mention"}),
    ("events_api", {"type": "event_callback", "event": None}),
    ("events_api", {**event_envelope(mention("hi")), "team": 5}),
    ("events_api", {"type": "event_callback", "event": {"type": "reaction_added", "item": []}}),
    ("interactive", {**block_actions_in_a_view, "actions": []}),
    ("interactive", {**block_actions_in_a_view, "actions": [{"value": "x"}]}),
    ("interactive", {"type": "view_submission", "view": None}),
    ("slash_commands", {"command": "/faq", "text": ["status"]}),
]


async def test_socket_mode_acknowledges_malformed_payloads_and_answers_on(
    make_app: MakeApp,
    standin: SlackStandIn,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=standin.api_url
    )
    adapter = SlackAdapter.from_app(app)
    connect(app, [adapter])
    await adapter.start()

    async def acknowledged(envelope_type: str, payload: Any) -> None:
        envelope_id = await standin.push(envelope_type, payload)
        await standin.wait_for(lambda: [a for a in standin.acks if a["envelope_id"] == envelope_id])

    try:
        for envelope_type, payload in SOCKET_MALFORMED:
            await acknowledged(envelope_type, payload)
        for case in REAL:
            if not case["form"] and case["body"].get("type") == "event_callback":
                await acknowledged("events_api", case["body"])
        await acknowledged("interactive", block_actions_in_a_view)
        event = mention(PASSWORD_QUESTION)
        await standin.push("events_api", event_envelope(event))
        answer = await standin.wait_call("chat.postMessage", thread_ts=event["ts"])
        assert "Forgot password?" in answer["text"]
        await adapter.drain()
    finally:
        await adapter.stop()
    refused = [r for r in caplog.records if "payload refused" in r.getMessage()]
    assert len(refused) == len(SOCKET_MALFORMED)
    troubles = [r for r in caplog.records if r.exc_info or r.levelname in ("ERROR", "CRITICAL")]
    assert not troubles, [r.getMessage() for r in troubles]
