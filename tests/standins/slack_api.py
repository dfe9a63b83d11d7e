"""A local stand-in of Slack's Web API and Socket Mode websocket, for the real slack-bolt/slack_sdk.

It records every Web API call (method and parameters, from the query string, form-encoded or JSON
bodies), answers the methods the bot uses, accepts `response_url` posts, can be scripted to answer a
method with 429 once or many times in a row, and serves the Socket Mode websocket: it says hello,
pushes envelopes and records their acknowledgements. Point `SLACK_API_URL` at `url + "/api/"`.

Streamed messages (`chat.startStream`, `chat.appendStream`, `chat.stopStream`) are kept in
`streams` by ts, with the text they show and their state, and refused as Slack refuses them: a
stream outside a thread, an append or a stop after the stream stopped, an unknown ts. `end_streams`
makes Slack end every open stream early, as it does with one left idle too long.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.standins.loopback import serve_on_loopback

T = TypeVar("T")
Params = dict[str, Any]

AUTH = {
    "ok": True,
    "user_id": "UBOT",
    "bot_id": "BBOT",
    "team_id": "T1",
    "team": "Test",
    "url": "https://test.slack.com/",
}


@dataclass
class Call:
    method: str
    params: Params
    token: str | None = None
    response: Params = field(default_factory=dict)
    connection: object = None  # the client's address and port: calls on one connection share it


@dataclass
class SlackStandIn:
    calls: list[Call] = field(default_factory=list)
    acks: list[Params] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # user id -> display name
    # Channel id -> its members (conversations.members): the desk's agents by default.
    channel_members: dict[str, list[str]] = field(
        default_factory=lambda: {"CDESK": ["UAGENT", "UOTHER"]}
    )
    members_page_size: int = 100  # Slack may return fewer members per page than asked
    rate_limit_once: dict[str, str] = field(default_factory=dict)  # method -> Retry-After
    rate_limit_storm: dict[str, int] = field(default_factory=dict)  # method -> 429s in a row
    rate_limited: list[Call] = field(default_factory=list)
    hold: dict[str, asyncio.Event] = field(default_factory=dict)  # method -> answer once set
    held: list[Call] = field(default_factory=list)  # calls waiting on `hold`
    files: dict[str, bytes] = field(default_factory=dict)  # file id -> content
    # False: the app has no AI-app feature (or no assistant:write), as before its manifest had.
    assistant_enabled: bool = True
    downloads: list[Call] = field(default_factory=list)  # file downloads, with their token
    # ts -> a streamed message: channel, thread_ts, text (markdown), blocks, state
    streams: dict[str, Params] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> SlackStandIn:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files-pri/{file_id}/{name}", self._file)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self) -> str:
        return f"{self.url}/response/{uuid.uuid4().hex[:8]}"

    # ---- what the bot did

    def called(self, method: str, **match: Any) -> list[Params]:
        """Parameters of every call to `method` whose parameters include `match`."""
        return [c.params for c in self.matching(method, **match)]

    def matching(self, method: str, **match: Any) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    @property
    def methods(self) -> set[str]:
        return {c.method for c in self.calls}

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Poll until `predicate()` is truthy (the bot works after acknowledging)."""

        async def poll() -> T:
            while True:
                value = predicate()
                if value:
                    return value
                await asyncio.sleep(0.01)

        return await asyncio.wait_for(poll(), timeout)

    async def wait_call(self, method: str, timeout: float = 10.0, **match: Any) -> Params:
        found = await self.wait_for(lambda: self.called(method, **match), timeout)
        return found[-1]

    # ---- files

    def share_file(self, name: str, content: bytes) -> Params:
        """A file object as a `file_share` message carries it; downloads need the bot token."""
        file_id = f"F{uuid.uuid4().hex[:8].upper()}"
        self.files[file_id] = content
        url = f"{self.url}/files-pri/{file_id}/{name}"
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "size": len(content),
            "mimetype": "text/plain",
            "filetype": "text",
            "url_private": url,
            "url_private_download": url + "?download=1",
        }

    async def _file(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        self.downloads.append(Call("file", dict(request.match_info), token))
        content = self.files.get(request.match_info["file_id"])
        if content is None or not token:
            # Slack answers an unauthenticated download with its sign-in page, not the file.
            return web.Response(status=200 if content else 404, text="<html>sign in</html>")
        return web.Response(body=content)

    # ---- Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: Params = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for name in ("blocks", "attachments", "prompts", "loading_messages"):
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        call = Call(
            method,
            params,
            token,
            connection=request.transport and request.transport.get_extra_info("peername"),
        )
        if method in self.hold:
            self.held.append(call)
            await self.hold[method].wait()
        if method in self.rate_limit_once or self.rate_limit_storm.get(method):
            retry_after = self.rate_limit_once.pop(method, "0")
            if self.rate_limit_storm.get(method):
                self.rate_limit_storm[method] -= 1
            self.rate_limited.append(call)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": retry_after},
            )
        call.response = self._answer(method, params)
        self.calls.append(call)
        return web.json_response(call.response)

    def _fresh_ts(self) -> str:
        n = next(self._ts)
        return f"{1700000000 + n}.{n:06d}"

    def _answer(self, method: str, params: Params) -> Params:
        if method == "auth.test":
            return AUTH
        if method == "chat.postMessage":
            ts = self._fresh_ts()
            message = {"type": "message", "ts": ts, "text": params.get("text"), "bot_id": "BBOT"}
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "chat.update":
            stream = self.streams.get(str(params.get("ts")))
            if stream is not None:
                if stream["state"] == "streaming":
                    return {"ok": False, "error": "message_is_streaming"}
                stream.update(text=params.get("text"), blocks=params.get("blocks") or [])
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
            return self._stream(method, params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._fresh_ts()}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method.startswith("assistant.threads."):
            return self._assistant(method, params)
        if method == "conversations.members":
            return self._members(params)
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "users.info":
            user = str(params.get("user"))
            name = self.names.get(user, "")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "real_name": name,
                    "profile": {"display_name": name},
                },
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _assistant(self, method: str, params: Params) -> Params:
        """The AI-app thread methods, held to Slack's rules: a thread of a DM, a status (empty
        clears it) with at most 10 loading messages, 1 to 4 prompts with a title and a message,
        a title that is not empty."""
        if not self.assistant_enabled:
            return {"ok": False, "error": "missing_scope", "needed": "assistant:write"}
        channel, thread_ts = params.get("channel_id"), params.get("thread_ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str) or not thread_ts:
            return {"ok": False, "error": "invalid_arguments"}
        if not channel.startswith("D"):  # assistant threads live in the app's DMs
            return {"ok": False, "error": "channel_not_found"}
        if method == "assistant.threads.setStatus":
            loading = params.get("loading_messages", [])
            valid = isinstance(params.get("status"), str) and (
                isinstance(loading, list)
                and len(loading) <= 10
                and all(isinstance(m, str) and m for m in loading)
            )
        elif method == "assistant.threads.setSuggestedPrompts":
            prompts = params.get("prompts")
            valid = (
                isinstance(prompts, list)
                and 1 <= len(prompts) <= 4
                and all(
                    isinstance(p, dict)
                    and isinstance(p.get("title"), str)
                    and p["title"]
                    and isinstance(p.get("message"), str)
                    and p["message"]
                    for p in prompts
                )
                and isinstance(params.get("title", ""), str)
            )
        elif method == "assistant.threads.setTitle":
            valid = isinstance(params.get("title"), str) and bool(params["title"].strip())
        else:
            return {"ok": False, "error": "unknown_method"}
        return {"ok": True} if valid else {"ok": False, "error": "invalid_arguments"}

    def end_streams(self) -> None:
        """Slack ends the open streams on its own (too long idle): later appends are refused."""
        for stream in self.streams.values():
            stream["state"] = "stopped"

    def _stream(self, method: str, params: Params) -> Params:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.startStream":
            if not params.get("thread_ts"):
                # Streamed messages are replies to a person's request.
                return {"ok": False, "error": "invalid_arguments"}
            if not str(channel).startswith("D") and not (
                params.get("recipient_user_id") and params.get("recipient_team_id")
            ):
                return {"ok": False, "error": "missing_recipient_user_id"}
            ts = self._fresh_ts()
            self.streams[ts] = {
                "channel": channel,
                "thread_ts": params["thread_ts"],
                "text": str(params.get("markdown_text") or ""),
                "blocks": [],
                "state": "streaming",
            }
            return {"ok": True, "channel": channel, "ts": ts}
        stream = self.streams.get(str(params.get("ts")))
        if stream is None or stream["channel"] != channel:
            return {"ok": False, "error": "message_not_found"}
        if stream["state"] != "streaming":
            return {"ok": False, "error": "message_not_in_streaming_state"}
        if method == "chat.appendStream" and not params.get("markdown_text"):
            return {"ok": False, "error": "invalid_arguments"}
        stream["text"] += str(params.get("markdown_text") or "")
        if method == "chat.stopStream":
            stream["state"] = "stopped"
            stream["blocks"] = params.get("blocks") or []
        return {"ok": True, "channel": channel, "ts": params["ts"]}

    def _members(self, params: Params) -> Params:
        members = self.channel_members.get(str(params.get("channel")))
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        start = int(params.get("cursor") or 0)
        end = start + min(int(params.get("limit") or 100), self.members_page_size)
        more = str(end) if end < len(members) else ""
        return {
            "ok": True,
            "members": members[start:end],
            "response_metadata": {"next_cursor": more},
        }

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("response_url", {"hook": request.match_info["hook"], **body}))
        return web.Response(text="ok")

    # ---- Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "standin"},
                "connection_info": {"app_id": "A1"},
            }
        )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(ws)
        return ws

    async def connected(self, timeout: float = 10.0) -> web.WebSocketResponse:
        return (await self.wait_for(lambda: self._sockets[-1:], timeout))[0]

    async def push(
        self,
        envelope_type: str,
        payload: Params,
        *,
        retry_attempt: int = 0,
        envelope_id: str | None = None,
    ) -> str:
        """Send one envelope on the newest connection; returns its envelope id."""
        ws = await self.connected()
        envelope_id = envelope_id or uuid.uuid4().hex
        await ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "retry_attempt": retry_attempt,
                "retry_reason": "" if retry_attempt == 0 else "timeout",
                "accepts_response_payload": envelope_type != "events_api",
            }
        )
        return envelope_id
