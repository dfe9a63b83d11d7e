"""What a request to `/slack/events` must be before slack-bolt reads it.

Bolt parses the body before it checks the signature, and then reads its fields assuming Slack's
shapes: a forged or broken body made it raise, so a 500 with a traceback. Here the signature is
checked on the raw bytes first (anything unsigned is a 401, whatever it holds), then the body is
parsed by Bolt's own rules and held to the shapes Bolt and the adapter read (400 otherwise).
Socket Mode payloads, signed by the connection itself, are held to the same shapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

Payload = dict[str, Any]

# Seconds since the epoch; longer digit strings are not timestamps (and int() refuses some).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class MalformedRequest(ValueError):
    """A signed request whose body is not one Slack sends; the message says what is wrong."""


def is_signed(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]) -> bool:
    """Signed with the signing secret within the last five minutes (Slack's own rule).

    Slack signs UTF-8 text; a body that is not UTF-8 cannot be one of its requests."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    # compare_digest raises on non-ASCII text rather than saying False.
    if not _TIMESTAMP.fullmatch(timestamp) or not signature.isascii():
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(text, timestamp, signature)


class _Shape(BaseModel):
    # Only the fields read are checked, and only their types: Slack adds fields freely.
    model_config = ConfigDict(extra="allow", strict=True)
    # Fields Bolt reads as `body.get(name, {})` or `name in body[...]`: absent is fine, null not.
    never_null: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in cls.never_null:
                if name in data and data[name] is None:
                    raise ValueError(f"{name} is null")
        return data


class _Ref(_Shape):
    """A team, user, channel or enterprise given as an object."""

    id: str | None = None


class _Message(_Shape):
    type: str | None = None
    subtype: str | None = None
    user: str | None = None
    bot_id: str | None = None
    text: str | None = None
    ts: str | None = None
    thread_ts: str | None = None


class _Item(_Shape):
    """What a reaction or a pin is on."""

    channel: str | None = None


class _AssistantThread(_Shape):
    """The thread an `assistant_thread_*` event is about, in the app's DM."""

    channel_id: str | None = None
    thread_ts: str | None = None


class _Event(_Shape):
    type: str
    subtype: str | None = None
    user: str | _Ref | None = None  # an object in user_change and team_join
    bot_id: str | None = None
    text: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    channel: str | _Ref | None = None  # an object in channel_created and channel_rename
    channel_type: str | None = None
    team: str | None = None
    message: _Message | None = None
    previous_message: _Message | None = None
    item: _Item | None = None
    files: list[dict[str, Any]] | None = None
    function: dict[str, Any] | None = None
    assistant_thread: _AssistantThread | None = None
    never_null = ("function",)


class _Authorization(_Shape):
    enterprise_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None


class _Action(_Shape):
    action_id: str | None = None
    value: str | None = None
    action_ts: str | None = None


class _Container(_Shape):
    type: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None


class _View(_Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None
    team_id: str | None = None
    app_installed_team_id: str | None = None


class _Envelope(_Shape):
    type: str | None = None
    token: str | None = None
    challenge: str | None = None
    team: str | _Ref | None = None
    user: str | _Ref | None = None
    channel: str | _Ref | None = None
    enterprise: str | _Ref | None = None
    team_id: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    channel_id: str | None = None
    enterprise_id: str | None = None
    event_id: str | None = None
    command: str | None = None
    text: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    callback_id: str | None = None
    action_id: str | None = None  # block_suggestion
    event: _Event | None = None
    authorizations: list[_Authorization] | None = None
    actions: list[_Action] | None = Field(default=None, min_length=1)
    container: _Container | None = None
    message: _Message | None = None
    view: _View | None = None
    response_urls: list[dict[str, Any]] | None = None
    never_null = ("event", "view", "actions", "response_urls")

    @model_validator(mode="after")
    def _block_actions_name_their_action(self) -> _Envelope:
        if self.type == "block_actions" and any(a.action_id is None for a in self.actions or []):
            raise ValueError("a block_actions action has no action_id")
        return self


def parse(text: str, content_type: str | None) -> Payload:
    """The body as Bolt will see it, when it has a shape Bolt and the adapter can read."""
    try:
        body: object = parse_body(text, content_type)
    except RecursionError:
        raise MalformedRequest("the body is nested too deeply") from None
    except ValueError as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from None
    return check(body)


def check(body: object) -> Payload:
    """`body` when it has a shape Bolt and the adapter can read (also a Socket Mode payload)."""
    if not isinstance(body, dict):
        raise MalformedRequest(f"the body is a JSON {type(body).__name__}, not an object")
    try:
        _Envelope.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedRequest(f"{where}: {first['msg']}") from None
    return body
