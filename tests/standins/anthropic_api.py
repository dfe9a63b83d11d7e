"""A local stand-in of Anthropic's Messages API (non-streaming), for the real anthropic SDK.

It serves the first-party path and Bedrock's and Vertex AI's, records every request, answers
through the `reply_to_customer` tool, derives token usage from the request's own bytes (about four
bytes a token, cache reads for a prefix it has seen up to a `cache_control` mark), and can be
scripted to fail: HTTP statuses, slowness, a missing tool call, a body cut off halfway.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
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
class Broken:
    """Send the headers and half of a good answer's body, then drop the connection."""


@dataclass
class ToolReply:
    answer: str
    source_ids: list[str]
    faq_answers_it: bool = True


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
    _runner: web.AppRunner | None = None

    async def start(self) -> AnthropicStandIn:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        # Bedrock and Vertex AI carry the model in the path and the same Messages body otherwise.
        app.router.add_post("/model/{model}/invoke", self._messages)
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
            body = {**body, "model": request.match_info["model"].removesuffix(":rawPredict")}
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
        if broken:
            step = None
        if isinstance(step, TextOnly):
            content = [{"type": "text", "text": step.text}]
        else:
            reply = step if isinstance(step, ToolReply) else self._default_reply(body)
            content = [
                {
                    "type": "tool_use",
                    "id": f"toolu_{uuid.uuid4().hex[:16]}",
                    "name": body["tools"][0]["name"],
                    "input": {
                        "answer": reply.answer,
                        "source_ids": reply.source_ids,
                        "faq_answers_it": reply.faq_answers_it,
                    },
                }
            ]
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
