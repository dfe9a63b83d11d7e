"""`faqbot chat` as a complete demo: the operator is the customer and, for the session's tickets,
their agent; unknown commands go nowhere; answers' Markdown reads as terminal text."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from bot.core.models import ConversationKey, Reply
from bot.engine.conversation import ConversationEngine
from handlers.terminal import (
    BOLD,
    NORMAL,
    Console,
    TerminalChat,
    chat,
    render,
    render_markdown,
)
from tests.conftest import MakeApp

HINT = "/agent TEXT answers as the agent, /resolve closes it"


class Screen:
    """A chat session driven line by line, with what it printed."""

    def __init__(self, chat: TerminalChat, out: io.StringIO) -> None:
        self.chat = chat
        self.out = out

    async def type(self, line: str) -> list[str]:
        """Type one line; the lines it printed."""
        start = len(self.out.getvalue())
        assert await self.chat.line(line)
        return self.out.getvalue()[start:].splitlines()


def screen(engine: ConversationEngine, session: str = "s1") -> Screen:
    out = io.StringIO()
    return Screen(TerminalChat(engine, Console(out), session=session), out)


async def test_the_operator_answers_and_resolves_a_ticket_as_the_agent(make_app: MakeApp) -> None:
    app = make_app()
    term = screen(app.engine)
    opened = await term.type("/human")
    assert opened[0].startswith("bot> ") and "T-1" in opened[0]
    # The hint shows once, when the ticket opens ...
    assert opened[1:] == [f"(ticket T-1 is open; {HINT})"]
    # ... and what the customer writes meanwhile goes to the ticket, with a short line saying so.
    assert await term.type("is anyone there?") == [f"(added to ticket T-1; {HINT})"]

    answered = await term.type("/agent Hi, I'm looking into it.")
    assert answered == ["(ticket T-1 claimed by agent)", "bot> agent: Hi, I'm looking into it."]
    ticket = await app.tickets.get("T-1")
    assert ticket.status == "claimed" and ticket.claimed_by == "agent"
    assert ticket.transcript[-2:] == (
        ("customer", "is anyone there?"),
        ("agent", "Hi, I'm looking into it."),
    )

    resolved = await term.type("/resolve")
    assert resolved == [
        "bot> Ticket T-1 has been resolved. If you need anything else, just ask.",
        "(ticket T-1 resolved)",
    ]
    assert (await app.tickets.get("T-1")).status == "resolved"
    # The bot takes over again, and there is nothing left to answer or resolve.
    back = await term.type("how do I reset my password")
    assert back[0].startswith("bot> ") and "Sources: reset-password" in "\n".join(back)
    none = "No ticket is open in this conversation; /human opens one."
    assert await term.type("/agent hello?") == [none]
    assert await term.type("/resolve") == [none]


async def test_a_ticket_resolved_elsewhere_refuses_the_operators_late_reply(
    make_app: MakeApp,
) -> None:
    app = make_app()
    term = screen(app.engine)
    await term.type("/human")
    await app.tickets.resolve("T-1", "ana")  # behind the engine's back: nobody was told
    late = await term.type("/agent still there?")
    assert late == ["(T-1 is resolved; this message was not sent to the customer.)"]
    assert await term.type("/resolve") == [
        "No ticket is open in this conversation; /human opens one."
    ]


async def test_an_unknown_command_goes_nowhere(make_app: MakeApp) -> None:
    app = make_app()
    term = screen(app.engine)
    assert await term.type("/helpfull") == ["Unknown command /helpfull. Type /help."]
    assert await term.type("/yes:maybe") == ["Unknown command /yes:maybe. Type /help."]
    assert await term.type("/faqs reload") == ["Unknown command /faqs. Type /help."]
    # Nothing reached the bot: no turn, no ticket.
    assert await app.store.history(term.chat.key) == []
    assert await app.tickets.list(include_resolved=True) == []


async def test_help_lists_the_terminals_commands(make_app: MakeApp) -> None:
    app = make_app()
    shown = "\n".join(await screen(app.engine).type("/help"))
    for command in (
        "/helpful",
        "/not-helpful",
        "/human",
        "/agent TEXT",
        "/resolve",
        "/yes:T-n",
        "/no:T-n",
        "/faq help",
        "/help",
        "/quit",
    ):
        assert command in shown
    assert await app.store.history(ConversationKey("terminal", "local", "s1")) == []


async def test_the_buttons_and_admin_commands_still_reach_the_core(make_app: MakeApp) -> None:
    app = make_app()
    term = screen(app.engine)
    await term.type("how do I reset my password")
    assert await term.type("/helpful") == ["bot> Thanks for the feedback!"]
    assert any("FAQ version" in line for line in await term.type("/faq status"))


async def test_the_terminal_reaches_its_own_session_only(make_app: MakeApp) -> None:
    app = make_app()
    term = screen(app.engine, session="mine")
    engine = app.engine
    assert engine.reaches(term.chat.key)
    assert engine.reaches(ConversationKey("terminal", "desk", "mine", "T-1"))
    assert not engine.reaches(ConversationKey("terminal", "local", "another-session"))
    # Nothing is printed for another terminal's conversation.
    before = term.out.getvalue()
    await engine.send(ConversationKey("terminal", "local", "another-session"), Reply("psst"))
    assert term.out.getvalue() == before


def test_markdown_reads_as_terminal_text() -> None:
    answer = (
        "Open **Settings > Security** and click **Enable**.\n"
        "- scan the [QR code](https://example.com/qr)\n"
        "* keep the *recovery codes*\n"
        "1. first\n"
        "2) second\n"
        "## Next steps\n"
        "See [https://example.com](https://example.com); 5 * 3 stays."
    )
    plain = render_markdown(answer)
    assert plain.splitlines() == [
        "Open Settings > Security and click Enable.",
        "  • scan the QR code (https://example.com/qr)",
        "  • keep the recovery codes",
        "  1. first",
        "  2. second",
        "Next steps",
        "See https://example.com; 5 * 3 stays.",
    ]
    styled = render_markdown(answer, styled=True)
    assert styled.splitlines()[0] == (
        f"Open {BOLD}Settings > Security{NORMAL} and click {BOLD}Enable{NORMAL}."
    )
    assert f"{BOLD}Next steps{NORMAL}" in styled
    assert "**" not in plain and "**" not in styled
    assert render(Reply("**Free** costs nothing")) == "Free costs nothing"


async def test_the_faqs_bold_is_not_shown_raw_in_the_chat(make_app: MakeApp) -> None:
    app = make_app()
    lines = iter(["how do I cancel my subscription", "/quit"])
    out = io.StringIO()
    await chat(app.engine, read_line=lambda: next(lines), out=out, styled=False)
    text = out.getvalue()
    assert "Settings > Billing > Plan > Cancel subscription" in text
    assert "**" not in text


def _read_until(fd: int, wanted: str, seen: bytearray, timeout: float = 60) -> str:
    """What the pseudo-terminal printed, read until `wanted` appears (or the time is up)."""
    deadline = time.monotonic() + timeout
    while wanted.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
    text = seen.decode(errors="replace")
    assert wanted in text, f"never printed {wanted!r}; got:\n{text}"
    return text


def test_on_a_terminal_lines_are_edited_and_recalled_and_bold_is_bold(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "ANTHROPIC_", "REDIS_")) and k != "NO_COLOR"
    }
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=child,
        stdout=child,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        # Lexical search: loading the sentence encoders would take the process seconds.
        env={**env, "TERM": "xterm", "SEMANTIC_SEARCH": "off"},
    )
    os.close(child)
    seen = bytearray()
    try:
        _read_until(main, "you> ", seen)
        os.write(main, b"how do I cancel my subscriptoin\x7f\x7f\x7fion\r")
        answer = _read_until(main, "Sources:", seen)
        assert f"{BOLD}Settings > Billing > Plan > Cancel subscription{NORMAL}" in answer
        assert "**" not in answer
        os.write(main, b"/help\r")
        _read_until(main, "Anything else is a question", seen)
        del seen[:]
        os.write(main, b"\x1b[A\r")  # the up arrow recalls /help from the session's history
        _read_until(main, "Anything else is a question", seen)
        os.write(main, b"/quit\r")
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)
