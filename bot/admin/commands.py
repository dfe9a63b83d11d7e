"""Admin commands (`/faq reload|versions|rollback|status|tickets|gaps|drafts|help`), written
once for every platform.

Adapters report platform facts (user id, roles, "manages the server"); the policy here decides who
is an admin. An empty list means nobody is an admin through it.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from bot.core.models import IncomingMessage, Reply
from bot.core.policy import AdminPolicy
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


@dataclass(frozen=True)
class AdminCommand:
    """One admin command, listed once for every surface: chat help, Slack's /faq, Discord's /faq
    subcommands (whose descriptions are `summary`, at most 100 characters)."""

    name: str
    usage: str
    summary: str
    detail: str = ""


ADMIN_COMMANDS = (
    AdminCommand(
        "reload",
        "reload [URL] [--force]",
        "Publish the FAQ (FAQ_PATH, an attached file or an https URL) after checking it",
        "Publish the FAQ (FAQ_PATH, an attached file, or an https URL) for every bot process, "
        "after validating it and checking the golden questions still route as well; --force "
        "skips that check. The live FAQ stays when it is refused.",
    ),
    AdminCommand("versions", "versions", "The FAQ versions published, newest first"),
    AdminCommand(
        "rollback",
        "rollback [VERSION]",
        "Make an earlier FAQ version live again (default: the previous one)",
        "Make an earlier version live again (default: the one before the live one)",
    ),
    AdminCommand("status", "status", "FAQ version and size, answer mode, counters"),
    AdminCommand("tickets", "tickets", "Open and claimed tickets"),
    AdminCommand(
        "gaps",
        "gaps [DAYS]",
        "Questions the FAQ could not answer, grouped",
        "Questions of the last DAYS (default 7) the FAQ failed, grouped, most frequent first",
    ),
    AdminCommand(
        "drafts",
        "drafts [show ID | approve ID | drop ID]",
        "Draft entries from agents' answers: list, show ID, approve ID, drop ID",
        "FAQ entries drafted from agents' answers, in full; show one, approve it for the next "
        "version, or drop it",
    ),
    AdminCommand("help", "help", "The admin commands", "This list"),
)
COMMAND_NAMES = frozenset(command.name for command in ADMIN_COMMANDS)
HELP = "Admin commands:\n" + "\n".join(
    f"• {command.usage}: {command.detail or command.summary}" for command in ADMIN_COMMANDS
)

REFUSAL = "Sorry, that command is for admins only. Ask a workspace admin if you need it."
MAX_LISTED = 15
DEFAULT_GAP_DAYS = 7
MAX_ERRORS = 50
FORCE = "--force"
# Where a link goes, however it is marked up (Markdown, Slack's <url|label>, bare).
_LINK_TARGET = re.compile(r"(?:https?|mailto|ftp):[^\s<>()\[\]|\"'`]+", re.IGNORECASE)


def attached_command(text: str) -> str | None:
    """The admin command a message with a file carries (`reload ...`, `faq reload ...`)."""
    words = text.split()
    while words and words[0].lower().lstrip("/") == "faq":
        words = words[1:]
    return " ".join(words) if words and words[0].lower() == "reload" else None


class AdminCommands:
    def __init__(
        self,
        *,
        policy: AdminPolicy,
        faq: FaqRepository,
        publisher: FaqPublisher,
        sources: FaqSources,
        store: Store,
        tickets: TicketStore,
        answer_mode: str,
        gaps: GapLog,
        drafts: DraftStore,
    ) -> None:
        self.policy = policy
        self.faq = faq
        self.publisher = publisher
        self.sources = sources
        self.store = store
        self.tickets = tickets
        self.answer_mode = answer_mode
        self.gaps = gaps
        self.drafts = drafts

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
            return Reply(await self._reload(message, words[1:], who))
        if command == "versions":
            return Reply(await versions_text(self.publisher.versions))
        if command == "rollback":
            if len(words) > 2:
                return Reply("Usage: rollback [VERSION]")
            version = words[1] if len(words) > 1 else None
            return Reply(format_publish(await self.publisher.rollback(who, version)))
        if command == "status":
            return Reply(await self._status())
        if command == "tickets":
            return Reply(await self._tickets())
        if command == "gaps":
            return Reply(await self._gaps(words[1:]))
        if command == "drafts":
            return Reply(await self._drafts(words[1:], who))
        return Reply(f"Unknown command {command!r}.\n{HELP}")

    async def _reload(self, message: IncomingMessage, args: list[str], who: str) -> str:
        force = FORCE in args
        urls = [a for a in args if a != FORCE and a.startswith(("https://", "http://"))]
        other = [a for a in args if a != FORCE and a not in urls]
        if other or len(urls) + len(message.attachments) > 1:
            return "Usage: reload [https://...] [--force], or attach one FAQ file to `reload`."
        upload: Upload | None = None
        try:
            if urls:
                upload = await self.sources.from_url(urls[0].strip("<>"))
            elif message.attachments:
                upload = await self.sources.from_attachment(message.attachments[0])
        except SourceError as exc:
            return f"FAQ reload refused: {exc}. The current FAQ stays live."
        report = await self.publisher.reload(who, upload=upload, force=force)
        log.info("FAQ reload by %s: %s", who, "ok" if report.ok else "refused")
        return format_publish(report)

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
        if len(args) != 2 or args[0].lower() not in ("show", "approve", "drop"):
            return (
                "Usage: drafts, drafts show ID, drafts approve ID or drafts drop ID (ID like D-3)."
            )
        try:
            if args[0].lower() == "show":
                return format_draft(await self.drafts.get(args[1]))
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
    try:
        history = await versions.history(limit)
        live = await versions.live_id()
        infos = {p.version: await versions.info(p.version) for p in history}
    except RedisError as exc:
        return f"The version store (Redis) is unavailable ({type(exc).__name__})."
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
