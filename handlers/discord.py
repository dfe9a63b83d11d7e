"""The Discord adapter: discord.py events in, `IncomingMessage`; `Reply` out, Discord messages.

It translates and decides nothing: whether to answer, escalation, admin rights and dedupe are the
core's. Conversation keys:

- a DM: `ConversationKey("discord", "dm", <dm channel id>)`;
- a thread (the one the bot starts on a question, or any other): `("discord", <guild>, <thread>)`.
  A thread started on a message has that message's id, so the key is known before it exists;
- a server channel outside threads (inline replies): `("discord", <guild>, <channel>, <user>)`.

Buttons carry stable custom ids (`faqbot:feedback:helpful`, `faqbot:human`, `faqbot:choice:<id>`,
`faqbot:claim:<ticket>`, `faqbot:resolve:<ticket>`) parsed by `DynamicItem`s registered at start,
so buttons on old messages keep working after a restart and nothing lives in process memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeGuard, cast

import aiohttp
import discord
import yarl
from aiohttp import web
from discord import app_commands

from bot.admin.registry import ADMIN_COMMANDS
from bot.answering.streaming import StreamOpener
from bot.core.models import (
    Action,
    Attachment,
    ConversationKey,
    DeskClick,
    DeskOp,
    DeskRef,
    IncomingMessage,
    MessageKind,
    Reply,
    Ticket,
    TicketStatus,
)
from bot.engine.conversation import ConversationEngine
from bot.runtime.app import App
from bot.runtime.metrics import PLATFORM_SEND
from bot.runtime.server import Connection
from bot.runtime.settings import Settings
from handlers.inflight import InFlight

log = logging.getLogger(__name__)

PLATFORM = "discord"
MAX_MESSAGE = 2000
MAX_LABEL = 80
NO_PINGS = discord.AllowedMentions.none()
# Messages people write. Every other type is Discord speaking (a pin, a member joining, a thread
# renamed or started, a boost, a call, an AutoMod alert, and types added later): never answered.
PEOPLE_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
THREAD_TYPES = frozenset(
    {
        discord.ChannelType.public_thread,
        discord.ChannelType.private_thread,
        discord.ChannelType.news_thread,
    }
)
# View Channels, Send Messages, Send Messages in Threads, Create Public Threads, Embed Links,
# Read Message History, Add Reactions.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
    add_reactions=True,
)
# The tag a settled support-forum post gets, made on the forum when it has none; a post holds at
# most five tags (Discord's limit), so a full post loses its last one for it.
SOLVED_TAG = "Solved"
MAX_APPLIED_TAGS = 5
ARGS_HELP = "Arguments, as after the command in chat (e.g. --force, a URL, a version)"
FILE_HELP = "A FAQ file (.yaml, .md or .csv) to publish"
STATUS_COLOURS = {
    TicketStatus.OPEN: discord.Colour.orange(),
    TicketStatus.CLAIMED: discord.Colour.blue(),
    TicketStatus.RESOLVED: discord.Colour.green(),
}


def invite_url(application_id: int | str) -> str:
    """The OAuth2 URL that adds the bot to a server with the permissions it needs."""
    return (
        "https://discord.com/oauth2/authorize"
        f"?client_id={application_id}&scope=bot+applications.commands"
        f"&permissions={PERMISSIONS.value}"
    )


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph boundaries, then lines, then words, so each part fits a message."""
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for chunk in _fit(paragraph, limit):
            candidate = f"{current}\n\n{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = chunk
    if current:
        parts.append(current)
    return [part for part in parts if part.strip()]


def _fit(piece: str, limit: int) -> list[str]:
    """A paragraph longer than a message, cut at lines, then spaces, then anywhere."""
    if len(piece) <= limit:
        return [piece]
    out: list[str] = []
    rest = piece
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def conversation_key(
    guild_id: int | None, channel: object, channel_id: int, user_id: int
) -> ConversationKey:
    if guild_id is None:
        return ConversationKey(PLATFORM, "dm", str(channel_id))
    if is_thread(channel):
        return ConversationKey(PLATFORM, str(guild_id), str(channel_id))
    return ConversationKey(PLATFORM, str(guild_id), str(channel_id), str(user_id))


def is_thread(channel: object) -> bool:
    return getattr(channel, "type", None) in THREAD_TYPES


def parent_id(channel: object) -> str | None:
    """The channel a thread was started in; None for anything that is not a thread."""
    value = getattr(channel, "parent_id", None)
    return str(value) if value else None


def starts_forum_post(channel: object, message_id: int) -> TypeGuard[discord.Thread]:
    """Is this message the one a forum post opens with (it has the post's id)?"""
    return (
        isinstance(channel, discord.Thread)
        and channel.id == message_id
        and isinstance(channel.parent, discord.ForumChannel)
    )


def attachment(file: discord.Attachment) -> Attachment:
    """A Discord attachment for the core, which checks its name and size before fetching it."""

    async def fetch(limit: int) -> bytes:
        return (await file.read())[: limit + 1]

    return Attachment(file.filename, file.size, fetch)


def member_facts(user: discord.abc.User) -> tuple[tuple[str, ...], bool]:
    """(role ids, has Manage Server) for a server member; nothing for a DM user."""
    if not isinstance(user, discord.Member):
        return (), False
    roles = tuple(str(role.id) for role in user.roles if not role.is_default())
    return roles, user.guild_permissions.manage_guild


def interaction_facts(
    interaction: discord.Interaction[discord.Client],
) -> tuple[tuple[str, ...], bool]:
    """`member_facts`, with Manage Server also as Discord computed it for the interaction."""
    roles, manages = member_facts(interaction.user)
    return roles, manages or (
        interaction.guild_id is not None and interaction.permissions.manage_guild
    )


Parser = Callable[[Any], None]


class SkippingParsers(dict[str, Parser]):
    """discord.py's gateway event parsers (`ConnectionState.parsers`, where every gateway
    connection looks up each dispatch), each made to log and skip a payload it cannot read.

    Unguarded, a parser's exception (a message without an author, a null where an object
    belongs) rises through the connection loop and ends `Client.start()`, and with it
    `faqbot serve` for every platform. An event name that is not a string is an unknown event."""

    @classmethod
    def guarding(
        cls, parsers: dict[str, Parser], skipped: Callable[[str], None]
    ) -> SkippingParsers:
        """`skipped(event)` hears of each payload skipped."""
        return cls({event: _skipping(event, parse, skipped) for event, parse in parsers.items()})

    def __getitem__(self, event: str) -> Parser:
        if not isinstance(event, str):
            raise KeyError(event)
        return super().__getitem__(event)


def _skipping(event: str, parse: Parser, skipped: Callable[[str], None]) -> Parser:
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception as exc:
            skipped(event)
            # One line, without the error's text: it may quote the payload, a customer's words.
            log.warning(
                "Discord %s event skipped: discord.py could not read it (%s)",
                event,
                type(exc).__name__,
            )
            log.debug("Discord %s event skipped", event, exc_info=True)

    return guarded


def sources_embed(reply: Reply) -> discord.Embed | None:
    if not reply.sources or any(a.kind is MessageKind.CHOICE for a in reply.actions):
        return None
    lines = []
    for source in reply.sources:
        title = discord.utils.escape_markdown(source.title)
        link = source.links[0] if source.links else None
        lines.append(f"• [{title}]({link})" if link else f"• {title} (`{source.id}`)")
    return discord.Embed(title="Sources", description="\n".join(lines)[:4096])


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"faqbot:(?P<kind>feedback|choice|human|confirm)(?::(?P<value>.+))?",
):
    """Helpful, Not helpful, Talk to a person, a clarification's choices, and Yes/No to an offer."""

    def __init__(self, kind: MessageKind, value: str, label: str = "") -> None:
        custom_id = "faqbot:human" if kind is MessageKind.HUMAN else f"faqbot:{kind}:{value}"
        style = discord.ButtonStyle.secondary
        if kind is MessageKind.HUMAN:
            style = discord.ButtonStyle.primary
        elif value == "helpful":
            style = discord.ButtonStyle.success
        super().__init__(
            discord.ui.Button(label=(label or value)[:MAX_LABEL], custom_id=custom_id, style=style)
        )
        self.kind = kind
        self.value = value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        kind = MessageKind(match["kind"])
        return cls(kind, match["value"] or kind.value, getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        adapter = _adapter(interaction.client)
        await adapter.in_flight.run(adapter.on_action(interaction, self.kind, self.value), "button")


class DeskButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"faqbot:(?P<op>claim|resolve):(?P<ticket>.+)",
):
    """Claim and Resolve on a ticket's card in the desk."""

    def __init__(self, op: str, ticket_id: str) -> None:
        style = discord.ButtonStyle.primary if op == "claim" else discord.ButtonStyle.success
        super().__init__(
            discord.ui.Button(
                label=op.capitalize(), custom_id=f"faqbot:{op}:{ticket_id}", style=style
            )
        )
        self.op = op
        self.ticket_id = ticket_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DeskButton:
        return cls(match["op"], match["ticket"])

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        adapter = _adapter(interaction.client)
        await adapter.in_flight.run(
            adapter.on_desk_button(interaction, self.op, self.ticket_id), "desk button"
        )


def actions_view(actions: Sequence[Action]) -> discord.ui.View | None:
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in actions[:25]:
        view.add_item(ActionButton(action.kind, action.value, action.label))
    return view


def desk_view(ticket: Ticket) -> discord.ui.View | None:
    if ticket.status is TicketStatus.RESOLVED:
        return None
    view = discord.ui.View(timeout=None)
    if ticket.status is TicketStatus.OPEN:
        view.add_item(DeskButton("claim", ticket.id))
    view.add_item(DeskButton("resolve", ticket.id))
    return view


def ticket_embed(ticket: Ticket) -> discord.Embed:
    who = ticket.user_name or ticket.user_id
    embed = discord.Embed(
        title=f"Ticket {ticket.id}: {ticket.status}",
        description=discord.utils.escape_mentions(ticket.question or "(no question)")[:4000],
        colour=STATUS_COLOURS.get(ticket.status),
    )
    embed.add_field(name="Customer", value=f"{discord.utils.escape_mentions(who)}"[:1024])
    embed.add_field(name="Reason", value=ticket.reason[:1024] or "-")
    embed.add_field(name="Where", value=f"{ticket.key.platform} {ticket.key.channel_id}"[:1024])
    if ticket.claimed_by:
        embed.add_field(name="Claimed by", value=ticket.claimed_by[:1024])
    transcript = "\n".join(f"{role}: {text}" for role, text in ticket.transcript[-10:])
    if transcript:
        embed.add_field(
            name="Transcript",
            value=discord.utils.escape_mentions(transcript)[-1024:],
            inline=False,
        )
    return embed


# discord.py gives a request up after five 429s in a row; a message waits out a longer storm in a
# few more rounds of those, so a burst of replies to one channel loses none.
RATE_LIMIT_ROUNDS = 4
MAX_RETRY_AFTER = 60.0


async def send_patiently(target: discord.abc.Messageable, **fields: Any) -> discord.Message:
    for _ in range(RATE_LIMIT_ROUNDS - 1):
        try:
            return await target.send(**fields)
        except discord.HTTPException as exc:
            if exc.status != 429:
                raise
            retry_after = exc.response.headers.get("Retry-After", "1")
            await asyncio.sleep(min(float(retry_after), MAX_RETRY_AFTER))
    return await target.send(**fields)


async def deliver(target: discord.abc.Messageable, reply: Reply) -> list[discord.Message]:
    """Post a Reply: text in 2,000-character parts, sources and buttons on the last part."""
    chunks = split_text(reply.text) or [""]
    embed = sources_embed(reply)
    view = actions_view(reply.actions)
    sent: list[discord.Message] = []
    for number, chunk in enumerate(chunks, start=1):
        last = number == len(chunks)
        extras: dict[str, Any] = {}
        if last and embed is not None:
            extras["embed"] = embed
        if last and view is not None:
            extras["view"] = view
        if not chunk and not extras:
            continue
        sent.append(
            await send_patiently(target, content=chunk or None, allowed_mentions=NO_PINGS, **extras)
        )
    return sent


# Edits of a streamed answer: Discord allows about five a channel in five seconds.
EDIT_INTERVAL_SECONDS = 1.0


class DiscordStream:
    """One answer streamed into a Discord message: posted with its first words, then edited as
    text arrives (the core sends it at most once every `interval`); the last edit, in its turn
    too, carries the sources and the buttons (or, when the answer may not stand, the reply that
    replaces it)."""

    def __init__(
        self,
        target: discord.abc.Messageable,
        interval: float = EDIT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.interval = interval
        self.clock = clock
        self.message: discord.Message | None = None
        self.text = ""
        self._edited_at = 0.0

    async def append(self, text: str) -> None:
        self.text += text
        # Only what fits one message is shown while streaming; the rest follows at the end.
        shown = split_text(self.text)[0]
        if self.message is None:
            self.message = await send_patiently(
                self.target, content=shown, allowed_mentions=NO_PINGS
            )
        else:
            await self.message.edit(content=shown, allowed_mentions=NO_PINGS)
        self._edited_at = self.clock()

    async def finish(self, reply: Reply) -> None:
        if self.message is None:
            await deliver(self.target, reply)
            return
        await asyncio.sleep(max(0.0, self._edited_at + self.interval - self.clock()))
        chunks = split_text(reply.text) or [""]
        last = len(chunks) == 1
        await self.message.edit(
            content=chunks[0] or None,
            embed=sources_embed(reply) if last else None,
            view=actions_view(reply.actions) if last else None,
            allowed_mentions=NO_PINGS,
        )
        if not last:
            # What does not fit one message follows it, the sources and buttons on the last part.
            await deliver(self.target, replace(reply, text="\n".join(chunks[1:])))

    async def abandon(self, replacement: Reply) -> None:
        # The same last edit: the message becomes the replacement, whatever was streamed.
        await self.finish(replacement)


class TypingIndicator:
    """Shows "FaqBot is typing..." in a channel from when the LLM starts writing the answer (the
    core calls `start` through `IncomingMessage.working`) until `stop`; a failure never blocks
    the answer."""

    def __init__(self, channel: object) -> None:
        self.channel = channel
        self._typing: discord.context_managers.Typing | None = None

    async def start(self) -> None:
        if self._typing is not None or not isinstance(self.channel, discord.abc.Messageable):
            return
        typing = self.channel.typing()
        try:
            await typing.__aenter__()
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.info("no typing indicator in Discord channel: %s", exc)
            return
        self._typing = typing

    async def stop(self) -> None:
        if self._typing is not None:
            await self._typing.__aexit__(None, None, None)
            self._typing = None


@dataclass
class DiscordOutput:
    """The core's way to speak in a Discord conversation on its own (agent replies, resolutions)."""

    platform = PLATFORM

    adapter: DiscordAdapter

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        if reply.is_empty:
            return
        channel = self.adapter.client.get_partial_messageable(int(key.channel_id))
        await deliver(channel, reply)
        if reply.solved:
            await self.adapter.mark_solved(channel.id)


@dataclass
class DiscordDesk:
    """Tickets as embeds with Claim/Resolve buttons in a channel, each with its own thread."""

    adapter: DiscordAdapter
    channel_id: int

    async def _channel(self) -> discord.abc.Messageable:
        client = self.adapter.client
        channel = client.get_channel(self.channel_id) or await client.fetch_channel(self.channel_id)
        return cast(discord.abc.Messageable, channel)

    async def post_ticket(self, ticket: Ticket) -> DeskRef:
        channel = await self._channel()
        view = desk_view(ticket)
        extras: dict[str, Any] = {"view": view} if view is not None else {}
        card = await send_patiently(
            channel, embed=ticket_embed(ticket), allowed_mentions=NO_PINGS, **extras
        )
        who = ticket.user_name or ticket.user_id
        thread = await card.create_thread(name=f"{ticket.id} {who}"[:100])
        guild_id = thread.guild.id
        return DeskRef(ConversationKey(PLATFORM, str(guild_id), str(thread.id)), str(card.id))

    async def post_customer_message(self, ticket: Ticket, text: str) -> None:
        ref = ticket.desk_ref
        if ref is None or ref.key.platform != PLATFORM:
            return
        thread = self.adapter.client.get_partial_messageable(int(ref.key.channel_id))
        who = ticket.user_name or ticket.user_id
        for chunk in split_text(f"**{discord.utils.escape_markdown(who)}**: {text}"):
            await send_patiently(thread, content=chunk, allowed_mentions=NO_PINGS)

    async def post_note(self, ticket: Ticket, text: str) -> None:
        """In the desk channel itself, where agents look for new work."""
        channel = await self._channel()
        content = discord.utils.escape_markdown(text)
        await send_patiently(channel, content=content, allowed_mentions=NO_PINGS)

    async def ticket_changed(self, ticket: Ticket) -> None:
        ref = ticket.desk_ref
        if ref is None or ref.key.platform != PLATFORM:
            return
        channel = self.adapter.client.get_partial_messageable(self.channel_id)
        card = channel.get_partial_message(int(ref.message_id))
        await card.edit(embed=ticket_embed(ticket), view=desk_view(ticket))


class _Hooks:
    adapter: DiscordAdapter

    async def setup_hook(self) -> None:
        await self.adapter.setup(cast(discord.Client, self))

    async def on_ready(self) -> None:
        self.adapter.on_ready()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.in_flight.run(self.adapter.on_message(message), "message")


class FaqClient(_Hooks, discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter


class FaqShardedClient(_Hooks, discord.AutoShardedClient):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter


def _adapter(client: discord.Client) -> DiscordAdapter:
    return cast(_Hooks, client).adapter


class DiscordAdapter:
    name = PLATFORM

    def __init__(
        self, engine: ConversationEngine, settings: Settings, **client_options: Any
    ) -> None:
        if settings.DISCORD_TOKEN is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self.engine = engine
        self.settings = settings
        self.token = settings.DISCORD_TOKEN.get_secret_value()
        self.desk_channel_id = (
            int(settings.DISCORD_ESCALATION_CHANNEL_ID)
            if settings.DISCORD_ESCALATION_CHANNEL_ID
            else None
        )
        intents = discord.Intents.default()
        intents.message_content = True
        options: dict[str, Any] = {
            "intents": intents,
            "allowed_mentions": NO_PINGS,
            **client_options,
        }
        self.client: discord.Client = (
            FaqShardedClient(self, **options)
            if settings.DISCORD_SHARDED
            else FaqClient(self, **options)
        )
        state = self.client._connection
        state.parsers = SkippingParsers.guarding(state.parsers, self._skipped)
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(self.client)
        self._add_commands()
        self.output = DiscordOutput(self)
        self.desk: DiscordDesk | None = (
            DiscordDesk(self, self.desk_channel_id) if self.desk_channel_id else None
        )
        self.ready = asyncio.Event()
        self.failure: str | None = None
        self._failed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.in_flight = InFlight("Discord")

    @classmethod
    def from_app(cls, app: App, **client_options: Any) -> DiscordAdapter:
        return cls(app.engine, app.settings, **client_options)

    def add_routes(self, web_app: web.Application) -> None:
        """Discord talks over the gateway: no HTTP routes."""

    # Lifecycle
    async def start(self) -> None:
        # The library reads these process-wide class attributes; point them at the settings.
        discord.http.Route.BASE = self.settings.DISCORD_API_URL.rstrip("/")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            self.settings.DISCORD_GATEWAY_URL
        )
        self._task = asyncio.create_task(self._run(), name="discord-client")

    def _skipped(self, event: str) -> None:
        if event == "READY":
            # Without its READY the session knows no guilds or channels and cannot serve: /readyz
            # says so instead of "connecting" for ever.
            self.failure = "Discord's READY could not be read: the session cannot serve"
            log.error(self.failure)

    async def ended(self) -> str:
        await self._failed.wait()
        return self.failure or ""

    async def connection(self) -> Connection:
        if self.failure is not None:
            return Connection.FAILED
        ready = self.client.is_ready() and not self.client.is_closed()
        return Connection.CONNECTED if ready else Connection.CONNECTING

    async def _run(self) -> None:
        try:
            await self.client.start(self.token)
        except discord.LoginFailure:
            self.failure = (
                "Discord rejected DISCORD_TOKEN (login failed): copy the bot token from the "
                "Developer Portal, Bot page"
            )
            log.error(self.failure)
        except discord.PrivilegedIntentsRequired:
            self.failure = (
                "Discord refused the connection: enable the Message Content intent in the "
                "Developer Portal, Bot page, Privileged Gateway Intents"
            )
            log.error(self.failure)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.failure = f"Discord connection ended: {type(exc).__name__}: {exc}"
            log.exception(self.failure)
        finally:
            if self.failure is not None:
                self._failed.set()
            if not self.client.is_closed():
                await self.client.close()

    async def stop(self) -> None:
        try:
            await self.in_flight.close()
        finally:
            await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def setup(self, client: discord.Client) -> None:
        client.add_dynamic_items(ActionButton, DeskButton)
        if client.application_id is not None:
            log.info("invite the Discord bot with %s", invite_url(client.application_id))
        guild = (
            discord.Object(id=int(self.settings.DISCORD_GUILD_ID))
            if self.settings.DISCORD_GUILD_ID
            else None
        )
        try:
            synced = await self.tree.sync(guild=guild)
            log.info(
                "synced %d Discord command(s) %s",
                len(synced),
                f"to server {guild.id}" if guild else "globally",
            )
        except discord.HTTPException as exc:
            log.error("could not sync the /faq commands: %s", exc)

    def on_ready(self) -> None:
        user = self.client.user
        log.info("Discord connected as %s", user)
        self.ready.set()

    def _add_commands(self) -> None:
        group = app_commands.Group(name="faq", description="FAQ bot admin commands")
        for command in ADMIN_COMMANDS:
            group.add_command(
                app_commands.Command(
                    name=command.name,
                    description=command.summary,
                    callback=self._command_callback(command.name),
                )
            )
        guild = (
            discord.Object(id=int(self.settings.DISCORD_GUILD_ID))
            if self.settings.DISCORD_GUILD_ID
            else None
        )
        self.tree.add_command(group, guild=guild)

    def _command_callback(self, name: str) -> Any:
        # discord.py builds each option from the callback's parameters: `args` everywhere, and
        # an attachment `file` on reload.
        if name == "reload":

            @app_commands.describe(args=ARGS_HELP, file=FILE_HELP)
            async def reload(
                interaction: discord.Interaction[discord.Client],
                args: str | None = None,
                file: discord.Attachment | None = None,
            ) -> None:
                await self.on_command(interaction, name, args, file)

            return reload

        @app_commands.describe(args=ARGS_HELP)
        async def run(
            interaction: discord.Interaction[discord.Client], args: str | None = None
        ) -> None:
            await self.on_command(interaction, name, args)

        return run

    # Inbound
    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user
        # discord.py leaves `author` and `mentions` unset when a payload lacks them.
        author: discord.abc.User | None = getattr(message, "author", None)
        if message.type not in PEOPLE_MESSAGE_TYPES or author is None:
            return
        if author.bot or me is None or author.id == me.id:
            return
        channel = message.channel
        guild_id = message.guild.id if message.guild is not None else None
        mentioned = any(user.id == me.id for user in getattr(message, "mentions", ()))
        text = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()
        if starts_forum_post(channel, message.id):
            # A post's question is its title and its first message together.
            text = f"{channel.name}\n{text}"
        new_thread = (
            guild_id is not None
            and mentioned
            and self.settings.DISCORD_REPLY_IN_THREAD
            and not is_thread(channel)
            and isinstance(channel, discord.TextChannel)
        )
        if new_thread:
            # A thread started on a message takes the message's id.
            key = ConversationKey(PLATFORM, str(guild_id), str(message.id))
        else:
            key = conversation_key(guild_id, channel, channel.id, author.id)
        roles, manages = member_facts(author)
        incoming = IncomingMessage(
            key=key,
            message_id=str(message.id),
            user_id=str(author.id),
            user_name=author.display_name,
            text=text,
            is_direct=guild_id is None,
            mentioned=mentioned,
            parent_channel_id=str(channel.id) if new_thread else parent_id(channel),
            named=new_thread,
            user_roles=roles,
            platform_admin=manages,
            attachments=tuple(attachment(file) for file in message.attachments),
        )
        thread: list[discord.abc.Messageable] = []

        async def target(title: str = "") -> discord.abc.Messageable:
            """Where the reply goes; the thread is started with the reply's first words, named
            by the core's title (redacted) once the reply has one."""
            if not new_thread:
                return channel
            if not thread:
                name = title or f"Question from {author.display_name}"
                thread.append(await message.create_thread(name=name))
            return thread[0]

        async def open_stream() -> DiscordStream:
            return DiscordStream(await target())

        opener = StreamOpener(open_stream)
        reply = await self._answer(replace(incoming, open_stream=opener), channel)
        if opener.stream is not None:
            if thread and reply.title and isinstance(thread[0], discord.Thread):
                await thread[0].edit(name=reply.title)
            return
        if reply.is_empty:
            return
        with self.engine.metrics.timed(PLATFORM_SEND):
            await deliver(await target(reply.title), reply)
        if reply.solved:
            await self.mark_solved(channel.id)

    async def mark_solved(self, channel_id: int) -> None:
        """Tag a forum post Solved (the tag made on the forum if it lacks one) and, with
        DISCORD_ARCHIVE_SOLVED, archive it. After the reply, which would unarchive it. Only a
        forum post has such a mark; a failure (a permission missing) is logged, nothing more."""
        client = self.client
        try:
            thread = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
            forum = thread.parent if isinstance(thread, discord.Thread) else None
            if not isinstance(thread, discord.Thread) or not isinstance(
                forum, discord.ForumChannel
            ):
                return
            tag = next(
                (t for t in forum.available_tags if t.name.casefold() == SOLVED_TAG.casefold()),
                None,
            ) or await forum.create_tag(name=SOLVED_TAG)
            applied = thread.applied_tags
            archive = self.settings.DISCORD_ARCHIVE_SOLVED
            if tag in applied and not archive:
                return
            tags = applied if tag in applied else [tag, *applied][:MAX_APPLIED_TAGS]
            await thread.edit(applied_tags=tags, archived=archive)
        except discord.HTTPException as exc:
            log.warning("could not mark Discord post %s solved: %s", channel_id, exc)
            return
        log.info("Discord post %s marked %s", channel_id, SOLVED_TAG)

    async def _answer(self, incoming: IncomingMessage, channel: object) -> Reply:
        """The core's reply, typing in `channel` from when the core decides to answer."""
        indicator = TypingIndicator(channel)
        try:
            return await self.engine.handle(replace(incoming, working=indicator.start))
        finally:
            await indicator.stop()

    def _from_interaction(
        self, interaction: discord.Interaction[discord.Client], kind: MessageKind, text: str
    ) -> IncomingMessage:
        channel = interaction.channel
        channel_id = interaction.channel_id or 0
        roles, manages = interaction_facts(interaction)
        return IncomingMessage(
            key=conversation_key(interaction.guild_id, channel, channel_id, interaction.user.id),
            message_id=str(interaction.id),
            user_id=str(interaction.user.id),
            user_name=interaction.user.display_name,
            text=text,
            is_direct=interaction.guild_id is None,
            kind=kind,
            user_roles=roles,
            platform_admin=manages,
            parent_channel_id=parent_id(channel),
        )

    async def on_action(
        self, interaction: discord.Interaction[discord.Client], kind: MessageKind, value: str
    ) -> None:
        await interaction.response.defer()
        incoming = self._from_interaction(interaction, kind, value)
        channel = interaction.channel
        reply = await self._answer(incoming, channel)
        if reply.is_empty:
            return
        target = (
            channel
            if isinstance(channel, discord.abc.Messageable)
            else self.client.get_partial_messageable(interaction.channel_id or 0)
        )
        with self.engine.metrics.timed(PLATFORM_SEND):
            await deliver(target, reply)
        if reply.solved:
            await self.mark_solved(interaction.channel_id or 0)

    async def on_desk_button(
        self, interaction: discord.Interaction[discord.Client], op: str, ticket_id: str
    ) -> None:
        user = interaction.user
        roles, manages = interaction_facts(interaction)
        click = DeskClick(
            op=DeskOp(op),
            ticket_id=ticket_id,
            platform=PLATFORM,
            user_id=str(user.id),
            user_name=user.display_name,
            channel_id=str(interaction.channel_id or ""),
            in_desk=self._works_in_desk(user),
            user_roles=roles,
            platform_admin=manages,
        )
        text = await self.engine.desk_click(click)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    def _works_in_desk(self, user: discord.abc.User) -> bool:
        """Can this member read and write in the desk channel (their roles against the server's
        and the channel's permission overwrites)?"""
        desk = self.client.get_channel(self.desk_channel_id) if self.desk_channel_id else None
        if not isinstance(user, discord.Member) or not isinstance(desk, discord.abc.GuildChannel):
            return False
        allowed = desk.permissions_for(user)
        return allowed.view_channel and allowed.send_messages

    async def on_command(
        self,
        interaction: discord.Interaction[discord.Client],
        name: str,
        args: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        incoming = self._from_interaction(
            interaction, MessageKind.COMMAND, f"{name} {args or ''}".strip()
        )
        if file is not None:
            incoming = replace(incoming, attachments=(attachment(file),))
        reply = await self.engine.handle(incoming)
        for chunk in split_text(reply.text) or ["Done."]:
            await interaction.followup.send(chunk, ephemeral=True, allowed_mentions=NO_PINGS)
