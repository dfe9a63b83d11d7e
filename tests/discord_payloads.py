"""Gateway dispatches to replay against the Discord adapter: system messages and payloads
discord.py cannot read.

The shapes follow Discord's API documentation (the message object and its example message, the
message types table, message references, threads, AutoMod, polls, calls, role subscriptions,
interactions); ids are the stand-in's, so every message lands where a person's words would be
answered (a DM, or a thread the bot is part of).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.standins.discord_api import BOT, BOT_ID, GUILD_ID, ISO, DiscordStandIn

Payload = dict[str, Any]


@dataclass(frozen=True)
class Replay:
    name: str
    event: str
    data: Any


# Discord's "Example Message" (docs/resources/message), in the shape a MESSAGE_CREATE carries.
EXAMPLE_MESSAGE: Payload = {
    "reactions": [],
    "attachments": [],
    "tts": False,
    "embeds": [],
    "timestamp": "2017-07-11T17:27:07.299000+00:00",
    "mention_everyone": False,
    "id": "334385199974967042",
    "pinned": False,
    "edited_timestamp": None,
    "author": {
        "username": "Mason",
        "discriminator": "9999",
        "id": "53908099506183680",
        "avatar": "a_bab14f271d565501444b2ca3be944b25",
    },
    "mention_roles": [],
    "content": "Supa Hot",
    "channel_id": "290926798999357250",
    "mentions": [],
    "type": 0,
}

ALICE = {
    "id": "800000000000000001",
    "username": "alice",
    "global_name": "Alice",
    "discriminator": "0",
    "avatar": None,
    "public_flags": 0,
}
ALICE_MEMBER = {"roles": [], "joined_at": ISO, "deaf": False, "mute": False, "flags": 0}

# (name, type, what the message adds to the example). Content and fields as Discord sends them.
SYSTEM_MESSAGES: list[tuple[str, int, Payload]] = [
    ("recipient added (the bot added to the thread)", 1, {"content": "", "mentions": [BOT.user()]}),
    ("recipient removed", 2, {"content": "", "mentions": [ALICE]}),
    (
        "call",
        3,
        {"content": "", "call": {"participants": [ALICE["id"]], "ended_timestamp": None}},
    ),
    ("thread renamed", 4, {"content": "Password reset question (solved)"}),
    ("channel icon changed", 5, {"content": ""}),
    (
        "message pinned",
        6,
        {"content": "", "message_reference": {"type": 0, "message_id": "334385199974967042"}},
    ),
    ("member joined", 7, {"content": ""}),
    ("server boosted", 8, {"content": "1"}),
    ("server reached boost tier 1", 9, {"content": "2"}),
    ("server reached boost tier 2", 10, {"content": "7"}),
    ("server reached boost tier 3", 11, {"content": "14"}),
    ("channel followed", 12, {"content": "Nimbus Announcements #news"}),
    ("discovery disqualified", 14, {"content": ""}),
    ("discovery requalified", 15, {"content": ""}),
    ("discovery grace period, first warning", 16, {"content": ""}),
    ("discovery grace period, final warning", 17, {"content": ""}),
    ("thread created", 18, {"content": "How do I reset my password?"}),
    (
        "an app's slash command output",
        20,
        {"content": "How do I reset my password?", "application_id": "1234"},
    ),
    (
        "thread starter message",
        21,
        {"content": "", "message_reference": {"type": 0, "message_id": "334385199974967042"}},
    ),
    ("invite reminder", 22, {"content": ""}),
    ("context menu command output", 23, {"content": "How do I reset my password?"}),
    (
        "AutoMod alert",
        24,
        {
            "content": "",
            "embeds": [
                {
                    "type": "auto_moderation_message",
                    "description": "How do I reset my password? badword",
                    "fields": [
                        {"name": "rule_name", "value": "No bad words", "inline": False},
                        {"name": "decision_outcome", "value": "blocked", "inline": False},
                    ],
                }
            ],
        },
    ),
    (
        "role subscription purchase",
        25,
        {
            "content": "",
            "role_subscription_data": {
                "role_subscription_listing_id": "1",
                "tier_name": "Gold",
                "total_months_subscribed": 1,
                "is_renewal": False,
            },
        },
    ),
    ("premium upsell", 26, {"content": "Upgrade to use this command"}),
    ("stage started", 27, {"content": "Office hours"}),
    ("stage ended", 28, {"content": "Office hours"}),
    ("stage speaker", 29, {"content": ""}),
    ("stage hand raised", 30, {"content": ""}),
    ("stage topic changed", 31, {"content": "How do I reset my password?"}),
    ("app premium subscription", 32, {"content": ""}),
    ("incident alert mode enabled", 36, {"content": "2026-01-02T00:00:00+00:00"}),
    ("incident alert mode disabled", 37, {"content": ""}),
    ("incident report: raid", 38, {"content": ""}),
    ("incident report: false alarm", 39, {"content": ""}),
    ("purchase notification", 44, {"content": ""}),
    (
        "poll result",
        46,
        {
            "content": "",
            "embeds": [
                {
                    "type": "poll_result",
                    "fields": [
                        {"name": "poll_question_text", "value": "Best plan?", "inline": False},
                        {"name": "victor_answer_votes", "value": "3", "inline": False},
                    ],
                }
            ],
        },
    ),
    ("a type Discord adds later", 99, {"content": "How do I reset my password?"}),
]


def system_messages(standin: DiscordStandIn, channel_id: str, *, dm: bool) -> list[Replay]:
    """Every system message type, written by Alice, in a DM or a server thread."""
    replays = []
    for name, kind, fields in SYSTEM_MESSAGES:
        data = {
            **copy.deepcopy(EXAMPLE_MESSAGE),
            "id": standin.snowflake(),
            "channel_id": channel_id,
            "author": ALICE,
            "type": kind,
            **copy.deepcopy(fields),
        }
        if not dm:
            data["guild_id"] = GUILD_ID
            data["member"] = ALICE_MEMBER
        replays.append(Replay(f"{name} ({kind})", "MESSAGE_CREATE", data))
    return replays


def _message(standin: DiscordStandIn, where: str, **changes: Any) -> Payload:
    data = {
        **copy.deepcopy(EXAMPLE_MESSAGE),
        "id": standin.snowflake(),
        "channel_id": where,
        "author": ALICE,
        "content": f"<@{BOT_ID}> How do I reset my password?",
        "mentions": [BOT.user()],
    }
    for key, value in changes.items():
        if value is _DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


_DROP = object()


def unreadable(standin: DiscordStandIn, channel_id: str) -> list[Replay]:
    """Dispatches discord.py cannot parse (or can, barely), each aimed at a DM that is answered."""

    def message(name: str, **changes: Any) -> Replay:
        return Replay(name, "MESSAGE_CREATE", _message(standin, channel_id, **changes))

    component = {
        "id": standin.snowflake(),
        "application_id": "900000000000000002",
        "token": "tok",
        "version": 1,
        "channel_id": channel_id,
        "user": ALICE,
        "attachment_size_limit": 26214400,
    }
    return [
        message("a message without an author", author=_DROP),
        message("a message whose author is null", author=None),
        message("a message whose author is a string", author="Mason"),
        message("a message without an id", id=_DROP),
        message("a message without a channel id", channel_id=_DROP),
        message("a message whose id is not a snowflake", id="not-a-snowflake"),
        message("a message whose mentions are null", mentions=None),
        message("a message without mentions", mentions=_DROP),
        message("a message with a null attachment", attachments=[None]),
        message("a message with an attachment missing its fields", attachments=[{"id": "1"}]),
        message("a message whose embeds are a string", embeds="none"),
        message("a message whose referenced message is a number", referenced_message=5),
        message(
            "a server message whose member is null",
            guild_id=GUILD_ID,
            member=None,
        ),
        message("a message whose type is not a number", type="reply"),
        message("a message whose content is null", content=None),
        Replay("a message create with null data", "MESSAGE_CREATE", None),
        Replay("a message create with a list as data", "MESSAGE_CREATE", []),
        Replay("a message update without an id", "MESSAGE_UPDATE", {"channel_id": channel_id}),
        Replay("a message delete with an object id", "MESSAGE_DELETE", {"id": {}}),
        Replay(
            "a reaction without its emoji",
            "MESSAGE_REACTION_ADD",
            {"user_id": ALICE["id"], "channel_id": channel_id, "message_id": "1"},
        ),
        Replay("an interaction without a type", "INTERACTION_CREATE", component),
        Replay(
            "a button interaction with null data",
            "INTERACTION_CREATE",
            {**component, "type": 3, "data": None},
        ),
        Replay(
            "an interaction of an unknown type", "INTERACTION_CREATE", {**component, "type": 99}
        ),
        Replay("a guild create without an id", "GUILD_CREATE", {"name": "Nimbus"}),
        Replay("a thread create with null data", "THREAD_CREATE", None),
        Replay(
            "a channel of an unknown type",
            "CHANNEL_CREATE",
            {"id": standin.snowflake(), "type": 99, "guild_id": GUILD_ID, "name": "future"},
        ),
        Replay("a channel update that is a list", "CHANNEL_UPDATE", []),
        Replay(
            "a member added without a user",
            "GUILD_MEMBER_ADD",
            {"guild_id": GUILD_ID, "user": None, "roles": []},
        ),
        Replay("a member update without a user", "GUILD_MEMBER_UPDATE", {"guild_id": GUILD_ID}),
        Replay(
            "a role create with a null role",
            "GUILD_ROLE_CREATE",
            {"guild_id": GUILD_ID, "role": None},
        ),
        Replay(
            "typing start with a null member",
            "TYPING_START",
            {"channel_id": channel_id, "guild_id": GUILD_ID, "member": None, "user_id": "x"},
        ),
        Replay(
            "an AutoMod action without its rule",
            "AUTO_MODERATION_ACTION_EXECUTION",
            {"guild_id": GUILD_ID, "action": None},
        ),
        Replay("thread members update without a guild", "THREAD_MEMBERS_UPDATE", {"id": "1"}),
        Replay("a poll vote without its ids", "MESSAGE_POLL_VOTE_ADD", {"answer_id": "a"}),
        Replay("an event Discord adds later", "FUTURE_EVENT_CREATE", {"id": "1"}),
    ]


def unnamed_event() -> Payload:
    """A dispatch whose event name is not a string: a raw frame, not something `dispatch` sends."""
    return {"op": 0, "t": ["MESSAGE_CREATE"], "s": None, "d": {}}
