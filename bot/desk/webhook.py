"""An outgoing webhook so an existing helpdesk can follow tickets: JSON, HMAC-signed, retried.

Each ticket event is POSTed as `{"event", "delivery", "sent_at", "ticket": {...}}` with
`X-Faqbot-Event`, `X-Faqbot-Delivery` (the same on every retry, for de-duplication),
`X-Faqbot-Timestamp` and `X-Faqbot-Signature: sha256=<hex>`, the HMAC-SHA256 of
`"{timestamp}.{body}"` with the shared secret. Deliveries go one at a time, in order, from a
background worker, so a slow or failing receiver never delays a customer's reply. 5xx, 429 and
network errors are retried with exponential backoff up to a bounded number of attempts; other 4xx
are not (the receiver refused the payload).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.core.models import Ticket
from bot.desk.events import TicketEvent

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 60.0


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "status": ticket.status.value,
        "platform": ticket.key.platform,
        "conversation": ticket.key.redis_key,
        "user_id": ticket.user_id,
        "user_name": ticket.user_name,
        "question": ticket.question,
        "reason": ticket.reason,
        "language": ticket.language,
        "claimed_by": ticket.claimed_by,
        "transcript": [{"role": role, "text": said} for role, said in ticket.transcript],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


class WebhookNotifier:
    """A TicketListener that POSTs every ticket event to `url`."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        attempts: int,
        first_delay: float = 0.5,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._secret = secret.encode()
        self.attempts = attempts
        self.first_delay = first_delay
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.clock = clock
        self._queue: asyncio.Queue[tuple[TicketEvent, dict[str, Any]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.delivered = 0
        self.failed = 0

    def ticket_event(self, event: TicketEvent, ticket: Ticket) -> None:
        # The ticket is copied now: later changes must not leak into this event's payload.
        self._queue.put_nowait((event, ticket_payload(ticket)))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def _work(self) -> None:
        while not self._queue.empty():
            event, ticket = self._queue.get_nowait()
            try:
                await self.deliver(event, ticket)
            finally:
                self._queue.task_done()

    async def deliver(self, event: TicketEvent, ticket: dict[str, Any]) -> bool:
        delivery = uuid.uuid4().hex
        body = json.dumps(
            {"event": event.value, "delivery": delivery, "sent_at": self.clock(), "ticket": ticket},
            ensure_ascii=False,
        ).encode()
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        for attempt in range(1, self.attempts + 1):
            timestamp = str(int(self.clock()))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "faqbot-webhook",
                "X-Faqbot-Event": event.value,
                "X-Faqbot-Delivery": delivery,
                "X-Faqbot-Timestamp": timestamp,
                "X-Faqbot-Signature": sign(self._secret, timestamp, body),
            }
            try:
                async with self._session.post(self.url, data=body, headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                outcome = type(exc).__name__
            else:
                if status < 300:
                    self.delivered += 1
                    return True
                if status < 500 and status != 429:
                    log.error("webhook %s for %s refused with HTTP %d", event, ticket["id"], status)
                    break
                outcome = f"HTTP {status}"
            if attempt < self.attempts:
                delay = min(self.first_delay * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
                log.warning(
                    "webhook %s for %s failed (%s), attempt %d of %d; retrying in %.1fs",
                    event,
                    ticket["id"],
                    outcome,
                    attempt,
                    self.attempts,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                log.error("webhook %s for %s failed (%s); giving up", event, ticket["id"], outcome)
        self.failed += 1
        return False

    async def drain(self) -> None:
        """Wait until every event so far is delivered or given up."""
        if self._worker is not None:
            await self._worker

    async def close(self, grace: float = 10.0) -> None:
        """Finish pending deliveries (for at most `grace` seconds), then release the session."""
        if self._worker is not None and not self._worker.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._worker), grace)
            if not self._worker.done():
                log.error("webhook: %d event(s) not delivered at shutdown", self._queue.qsize() + 1)
                self._worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._worker
        if self._session is not None:
            await self._session.close()
            self._session = None
