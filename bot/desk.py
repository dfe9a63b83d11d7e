"""Who may act on a ticket from its desk card: the agents of the desk, and admins.

The adapter reports the facts of a click (`DeskClick`: where it came from, whether the person
works in the desk channel, their roles); this policy decides, as `AdminPolicy` does for commands.
A card's buttons travel with the card, so a click is only trusted from the desk channel itself:
a copied or forged button pressed anywhere else changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.admin import AdminPolicy
from bot.models import DeskClick

REFUSAL = (
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
