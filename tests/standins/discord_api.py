"""A local stand-in of Discord (REST v10 and the gateway), for the real discord.py client.

It records every REST request the bot makes, answers like Discord does (JSON with a Content-Type of
exactly `application/json`), runs a gateway websocket (HELLO, IDENTIFY -> READY, GUILD_CREATE,
heartbeat ACK, RESUME -> RESUMED) and lets tests push MESSAGE_CREATE and INTERACTION_CREATE events.
Forum channels (type 15) hold tags (at most 20, edited through PATCH /channels/{forum}) and posts:
a person's new post is a THREAD_CREATE and its starter message, and PATCH /channels/{post} applies
tags (at most 5, each one of the forum's) and archives; each change is dispatched as Discord does.
It can be scripted to answer a route with one 429, to drop the gateway connection, to reject the
token, or to refuse the privileged intents. Message edits are held to a limit like Discord's
(`edit_limit` edits of a channel's messages in `edit_window` seconds, then 429 with the wait in
`retry_after`); `edits(message_id)` lists the contents a message was edited to.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.standins.loopback import serve_on_loopback

JSON = "application/json"
GUILD_ID = "900000000000000001"
APP_ID = "900000000000000002"
BOT_ID = "900000000000000003"
GENERAL = "900000000000000010"  # a text channel where customers ask
DESK = "900000000000000011"  # the escalation desk channel
OTHER = "900000000000000012"  # a text channel outside the allow-list
FORUM = "900000000000000013"  # a forum channel where customers open support posts
OTHER_FORUM = "900000000000000014"  # a forum the bot is not asked to watch
ADMIN_ROLE = "900000000000000020"
MEMBER_ROLE = "900000000000000021"
MANAGER_ROLE = "900000000000000022"  # has Manage Server
TOKEN = "test-token"
VIEW, SEND = 0x400, 0x800  # View Channel, Send Messages
ISO = "2026-01-01T00:00:00+00:00"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    response: Any = None
    status: int = 0

    def __repr__(self) -> str:
        return f"{self.method} {self.path} {json.dumps(self.body)[:300]}"


@dataclass
class Person:
    id: str
    name: str
    roles: list[str] = field(default_factory=list)
    bot: bool = False

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.user(),
            "roles": self.roles,
            "joined_at": ISO,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
        }


BOT = Person(BOT_ID, "FaqBot", bot=True)


@dataclass
class DiscordStandIn:
    url: str = ""
    ws_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    gateway_received: list[dict[str, Any]] = field(default_factory=list)
    rate_limit_once: set[str] = field(default_factory=set)  # "POST /channels/{id}/messages"
    rate_limit_storm: dict[str, int] = field(default_factory=dict)  # route -> 429s in a row
    rate_limited: list[str] = field(default_factory=list)
    hold: dict[str, asyncio.Event] = field(default_factory=dict)  # route -> answer once set
    held: list[Recorded] = field(default_factory=list)  # requests waiting on `hold`
    reject_token: bool = False
    refuse_intents: bool = False
    people: dict[str, Person] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Forum id -> its tags ({id, name, moderated, emoji_id, emoji_name}).
    forums: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {FORUM: [], OTHER_FORUM: []}
    )
    session_id: str = ""
    seq: int = 0
    identifies: int = 0
    resumes: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # CDN path -> content
    edit_limit: int = 5
    edit_window: float = 5.0
    _edited: dict[str, list[float]] = field(default_factory=dict)  # channel -> edit times
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ws: web.WebSocketResponse | None = None
    _runner: web.AppRunner | None = None
    _connected: asyncio.Event = field(default_factory=asyncio.Event)

    # Set-up
    async def start(self) -> DiscordStandIn:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{tail:.*}", self._cdn)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/gateway"
        for person in (
            BOT,
            Person("800000000000000001", "Alice", [MEMBER_ROLE]),
            Person("800000000000000002", "Bob", [MEMBER_ROLE]),
            Person("800000000000000003", "Agent Ann", [ADMIN_ROLE]),
            Person("800000000000000004", "Manager Max", [MANAGER_ROLE]),
            Person("800000000000000005", "OtherBot", bot=True),
        ):
            self.people[person.name] = person
        return self

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def snowflake(self) -> str:
        # Increasing ids with a plausible timestamp part (Discord epoch + now).
        millis = int(time.time() * 1000) - 1420070400000
        return str((millis << 22) + next(self._ids))

    # REST
    def _json(self, data: Any, status: int = 200) -> web.Response:
        # Exactly this Content-Type: discord.py does not parse JSON sent with a charset.
        body = json.dumps(data).encode()
        return web.Response(body=body, status=status, headers={"Content-Type": JSON})

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "multipart/form-data":
                body = {"multipart": raw.decode("utf-8", "replace")}
            else:
                body = json.loads(raw) if raw else None
        recorded = Recorded(request.method, path, dict(request.query), body)
        self.requests.append(recorded)
        if (
            request.headers.get("Authorization") != f"Bot {TOKEN}"
            and not path.startswith("/webhooks/")
            and not path.startswith("/interactions/")
        ):
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        if self.reject_token:
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        route = f"{request.method} {re.sub(r'/[0-9]{5,}', '/{id}', path)}"
        if route == "PATCH /channels/{id}/messages/{id}":
            wait = self._edit_wait(path.split("/")[2])
            if wait:
                self.rate_limited.append(route)
                recorded.status = 429
                limited = {"message": "You are being rate limited.", "retry_after": wait}
                response = self._json({**limited, "global": False}, 429)
                response.headers["Via"] = "1.1 google"
                response.headers["Retry-After"] = str(wait)
                response.headers["X-RateLimit-Scope"] = "user"
                return response
        if route in self.rate_limit_once or self.rate_limit_storm.get(route):
            self.rate_limit_once.discard(route)
            if self.rate_limit_storm.get(route):
                self.rate_limit_storm[route] -= 1
            self.rate_limited.append(route)
            limited = {"message": "You are being rate limited.", "retry_after": 0.05}
            response = self._json({**limited, "global": False}, 429)
            response.headers["Via"] = "1.1 google"  # without it discord.py suspects Cloudflare
            response.headers["Retry-After"] = "1"
            recorded.status = 429
            return response
        if route in self.hold:
            self.held.append(recorded)
            await self.hold[route].wait()
        response = await self._answer(request.method, path, body)
        recorded.status = response.status
        if response.content_type == JSON and isinstance(response.body, bytes):
            recorded.response = json.loads(response.body)
        return response

    async def _answer(self, method: str, path: str, body: Any) -> web.Response:
        if path == "/users/@me":
            return self._json(BOT.user())
        if path == "/oauth2/applications/@me":
            return self._json(
                {
                    "id": APP_ID,
                    "name": "FaqBot",
                    "icon": None,
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": self.people["Agent Ann"].user(),
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        if path == "/gateway/bot":
            return self._json(
                {
                    "url": self.ws_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if path == "/gateway":
            return self._json({"url": self.ws_url})
        if m := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path):
            commands = []
            for command in body or []:
                commands.append(
                    {
                        **command,
                        "id": self.snowflake(),
                        "application_id": APP_ID,
                        "version": "1",
                        "default_member_permissions": None,
                        **({"guild_id": m[2]} if m[2] else {}),
                    }
                )
            return self._json(commands)
        if m := re.fullmatch(r"/channels/(\d+)/typing", path):
            return web.Response(status=204)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            return self._json(await self._create_thread(m[1], m[2], body["name"]), 201)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/reactions/.*", path):
            return web.Response(status=204)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path):
            message = self.messages.get(m[2]) or self._message(m[1], BOT, "", m[2])
            if method == "PATCH":
                message.update({k: v for k, v in (body or {}).items() if k != "allowed_mentions"})
                message["edited_timestamp"] = ISO
            return self._json(message)
        if m := re.fullmatch(r"/channels/(\d+)/messages", path):
            await self._wake(m[1])
            message = self._message(m[1], BOT, body.get("content") or "")
            message["embeds"] = body.get("embeds", [])
            message["components"] = body.get("components", [])
            self.messages[message["id"]] = message
            return self._json(message)
        if method == "PATCH" and (m := re.fullmatch(r"/channels/(\d+)", path)):
            return await self._edit_channel(m[1], body or {})
        if m := re.fullmatch(r"/channels/(\d+)", path):
            return self._json(self._channel(m[1]))
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._json({"interaction": {"id": m[1], "type": body["type"]}})
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(?:/messages/(@original|\d+))?", path):
            message = self._message(GENERAL, BOT, (body or {}).get("content") or "")
            message["webhook_id"] = APP_ID
            return self._json(message)
        return self._json({"message": f"stand-in has no {method} {path}", "code": 0}, 404)

    def _edit_wait(self, channel_id: str) -> float:
        """Seconds before this channel's messages may be edited again (0: now), counting the
        edit when it is allowed."""
        now = time.monotonic()
        recent = [t for t in self._edited.get(channel_id, []) if now - t < self.edit_window]
        if len(recent) >= self.edit_limit:
            self._edited[channel_id] = recent
            return round(recent[0] + self.edit_window - now, 3) or 0.001
        self._edited[channel_id] = [*recent, now]
        return 0.0

    def edits(self, message_id: str) -> list[dict[str, Any]]:
        """The bodies of the edits of one message that Discord accepted, oldest first."""
        return [
            r.body
            for r in self.sent("PATCH", rf"/channels/\d+/messages/{message_id}")
            if r.status == 200
        ]

    def _channel(self, channel_id: str) -> dict[str, Any]:
        if channel_id in self.threads:
            return self.threads[channel_id]
        # Like a real support desk: hidden from @everyone, open to the Support role and the bot.
        desk_only = [
            {"id": GUILD_ID, "type": 0, "allow": "0", "deny": str(VIEW)},
            {"id": ADMIN_ROLE, "type": 0, "allow": str(VIEW | SEND), "deny": "0"},
            {"id": BOT_ID, "type": 1, "allow": str(VIEW | SEND), "deny": "0"},
        ]
        names = {
            GENERAL: "general",
            DESK: "support-desk",
            OTHER: "random",
            FORUM: "help",
            OTHER_FORUM: "showcase",
        }
        channel = {
            "id": channel_id,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": names.get(channel_id, f"channel-{channel_id}"),
            "position": 0,
            "permission_overwrites": desk_only if channel_id == DESK else [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if channel_id in self.forums:
            channel.update(
                type=15,
                available_tags=self.forums[channel_id],
                default_reaction_emoji=None,
                default_thread_rate_limit_per_user=0,
                default_sort_order=None,
                default_forum_layout=0,
                default_auto_archive_duration=4320,
            )
        return channel

    async def _edit_channel(self, channel_id: str, body: dict[str, Any]) -> web.Response:
        """PATCH /channels/{id}: a forum's tags, or a post's tags and archived flag."""
        if channel_id in self.forums and "available_tags" in body:
            tags = body["available_tags"]
            if len(tags) > 20 or any(not 1 <= len(t.get("name") or "") <= 20 for t in tags):
                return self._invalid("available_tags", "at most 20 tags of 1 to 20 characters")
            self.forums[channel_id] = [
                {
                    "id": str(t.get("id") or self.snowflake()),
                    "name": t["name"],
                    "moderated": bool(t.get("moderated")),
                    "emoji_id": t.get("emoji_id"),
                    "emoji_name": t.get("emoji_name"),
                }
                for t in tags
            ]
            forum = self._channel(channel_id)
            await self.dispatch("CHANNEL_UPDATE", forum)
            return self._json(forum)
        thread = self.threads.get(channel_id)
        if thread is None:
            return self._json({"message": "Unknown Channel", "code": 10003}, 404)
        if "applied_tags" in body:
            known = {t["id"] for t in self.forums.get(thread["parent_id"], [])}
            applied = [str(t) for t in body["applied_tags"]]
            if len(applied) > 5 or not set(applied) <= known:
                return self._invalid("applied_tags", "at most 5 of the forum's own tags")
            thread["applied_tags"] = applied
        if "archived" in body:
            thread["thread_metadata"]["archived"] = bool(body["archived"])
        await self.dispatch("THREAD_UPDATE", thread)
        return self._json(thread)

    def _invalid(self, name: str, why: str) -> web.Response:
        errors = {name: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": why}]}}
        return self._json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)

    async def _wake(self, channel_id: str) -> None:
        """A message sent in an archived post unarchives it, as on Discord."""
        thread = self.threads.get(channel_id)
        if thread is not None and thread["thread_metadata"]["archived"]:
            thread["thread_metadata"]["archived"] = False
            await self.dispatch("THREAD_UPDATE", thread)

    def tags_of(self, post_id: str) -> list[str]:
        """The names of the tags applied to a forum post."""
        names = {t["id"]: t["name"] for t in self.forums[self.threads[post_id]["parent_id"]]}
        return [names[t] for t in self.threads[post_id].get("applied_tags", [])]

    def archived(self, post_id: str) -> bool:
        return bool(self.threads[post_id]["thread_metadata"]["archived"])

    async def _create_thread(
        self, channel_id: str, message_id: str, name: str, owner_id: str = BOT_ID
    ) -> dict[str, Any]:
        # Like Discord: a thread started on a message has that message's id, and so does a forum
        # post's starter message.
        in_forum = channel_id in self.forums
        thread = {
            "id": message_id,
            "type": 11,
            "guild_id": GUILD_ID,
            "parent_id": channel_id,
            "name": name,
            "owner_id": owner_id,
            "last_message_id": message_id if in_forum else None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 4320 if in_forum else 1440,
                "archive_timestamp": ISO,
                "locked": False,
            },
        }
        if in_forum:
            thread["applied_tags"] = []
        self.threads[message_id] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    def _message(
        self, channel_id: str, author: Person, content: str, message_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": message_id or self.snowflake(),
            "channel_id": channel_id,
            "author": author.user(),
            "content": content,
            "timestamp": ISO,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }

    # What the bot sent
    def sent(self, method: str = "POST", pattern: str = r".*") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def posts(self, channel_id: str | None = None) -> list[Recorded]:
        channel = channel_id or r"\d+"
        return self.sent("POST", rf"/channels/{channel}/messages")

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                recent = "\n".join(repr(r) for r in self.requests[-15:])
                raise AssertionError(f"timed out waiting for {what}; recent requests:\n{recent}")
            await asyncio.sleep(0.02)

    async def wait_post(
        self, channel_id: str, contains: str = "", after: int = 0, timeout: float = 10.0
    ) -> Recorded:
        def found() -> Recorded | None:
            for r in self.requests[after:]:
                if (
                    r.method == "POST"
                    and r.path == f"/channels/{channel_id}/messages"
                    and contains in json.dumps(r.body)
                ):
                    return r
            return None

        result: Recorded = await self.wait_for(
            found, timeout, f"a post in {channel_id} containing {contains!r}"
        )
        return result

    # Gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            self.gateway_received.append(payload)
            op = payload["op"]
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, payload["d"])
            elif op == 6:
                await self._resume(ws, payload["d"])
        if self._ws is ws:
            self._ws = None
            self._connected.clear()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if self.refuse_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        if data.get("token") != TOKEN:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identifies += 1
        self.session_id = uuid.uuid4().hex
        self.seq = 0
        ready = {
            "v": 10,
            "user": BOT.user(),
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": self.session_id,
            "resume_gateway_url": self.ws_url,
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        self._connected.set()
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild())

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        if data.get("session_id") != self.session_id or data.get("seq") != self.seq:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        self._connected.set()
        await self.dispatch("RESUMED", {})

    def _guild(self) -> dict[str, Any]:
        def role(role_id: str, name: str, permissions: int) -> dict[str, Any]:
            return {
                "id": role_id,
                "name": name,
                "permissions": str(permissions),
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }

        return {
            "id": GUILD_ID,
            "name": "Nimbus Community",
            "icon": None,
            "owner_id": "800000000000000099",
            "unavailable": False,
            "large": False,
            "member_count": len(self.people),
            "joined_at": ISO,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                role(GUILD_ID, "@everyone", 0x400 | 0x800 | 0x10000),
                role(ADMIN_ROLE, "Support", 0x400 | 0x800),
                role(MEMBER_ROLE, "Member", 0x400 | 0x800),
                role(MANAGER_ROLE, "Manager", 0x20 | 0x400 | 0x800),
            ],
            "channels": [self._channel(c) for c in (GENERAL, DESK, OTHER, *self.forums)],
            "threads": [],
            "members": [p.member() for p in self.people.values()],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    async def connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None:
            raise AssertionError(f"no gateway connection to send {event} on")
        self.seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """A raw gateway frame, sent as is (`dispatch` builds well-formed ones)."""
        if self._ws is None:
            raise AssertionError("no gateway connection to send a frame on")
        await self._ws.send_str(json.dumps(frame))

    async def drop(self) -> None:
        """Close the gateway connection as Discord does on a server restart (resumable)."""
        ws = self._ws
        assert ws is not None
        self._connected.clear()
        self._ws = None
        await ws.close(code=4000, message=b"Unknown error")

    # Events from people
    async def say(
        self,
        who: str,
        content: str,
        channel_id: str = GENERAL,
        *,
        mention_bot: bool = False,
        dm: bool = False,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        person = self.people[who]
        if mention_bot:
            content = f"<@{BOT_ID}> {content}"
        message = self._message(channel_id, person, content, message_id)
        if mention_bot:
            message["mentions"] = [BOT.user()]
        message["mention_everyone"] = "@everyone" in content
        if not dm:
            message["guild_id"] = GUILD_ID
            member = person.member()
            member.pop("user")
            message["member"] = member
        self.messages[message["id"]] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def post_in_forum(
        self,
        who: str,
        title: str,
        content: str,
        forum_id: str = FORUM,
        *,
        mention_bot: bool = False,
    ) -> str:
        """`who` opens a post in a forum: Discord creates the thread, then its starter message
        (which has the thread's id); returns the post's id."""
        post_id = self.snowflake()
        await self._create_thread(forum_id, post_id, title, self.people[who].id)
        await self.say(who, content, post_id, mention_bot=mention_bot, message_id=post_id)
        return post_id

    def _interaction(
        self, who: str, channel_id: str, kind: int, data: dict[str, Any], *, dm: bool = False
    ) -> dict[str, Any]:
        person = self.people[who]
        interaction_id = self.snowflake()
        channel = {"id": channel_id, "type": 1} if dm else self._channel(channel_id)
        permissions = 0x400 | 0x800
        if MANAGER_ROLE in person.roles:
            permissions |= 0x20
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": APP_ID,
            "type": kind,
            "token": f"tok-{interaction_id}",
            "version": 1,
            "channel_id": channel_id,
            "channel": channel,
            "data": data,
            "app_permissions": str(0x400 | 0x800 | 0x4000),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID} if not dm else {},
            "context": 1 if dm else 0,
            "attachment_size_limit": 26214400,
        }
        if dm:
            payload["user"] = person.user()
        else:
            payload["guild_id"] = GUILD_ID
            payload["guild_locale"] = "en-US"
            payload["member"] = {**person.member(), "permissions": str(permissions)}
        return payload

    async def click(
        self, who: str, message: dict[str, Any], custom_id: str, *, dm: bool = False
    ) -> str:
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(who, message["channel_id"], 3, data, dm=dm)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    def upload(self, filename: str, content: bytes) -> dict[str, Any]:
        """An attachment as Discord describes it, its content served by the stand-in's CDN."""
        attachment_id = self.snowflake()
        path = f"/attachments/{GENERAL}/{attachment_id}/{filename}"
        self.files[path] = content
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(content),
            "url": self.url + path,
            "proxy_url": self.url + path,
            "content_type": "application/octet-stream",
        }

    async def _cdn(self, request: web.Request) -> web.Response:
        content = self.files.get(request.path)
        self.requests.append(
            Recorded("GET", request.path, {}, None, status=200 if content else 404)
        )
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content)

    async def slash(
        self,
        who: str,
        sub: str,
        channel_id: str = GENERAL,
        *,
        args: str | None = None,
        file: dict[str, Any] | None = None,
    ) -> str:
        """`/faq sub` with its optional `args` text and `file` attachment (from `upload`)."""
        options: list[dict[str, Any]] = []
        if args is not None:
            options.append({"name": "args", "type": 3, "value": args})
        data: dict[str, Any] = {
            "id": self.snowflake(),
            "name": "faq",
            "type": 1,
            "guild_id": GUILD_ID,
            "options": [{"name": sub, "type": 1, "options": options}],
        }
        if file is not None:
            options.append({"name": "file", "type": 11, "value": file["id"]})
            data["resolved"] = {"attachments": {file["id"]: file}}
        payload = self._interaction(who, channel_id, 2, data)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])
