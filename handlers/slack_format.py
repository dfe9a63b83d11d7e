"""Slack text in and Block Kit out: pure functions, no I/O.

Inbound, Slack's markup (`<@U1>`, `<!here>`, `<url|label>`, `&amp;`) becomes plain text. Outbound,
a `Reply` becomes Block Kit within Slack's limits (3,000 characters a section, 50 blocks a message,
75 characters a button label) and the answer's Markdown becomes Slack mrkdwn.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core.models import MessageKind, Reply, Ticket, TicketStatus

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
CONTEXT_LIMIT = 2000
FALLBACK_TEXT_LIMIT = 3000

ACTION_PREFIX = "faqbot"
DESK_CLAIM = "faqbot-desk:claim"
DESK_RESOLVE = "faqbot-desk:resolve"

Block = dict[str, Any]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def normalise_inbound(text: str, bot_user_id: str | None) -> str:
    """Slack markup to the plain text the core reads; the bot's own mention is removed."""

    def user(match: re.Match[str]) -> str:
        if bot_user_id and match.group(1) == bot_user_id:
            return ""
        return "@" + (match.group(2) or match.group(1))

    def channel(match: re.Match[str]) -> str:
        return "#" + (match.group(2) or match.group(1))

    def special(match: re.Match[str]) -> str:
        label = match.group(2)
        if label:
            return label if label.startswith("@") else "@" + label
        return "@" + match.group(1)

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label
        return target.removeprefix("mailto:")

    text = _USER.sub(user, text)
    text = _CHANNEL.sub(channel, text)
    text = _SPECIAL.sub(special, text)
    text = _LINK.sub(link, text)
    text = html.unescape(text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def escape(text: str) -> str:
    """Slack's three control characters, so nobody can inject a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
_MD_STRIKE = re.compile(r"~~(.+?)~~")
_BOLD_MARK = "\x00"


def markdown_to_mrkdwn(text: str) -> str:
    """The answerer's Markdown (bold, italics, links, headings) as Slack mrkdwn, escaped."""
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        links.append(f"<{match.group(2)}|{escape(match.group(1))}>")
        return f"\x01{len(links) - 1}\x01"

    text = _MD_LINK.sub(keep_link, text)
    text = escape(text)
    text = _MD_HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1).strip()}{_BOLD_MARK}", text)
    text = _MD_BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(2)}{_BOLD_MARK}", text)
    text = _MD_ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _MD_STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    text = text.replace(_BOLD_MARK, "*")
    return re.sub("\x01(\\d+)\x01", lambda m: links[int(m.group(1))], text)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        # Never cut inside a link or an escape: back up to before an unclosed "<" or "&".
        for opener, closer in (("<", ">"), ("&", ";")):
            start = rest.rfind(opener, 0, cut)
            if start > 0 and rest.find(closer, start, cut) == -1:
                cut = start
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_LABEL_LIMIT else text[: BUTTON_LABEL_LIMIT - 1] + "…"


def action_id(kind: MessageKind, position: int) -> str:
    """Unique in its message (Slack requires it) and naming the core's message kind."""
    return f"{ACTION_PREFIX}:{kind.value}:{position}"


def kind_of(action: str) -> MessageKind | None:
    parts = action.split(":")
    if len(parts) != 3 or parts[0] != ACTION_PREFIX:
        return None
    try:
        return MessageKind(parts[1])
    except ValueError:
        return None


def sources_text(reply: Reply) -> str:
    parts = []
    for source in reply.sources:
        title = escape(source.title)
        parts.append(f"<{source.links[0]}|{title}>" if source.links else title)
        parts += [f"<{link}>" for link in source.links[1:]]
    text = "Sources: " + " · ".join(parts)
    return text if len(text) <= CONTEXT_LIMIT else text[: CONTEXT_LIMIT - 1] + "…"


def reply_blocks(reply: Reply) -> list[Block]:
    """The answer in sections, its sources in a context block, its buttons in an actions block."""
    tail = reply_controls(reply)
    sections: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(markdown_to_mrkdwn(reply.text))
    ]
    room = MAX_BLOCKS - len(tail)
    if len(sections) > room:
        shortened = {"type": "section", "text": {"type": "mrkdwn", "text": "_(answer shortened)_"}}
        sections = [*sections[: room - 1], shortened]
    return sections + tail


def reply_controls(reply: Reply) -> list[Block]:
    """What follows the answer's text: its sources and its buttons (a streamed answer's end)."""
    tail: list[Block] = []
    if reply.sources:
        tail.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": sources_text(reply)}]}
        )
    if reply.actions:
        buttons: list[Block] = []
        for position, action in enumerate(reply.actions[:25]):
            button: Block = {
                "type": "button",
                "action_id": action_id(action.kind, position),
                "text": {"type": "plain_text", "text": _label(action.label), "emoji": True},
                "value": action.value[:BUTTON_VALUE_LIMIT],
            }
            if action.kind is MessageKind.FEEDBACK and action.value == "helpful":
                button["style"] = "primary"
            buttons.append(button)
        tail.append({"type": "actions", "block_id": "faqbot-actions", "elements": buttons})
    return tail


def fallback_text(text: str) -> str:
    """The notification text that goes with blocks."""
    text = text.strip() or "…"
    return text if len(text) <= FALLBACK_TEXT_LIMIT else text[: FALLBACK_TEXT_LIMIT - 1] + "…"


def customer_label(ticket: Ticket) -> str:
    if ticket.key.platform == "slack":
        return f"<@{ticket.user_id}>"
    name = escape(ticket.user_name or ticket.user_id)
    return f"{name} ({ticket.key.platform})"


def card_blocks(ticket: Ticket, transcript_limit: int = 10) -> list[Block]:
    """A ticket card for the desk: who, what, why, the transcript and the buttons."""
    status = ticket.status.value
    if ticket.claimed_by:
        status += f" by {escape(ticket.claimed_by)}"
    header = (
        f"*Ticket {ticket.id}* ({status})\n"
        f"*Customer:* {customer_label(ticket)}\n"
        f"*Question:* {escape(ticket.question) or '_none_'}\n"
        f"*Reason:* {escape(ticket.reason)}"
    )
    lines = [
        f"*{escape(role)}:* {escape(text)}" for role, text in ticket.transcript[-transcript_limit:]
    ]
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": split_text(header)[0]}}
    ]
    if lines:
        transcript = split_text("*Transcript*\n" + "\n".join(lines))[0]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": transcript}})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "Reply in this thread to answer the customer."}
            ],
        }
    )
    buttons: list[Block] = []
    if ticket.status is TicketStatus.OPEN:
        buttons.append(_desk_button(DESK_CLAIM, "Claim", ticket.id))
    if ticket.status is not TicketStatus.RESOLVED:
        buttons.append(_desk_button(DESK_RESOLVE, "Resolve", ticket.id, style="danger"))
    if buttons:
        blocks.append({"type": "actions", "block_id": "faqbot-desk", "elements": buttons})
    return blocks


def _desk_button(action: str, label: str, value: str, style: str = "primary") -> Block:
    return {
        "type": "button",
        "action_id": action,
        "text": {"type": "plain_text", "text": label},
        "value": value,
        "style": style,
    }


def card_text(ticket: Ticket) -> str:
    who = ticket.user_name or ticket.user_id
    return fallback_text(
        f"Ticket {ticket.id} ({ticket.status.value}) from {who}: {ticket.question}"
    )
