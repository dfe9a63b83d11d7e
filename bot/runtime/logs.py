"""The one place logging is configured, and the conversation context every log line carries.

The engine sets `conversation` and `ticket` per message (context variables follow each message's
task), so a line logged anywhere while a message is handled names them, in text or JSON.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

conversation_var: ContextVar[str | None] = ContextVar("conversation", default=None)
ticket_var: ContextVar[str | None] = ContextVar("ticket", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"


@contextlib.contextmanager
def conversation_context(conversation: str) -> Iterator[None]:
    """Log lines inside name this conversation; the ticket is set once one is known."""
    conversation_token = conversation_var.set(conversation)
    ticket_token = ticket_var.set(None)
    try:
        yield
    finally:
        ticket_var.reset(ticket_token)
        conversation_var.reset(conversation_token)


def set_ticket(ticket_id: str | None) -> None:
    if ticket_id:
        ticket_var.set(ticket_id)


class ContextFilter(logging.Filter):
    """Copies the conversation and ticket of the current message onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = {"conversation": conversation_var.get(), "ticket": ticket_var.get()}
        for name, value in fields.items():
            setattr(record, name, value)
        known = [f"{name}={value}" for name, value in fields.items() if value]
        record.context = f" [{' '.join(known)}]" if known else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, conversation and ticket when known."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("conversation", "ticket"):
            value = getattr(record, name, None)
            if value:
                line[name] = value
        # A filter may have formatted (and redacted) the exception already: use its text.
        if record.exc_text:
            line["exception"] = record.exc_text
        elif record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, log_format: Literal["text", "json"]) -> None:
    """Send every log record to stderr in the chosen format (replacing earlier configuration)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    # The handler filters too: libraries that set their own loggers' levels on import cannot
    # print below the chosen level.
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
    # A line per HTTP request (every Slack event, every health probe) only when debugging: the
    # bot logs what it did with each message, and formatting these cost more CPU per event than
    # slack-bolt's own dispatch (bench/slack.py).
    access = logging.DEBUG if logging.getLevelName(level) == logging.DEBUG else logging.WARNING
    logging.getLogger("aiohttp.access").setLevel(access)
