"""The terminal adapter behind `faqbot chat` and `faqbot ask`.

Lines starting with "/" are the terminal's buttons and commands: /helpful, /not-helpful, /human,
/yes:T-1 and /no:T-1 (answering an offered answer), /faq <command>, /quit. Everything else is a
question.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import Callable
from typing import TextIO

from bot.conversation import ConversationEngine
from bot.models import ConversationKey, IncomingMessage, MessageKind, Reply

PLATFORM = "terminal"
_BUTTONS = {
    "/helpful": (MessageKind.FEEDBACK, "helpful"),
    "/not-helpful": (MessageKind.FEEDBACK, "not_helpful"),
    "/human": (MessageKind.HUMAN, "human"),
}
_CONFIRM_RE = re.compile(r"/((?:yes|no):T-\d+)")


def render(reply: Reply) -> str:
    lines = [reply.text] if reply.text else []
    if reply.sources and not any(a.kind is MessageKind.CHOICE for a in reply.actions):
        lines.append("Sources: " + ", ".join(f"{s.id} ({s.title})" for s in reply.sources))
    buttons = [
        f"/{a.value.replace('_', '-')}" for a in reply.actions if a.kind is not MessageKind.CHOICE
    ]
    if buttons:
        lines.append("[" + " ".join(buttons) + "]")
    return "\n".join(lines)


class TerminalOutput:
    """What the core sends on its own (an agent's reply, a resolved ticket) is printed at once."""

    platform = PLATFORM

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        print(f"bot> {render(reply)}", file=self.out, flush=True)


def to_message(line: str, key: ConversationKey, user: str) -> IncomingMessage | None:
    """Translate one typed line; None means quit."""
    text = line.strip()
    if text in ("/quit", "/exit"):
        return None
    kind, value = MessageKind.QUESTION, text
    confirm = _CONFIRM_RE.fullmatch(text)
    if text in _BUTTONS:
        kind, value = _BUTTONS[text]
    elif confirm:
        kind, value = MessageKind.CONFIRM, confirm[1]
    elif text.startswith("/faq"):
        kind, value = MessageKind.COMMAND, text.removeprefix("/faq").strip()
    return IncomingMessage(
        key=key,
        message_id=uuid.uuid4().hex,
        user_id=user,
        user_name=user,
        text=value,
        is_direct=True,
        kind=kind,
    )


async def chat(
    engine: ConversationEngine,
    *,
    read_line: Callable[[], str] = input,
    out: TextIO = sys.stdout,
    user: str = "you",
) -> None:
    engine.register_channel(TerminalOutput(out))
    key = ConversationKey(PLATFORM, "local", uuid.uuid4().hex[:12])
    print(
        "faqbot: ask a question (/quit to leave, /faq help for admin commands).",
        file=out,
        flush=True,
    )
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, read_line)
        except EOFError:
            return
        message = to_message(line, key, user)
        if message is None:
            return
        reply = await engine.handle(message)
        if not reply.is_empty:
            print(f"bot> {render(reply)}", file=out, flush=True)
