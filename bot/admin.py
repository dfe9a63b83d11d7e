"""Admin commands (`/faq reload|status|tickets|gaps|drafts|help`), written once for every platform.

Adapters report platform facts (user id, roles, "manages the server"); the policy here decides who
is an admin. An empty list means nobody is an admin through it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import RedisError

from bot.drafts import DraftError, DraftStatus, DraftStore, format_drafts
from bot.gaps import GapLog
from bot.models import IncomingMessage, Reply
from bot.store import Store
from bot.tickets import TicketStore
from faq.index import FaqIndex
from faq.repository import FaqRepository, ReloadReport

log = logging.getLogger(__name__)

# The terminal is run by whoever operates the bot's process, so it is trusted.
LOCAL_PLATFORMS = frozenset({"terminal", "cli"})

COMMAND_NAMES = frozenset({"help", "reload", "status", "tickets"})
HELP = """Admin commands:
• reload: re-read the FAQ, validate it, and swap it in (the old FAQ stays live if it has errors)
• status: FAQ version and size, answer mode, counters
• tickets: open and claimed tickets
• gaps [DAYS]: questions of the last DAYS (default 7) the FAQ failed, grouped, most frequent first
• drafts: FAQ entries drafted from agents' answers; drafts approve ID / drafts drop ID
• help: this list"""

REFUSAL = "Sorry, that command is for admins only. Ask a workspace admin if you need it."
MAX_LISTED = 15
DEFAULT_GAP_DAYS = 7


class PublishListener(Protocol):
    """Told once, by the process that published it, that a new FAQ version is live."""

    async def faq_published(self, index: FaqIndex) -> None: ...


@dataclass(frozen=True)
class AdminPolicy:
    slack_user_ids: frozenset[str] = frozenset()
    discord_user_ids: frozenset[str] = frozenset()
    discord_role_ids: frozenset[str] = frozenset()

    def is_admin(self, message: IncomingMessage) -> bool:
        platform = message.key.platform
        if platform in LOCAL_PLATFORMS:
            return True
        if platform == "slack":
            return message.user_id in self.slack_user_ids
        if platform == "discord":
            return (
                message.platform_admin
                or message.user_id in self.discord_user_ids
                or bool(self.discord_role_ids.intersection(message.user_roles))
            )
        return False


@dataclass(frozen=True)
class ChannelAllowList:
    """Channels (by platform) where the bot may answer; a platform with none listed: everywhere.

    Direct messages are always allowed, and desk threads are routed before this is asked.
    """

    channels: dict[str, frozenset[str]]

    def allows(self, message: IncomingMessage) -> bool:
        allowed = self.channels.get(message.key.platform)
        if message.is_direct or not allowed:
            return True
        return message.key.channel_id in allowed or message.parent_channel_id in allowed


class AdminCommands:
    def __init__(
        self,
        *,
        policy: AdminPolicy,
        faq: FaqRepository,
        store: Store,
        tickets: TicketStore,
        answer_mode: str,
        gaps: GapLog,
        drafts: DraftStore,
        publish_listeners: Sequence[PublishListener],
    ) -> None:
        self.policy = policy
        self.faq = faq
        self.store = store
        self.tickets = tickets
        self.answer_mode = answer_mode
        self.gaps = gaps
        self.drafts = drafts
        self.publish_listeners = publish_listeners

    async def run(self, message: IncomingMessage) -> Reply:
        words = message.text.split()
        command = words[0].lower() if words else "help"
        who = f"{message.key.platform}:{message.user_id}"
        # Whatever else was typed after /faq is someone's raw text: it stays out of the logs.
        logged = command if command in COMMAND_NAMES else "(unknown)"
        if command == "help":
            return Reply(HELP)
        if not self.policy.is_admin(message):
            log.warning("admin command %s refused for %s", logged, who)
            return Reply(REFUSAL)
        log.info("admin command %s by %s", logged, who)
        if command == "reload":
            return Reply(await self._reload(who))
        if command == "status":
            return Reply(await self._status())
        if command == "tickets":
            return Reply(await self._tickets())
        if command == "gaps":
            return Reply(await self._gaps(words[1:]))
        if command == "drafts":
            return Reply(await self._drafts(words[1:], who))
        return Reply(f"Unknown command {command!r}.\n{HELP}")

    async def _reload(self, who: str) -> str:
        try:
            approved = await self.drafts.approved_entries()
            kept = await self.drafts.published_entries()
        except RedisError:
            return (
                "FAQ reload refused: the state store is unavailable, so the approved drafts "
                "cannot be read; the current FAQ stays live."
            )
        report = self.faq.reload(extra=[*kept, *approved])
        log.info("FAQ reload by %s: %s", who, "ok" if report.ok else "refused")
        if report.ok:
            await self.drafts.mark_published([entry.id for entry in approved])
            await self._published()
        return format_reload(report)

    async def _published(self) -> None:
        for listener in self.publish_listeners:
            try:
                await listener.faq_published(self.faq.index)
            except Exception:
                # The new version is live either way; a listener's failure is only logged.
                log.exception("FAQ publish listener %r failed", listener)

    async def _gaps(self, args: list[str]) -> str:
        limit = self.gaps.retention_days
        usage = f"Usage: gaps [DAYS], DAYS a whole number from 1 to {limit} (default 7)."
        if len(args) > 1:
            return usage
        try:
            days = int(args[0]) if args else DEFAULT_GAP_DAYS
        except ValueError:
            return usage
        if not 1 <= days <= limit:
            return usage
        return await self.gaps.report(days)

    async def _drafts(self, args: list[str], who: str) -> str:
        if not args:
            waiting = await self.drafts.find(DraftStatus.PENDING, DraftStatus.APPROVED)
            published = await self.drafts.find(DraftStatus.PUBLISHED)
            return format_drafts(waiting, len(published))
        if len(args) != 2 or args[0].lower() not in ("approve", "drop"):
            return "Usage: drafts, drafts approve ID or drafts drop ID (ID like D-3)."
        try:
            if args[0].lower() == "approve":
                draft = await self.drafts.approve(args[1], who)
                log.info("draft %s approved by %s", draft.id, who)
                return f"{draft.id} approved: it joins the FAQ at the next reload as {draft.slug}."
            draft = await self.drafts.drop(args[1], who)
            log.info("draft %s dropped by %s", draft.id, who)
            return f"{draft.id} dropped: it will not be in the next FAQ version."
        except DraftError as exc:
            return str(exc)

    async def _status(self) -> str:
        lines = [
            f"FAQ version {self.faq.version}: {len(self.faq.index)} entries from {self.faq.path}",
            f"Answer mode: {self.answer_mode}",
        ]
        try:
            counters = await self.store.counters()
            usage = await self.store.usage()
        except RedisError:
            return "\n".join([*lines, "State store unavailable: counters unknown."])
        if counters:
            lines.append("Counters: " + ", ".join(f"{k} {v}" for k, v in sorted(counters.items())))
        if usage:
            lines.append(
                f"LLM: {int(usage.get('input_tokens', 0))} input and "
                f"{int(usage.get('output_tokens', 0))} output tokens, "
                f"about ${usage.get('cost_usd', 0.0):.4f}"
            )
        return "\n".join(lines)

    async def _tickets(self) -> str:
        tickets = await self.tickets.list()
        if not tickets:
            return "No open tickets."
        lines = [f"{len(tickets)} open ticket(s):"]
        for ticket in tickets[-MAX_LISTED:]:
            owner = f", claimed by {ticket.claimed_by}" if ticket.claimed_by else ""
            lines.append(
                f"• {ticket.id} [{ticket.status}{owner}] "
                f"{ticket.user_name or ticket.user_id}: {ticket.question[:80]}"
            )
        return "\n".join(lines)


def format_reload(report: ReloadReport) -> str:
    if not report.ok:
        lines = [f"FAQ reload refused: {len(report.errors)} error(s); the current FAQ stays live."]
        lines += [str(error) for error in report.errors[:50]]
        if len(report.errors) > 50:
            lines.append(f"... and {len(report.errors) - 50} more")
        return "\n".join(lines)

    def ids(values: tuple[str, ...]) -> str:
        return ", ".join(values[:20]) + (" ..." if len(values) > 20 else "") if values else "none"

    return "\n".join(
        [
            f"FAQ reloaded: version {report.version}, {report.entries} entries.",
            f"Added ({len(report.added)}): {ids(report.added)}",
            f"Removed ({len(report.removed)}): {ids(report.removed)}",
            f"Changed ({len(report.changed)}): {ids(report.changed)}",
        ]
    )
