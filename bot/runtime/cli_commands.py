"""The commands of `faqbot` (bot/runtime/cli.py) that need the bot: chat, ask, eval, serve, faq
reload|versions|rollback|status|export|gaps|drafts, tickets, privacy erase."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from redis.exceptions import RedisError

from bot.admin.commands import Outcome
from bot.core.models import ALL_PLATFORMS, ConversationKey, IncomingMessage, MessageKind, Reply
from bot.knowledge.evaluation import EvalReport, evaluate, load_cases, unknown_expectations
from bot.runtime.app import App, RedisUnreachable, build_app, build_evaluation, check_redis
from bot.runtime.settings import Settings, SettingsError
from bot.state.tickets import TicketError
from faq.models import FaqLoadError
from faq.records import to_yaml

log = logging.getLogger(__name__)

# Commands that only make sense on the Redis the bots share (an in-process store would be empty),
# by (command, faq subcommand), and what they find there.
SHARED_STORE: dict[tuple[str, str | None], str] = {
    ("tickets", None): "tickets live",
    ("privacy", None): "what is kept about people lives",
    ("faq", "gaps"): "the FAQ-gap log lives",
    ("faq", "drafts"): "drafts live",
    ("faq", "status"): "the bots' counters live",
    **{("faq", name): "FAQ versions live" for name in ("reload", "versions", "rollback", "export")},
}
# Commands that route no question: those on what the bots share, but for reload and rollback,
# which check the golden questions.
ANSWERS_NOTHING = SHARED_STORE.keys() - {("faq", "reload"), ("faq", "rollback")}
# A refused command (refused, failed, not found) exits 1, a mistyped one 2, as argparse's errors.
EXIT_CODES = {Outcome.DONE: 0, Outcome.REFUSED: 1, Outcome.USAGE: 2}


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run a command that needs the bot (every one but `faq check`)."""
    if args.command == "eval":
        return asyncio.run(_eval(settings, args))
    need = SHARED_STORE.get((args.command, getattr(args, "faq_command", None)))
    if need and not settings.REDIS_URL:
        print(f"REDIS_URL is not set: {need} in the Redis the bots share; set it.", file=sys.stderr)
        return 2
    try:
        asyncio.run(check_redis(settings))
    except RedisUnreachable as exc:
        if args.command != "serve":
            print(exc, file=sys.stderr)
            return 2
        # A server keeps answering without Redis (extractively if need be) and says on /readyz
        # that it is not ready, so an orchestrator waits for it instead of restarting it.
        log.warning("%s; serving anyway, not ready (/readyz) until it answers", exc)
    if (args.command, getattr(args, "faq_command", None)) in ANSWERS_NOTHING:
        # It loads the FAQ like any bot but asks it nothing: no sentence encoder, whose model
        # takes seconds to load.
        settings = settings.model_copy(update={"SEMANTIC_SEARCH": "off"})
    command: Callable[[App], Awaitable[int]] = {
        "chat": _chat,
        "ask": lambda app: _ask(app, args),
        "serve": _serve,
        "tickets": lambda app: _tickets(app, args),
        "faq": lambda app: _faq(app, args),
        "privacy": lambda app: _privacy(app, args),
    }[args.command]
    try:
        app = build_app(settings, faq_path=getattr(args, "faq", None))
    except FaqLoadError as exc:
        print(f"the FAQ has {len(exc.errors)} error(s):\n{exc}", file=sys.stderr)
        return 1
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(app, command))
    except KeyboardInterrupt:  # Ctrl-C in `faqbot chat`; `serve` handles SIGINT itself
        return 130
    except RedisError as exc:  # it answered the check above, then went away
        print(f"Redis (REDIS_URL) failed during the command: {exc}", file=sys.stderr)
        return 2


async def _run(app: App, command: Callable[[App], Awaitable[int]]) -> int:
    try:
        return await command(app)
    finally:
        await app.close()


async def _faq(app: App, args: argparse.Namespace) -> int:
    if args.faq_command == "export":
        return await _export(app, args.path)
    # They compare with, diff against or report the live version: this process loads it first.
    if args.faq_command in ("reload", "rollback", "status"):
        await app.start(follow=False)
    words, local_path = _as_chat_command(args)
    operator = getattr(args, "by", None) or _operator()
    message = IncomingMessage(
        key=ConversationKey("cli", "local", "admin"),
        message_id="",
        user_id=operator,
        user_name=operator,
        text=" ".join(words),
        kind=MessageKind.COMMAND,
    )
    result = await app.admin.execute(message, local_path=local_path)
    print(result.text, file=sys.stdout if result.outcome is Outcome.DONE else sys.stderr)
    return EXIT_CODES[result.outcome]


def _as_chat_command(args: argparse.Namespace) -> tuple[list[str], Path | None]:
    """The words of the chat's `/faq ...` for `faqbot faq ...`, and the FAQ path on this machine
    `reload` is given, which no chat message can give."""
    name = args.faq_command
    if name == "reload":
        source: str | None = args.source
        url = source is not None and source.startswith(("https://", "http://"))
        words = [name, *([source] if url else []), *(["--force"] if args.force else [])]
        return words, Path(source) if source is not None and not url else None
    optional = {
        "rollback": ("version",),
        "gaps": ("days",),
        "drafts": ("action", "id"),
    }.get(name, ())
    values = (getattr(args, field) for field in optional)
    return [name, *(str(value) for value in values if value is not None)], None


async def _export(app: App, path: Path) -> int:
    versions = app.publisher.versions
    live = await versions.live_id()
    if live is None:
        print("No FAQ version is live yet: nothing to export.", file=sys.stderr)
        return 1
    try:
        entries = await versions.entries(live)
    except FaqLoadError as exc:
        print(f"the live version cannot be read:\n{exc}", file=sys.stderr)
        return 1
    try:
        await asyncio.to_thread(path.write_text, to_yaml(entries), encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{path}: version {live}, {len(entries)} entries")
    return 0


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def _eval(settings: Settings, args: argparse.Namespace) -> int:
    try:
        cases = load_cases(args.dataset)
        evaluation = build_evaluation(settings, args.faq, use_llm=args.llm)
    except FaqLoadError as exc:
        print(f"{len(exc.errors)} error(s):\n{exc}", file=sys.stderr)
        return 1
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        index = evaluation.faq.index
        unknown = unknown_expectations(cases, index, args.dataset)
        if unknown:
            print(f"{len(unknown)} error(s):", *unknown, sep="\n", file=sys.stderr)
            return 1
        if args.limit is not None:
            cases = cases[: max(args.limit, 0)]
        bar = _ProgressBar(len(cases)) if sys.stderr.isatty() else None
        report = await evaluate(evaluation.router, index, cases, bar)
        if bar is not None:
            bar.close()
    finally:
        await evaluation.close()
    about = {
        "dataset": str(args.dataset),
        "faq": str(evaluation.faq.path),
        "entries": len(index),
        "search": index.mode,
        "answerer": evaluation.router.answerer.mode,
        "threshold": (
            index.threshold if settings.ANSWER_THRESHOLD is None else settings.ANSWER_THRESHOLD
        ),
    }
    if args.json:
        print(json.dumps(_report_json(about, report), ensure_ascii=False, indent=2))
    else:
        print(_report_table(about, report))
    return 0


class _ProgressBar:
    """A one-line bar on stderr, redrawn in place; only drawn on a terminal."""

    _WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total = total

    def __call__(self, done: int) -> None:
        filled = self._WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "." * (self._WIDTH - filled)
        print(f"\r[{bar}] {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        print(file=sys.stderr)


def _report_json(about: dict[str, object], report: EvalReport) -> dict[str, object]:
    return {
        "summary": {**about, **report.summary()},
        "misses": [
            {
                "line": r.case.line,
                **({"after": r.case.after} if r.case.after else {}),
                "question": r.case.question,
                "expected": r.case.expected,
                "routed": r.routed,
                "ranked": list(r.ranked),
                "suggested": list(r.suggested),
                "confidence": round(r.confidence, 4),
            }
            for r in report.misses()
        ],
    }


def _report_table(about: dict[str, object], report: EvalReport) -> str:
    s = report.summary()
    rows = [
        ("top-1 routing accuracy", _percent(report.top1), "answerable: first entry right"),
        ("top-3 routing accuracy", _percent(report.top3), "answerable: right entry in top 3"),
        (
            "suggested on a miss",
            _percent(report.suggested_right),
            "answerable: not answered, the right entry suggested",
        ),
        ("escalation recall", _percent(report.escalation_recall), "unanswerable handed over"),
        ("false escalation rate", _percent(report.false_escalation_rate), "answerable handed over"),
        ("hand-off recall", _percent(s["hand_off_recall"]), "requests for a person handed over"),
        ("small talk recall", _percent(s["small_talk_recall"]), "chat answered as chat"),
        ("overall accuracy", _percent(report.accuracy), "every case routed as labelled"),
        ("latency p50", f"{s['latency_p50_ms']:.1f} ms", "per question"),
        ("latency p99", f"{s['latency_p99_ms']:.1f} ms", "per question"),
    ]
    head = [
        f"dataset: {about['dataset']} ({s['questions']} questions: "
        f"{s['answerable']} answerable, {s['unanswerable']} to escalate, "
        f"{s['hand_offs']} asking for a person, {s['small_talk']} small talk)",
        f"faq: {about['faq']} ({about['entries']} entries), search: {about['search']}, "
        f"answerer: {about['answerer']}, threshold: {about['threshold']}",
        "",
    ]
    body = [f"{name:<24} {value:>9}  {note}" for name, value, note in rows]
    misses = report.misses()
    listed = [
        "",
        f"misses ({len(misses)}): line, question, expected, got, confidence",
        *(
            f"  {r.case.line}: "
            + (f"(after {r.case.after!r}) " if r.case.after else "")
            + f"{r.case.question} | expected {r.case.expected} | got {r.routed}"
            + (f" (suggested {', '.join(r.suggested)})" if r.suggested else "")
            + f" | {r.confidence:.2f}"
            for r in misses
        ),
    ]
    return "\n".join(head + body + (listed if misses else []))


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


async def _chat(app: App) -> int:
    from handlers.terminal import chat

    await app.start()
    # The operator is the customer ("you") and, for the session's tickets, their agent.
    await chat(app.engine, agent="agent")
    return 0


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.questions:
        yield from args.questions
    else:
        for line in sys.stdin:
            if line.strip():
                yield line.rstrip("\n")


async def _ask(app: App, args: argparse.Namespace) -> int:
    if args.faq is None:  # `--faq` asks a FAQ of one's own, not the live one
        await app.start(follow=False)
    for question in _questions(args):
        conversation = args.user or uuid.uuid4().hex[:12]
        message = IncomingMessage(
            key=ConversationKey("cli", "local", conversation),
            message_id="",
            user_id=args.user or "cli",
            user_name=args.user or "cli",
            text=question,
            is_direct=True,
        )
        reply = await app.engine.handle(message)
        print(
            json.dumps(_as_json(question, reply), ensure_ascii=False)
            if args.json
            else _as_text(reply),
            flush=True,
        )
    return 0


def _as_json(question: str, reply: Reply) -> dict[str, object]:
    return {
        "question": question,
        "text": reply.text,
        "sources": reply.source_ids,
        "escalated": reply.escalated,
        "ticket_id": reply.ticket.id if reply.ticket else None,
        "confidence": round(reply.confidence, 4),
    }


def _as_text(reply: Reply) -> str:
    sources = f"\n  sources: {', '.join(reply.source_ids)}" if reply.sources else ""
    return f"{reply.text}{sources}\n"


async def _serve(app: App) -> int:
    from bot.runtime.server import serve

    return await serve(app)


async def _tickets(app: App, args: argparse.Namespace) -> int:
    try:
        if args.tickets_command == "list":
            tickets = await app.tickets.list(include_resolved=args.all)
            for t in tickets:
                print(
                    "\t".join(
                        [
                            t.id,
                            t.status,
                            t.claimed_by or "-",
                            t.user_name or t.user_id,
                            t.question[:70],
                        ]
                    )
                )
            if not tickets:
                print("no tickets")
        elif args.tickets_command == "show":
            t = await app.tickets.get(args.id)
            print(f"{t.id} [{t.status}] {t.key.platform} {t.key.redis_key}")
            print(
                f"customer: {t.user_name or t.user_id}\nreason: {t.reason}\nquestion: {t.question}"
            )
            if t.claimed_by:
                print(f"claimed by: {t.claimed_by}")
            for role, text in t.transcript:
                print(f"  {role}: {text}")
        elif args.tickets_command == "claim":
            t = await app.engine.claim(args.id, args.agent)
            print(f"{t.id} claimed by {t.claimed_by}")
        else:
            t = await app.engine.resolve(args.id, args.agent)
            print(f"{t.id} resolved")
    except TicketError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


async def _privacy(app: App, args: argparse.Namespace) -> int:
    platforms = [args.platform] if args.platform else list(ALL_PLATFORMS)
    found = False
    for platform in platforms:
        erasure = await app.privacy.erase(args.user, platform)
        if erasure.found:
            found = True
            parts = erasure.removed()
            print(f"erased {platform} user {args.user}: {', '.join(parts)}")
    if not found:
        print(f"nothing stored for {args.user}")
    return 0
