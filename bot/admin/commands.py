"""Admin commands (`/faq reload|versions|rollback|status|tickets|gaps|drafts|help`), written
once for every platform and for `faqbot faq` (the list of them is bot/admin/registry.py).

Adapters report platform facts (user id, roles, "manages the server"); the policy here decides who
is an admin. An empty list means nobody is an admin through it.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from redis.exceptions import RedisError

from bot.admin.registry import COMMANDS_BY_NAME, HELP
from bot.core.models import IncomingMessage, Reply
from bot.core.policy import LOCAL_PLATFORMS, AdminPolicy
from bot.knowledge.drafts import Draft, DraftError, DraftStatus, DraftStore, format_drafts
from bot.knowledge.gaps import GapLog
from bot.knowledge.publishing import FaqPublisher, PublishReport
from bot.knowledge.sources import FaqSources, SourceError, Upload
from bot.knowledge.versions import FaqVersions
from bot.safety.sanitize import defuse_mentions
from bot.state.store import Store
from bot.state.tickets import TicketStore
from faq.repository import Changes, FaqRepository

log = logging.getLogger(__name__)

REFUSAL = "Sorry, that command is for admins only. Ask a workspace admin if you need it."
MAX_LISTED = 15
DEFAULT_GAP_DAYS = 7
MAX_ERRORS = 50
FORCE = "--force"
# Where a link goes, however it is marked up (Markdown, Slack's <url|label>, bare).
_LINK_TARGET = re.compile(r"(?:https?|mailto|ftp):[^\s<>()\[\]|\"'`]+", re.IGNORECASE)


class Outcome(enum.StrEnum):
    """How a command ended, for a caller that says more than its text (the command line's exit
    code)."""

    DONE = "done"
    REFUSED = "refused"  # nothing changed: not an admin, refused, failed or not found
    USAGE = "usage"  # mistyped: nothing was tried


@dataclass(frozen=True)
class AdminResult:
    text: str
    outcome: Outcome = Outcome.DONE


def attached_command(text: str) -> str | None:
    """The admin command a message with a file carries (`reload ...`, `faq reload ...`)."""
    words = text.split()
    while words and words[0].lower().lstrip("/") == "faq":
        words = words[1:]
    return " ".join(words) if words and words[0].lower() == "reload" else None


@dataclass(frozen=True, kw_only=True, eq=False)
class AdminCommands:
    policy: AdminPolicy
    faq: FaqRepository
    publisher: FaqPublisher
    sources: FaqSources
    store: Store
    tickets: TicketStore
    answer_mode: str
    gaps: GapLog
    drafts: DraftStore

    async def run(self, message: IncomingMessage) -> Reply:
        """The reply to a chat message's command."""
        return Reply((await self.execute(message)).text)

    async def execute(
        self, message: IncomingMessage, *, local_path: Path | None = None
    ) -> AdminResult:
        """Run the command `message` carries. `local_path`, a FAQ file or folder on this machine
        for `reload`, is the command line's to give: no words of a message name a file to read,
        and only a local platform's message comes with one."""
        platform = message.key.platform
        if local_path is not None and platform not in LOCAL_PLATFORMS:
            raise ValueError(f"a local FAQ path is never read for a {platform} message")
        words = message.text.split()
        command = words[0].lower() if words else "help"
        who = f"{platform}:{message.user_id}"
        # Whatever else was typed after /faq is someone's raw text: it stays out of the logs.
        logged = command if command in COMMANDS_BY_NAME else "(unknown)"
        if command == "help":
            return AdminResult(HELP)
        if not self.policy.is_admin(message):
            log.warning("admin command %s refused for %s", logged, who)
            return AdminResult(REFUSAL, Outcome.REFUSED)
        log.info("admin command %s by %s", logged, who)
        if command == "reload":
            return await self._reload(message, words[1:], who, local_path)
        if command == "versions":
            # A chat message has room for MAX_LISTED lines, a terminal for every version kept.
            local = platform in LOCAL_PLATFORMS
            return await self._versions(self.publisher.versions.keep if local else MAX_LISTED)
        if command == "rollback":
            if len(words) > 2:
                return AdminResult("Usage: rollback [VERSION]", Outcome.USAGE)
            version = words[1] if len(words) > 1 else None
            return _published(await self.publisher.rollback(who, version))
        if command == "status":
            return AdminResult(await self._status())
        if command == "tickets":
            return AdminResult(await self._tickets())
        if command == "gaps":
            return await self._gaps(words[1:])
        if command == "drafts":
            return await self._drafts(words[1:], who)
        return AdminResult(f"Unknown command {command!r}.\n{HELP}", Outcome.USAGE)

    async def _reload(
        self, message: IncomingMessage, args: list[str], who: str, local_path: Path | None
    ) -> AdminResult:
        force = FORCE in args
        urls = [a for a in args if a != FORCE and a.startswith(("https://", "http://"))]
        other = [a for a in args if a != FORCE and a not in urls]
        sources = len(urls) + len(message.attachments) + (local_path is not None)
        if other or sources > 1:
            return AdminResult(
                "Usage: reload [https://...] [--force], or attach one FAQ file to `reload`.",
                Outcome.USAGE,
            )
        upload: Upload | None = None
        try:
            if urls:
                upload = await self.sources.from_url(urls[0].strip("<>"))
            elif message.attachments:
                upload = await self.sources.from_attachment(message.attachments[0])
        except SourceError as exc:
            return AdminResult(
                f"FAQ reload refused: {exc}. The current FAQ stays live.", Outcome.REFUSED
            )
        report = await self.publisher.reload(who, path=local_path, upload=upload, force=force)
        log.info("FAQ reload by %s: %s", who, "ok" if report.ok else "refused")
        return _published(report)

    async def _versions(self, limit: int) -> AdminResult:
        try:
            return AdminResult(await versions_text(self.publisher.versions, limit))
        except RedisError as exc:
            return AdminResult(
                f"The version store (Redis) is unavailable ({type(exc).__name__}).",
                Outcome.REFUSED,
            )

    async def _gaps(self, args: list[str]) -> AdminResult:
        limit = self.gaps.retention_days
        usage = AdminResult(
            f"Usage: gaps [DAYS], DAYS a whole number from 1 to {limit} (default 7).",
            Outcome.USAGE,
        )
        if len(args) > 1:
            return usage
        try:
            days = int(args[0]) if args else DEFAULT_GAP_DAYS
        except ValueError:
            return usage
        if not 1 <= days <= limit:
            return usage
        return AdminResult(await self.gaps.report(days))

    async def _drafts(self, args: list[str], who: str) -> AdminResult:
        if not args:
            waiting = await self.drafts.find(DraftStatus.PENDING, DraftStatus.APPROVED)
            published = await self.drafts.find(DraftStatus.PUBLISHED)
            return AdminResult(format_drafts(waiting, len(published)))
        if len(args) != 2 or args[0].lower() not in ("show", "approve", "drop"):
            return AdminResult(
                "Usage: drafts, drafts show ID, drafts approve ID or drafts drop ID (ID like D-3).",
                Outcome.USAGE,
            )
        try:
            if args[0].lower() == "show":
                return AdminResult(format_draft(await self.drafts.get(args[1])))
            if args[0].lower() == "approve":
                draft = await self.drafts.approve(args[1], who)
                log.info("draft %s approved by %s", draft.id, who)
                return AdminResult(
                    f"{draft.id} approved: it joins the FAQ at the next reload as {draft.slug}."
                )
            draft = await self.drafts.drop(args[1], who)
            log.info("draft %s dropped by %s", draft.id, who)
            return AdminResult(f"{draft.id} dropped: it will not be in the next FAQ version.")
        except DraftError as exc:
            return AdminResult(str(exc), Outcome.REFUSED)

    async def _status(self) -> str:
        lines = [
            f"FAQ version {self.faq.version}: {len(self.faq.index)} entries from "
            f"{await self._served_from()}",
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

    async def _served_from(self) -> str:
        """The served version's publication when Redis has it (the live version need not be
        FAQ_PATH's content), else FAQ_PATH, which a process serves while Redis is away."""
        try:
            info = await self.publisher.versions.info(self.faq.version)
        except RedisError:
            info = None
        if info is None:
            return str(self.faq.path)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(info.when))
        return f"{info.source}, published by {info.who} on {when}"

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


def _published(report: PublishReport) -> AdminResult:
    return AdminResult(format_publish(report), Outcome.DONE if report.ok else Outcome.REFUSED)


def format_draft(draft: Draft) -> str:
    """One draft as approving it would publish it: every character, line breaks kept."""
    lines = [
        f"{draft.id} [{draft.status}] from {draft.origin} by {defuse_mentions(draft.agent)}",
        f"Question: {defuse_mentions(draft.question.strip())}",
        "Answer:",
        defuse_mentions(draft.answer.strip()),
    ]
    found = _LINK_TARGET.findall(f"{draft.question}\n{draft.answer}")
    targets = dict.fromkeys(target.rstrip(".,;:!?*_") for target in found)
    if targets:
        # Chat clients show a link's label, not where it goes: the admin sees every target.
        lines.append("Links to: " + ", ".join(f"`{target}`" for target in targets))
    lines.append(f"drafts approve {draft.id} · drafts drop {draft.id}")
    return "\n".join(lines)


def _ids(values: tuple[str, ...]) -> str:
    return ", ".join(values[:20]) + (" ..." if len(values) > 20 else "") if values else "none"


def _changes(changes: Changes) -> list[str]:
    return [
        f"Added ({len(changes.added)}): {_ids(changes.added)}",
        f"Removed ({len(changes.removed)}): {_ids(changes.removed)}",
        f"Changed ({len(changes.changed)}): {_ids(changes.changed)}",
    ]


def format_publish(report: PublishReport) -> str:
    """What a reload or rollback did, or every reason it was refused; for chat and the CLI."""
    if report.ok:
        if report.unchanged:
            return f"FAQ unchanged: version {report.version} from {report.source} is already live."
        verb = "reloaded" if report.action == "reload" else "rolled back"
        lines = [
            f"FAQ {verb}: version {report.version}, {report.entries} entries, "
            "published to every bot process."
        ]
        lines += _changes(report.changes)
        if report.forced:
            lines.append("The golden-question check was skipped (--force).")
        elif report.check is not None and report.check.golden is not None:
            lines.append(
                f"Golden questions routed right: {report.check.accuracy_before:.1%} before, "
                f"{report.check.accuracy_after:.1%} now."
            )
        elif report.action == "reload":
            lines.append("No golden.yaml next to the FAQ: no regression check was run.")
        return "\n".join(lines)
    stays = f"version {report.version} stays live."
    check = report.check
    if check is not None and check.golden is not None:
        lines = [
            f"FAQ {report.action} refused: the golden questions in {check.golden} route worse "
            f"({check.accuracy_before:.1%} right before, {check.accuracy_after:.1%} with the new "
            f"FAQ); {stays} Fix the FAQ or the golden file, or reload with --force.",
            f"What broke ({len(check.regressions)}):",
        ]
        lines += [
            f"• {r.question!r}: expected {r.expected}, was {r.before}, now {r.after}"
            for r in check.regressions[:MAX_ERRORS]
        ]
    else:
        source = f" ({report.source})" if report.source else ""
        lines = [f"FAQ {report.action} refused{source}; {stays}"]
        lines += list(report.errors[:MAX_ERRORS])
    if len(report.errors) > MAX_ERRORS or (check and len(check.regressions) > MAX_ERRORS):
        lines.append("... and more")
    return "\n".join(lines)


async def versions_text(versions: FaqVersions, limit: int = MAX_LISTED) -> str:
    """The publication history, newest first, the live version marked."""
    history = await versions.history(limit)
    live = await versions.live_id()
    infos = {p.version: await versions.info(p.version) for p in history}
    if not history:
        return "No FAQ version has been published yet."
    lines = ["FAQ versions, newest first:"]
    marked = False
    for publication in history:
        info = infos[publication.version]
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(publication.when))
        # A version published twice is listed twice; only its newest publication is the live one.
        live_here = publication.version == live and not marked
        marked = marked or live_here
        mark = " (live)" if live_here else ""
        detail = ""
        if info is not None:
            c = info.changes
            # The first version has nothing to differ from.
            diff = (
                f", +{len(c.added)} -{len(c.removed)} ~{len(c.changed)}"
                if info.previous is not None
                else ""
            )
            detail = f", {info.count} entries{diff}, from {info.source}"
        lines.append(
            f"• {publication.version}{mark}: {publication.action} by {publication.who}, "
            f"{when}{detail}"
        )
    return "\n".join(lines)
