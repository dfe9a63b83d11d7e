"""After a new FAQ version is published, offer its answers to customers whose tickets wait.

The process that published the version calls `faq_published` once. Each unresolved ticket's
question goes through the same Router the conversation uses; when it now answers with high
confidence, the customer is asked "Does this answer your question?" in their own conversation
(the engine handles the Yes or No). Tickets an agent has already answered are left alone: the
person talking to the customer knows better than a late bot.
"""

from __future__ import annotations

import logging
from dataclasses import KW_ONLY, dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.models import Ticket
from bot.core.routing import RouteKind
from bot.engine.conversation import ConversationEngine
from faq.index import FaqIndex
from faq.repository import content_version

log = logging.getLogger(__name__)

# How long "this answer was offered for this ticket" is remembered; tickets rarely wait longer.
OFFER_MEMORY_SECONDS = 90 * 24 * 3600


@dataclass(eq=False)
class AutoResolver:
    engine: ConversationEngine
    redis: Redis
    prefix: str
    _: KW_ONLY
    min_confidence: float
    max_tickets: int

    async def faq_published(self, index: FaqIndex) -> None:
        try:
            waiting = await self.engine.tickets.list()
        except RedisError:
            log.exception("could not list tickets to offer answers from the new FAQ")
            return
        # Newest first: their customers are the likeliest to still be there. Each question is
        # routed (an LLM call when one is configured), so the scan is capped.
        candidates = [
            t for t in reversed(waiting) if _unanswered(t) and self.engine.reaches(t.key)
        ][: self.max_tickets]
        offered = 0
        for ticket in candidates:
            try:
                offered += await self._consider(ticket, index)
            except Exception:
                # One ticket whose conversation cannot be reached must not stop the others.
                log.exception("could not offer an answer for ticket %s", ticket.id)
        log.info(
            "new FAQ version: %d of %d waiting ticket(s) offered an answer", offered, len(waiting)
        )

    async def _consider(self, ticket: Ticket, index: FaqIndex) -> bool:
        route = await self.engine.route_for(ticket.key, index, ticket.question, ticket.language)
        if (
            route.kind is not RouteKind.ANSWER
            or route.answer is None
            or route.confidence < self.min_confidence
        ):
            return False
        # The same entries, unchanged, are offered once per ticket: neither a second reload of
        # the same version nor an unrelated edit repeats an answer the customer already saw.
        cited = [index.by_id[i] for i in route.answer.sources if i in index.by_id]
        name = f"{self.prefix}:offered:{ticket.id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.sadd(name, content_version(cited))
            pipe.expire(name, OFFER_MEMORY_SECONDS)
            added, _ = await pipe.execute()
        if not added:
            return False
        await self.engine.offer(ticket, route, index)
        return True


def _unanswered(ticket: Ticket) -> bool:
    return bool(ticket.question.strip()) and not any(
        role == "agent" for role, _ in ticket.transcript
    )
