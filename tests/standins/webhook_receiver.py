"""A helpdesk's webhook endpoint: it checks each request's signature the way the README tells
receivers to, records it, and can be scripted to answer some attempts with an error status."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.loopback import serve_on_loopback


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    signature_ok: bool
    status: int


@dataclass
class WebhookReceiver:
    secret: str
    statuses: list[int] = field(default_factory=list)  # answers to the next attempts; then 204
    hold: asyncio.Event | None = None  # when set, requests wait for it
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/hooks/faqbot", self._hook)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}/hooks/faqbot"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def verify(self, timestamp: str, body: bytes, signature: str) -> bool:
        digest = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        return hmac.compare_digest("sha256=" + digest.hexdigest(), signature)

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.received if r.status < 300]

    async def _hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if self.hold is not None:
            await self.hold.wait()
        headers = dict(request.headers)
        ok = self.verify(
            headers.get("X-Faqbot-Timestamp", ""), raw, headers.get("X-Faqbot-Signature", "")
        )
        status = self.statuses.pop(0) if self.statuses else 204
        if not ok:
            status = 401
        self.received.append(Received(headers, json.loads(raw), ok, status))
        return web.Response(status=status)
