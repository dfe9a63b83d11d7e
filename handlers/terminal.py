"""The terminal adapter behind `faqbot chat` and `faqbot ask`.

Lines starting with "/" are the terminal's buttons and commands: /helpful, /not-helpful, /human,
/yes:T-1 and /no:T-1 (answering an offered answer), /faq <command>, /agent TEXT and /resolve (the
operator acting as the agent of the open ticket), /help, /quit. Any other "/" line is an unknown
command and goes nowhere; everything else is a question.

The terminal is also the session's desk: a ticket opened in the chat gets a card here (a desk
thread of its own), so `/agent TEXT` is an agent's reply in that thread and takes the same path
through the core as a reply in the Slack or Discord desk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TextIO

from redis.exceptions import RedisError

from bot.core.models import (
    ConversationKey,
    DeskRef,
    IncomingMessage,
    MessageKind,
    Reply,
    Ticket,
    TicketStatus,
)
from bot.engine.conversation import ConversationEngine
from bot.state.tickets import TicketError

PLATFORM = "terminal"
DESK_WORKSPACE = "desk"
_BUTTONS = {
    "/helpful": (MessageKind.FEEDBACK, "helpful"),
    "/not-helpful": (MessageKind.FEEDBACK, "not_helpful"),
    "/human": (MessageKind.HUMAN, "human"),
}
_CONFIRM_RE = re.compile(r"/((?:yes|no):T-\d+)")
_QUIT = ("/quit", "/exit")
COMMANDS = ("/help", *_BUTTONS, "/agent", "/resolve", "/faq", *_QUIT)
TICKET_HINT = "/agent TEXT answers as the agent, /resolve closes it"
HELP = """Commands:
  /helpful, /not-helpful  rate the last answer
  /human                  talk to a person (opens a ticket)
  /yes:T-n, /no:T-n       answer "Does this answer your question?" for ticket T-n
  /agent TEXT             answer the open ticket as the agent
  /resolve                resolve the open ticket; the bot answers again
  /faq help               admin commands (reload, versions, rollback, gaps, drafts, ...)
  /help                   this list
  /quit                   leave
Anything else is a question for the bot."""

# ---- Markdown as terminal text

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def render_markdown(text: str, *, styled: bool = False) -> str:
    """The Markdown FAQ answers use, as terminal text: **bold** in bold (plain when not
    `styled`), list items as indented bullets, [text](url) as "text (url)", headings in bold."""

    def strong(words: str) -> str:
        return f"{BOLD}{words}{NORMAL}" if styled else words

    lines = []
    for line in text.split("\n"):
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            line = f"**{heading[1]}**" if heading[1] else ""
        elif bullet:
            line = f"{bullet[1]}  • {bullet[2]}"
        elif numbered:
            line = f"{numbered[1]}  {numbered[2]}. {numbered[3]}"
        line = _LINK.sub(lambda m: m[2] if m[1] == m[2] else f"{m[1]} ({m[2]})", line)
        line = _STRONG.sub(lambda m: strong(m[1] or m[2]), line)
        line = _EMPHASIS.sub(lambda m: m[1], line)
        lines.append(line)
    return "\n".join(lines)


def render(reply: Reply, *, styled: bool = False) -> str:
    lines = [render_markdown(reply.text, styled=styled)] if reply.text else []
    if reply.sources and not any(a.kind is MessageKind.CHOICE for a in reply.actions):
        lines.append("Sources: " + ", ".join(f"{s.id} ({s.title})" for s in reply.sources))
    buttons = [
        f"/{a.value.replace('_', '-')}" for a in reply.actions if a.kind is not MessageKind.CHOICE
    ]
    if buttons:
        lines.append("[" + " ".join(buttons) + "]")
    return "\n".join(lines)


# ---- the screen


class Console:
    """The operator's screen. On a terminal with line editing, a line that arrives while the
    operator is typing (an agent's reply, a ticket resolved elsewhere) is printed above the
    prompt, and the prompt and what was typed so far are drawn again."""

    def __init__(self, out: TextIO, *, styled: bool = False, prompt: str = "") -> None:
        self.out = out
        self.styled = styled
        self.prompt = prompt
        self.printed = 0  # lines printed so far, to tell a silent turn
        self._waiting = False
        self._redraw: Callable[[], str] | None = None

    def print(self, text: str) -> None:
        self.printed += 1
        if self._waiting and self._redraw is not None:
            # Clear the prompt line, print, then put the prompt and the typed text back.
            self.out.write(f"\r\x1b[K{text}\n{self.prompt}{self._redraw()}")
            self.out.flush()
        else:
            print(text, file=self.out, flush=True)

    def read(self) -> str:
        """One line from the operator (blocking: run it in a worker thread)."""
        self._waiting = True
        try:
            return input(self.prompt)
        finally:
            self._waiting = False

    def edit_lines(self) -> None:
        """Line editing and history (kept in memory for the session) with `readline`: arrow
        keys, Ctrl-R, and Tab completing the commands."""
        try:
            import readline
        except ImportError:  # some platforms build Python without it
            return

        def complete(text: str, state: int) -> str | None:
            found = [c for c in (*COMMANDS, "/faq help") if c.startswith(text)]
            return found[state] if state < len(found) else None

        readline.set_completer(complete)
        readline.set_completer_delims(" \t\n")
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
        self._redraw = readline.get_line_buffer


# ---- the core's outbound side and desk, for this session


@dataclass
class TerminalOutput:
    """What the core sends on its own (an agent's reply, a resolved ticket) is printed at once.

    It reaches this chat session only: another `faqbot chat` sharing the Redis is another
    terminal, and a change announced for it is delivered there (bot/desk/relay.py)."""

    platform = PLATFORM

    console: Console
    session: str

    def reaches(self, key: ConversationKey) -> bool:
        return key.platform == PLATFORM and key.channel_id == self.session

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        self.console.print(f"bot> {render(reply, styled=self.console.styled)}")


class TerminalDesk:
    """The session's escalation desk: its tickets, and what the core tells their agents."""

    def __init__(self, console: Console, session: str) -> None:
        self.console = console
        self.session = session
        self.open: dict[str, Ticket] = {}  # unresolved tickets by id, oldest first

    @property
    def current(self) -> Ticket | None:
        """The ticket /agent and /resolve act on: the newest unresolved one."""
        return next(reversed(self.open.values()), None)

    async def post_ticket(self, ticket: Ticket) -> DeskRef:
        ref = DeskRef(ConversationKey(PLATFORM, DESK_WORKSPACE, self.session, ticket.id), ticket.id)
        self.open[ticket.id] = replace(ticket, desk_ref=ref)
        return ref

    async def post_customer_message(self, ticket: Ticket, text: str) -> None:
        self.console.print(f"(added to ticket {ticket.id}; {TICKET_HINT})")

    async def ticket_changed(self, ticket: Ticket) -> None:
        ref = ticket.desk_ref
        if ref is None or ref.key.platform != PLATFORM or ref.key.channel_id != self.session:
            return  # not a card of this session's desk
        if ticket.status is TicketStatus.RESOLVED:
            if self.open.pop(ticket.id, None) is not None:
                self.console.print(f"(ticket {ticket.id} resolved)")
            return
        # A held ticket stored under its real id keeps its card: the provisional id goes.
        stale = [i for i, t in self.open.items() if t.desk_ref == ref]
        for ticket_id in stale:
            del self.open[ticket_id]
        self.open[ticket.id] = ticket
        if ticket.status is TicketStatus.CLAIMED:
            self.console.print(f"(ticket {ticket.id} claimed by {ticket.claimed_by})")

    async def post_note(self, ticket: Ticket, text: str) -> None:
        self.console.print(f"({text})")

    def forget(self, ticket_id: str) -> None:
        self.open.pop(ticket_id, None)


# ---- typed lines


def to_message(line: str, key: ConversationKey, user: str) -> IncomingMessage | None:
    """Translate one typed line for the core; None means quit."""
    text = line.strip()
    if text in _QUIT:
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


def command_word(line: str) -> str | None:
    """The command a "/" line names ("/helpful", "/agent", ...); None for a question."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0]


def is_known(word: str) -> bool:
    return word in COMMANDS or _CONFIRM_RE.fullmatch(word) is not None


class TerminalChat:
    """One chat session: a customer (the operator) and, for its tickets, their agent (also the
    operator). Every line goes through the core; this class only translates."""

    def __init__(
        self,
        engine: ConversationEngine,
        console: Console,
        *,
        user: str = "you",
        agent: str = "agent",
        session: str | None = None,
    ) -> None:
        self.engine = engine
        self.console = console
        self.user = user
        self.agent = agent
        session = session or uuid.uuid4().hex[:12]
        self.key = ConversationKey(PLATFORM, "local", session)
        self.output = TerminalOutput(console, session)
        self.desk = TerminalDesk(console, session)
        engine.register_channel(self.output)
        engine.set_desk(self.desk)

    async def line(self, line: str) -> bool:
        """Handle one typed line; False when the operator leaves."""
        printed = self.console.printed
        word = command_word(line)
        if word in _QUIT:
            return False
        if word == "/help":
            self.console.print(HELP)
        elif word == "/agent":
            await self._as_agent(line.strip().removeprefix("/agent").strip())
        elif word == "/resolve":
            await self._resolve()
        elif word is not None and not is_known(word):
            self.console.print(f"Unknown command {word}. Type /help.")
        else:
            message = to_message(word if word in _BUTTONS else line, self.key, self.user)
            if message is None:
                return False
            await self._say(message)
        if self.console.printed == printed:
            self.console.print("(no reply)")
        return True

    async def _say(self, message: IncomingMessage) -> None:
        reply = await self.engine.handle(message)
        if not reply.is_empty:
            self.console.print(f"bot> {render(reply, styled=self.console.styled)}")
        if reply.ticket is not None:
            self.console.print(f"(ticket {reply.ticket.id} is open; {TICKET_HINT})")

    async def _as_agent(self, text: str) -> None:
        """An agent's reply in the ticket's desk thread, as on Slack or Discord."""
        ticket = self._open_ticket()
        if ticket is None:
            return
        if not text:
            self.console.print("Usage: /agent TEXT")
            return
        assert ticket.desk_ref is not None  # the cards this desk posts all have one
        message = IncomingMessage(
            key=ticket.desk_ref.key,
            message_id=uuid.uuid4().hex,
            user_id=self.agent,
            user_name=self.agent,
            text=text,
        )
        try:
            reply = await self.engine.handle(message)
        except (TicketError, RedisError) as exc:
            self.console.print(f"(not sent: {exc or type(exc).__name__})")
            return
        if not reply.is_empty:
            # The core refused it (the ticket was resolved elsewhere).
            self.desk.forget(ticket.id)
            self.console.print(f"({reply.text})")

    async def _resolve(self) -> None:
        ticket = self._open_ticket()
        if ticket is None:
            return
        try:
            await self.engine.resolve(ticket.id, self.agent)
        except TicketError as exc:
            self.desk.forget(ticket.id)
            self.console.print(f"({exc})")
        except RedisError as exc:
            self.console.print(f"(could not resolve {ticket.id}: {type(exc).__name__})")

    def _open_ticket(self) -> Ticket | None:
        ticket = self.desk.current
        if ticket is None or ticket.desk_ref is None:
            self.console.print("No ticket is open in this conversation; /human opens one.")
            return None
        return ticket


async def _in_thread(read: Callable[[], str]) -> str:
    """`read()` in a daemon thread, so that a blocked read never keeps the process alive on
    Ctrl-C (the default executor's threads are waited for at exit)."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[str] = loop.create_future()

    def settle(value: str | None, error: BaseException | None) -> None:
        if result.done():
            return
        if error is not None:
            result.set_exception(error)
        else:
            result.set_result(value or "")

    def work() -> None:
        value, error = None, None
        try:
            value = read()
        except BaseException as exc:  # EOFError above all; handed to the loop as is
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="faqbot-chat-input", daemon=True).start()
    return await result


def _styled(out: TextIO) -> bool:
    return out.isatty() and not os.environ.get("NO_COLOR")


async def chat(
    engine: ConversationEngine,
    *,
    read_line: Callable[[], str] | None = None,
    out: TextIO | None = None,
    user: str = "you",
    agent: str = "agent",
    styled: bool | None = None,
) -> None:
    """The `faqbot chat` loop. Without `read_line`, lines come from stdin, with line editing
    and history when it is a terminal. `out` is stdout as it is when the chat starts."""
    out = out or sys.stdout
    interactive = read_line is None and sys.stdin.isatty() and out.isatty()
    console = Console(
        out,
        styled=_styled(out) if styled is None else styled,
        prompt="you> " if interactive else "",
    )
    if interactive:
        console.edit_lines()
    session = TerminalChat(engine, console, user=user, agent=agent)
    console.print("faqbot: ask a question (/help lists the commands, /quit leaves).")
    read = read_line or console.read
    while True:
        try:
            line = await _in_thread(read)
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print(file=out, flush=True)
            return
        if not await session.line(line):
            return
