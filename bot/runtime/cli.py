"""The `faqbot` command line: chat, ask, eval, serve, faq check|reload|versions|rollback|status|
export|gaps|drafts, tickets, privacy erase. The commands themselves are in
bot/runtime/cli_commands.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.admin.registry import COMMANDS_BY_NAME
from bot.core.models import ALL_PLATFORMS
from bot.runtime.logs import configure_logging
from bot.runtime.settings import SettingsError, load_settings
from faq.loaders import load_faq
from faq.models import FaqLoadError

# The admin commands (bot/admin/registry.py) `faqbot faq` runs, as the chat runs them: `help` is
# -h here, and `faqbot tickets` handles tickets one by one.
FAQ_ADMIN_COMMANDS = ("reload", "versions", "rollback", "status", "gaps", "drafts")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(
        settings.LOG_LEVEL if args.command == "serve" else "WARNING", settings.LOG_FORMAT
    )
    if args.command == "faq" and args.faq_command == "check":
        return faq_check(Path(args.path))
    # Every other command needs the whole bot (Redis, the LLM client, the platforms), whose
    # imports take seconds: `faq check`, which logs nothing about anyone, must not wait for them
    # nor for the redactor's phone-number and ID tables.
    from bot.runtime.cli_commands import run
    from bot.safety.redact import install_log_redaction

    install_log_redaction()

    return run(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faqbot", description="A customer-service bot that answers from your FAQ."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="talk to the bot in the terminal")
    ask = sub.add_parser("ask", help="ask questions (arguments, or one per line on stdin)")
    ask.add_argument("questions", nargs="*", metavar="QUESTION")
    ask.add_argument("--json", action="store_true", help="one JSON object per line")
    ask.add_argument("--faq", type=Path, help="FAQ file or folder (default: FAQ_PATH)")
    ask.add_argument("--user", help="keep one conversation for this user id across questions")
    evaluation = sub.add_parser(
        "eval", help="measure routing on labelled questions; nothing is stored or sent"
    )
    evaluation.add_argument(
        "dataset",
        type=Path,
        help="YAML or JSONL of {question, expected[, after]}: expected an entry id, escalate, "
        "human or small_talk; after, the message before a follow-up",
    )
    evaluation.add_argument("--faq", type=Path, help="FAQ file or folder (default: FAQ_PATH)")
    evaluation.add_argument("--json", action="store_true", help="summary and misses as JSON")
    evaluation.add_argument(
        "--llm", action="store_true", help="answer with Claude (costs money; default: extractive)"
    )
    evaluation.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    sub.add_parser("serve", help="run the configured platforms and the HTTP endpoints")
    faq = sub.add_parser("faq", help="FAQ tools")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    check = faq_sub.add_parser("check", help="Validate a FAQ file or folder")
    check.add_argument("path")
    admin = {name: _admin_command(faq_sub, name) for name in FAQ_ADMIN_COMMANDS}
    admin["reload"].add_argument(
        "source",
        nargs="?",
        metavar="PATH",
        help="FAQ file or folder, or an https URL (default: FAQ_PATH)",
    )
    admin["reload"].add_argument(
        "--force", action="store_true", help="publish even if golden questions route worse"
    )
    admin["rollback"].add_argument(
        "version", nargs="?", help="version id or prefix (default: previous)"
    )
    admin["gaps"].add_argument("--days", type=int, help="how far back (default: 7)")
    admin["drafts"].add_argument("action", nargs="?", choices=("show", "approve", "drop"))
    admin["drafts"].add_argument("id", nargs="?", help="draft id, like D-3")
    admin["drafts"].add_argument("--by", metavar="NAME", help="who decides (default: your login)")
    export = faq_sub.add_parser("export", help="Write the live FAQ version as YAML")
    export.add_argument("path", type=Path)
    tickets = sub.add_parser("tickets", help="list and handle tickets")
    tickets_sub = tickets.add_subparsers(dest="tickets_command", required=True)
    listing = tickets_sub.add_parser("list", help="open and claimed tickets")
    listing.add_argument("--all", action="store_true", help="include resolved tickets")
    for name in ("show", "claim", "resolve"):
        one = tickets_sub.add_parser(name)
        one.add_argument("id")
        if name != "show":
            one.add_argument("--agent", default="cli", help="who is acting (default: cli)")
    privacy = sub.add_parser("privacy", help="personal data")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True)
    erase = privacy_sub.add_parser(
        "erase", help="delete one person's conversations, tickets, feedback and usage records"
    )
    erase.add_argument("user", metavar="USER", help="the person's platform user id")
    erase.add_argument(
        "--platform",
        choices=ALL_PLATFORMS,
        help="the platform of USER (default: every platform)",
    )
    return parser


def _admin_command(
    faq_sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str
) -> argparse.ArgumentParser:
    """`faqbot faq NAME`, named and described as the chat's `/faq NAME`."""
    command = COMMANDS_BY_NAME[name]
    return faq_sub.add_parser(
        name, help=command.summary, description=command.detail or command.summary
    )


def faq_check(path: Path) -> int:
    try:
        entries = load_faq(path)
    except FaqLoadError as exc:
        for error in exc.errors:
            print(error)
        print(f"{len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{path}: {len(entries)} entries, no errors")
    return 0
