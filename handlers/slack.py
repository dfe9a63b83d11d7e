"""The Slack adapter, on slack-bolt's AsyncApp: it translates, the core decides.

Inbound, Slack events, button clicks and `/faq` become `IncomingMessage`s for
`ConversationEngine.handle`; outbound, `Reply`s become Block Kit. Every request is acknowledged at
once and the work runs afterwards in tasks that `stop()` waits for. Socket Mode runs when
`SLACK_APP_TOKEN` is set; `/slack/events` serves the HTTP Events API when `SLACK_SIGNING_SECRET` is.
Redeliveries are not filtered here: the message id (channel and ts) lets the core drop them, also
across processes sharing one Redis.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering.streaming import StreamOpener
from bot.core.models import (
    Attachment,
    ConversationKey,
    DeskClick,
    DeskOp,
    DeskRef,
    IncomingMessage,
    MessageKind,
    Reply,
    Ticket,
)
from bot.engine.conversation import ConversationEngine
from bot.knowledge.sources import read_capped
from bot.runtime.app import App
from bot.runtime.metrics import PLATFORM_SEND
from bot.runtime.server import Connection
from bot.runtime.settings import SettingsError
from bot.safety.sanitize import shorten
from handlers.inflight import InFlight
from handlers.slack_format import (
    DESK_CLAIM,
    DESK_RESOLVE,
    card_blocks,
    card_text,
    customer_label,
    escape,
    fallback_text,
    kind_of,
    normalise_inbound,
    reply_blocks,
    reply_controls,
)
from handlers.slack_requests import MalformedRequest, check, is_signed, parse

log = logging.getLogger(__name__)

PLATFORM = "slack"
# A burst of replies can meet several 429s in a row (limits are per method and workspace); each
# retry waits Retry-After, so a reply is given up only after many of them.
RATE_LIMIT_RETRIES = 10
EVENTS_PATH = "/slack/events"
WORKING_REACTION = "eyes"
# In DMs, Slack's AI app status says the LLM is writing: the status reads "<app name> is writing
# an answer..." and the loading message rotates beneath it.
WRITING_STATUS = "is writing an answer..."
WRITING_LOADING = "Writing an answer..."
# Slack shows at most four suggested prompts; a prompt's title is a button's worth of text.
MAX_PROMPTS = 4
PROMPT_TITLE_CHARS = 60
PROMPTS_TITLE = "Frequently asked"
# Message subtypes that are people writing; edits, deletions, joins and bots are not.
_PEOPLE_SUBTYPES = frozenset({"file_share", "thread_broadcast"})

Payload = dict[str, Any]


def build_client(base_url: str, token: str) -> AsyncWebClient:
    """A Web API client pointed at `SLACK_API_URL` that waits out 429s (Retry-After)."""
    if not base_url.endswith("/"):
        base_url += "/"
    handlers = [
        *async_default_handlers(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=handlers)


class SlackApi:
    """Web API calls by method name; `ok: false` and transport errors are logged with the method."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._team_id: str | None = None
        self._names: dict[str, str] = {}

    async def call(self, method: str, *, check: bool = False, **params: Any) -> Payload | None:
        self._reuse_connections()
        function = getattr(self.client, method.replace(".", "_"))
        try:
            response = await function(**params)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else str(exc)
            log.error("Slack %s failed: ok=false, error=%s", method, error)
            if check:
                raise
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.error("Slack %s failed: %s", method, exc)
            if check:
                raise
            return None
        data: Payload = response.data if isinstance(response.data, dict) else {}
        return data

    def _reuse_connections(self) -> None:
        """Give the client one HTTP session for all its calls (Bolt's use the same client).

        Without one, slack_sdk opens a session, so a new TCP and TLS connection, per call; it is
        made on first use because a session belongs to the running event loop.
        """
        if self.client.session is None or self.client.session.closed:
            self.client.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.client.timeout)
            )

    async def close(self) -> None:
        if self.client.session is not None:
            await self.client.session.close()

    async def team_id(self) -> str:
        if self._team_id is None:
            data = await self.call("auth.test", check=True) or {}
            self._team_id = str(data.get("team_id", ""))
        return self._team_id

    async def user_name(self, user_id: str) -> str:
        """A person's display name, or their id when Slack cannot say."""
        if user_id not in self._names:
            data = await self.call("users.info", user=user_id)
            if data is None:
                return user_id  # not cached: the next call may succeed
            user: Payload = data.get("user") or {}
            profile: Payload = user.get("profile") or {}
            name = profile.get("display_name") or user.get("real_name") or user.get("name")
            self._names[user_id] = str(name or user_id)
        return self._names[user_id]


@dataclass
class SlackOutput:
    """Posts Replies into a Slack conversation: channel = channel_id, thread_ts = thread_id."""

    platform = PLATFORM

    api: SlackApi

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        if reply.is_empty:
            return
        params: Payload = {
            "channel": key.channel_id,
            "text": fallback_text(reply.text),
            "blocks": reply_blocks(reply),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if key.thread_id:
            params["thread_ts"] = key.thread_id
        await self.api.call("chat.postMessage", **params)


class SlackStream:
    """One answer streamed into a Slack thread: `chat.startStream`, `chat.appendStream`, and
    `chat.stopStream` with the sources and buttons at the end.

    Slack may end a stream early (an idle stream is closed); appends then stop, and the message
    is completed with `chat.update`, as it is when the final reply is not the streamed text with
    more at its end (a privacy notice before it, a hand-off or the extractive answer instead)."""

    # chat.appendStream is rate-limited per workspace (Tier 4): two appends a second at most.
    interval = 0.5

    def __init__(self, api: SlackApi, channel: str, ts: str) -> None:
        self.api = api
        self.channel = channel
        self.ts = ts
        self.text = ""
        self.live = True

    @classmethod
    async def start(cls, api: SlackApi, message: IncomingMessage) -> SlackStream:
        key = message.key
        data = await api.call(
            "chat.startStream",
            check=True,
            channel=key.channel_id,
            thread_ts=key.thread_id,
            # Who the answer is for; Slack wants them outside DMs.
            recipient_user_id=message.user_id,
            recipient_team_id=key.workspace_id,
        )
        return cls(api, key.channel_id, str((data or {})["ts"]))

    async def append(self, text: str) -> None:
        if not self.live:
            return
        sent = await self.api.call(
            "chat.appendStream", channel=self.channel, ts=self.ts, markdown_text=escape(text)
        )
        if sent is None:
            self.live = False
            return
        self.text += text

    async def finish(self, reply: Reply) -> None:
        rest = reply.text[len(self.text) :] if reply.text.startswith(self.text) else None
        if self.live and rest is not None:
            self.live = False
            params: Payload = {"blocks": reply_controls(reply)}
            if rest.strip():
                params["markdown_text"] = escape(rest)
            if await self.api.call("chat.stopStream", channel=self.channel, ts=self.ts, **params):
                return
        await self.abandon(reply)

    async def abandon(self, replacement: Reply) -> None:
        if self.live:
            self.live = False
            await self.api.call("chat.stopStream", channel=self.channel, ts=self.ts)
        await self.api.call(
            "chat.update",
            channel=self.channel,
            ts=self.ts,
            text=fallback_text(replacement.text),
            blocks=reply_blocks(replacement),
        )


@dataclass
class SlackDesk:
    """Ticket cards in `SLACK_ESCALATION_CHANNEL`; a card's thread is its ticket's desk thread."""

    api: SlackApi
    channel: str

    async def post_ticket(self, ticket: Ticket) -> DeskRef:
        data = await self.api.call(
            "chat.postMessage",
            check=True,
            channel=self.channel,
            text=card_text(ticket),
            blocks=card_blocks(ticket),
            unfurl_links=False,
        )
        card_ts = str((data or {})["ts"])
        team_id = await self.api.team_id()
        return DeskRef(
            key=ConversationKey(PLATFORM, team_id, self.channel, card_ts), message_id=card_ts
        )

    def _card(self, ticket: Ticket) -> DeskRef | None:
        ref = ticket.desk_ref
        if ref is None or ref.key.platform != PLATFORM:
            log.warning("ticket %s has no Slack card", ticket.id)
            return None
        return ref

    async def post_customer_message(self, ticket: Ticket, text: str) -> None:
        ref = self._card(ticket)
        if ref is None:
            return
        await self.api.call(
            "chat.postMessage",
            channel=ref.key.channel_id,
            thread_ts=ref.message_id,
            text=f"{customer_label(ticket)}: {escape(text)}",
            unfurl_links=False,
        )

    async def post_note(self, ticket: Ticket, text: str) -> None:
        """In the card's thread, also shown in the channel, where agents look for new work."""
        ref = self._card(ticket)
        thread: Payload = (
            {"channel": ref.key.channel_id, "thread_ts": ref.message_id, "reply_broadcast": True}
            if ref is not None
            else {"channel": self.channel}
        )
        await self.api.call("chat.postMessage", check=True, text=escape(text), **thread)

    async def ticket_changed(self, ticket: Ticket) -> None:
        ref = self._card(ticket)
        if ref is None:
            return
        await self.api.call(
            "chat.update",
            channel=ref.key.channel_id,
            ts=ref.message_id,
            text=card_text(ticket),
            blocks=card_blocks(ticket),
        )
        who = f" by {escape(ticket.claimed_by)}" if ticket.claimed_by else ""
        await self.api.call(
            "chat.postMessage",
            channel=ref.key.channel_id,
            thread_ts=ref.message_id,
            text=f"Ticket {ticket.id} is now {ticket.status.value}{who}.",
        )


class AssistantStatus:
    """The status line of a DM conversation (`assistant.threads.setStatus`) while the LLM writes.

    Slack clears it when the bot replies in the thread; `clear` is for when the reply went
    elsewhere (a top-level DM) or there was none."""

    def __init__(self, api: SlackApi, channel: str, thread_ts: str) -> None:
        self.api = api
        self.where: Payload = {"channel_id": channel, "thread_ts": thread_ts}
        self.shown = False

    async def show(self) -> bool:
        """False when Slack refused it (an app without the assistant feature or its scope)."""
        data = await self.api.call(
            "assistant.threads.setStatus",
            status=WRITING_STATUS,
            loading_messages=[WRITING_LOADING],
            **self.where,
        )
        self.shown = self.shown or data is not None
        return data is not None

    async def clear(self) -> None:
        if self.shown:
            await self.api.call("assistant.threads.setStatus", status="", **self.where)


DESK_OPS = {DESK_CLAIM: DeskOp.CLAIM, DESK_RESOLVE: DeskOp.RESOLVE}
# How long a channel's member list is trusted: a desk click asks on every press, and someone
# removed from the desk channel loses its buttons this soon after.
MEMBERS_TTL_SECONDS = 60.0


class ChannelMembers:
    """Who is in a channel (`conversations.members`, every page), remembered briefly."""

    def __init__(
        self,
        api: SlackApi,
        ttl: float = MEMBERS_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.ttl = ttl
        self.clock = clock
        self._known: dict[str, tuple[float, frozenset[str]]] = {}

    async def includes(self, channel: str, user: str) -> bool:
        """False also when Slack cannot say (nothing is remembered then: the next click asks)."""
        now = self.clock()
        known = self._known.get(channel)
        if known is None or known[0] <= now:
            members = await self._fetch(channel)
            if members is None:
                return False
            known = self._known[channel] = (now + self.ttl, members)
        return user in known[1]

    async def _fetch(self, channel: str) -> frozenset[str] | None:
        members: set[str] = set()
        cursor: str | None = None
        while True:
            data = await self.api.call(
                "conversations.members", channel=channel, limit=1000, cursor=cursor
            )
            if data is None:
                return None
            members.update(str(member) for member in data.get("members") or ())
            metadata = data.get("response_metadata")
            cursor = str(metadata.get("next_cursor") or "") if isinstance(metadata, dict) else ""
            if not cursor:
                return frozenset(members)


def _id_of(value: object) -> str:
    """The `id` of a Slack object (`user`, `channel`), or "" when it is not one."""
    return str(value.get("id") or "") if isinstance(value, dict) else ""


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode, each payload held to the shapes Bolt reads, as `/slack/events` does."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            check(req.payload)
        except MalformedRequest as exc:
            log.warning("Slack %s payload refused: %s", req.type, exc)
            # Acknowledged all the same: Slack would resend it, and it would fail again.
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)


class SlackAdapter:
    name = PLATFORM

    def __init__(
        self,
        *,
        engine: ConversationEngine,
        client: AsyncWebClient,
        signing_secret: str | None,
        app_token: str | None,
        escalation_channel: str | None,
    ) -> None:
        if not signing_secret and not app_token:
            raise SettingsError(
                "invalid setting SLACK_SIGNING_SECRET: required in HTTP mode "
                "(set it, or set SLACK_APP_TOKEN for Socket Mode)"
            )
        self.engine = engine
        self.client = client
        self.api = SlackApi(client)
        self.output = SlackOutput(self.api)
        self.desk = SlackDesk(self.api, escalation_channel) if escalation_channel else None
        self.desk_members = ChannelMembers(self.api)
        self.app_token = app_token
        self.http_enabled = bool(signing_secret)
        # handle_http checks signatures before Bolt parses anything; Bolt need not check again.
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.bolt = AsyncApp(
            # Named: without a name Bolt reads the whole call stack (inspect.stack) to find one.
            name="faqbot",
            client=client,
            signing_secret="",
            request_verification_enabled=False,
            logger=logging.getLogger("slack_bolt"),
        )
        self._bot_user_id: str | None = None
        self.in_flight = InFlight("Slack")
        self._socket: CheckedSocketModeHandler | None = None
        self._register()

    @classmethod
    def from_app(cls, app: App) -> SlackAdapter:
        settings = app.settings
        if settings.SLACK_BOT_TOKEN is None:
            raise SettingsError("invalid setting SLACK_BOT_TOKEN: required for Slack")
        secret = settings.SLACK_SIGNING_SECRET
        app_token = settings.SLACK_APP_TOKEN
        return cls(
            engine=app.engine,
            client=build_client(
                settings.SLACK_API_URL, settings.SLACK_BOT_TOKEN.get_secret_value()
            ),
            signing_secret=secret.get_secret_value() if secret else None,
            app_token=app_token.get_secret_value() if app_token else None,
            escalation_channel=settings.SLACK_ESCALATION_CHANNEL or None,
        )

    # ---- wiring

    def _register(self) -> None:
        self.bolt.event("app_mention")(self._on_event)
        # Not Bolt's Assistant middleware: it takes the messages of assistant threads to
        # listeners of its own, a second message path beside `_on_event`.
        self.bolt.event("assistant_thread_started")(self._on_thread_started)
        self.bolt.event("message")(self._on_event)
        self.bolt.command("/faq")(self._on_command)
        self.bolt.action(re.compile(r"^faqbot:"))(self._on_button)
        self.bolt.action(re.compile(r"^faqbot-desk:"))(self._on_desk_button)
        # Registered last, so it gets only the events no listener above took.
        self.bolt.event(re.compile(".*"))(self._on_other_event)
        self.bolt.error(self._on_error)

    def add_routes(self, web_app: web.Application) -> None:
        if self.http_enabled:
            web_app.router.add_post(EVENTS_PATH, self.handle_http)

    async def handle_http(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if self.verifier is None or not is_signed(self.verifier, raw, request.headers):
            return web.Response(status=401, text="invalid signature")
        if not self.in_flight.accepting:
            # Shutting down: Slack retries the request, perhaps on another replica.
            return web.Response(status=503, text="shutting down")
        text = raw.decode("utf-8")  # is_signed accepts only UTF-8
        # Bolt's reading of the header, not aiohttp's (which lower-cases and defaults it).
        content_type = request.headers.get("Content-Type", "").split(";")[0] or None
        try:
            body = parse(text, content_type)
        except MalformedRequest as exc:
            log.warning("Slack request refused: %s", exc)
            return web.Response(status=400, text=f"malformed request: {exc}")
        if body.get("type") == "app_rate_limited":
            # Slack drops this workspace's events for the minute; nothing to answer, only to say.
            log.warning(
                "Slack rate-limited the events of team %s (minute %s): some were not delivered",
                body.get("team_id"),
                body.get("minute_rate_limited"),
            )
            return web.Response(status=200)
        request_for_bolt = AsyncBoltRequest(
            body=text, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await self.bolt.async_dispatch(request_for_bolt))

    async def ended(self) -> str:
        # Socket Mode reconnects by itself and HTTP mode holds no connection: nothing ends it.
        await asyncio.Event().wait()
        return ""

    async def start(self) -> None:
        if self.app_token:
            self._socket = CheckedSocketModeHandler(
                self.bolt, self.app_token, web_client=self.client
            )
            # Retries until Slack answers, however long: serve cancels it on SIGTERM.
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")
        elif self.http_enabled:
            log.info("Slack HTTP mode: events on %s", EVENTS_PATH)

    async def connection(self) -> Connection:
        if not self.app_token:  # HTTP mode: Slack connects to the endpoint, which is served
            return Connection.CONNECTED
        if self._socket is None or not await self._socket.client.is_connected():
            return Connection.CONNECTING
        return Connection.CONNECTED

    async def stop(self) -> None:
        self.in_flight.accepting = False
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.in_flight.close()
        await self.api.close()

    async def drain(self) -> None:
        """Wait for the work started by acknowledged requests."""
        await self.in_flight.wait()

    async def _on_other_event(self) -> None:
        """Reactions, joins, home tabs...: acknowledged (Slack resends what is not) and left."""

    async def _on_error(self, error: Exception, body: Payload) -> None:
        log.error("Slack listener error on %s: %r", body.get("type", "request"), error)

    # ---- inbound: messages

    async def _on_event(self, body: Payload, event: Payload, context: AsyncBoltContext) -> None:
        if context.bot_user_id:
            self._bot_user_id = context.bot_user_id
        self.in_flight.spawn(self._handle_event(body, event), f"event {body.get('event_id', '')}")

    def translate(self, body: Payload, event: Payload) -> IncomingMessage | None:
        """A Slack message event as the core sees it, or None when it is not a person writing."""
        if event.get("bot_id") or event.get("subtype") not in (None, *_PEOPLE_SUBTYPES):
            return None
        user = event.get("user")
        channel = event.get("channel")
        ts = event.get("ts")
        if not isinstance(user, str) or not isinstance(channel, str) or not isinstance(ts, str):
            return None
        if not user or not channel or not ts or user == self._bot_user_id:
            return None
        is_direct = event.get("channel_type") == "im" or str(channel).startswith("D")
        raw = str(event.get("text") or "")
        mentioned = event.get("type") == "app_mention" or bool(
            self._bot_user_id and f"<@{self._bot_user_id}>" in raw
        )
        thread_ts = event.get("thread_ts")
        team = str(body.get("team_id") or event.get("team") or "")
        files = [self.file_attachment(f) for f in event.get("files") or [] if isinstance(f, dict)]
        return IncomingMessage(
            key=ConversationKey(PLATFORM, team, channel, thread_ts or (None if is_direct else ts)),
            # The same for app_mention and message events of one message and for redeliveries.
            message_id=f"{channel}:{ts}",
            user_id=user,
            text=normalise_inbound(raw, self._bot_user_id),
            is_direct=is_direct,
            mentioned=mentioned,
            # A thread in the bot's DMs is an assistant thread, which the reply titles.
            named=is_direct and thread_ts is not None,
            attachments=tuple(f for f in files if f is not None),
        )

    def file_attachment(self, file: Payload) -> Attachment | None:
        """A file shared in a message; downloading it takes the bot token, so the token is only
        ever sent to Slack's own hosts (or the host `SLACK_API_URL` names)."""
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        name = str(file.get("name") or "")
        size = file.get("size")
        if not url or not name:
            return None
        host = urlsplit(url).hostname or ""
        trusted = host == urlsplit(self.client.base_url).hostname or host.endswith(".slack.com")
        token = self.client.token or ""

        async def fetch(limit: int) -> bytes:
            if not trusted:
                raise ValueError(f"{host} is not a Slack file host")
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
                session.get(url, headers=headers) as response,
            ):
                response.raise_for_status()
                return await read_capped(response, limit)

        return Attachment(name, size if isinstance(size, int) else None, fetch)

    def _name_of(self, user_id: str) -> Callable[[], Awaitable[str]]:
        return functools.partial(self.api.user_name, user_id)

    async def _handle_event(self, body: Payload, event: Payload) -> None:
        message = self.translate(body, event)
        if message is None:
            return
        key = message.key
        # In DMs (the assistant's threads among them) the status line; elsewhere, or where
        # Slack refuses the status, a reaction on the question.
        status = (
            AssistantStatus(self.api, key.channel_id, key.thread_id or event["ts"])
            if message.is_direct
            else None
        )

        async def working() -> None:
            if status is not None and await status.show():
                return
            await self.api.call(
                "reactions.add",
                channel=key.channel_id,
                timestamp=event["ts"],
                name=WORKING_REACTION,
            )

        # Slack streams only replies in a thread; a DM's own messages get the whole reply.
        opener = (
            StreamOpener(lambda: SlackStream.start(self.api, message))
            if message.key.thread_id
            else None
        )
        # The core calls `working` only before the LLM writes (never for a redelivery), and looks
        # the name up only when it needs it.
        reply = await self.engine.handle(
            replace(
                message,
                working=working,
                lookup_name=self._name_of(message.user_id),
                open_stream=opener,
            )
        )
        if opener is not None and opener.stream is not None:
            return  # the reply went out through the stream
        with self.engine.metrics.timed(PLATFORM_SEND):
            await self.output.send(key, reply)
        if status is None:
            return
        if reply.is_empty or key.thread_id is None:
            await status.clear()
        if reply.title and key.thread_id:
            await self.api.call(
                "assistant.threads.setTitle",
                channel_id=key.channel_id,
                thread_ts=key.thread_id,
                title=reply.title,
            )

    # ---- inbound: the assistant's threads

    async def _on_thread_started(self, event: Payload) -> None:
        self.in_flight.spawn(self._suggest_prompts(event), "assistant thread")

    async def _suggest_prompts(self, event: Payload) -> None:
        """A customer opened a new conversation with the bot: suggest the most-asked questions."""
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not channel or not thread_ts:
            log.warning("Slack assistant_thread_started without its thread: ignored")
            return
        questions = await self.engine.suggested_questions(MAX_PROMPTS)
        if not questions:
            return
        await self.api.call(
            "assistant.threads.setSuggestedPrompts",
            channel_id=channel,
            thread_ts=thread_ts,
            title=PROMPTS_TITLE,
            prompts=[
                {"title": shorten(question, PROMPT_TITLE_CHARS), "message": question}
                for question in questions
            ],
        )

    # ---- inbound: buttons and /faq

    async def _on_button(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        self.in_flight.spawn(self._handle_button(body, action), f"button {action.get('action_id')}")

    async def _handle_button(self, body: Payload, action: Payload) -> None:
        action_id = str(action.get("action_id", ""))
        kind = kind_of(action_id)
        container = body.get("container")
        container = container if isinstance(container, dict) else {}
        channel = str(container.get("channel_id") or _id_of(body.get("channel")))
        user = _id_of(body.get("user"))
        if kind is None:
            return
        if not channel or not user:
            # Only the bot's messages carry its buttons; a click from a view or a message
            # Slack sends without its channel belongs to no conversation the core knows.
            log.warning(
                "Slack button %s outside a conversation (container %s): ignored",
                action_id,
                container.get("type") or "none",
            )
            return
        message = body.get("message")
        thread_ts = message.get("thread_ts") if isinstance(message, dict) else None
        is_direct = channel.startswith("D")
        team = _id_of(body.get("team")) or str(body["user"].get("team_id") or "")
        key = ConversationKey(PLATFORM, team, channel, thread_ts)
        incoming = IncomingMessage(
            key=key,
            message_id=f"action:{channel}:{action.get('action_ts', '')}:{user}",
            user_id=user,
            lookup_name=self._name_of(user),
            text=str(action.get("value", "")),
            is_direct=is_direct,
            mentioned=True,  # a click on the bot's own button is addressed to the bot
            kind=kind,
        )
        reply = await self.engine.handle(incoming)
        with self.engine.metrics.timed(PLATFORM_SEND):
            await self.output.send(key, reply)

    async def _on_desk_button(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        self.in_flight.spawn(
            self._handle_desk_button(body, action), f"desk {action.get('action_id')}"
        )

    async def _handle_desk_button(self, body: Payload, action: Payload) -> None:
        op = DESK_OPS.get(str(action.get("action_id", "")))
        user = _id_of(body.get("user"))
        container = body.get("container")
        channel = str(
            (container.get("channel_id") if isinstance(container, dict) else None)
            or _id_of(body.get("channel"))
        )
        if op is None or not user or not channel:
            return
        desk = self.desk.channel if self.desk is not None else None
        click = DeskClick(
            op=op,
            ticket_id=str(action.get("value", "")),
            platform=PLATFORM,
            user_id=user,
            user_name=await self.api.user_name(user),
            channel_id=channel,
            in_desk=desk is not None and await self.desk_members.includes(desk, user),
        )
        text = await self.engine.desk_click(click)
        await self.api.call("chat.postEphemeral", channel=channel, user=user, text=text)

    async def _on_command(self, ack: AsyncAck, body: Payload, respond: AsyncRespond) -> None:
        await ack()
        self.in_flight.spawn(self._handle_command(body, respond), f"command {body.get('command')}")

    async def _handle_command(self, body: Payload, respond: AsyncRespond) -> None:
        channel = str(body.get("channel_id", ""))
        user = str(body.get("user_id", ""))
        incoming = IncomingMessage(
            key=ConversationKey(PLATFORM, str(body.get("team_id", "")), channel),
            message_id=f"command:{body.get('trigger_id', '')}",
            user_id=user,
            user_name=str(body.get("user_name") or user),
            text=str(body.get("text") or ""),
            is_direct=channel.startswith("D"),
            kind=MessageKind.COMMAND,
        )
        reply = await self.engine.handle(incoming)
        if reply.is_empty:
            return
        await respond(
            text=fallback_text(reply.text),
            blocks=reply_blocks(reply),
            response_type="ephemeral",
        )
