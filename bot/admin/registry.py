"""The admin commands, listed once for every surface: chat's `/faq help`, Slack's /faq, Discord's
/faq subcommands (whose descriptions are `summary`, at most 100 characters) and `faqbot faq`.

Apart from their execution (bot/admin/commands.py) so that the command line builds its parser
without loading the bot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AdminCommand:
    name: str
    usage: str
    summary: str
    detail: str = ""


ADMIN_COMMANDS = (
    AdminCommand(
        "reload",
        "reload [URL] [--force]",
        "Publish the FAQ (FAQ_PATH, a file or an https URL) after checking it",
        "Publish the FAQ (FAQ_PATH, an attached file, or an https URL; `faqbot faq reload` also "
        "takes a local PATH) for every bot process, after validating it and checking the golden "
        "questions still route as well; --force skips that check. The live FAQ stays when it is "
        "refused.",
    ),
    AdminCommand("versions", "versions", "The FAQ versions published, newest first"),
    AdminCommand(
        "rollback",
        "rollback [VERSION]",
        "Make an earlier FAQ version live again (default: the previous one)",
        "Make an earlier version live again (default: the one before the live one)",
    ),
    AdminCommand("status", "status", "FAQ version and size, answer mode, counters"),
    AdminCommand("tickets", "tickets", "Open and claimed tickets"),
    AdminCommand(
        "gaps",
        "gaps [DAYS]",
        "Questions the FAQ could not answer, grouped",
        "Questions of the last DAYS (default 7) the FAQ failed, grouped, most frequent first",
    ),
    AdminCommand(
        "drafts",
        "drafts [show ID | approve ID | drop ID]",
        "Draft entries from agents' answers: list, show ID, approve ID, drop ID",
        "FAQ entries drafted from agents' answers, in full; show one, approve it for the next "
        "version, or drop it",
    ),
    AdminCommand("help", "help", "The admin commands", "This list"),
)
COMMANDS_BY_NAME = {command.name: command for command in ADMIN_COMMANDS}
HELP = "Admin commands:\n" + "\n".join(
    f"• {command.usage}: {command.detail or command.summary}" for command in ADMIN_COMMANDS
)
