"""Draft FAQ entries written by agents: when an agent resolves a ticket, the customer's question and
the agent's answer become a draft; an admin approves it (it joins the next FAQ version) or drops it.

Drafts live in Redis so every replica and the CLI see the same list; changes are optimistic
transactions, like tickets, so two admins cannot both decide one draft.
"""

from __future__ import annotations

import enum
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.core.models import Ticket
from bot.safety.redact import Redactor
from bot.safety.sanitize import defuse_mentions
from bot.state.store import text, update_watched
from faq.loaders import slugify
from faq.models import FaqEntry

DRAFTS_SOURCE = "drafts"
_SLUG_RE = re.compile(r"^draft-(\d+)-")
_ID_RE = re.compile(r"^D-(\d+)$", re.IGNORECASE)


class DraftStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DROPPED = "dropped"
    PUBLISHED = "published"


class DraftError(Exception):
    """A draft operation that cannot be done (unknown id, already decided, ...)."""


@dataclass(frozen=True)
class Draft:
    id: str  # "D-3", what admins type
    slug: str  # the FAQ entry id it is published under; stable, so reloads keep the same id
    question: str
    answer: str
    ticket_id: str
    agent: str
    created_at: float
    status: DraftStatus = DraftStatus.PENDING
    decided_by: str = ""
    decided_at: float = 0.0
    # "platform:user id" of the ticket's customer, whose question the draft carries: erasing them
    # finds it even after the ticket and their index have expired.
    customer: str = ""

    @property
    def origin(self) -> str:
        """Where it came from: its ticket, or a FAQ gap an admin answered."""
        return self.ticket_id or "a FAQ gap"

    def entry(self) -> FaqEntry:
        return FaqEntry(self.slug, self.question, self.answer, source=DRAFTS_SOURCE)


def draft_from_ticket(ticket: Ticket) -> tuple[str, str] | None:
    """(question, answer) a resolved ticket teaches, or None when no agent answered in it."""
    answer = "\n\n".join(said.strip() for role, said in ticket.transcript if role == "agent")
    question = ticket.question.strip() or next(
        (said.strip() for role, said in ticket.transcript if role == "customer"), ""
    )
    if not answer.strip() or not question:
        return None
    # Kept past the conversation, and maybe published to every customer: redacted like the gap log.
    return Redactor().redact(question), Redactor().redact(answer.strip())


@dataclass
class DraftStore:
    redis: Redis
    prefix: str
    clock: Callable[[], float] = time.time

    def _key(self, *parts: str) -> str:
        return ":".join([self.prefix, "draft", *parts])

    async def create_from_ticket(self, ticket: Ticket, agent: str) -> Draft | None:
        """The draft a resolved ticket teaches; None when there is nothing to learn or it exists."""
        found = draft_from_ticket(ticket)
        if found is None:
            return None
        # A ticket is resolved once, but a retried call must not make a second draft of it.
        if not await self.redis.set(self._key("ticket", ticket.id), "1", nx=True):
            return None
        question, answer = found
        customer = _customer(ticket.key.platform, ticket.user_id)
        return await self.create(question, answer, agent, ticket_id=ticket.id, customer=customer)

    async def create(
        self, question: str, answer: str, agent: str, *, ticket_id: str = "", customer: str = ""
    ) -> Draft:
        """A pending draft; `ticket_id` and `customer` are empty for one an admin wrote (from a
        FAQ gap on the dashboard)."""
        number = await self.redis.incr(self._key("seq"))
        draft = Draft(
            id=f"D-{number}",
            slug=f"draft-{number}-{slugify(question)[:60]}".rstrip("-"),
            question=question,
            answer=answer,
            ticket_id=ticket_id,
            agent=agent,
            created_at=self.clock(),
            customer=customer,
        )
        # The draft, then its place in the list: on a cluster they live in different slots,
        # and the list never names a draft that was not stored.
        await self.redis.set(self._key(draft.id), _to_json(draft))
        await self.redis.zadd(self._key("all"), {draft.id: number})
        return draft

    async def get(self, draft_id: str) -> Draft:
        raw = await self.redis.get(self._key(_canonical(draft_id)))
        if raw is None:
            raise DraftError(f"no draft {draft_id}")
        return _from_json(text(raw))

    async def find(self, *statuses: DraftStatus) -> list[Draft]:
        """Drafts with one of `statuses` (all when none is given), oldest first."""
        ids = await self.redis.zrange(self._key("all"), 0, -1)
        if not ids:
            return []
        # One GET each, pipelined: on a cluster the drafts live on different nodes.
        async with self.redis.pipeline(transaction=False) as pipe:
            for draft_id in ids:
                pipe.get(self._key(str(draft_id)))
            raws = await pipe.execute()
        drafts = [_from_json(text(raw)) for raw in raws if raw is not None]
        return [d for d in drafts if not statuses or d.status in statuses]

    async def forget_customer(
        self, platform: str, user_id: str, ticket_ids: Iterable[str]
    ) -> list[str]:
        """Delete the undecided or dropped drafts taken from this person's tickets (an erasure
        request; `ticket_ids` finds drafts made before drafts named their customer); approved
        and published ones are FAQ content an admin has reviewed, and stay."""
        ids, customer = set(ticket_ids), _customer(platform, user_id)
        doomed = [
            d
            for d in await self.find(DraftStatus.PENDING, DraftStatus.DROPPED)
            if d.customer == customer or (not d.customer and d.ticket_id in ids)
        ]
        if doomed:
            # Deletions, each safe to repeat: pipelined across a cluster's slots.
            async with self.redis.pipeline(transaction=False) as pipe:
                for draft in doomed:
                    pipe.delete(self._key(draft.id), self._key("ticket", draft.ticket_id))
                    pipe.zrem(self._key("all"), draft.id)
                await pipe.execute()
        return [d.id for d in doomed]

    async def approve(self, draft_id: str, who: str) -> Draft:
        def change(draft: Draft) -> Draft:
            if draft.status is not DraftStatus.PENDING:
                raise DraftError(f"{draft.id} is already {draft.status}")
            return replace(draft, status=DraftStatus.APPROVED, decided_by=who)

        return await self._update(_canonical(draft_id), change)

    async def drop(self, draft_id: str, who: str) -> Draft:
        """Pending and approved drafts are dropped; a published one leaves the next version."""

        def change(draft: Draft) -> Draft:
            if draft.status is DraftStatus.DROPPED:
                raise DraftError(f"{draft.id} is already dropped")
            return replace(draft, status=DraftStatus.DROPPED, decided_by=who)

        return await self._update(_canonical(draft_id), change)

    async def approved_entries(self) -> list[FaqEntry]:
        """Approved drafts not yet in a published FAQ version, as entries."""
        return [d.entry() for d in await self.find(DraftStatus.APPROVED)]

    async def published_entries(self) -> list[FaqEntry]:
        """Drafts already in a published version: a reload from the FAQ files keeps them."""
        return [d.entry() for d in await self.find(DraftStatus.PUBLISHED)]

    async def mark_published(self, ids: Sequence[str]) -> None:
        """`ids` are entry ids (slugs) from `approved_entries`; others are ignored."""

        def change(draft: Draft) -> Draft:
            if draft.status is not DraftStatus.APPROVED:
                raise DraftError(f"{draft.id} is {draft.status}")
            return replace(draft, status=DraftStatus.PUBLISHED)

        for entry_id in ids:
            match = _SLUG_RE.match(entry_id)
            if match is None:
                continue
            try:
                await self._update(f"D-{match[1]}", change)
            except DraftError:
                # Dropped between the reload reading it and this mark: it stays dropped.
                continue

    async def _update(self, draft_id: str, change: Callable[[Draft], Draft]) -> Draft:
        def write(raw: str | None, pipe: Pipeline) -> Draft:
            if raw is None:
                raise DraftError(f"no draft {draft_id}")
            draft = replace(change(_from_json(raw)), decided_at=self.clock())
            pipe.set(name, _to_json(draft))
            return draft

        name = self._key(draft_id)
        return await update_watched(self.redis, name, write)


def _customer(platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"


def _canonical(draft_id: str) -> str:
    match = _ID_RE.match(draft_id.strip())
    if match is None:
        raise DraftError(f"{draft_id!r} is not a draft id (like D-3)")
    return f"D-{int(match[1])}"


def _to_json(draft: Draft) -> str:
    return json.dumps(asdict(draft), ensure_ascii=False)


def _from_json(raw: str) -> Draft:
    data = json.loads(raw)
    return Draft(**{**data, "status": DraftStatus(data["status"])})


def format_drafts(drafts: Sequence[Draft], published: int) -> str:
    """The `/faq drafts` listing: what waits for a decision and what joins the next version."""
    if not drafts:
        lines = ["No drafts waiting: agents' answers become drafts when they resolve tickets."]
    else:
        lines = [f"{len(drafts)} draft(s):"]
        for draft in drafts:
            # Whole texts, never cut: this is where an admin reads what approving publishes (the
            # adapters split a long listing across messages).
            question = defuse_mentions(" ".join(draft.question.split()))
            answer = defuse_mentions(draft.answer.strip()).replace("\n", "\n     ")
            lines.append(
                f"• {draft.id} [{draft.status}] from {draft.origin} by "
                f"{defuse_mentions(draft.agent)}: {question}\n   → {answer}"
            )
        lines.append(
            "drafts approve ID: joins the next FAQ version · drafts drop ID: discard it. "
            "Approved drafts join at the next reload."
        )
    if published:
        lines.append(f"{published} published draft(s) are in the FAQ; drafts drop ID retires one.")
    return "\n".join(lines)
