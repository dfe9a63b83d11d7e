"""A local stand-in of Anthropic's Messages API, for the real anthropic SDK.

It serves the first-party path and Bedrock's and Vertex AI's (streamed too: Bedrock in AWS's
binary event stream), records every request, answers
through the `reply_to_customer` tool, derives token usage from the request's own bytes (about four
bytes a token, cache reads for a prefix it has seen up to a `cache_control` mark), and can be
scripted to fail: HTTP statuses, slowness, a missing tool call, a body cut off halfway.

A request with `"stream": true` is answered with server-sent events in the Messages API's order
(message_start, content_block_start, ping, content_block_delta..., content_block_stop,
message_delta, message_stop), the tool's input written a token (about four characters) at a time
in the order of the tool's schema, as a model writes it: after `first_token_seconds`, then at
`tokens_per_second` (an unstreamed answer comes when all of it would have been written). A
`ToolReply` with `pause_after` stops writing once that text is out, until `resume` is set, so a
test can see what reached the customer before the model finished.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import html
import json
import re
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.loopback import serve_on_loopback

Script = Callable[[dict[str, Any]], Any]


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]
    path: str = "/v1/messages"

    @property
    def prompt(self) -> str:
        """All text the bot sent: system blocks and messages."""
        parts = [b["text"] for b in self.body.get("system", []) if isinstance(b, dict)]
        for message in self.body["messages"]:
            content = message["content"]
            parts.append(content if isinstance(content, str) else json.dumps(content))
        return "\n".join(parts)


@dataclass
class Fail:
    status: int
    error_type: str
    retry_after: str | None = "0"


@dataclass
class Slow:
    seconds: float


@dataclass
class ToolReply:
    answer: str
    source_ids: list[str]
    faq_answers_it: bool = True
    pause_after: str | None = None  # streamed: wait for `resume` once this text is written
    key_order: tuple[str, ...] = ()  # the fields in this order, not the schema's


@dataclass
class Broken:
    """Send the headers and half of a good answer's body (`reply`, or the default one), then drop
    the connection; streamed, half of its events."""

    reply: ToolReply | None = None


@dataclass
class TextOnly:
    text: str


@dataclass
class AnthropicStandIn:
    """Queue behaviours in `script`; when it is empty the stand-in answers from the first FAQ
    entry quoted in the prompt, citing its id."""

    script: list[Any] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    _cached_prefixes: set[str] = field(default_factory=set)
    url: str = ""
    first_token_seconds: float = 0.0
    tokens_per_second: float | None = None  # None: as fast as the connection goes
    resume: asyncio.Event = field(default_factory=asyncio.Event)
    # Streamed answers whose message_stop was sent: the model has finished writing them.
    finished: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> AnthropicStandIn:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        # Bedrock and Vertex AI carry the model in the path and the same Messages body otherwise.
        app.router.add_post("/model/{model}/invoke", self._messages)
        app.router.add_post("/model/{model}/invoke-with-response-stream", self._messages)
        app.router.add_post(
            "/projects/{project}/locations/{region}/publishers/anthropic/models/{model}",
            self._messages,
        )
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw)
        self.requests.append(Recorded(dict(request.headers), body, request.path))
        if "model" in request.match_info:
            body = {
                **body,
                "model": re.sub(r":(stream)?[rR]awPredict$", "", request.match_info["model"]),
            }
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Slow):
            await asyncio.sleep(step.seconds)
            step = self.script.pop(0) if self.script else None
        if isinstance(step, Fail):
            headers = {"retry-after": step.retry_after} if step.retry_after is not None else {}
            return web.json_response(
                {
                    "type": "error",
                    "error": {"type": step.error_type, "message": "stand-in failure"},
                },
                status=step.status,
                headers=headers,
            )
        broken = isinstance(step, Broken)
        if isinstance(step, Broken):
            step = step.reply
        if isinstance(step, TextOnly):
            content = [{"type": "text", "text": step.text}]
        else:
            reply = step if isinstance(step, ToolReply) else self._default_reply(body)
            content = [
                {
                    "type": "tool_use",
                    "id": f"toolu_{uuid.uuid4().hex[:16]}",
                    "name": body["tools"][0]["name"],
                    "input": _in_order(
                        reply.key_order or tuple(_schema_order(body["tools"][0])),
                        {
                            "answer": reply.answer,
                            "source_ids": reply.source_ids,
                            "faq_answers_it": reply.faq_answers_it,
                        },
                    ),
                }
            ]
        # Bedrock says "stream" in the path only.
        if body.get("stream") or request.path.endswith("/invoke-with-response-stream"):
            pause = step.pause_after if isinstance(step, ToolReply) else None
            return await self._stream(request, body, content, pause=pause, broken=broken)
        # Unstreamed, the answer comes once the model has written all of it.
        tokens = len(_written(content[0])) / 4
        await asyncio.sleep(
            self.first_token_seconds
            + (tokens / self.tokens_per_second if self.tokens_per_second else 0)
        )
        response = web.json_response(
            {
                "id": f"msg_{uuid.uuid4().hex[:16]}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": self._usage(body, content),
            }
        )
        if broken:
            return await self._break_halfway(request, response)
        return response

    async def _stream(
        self,
        request: web.Request,
        body: dict[str, Any],
        content: list[dict[str, Any]],
        *,
        pause: str | None,
        broken: bool,
    ) -> web.StreamResponse:
        bedrock = request.path.endswith("/invoke-with-response-stream")
        response = web.StreamResponse(
            headers={
                "Content-Type": AWS_EVENT_STREAM if bedrock else "text/event-stream",
                "Cache-Control": "no-cache",
            }
        )
        await response.prepare(request)
        usage = self._usage(body, content)

        async def send(event: str, data: dict[str, Any]) -> None:
            if bedrock:
                await response.write(_aws_chunk(data))
            else:
                # The SDK needs the `event:` line on every event.
                await response.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())

        message = {
            "id": f"msg_{uuid.uuid4().hex[:16]}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**usage, "output_tokens": 1},
        }
        await send("message_start", {"type": "message_start", "message": message})
        [block] = content
        written = _written(block)
        if block["type"] == "text":
            start = {"type": "text", "text": ""}
            delta_type, field_name = "text_delta", "text"
        else:
            start = {**block, "input": {}}
            delta_type, field_name = "input_json_delta", "partial_json"
        await send(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": start},
        )
        await send("ping", {"type": "ping"})
        await asyncio.sleep(self.first_token_seconds)
        pieces = [written[i : i + 4] for i in range(0, len(written), 4)]
        so_far = ""
        for number, piece in enumerate(pieces):
            if broken and number >= len(pieces) // 2:
                assert request.transport is not None
                request.transport.close()
                return response
            if number and self.tokens_per_second:
                await asyncio.sleep(1 / self.tokens_per_second)
            delta = {"type": delta_type, field_name: piece}
            await send(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": delta},
            )
            so_far += piece
            if pause is not None and pause in so_far:
                pause = None
                await self.resume.wait()
        await send("content_block_stop", {"type": "content_block_stop", "index": 0})
        stop_reason = "tool_use" if block["type"] == "tool_use" else "end_turn"
        await send(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
        await send("message_stop", {"type": "message_stop"})
        self.finished += 1
        await response.write_eof()
        return response

    @staticmethod
    async def _break_halfway(request: web.Request, answer: web.Response) -> web.StreamResponse:
        full = bytes(answer.body)  # type: ignore[arg-type]
        partial = web.StreamResponse(
            headers={"Content-Type": "application/json", "Content-Length": str(len(full))}
        )
        await partial.prepare(request)
        await partial.write(full[: len(full) // 2])
        assert request.transport is not None
        request.transport.close()
        return partial

    def _default_reply(self, body: dict[str, Any]) -> ToolReply:
        prompt = Recorded({}, body).prompt
        last_user = body["messages"][-1]["content"]
        match = re.search(r'<entry id="([^"]+)">\nQ: [^\n]*\nA: ([^\n]*)', last_user) or re.search(
            r'<entry id="([^"]+)">\nQ: [^\n]*\nA: ([^\n]*)', prompt
        )
        if match is None:
            return ToolReply("I will pass this to a person.", [], faq_answers_it=False)
        # The prompt escapes entries' text; a model answers with the characters themselves.
        return ToolReply(
            f"From the FAQ: {html.unescape(match.group(2))}", [html.unescape(match.group(1))]
        )

    def _usage(self, body: dict[str, Any], content: list[dict[str, Any]]) -> dict[str, int]:
        def tokens(value: Any) -> int:
            return max(1, len(json.dumps(value, ensure_ascii=False).encode()) // 4)

        cached_part: list[Any] = []
        for block in body.get("system", []):
            cached_part.append(block)
            if isinstance(block, dict) and "cache_control" in block:
                break
        else:
            cached_part = []
        cache_read = cache_write = 0
        if cached_part:
            key = json.dumps([body.get("tools"), cached_part], sort_keys=True)
            size = tokens([body.get("tools"), cached_part])
            if key in self._cached_prefixes:
                cache_read = size
            else:
                cache_write = size
                self._cached_prefixes.add(key)
        total = tokens({k: body[k] for k in ("system", "messages", "tools") if k in body})
        return {
            "input_tokens": max(1, total - cache_read - cache_write),
            "output_tokens": tokens(content),
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        }


AWS_EVENT_STREAM = "application/vnd.amazon.eventstream"


def _aws_chunk(data: dict[str, Any]) -> bytes:
    """One Messages API event as Bedrock streams it: a `chunk` of AWS's binary event stream
    (prelude, CRC-32s, string headers) whose JSON payload holds the event in base64."""
    payload = json.dumps({"bytes": base64.b64encode(json.dumps(data).encode()).decode()}).encode()
    headers = b"".join(
        struct.pack(">B", len(name)) + name + b"\x07" + struct.pack(">H", len(value)) + value
        for name, value in (
            (b":event-type", b"chunk"),
            (b":content-type", b"application/json"),
            (b":message-type", b"event"),
        )
    )
    prelude = struct.pack(">II", 16 + len(headers) + len(payload), len(headers))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + headers + payload
    return message + struct.pack(">I", binascii.crc32(message))


def _written(block: dict[str, Any]) -> str:
    """What the model writes for a content block: its text, or its tool input as JSON."""
    if block["type"] == "text":
        return str(block["text"])
    return json.dumps(block["input"], ensure_ascii=False)


def _schema_order(tool: dict[str, Any]) -> dict[str, Any]:
    """The fields of a tool's input in the order its schema lists them, as a model writes them."""
    properties: dict[str, Any] = tool.get("input_schema", {}).get("properties", {})
    return properties


def _in_order(order: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    return {**{k: values[k] for k in order if k in values}, **values}
