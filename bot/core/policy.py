"""Who may do what: admins (commands), the channels the bot answers in, and who may act on a
ticket from its desk card (the agents of the desk, and admins).

The adapter reports the facts of a click (`DeskClick`: where it came from, whether the person
works in the desk channel, their roles); this policy decides, as `AdminPolicy` does for commands.
A card's buttons travel with the card, so a click is only trusted from the desk channel itself:
a copied or forged button pressed anywhere else changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.models import DeskClick, IncomingMessage

# The terminal is run by whoever operates the bot's process, so it is trusted.
LOCAL_PLATFORMS = frozenset({"terminal", "cli"})


@dataclass(frozen=True)
class AdminPolicy:
    slack_user_ids: frozenset[str] = frozenset()
    discord_user_ids: frozenset[str] = frozenset()
    discord_role_ids: frozenset[str] = frozenset()

    def is_admin(self, message: IncomingMessage) -> bool:
        return self.admits(
            message.key.platform, message.user_id, message.user_roles, message.platform_admin
        )

    def admits(
        self, platform: str, user_id: str, roles: tuple[str, ...], platform_admin: bool
    ) -> bool:
        if platform in LOCAL_PLATFORMS:
            return True
        if platform == "slack":
            return user_id in self.slack_user_ids
        if platform == "discord":
            return (
                platform_admin
                or user_id in self.discord_user_ids
                or bool(self.discord_role_ids.intersection(roles))
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


@dataclass(frozen=True)
class SupportForums:
    """Forum channels (by platform) where every post is addressed to the bot, mention or not."""

    channels: dict[str, frozenset[str]]

    def includes(self, message: IncomingMessage) -> bool:
        """Is the message in a post (a thread) of one of these forums?"""
        forums = self.channels.get(message.key.platform, frozenset())
        return message.parent_channel_id is not None and message.parent_channel_id in forums


DESK_REFUSAL = (
    "Sorry, only the support team's agents can claim or resolve tickets, from the desk channel. "
    "Nothing was changed."
)


@dataclass(frozen=True)
class DeskPolicy:
    # Platform name -> the id of its desk channel; a platform without one has no desk agents.
    channels: Mapping[str, str]
    admins: AdminPolicy

    def allows(self, click: DeskClick) -> bool:
        desk = self.channels.get(click.platform)
        if not desk or click.channel_id != desk:
            return False
        return click.in_desk or self.admins.admits(
            click.platform, click.user_id, click.user_roles, click.platform_admin
        )
