"""Clean what customers type before the core reads it, and defuse what the bot repeats."""

from __future__ import annotations

import re
import unicodedata

_MASS_MENTION_RE = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_PLATFORM_MENTION_RE = re.compile(r"<(!|@[!&]?|#)([^>]*)>")


def clean_text(text: str) -> str:
    """Drop control and invisible format characters (zero-width, bidi overrides); keep lines."""
    if text.isprintable():
        # No control, format or separator character but the space, so no line break either:
        # most messages, spared the character-by-character pass.
        return " ".join(text.split())
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(ch)
        elif category in ("Cc", "Cf", "Co", "Cs"):
            continue
        else:
            kept.append(ch)
    lines = (" ".join(line.split()) for line in "".join(kept).splitlines())
    return "\n".join(line for line in lines if line).strip()


def defuse_mentions(text: str) -> str:
    """Echoed text must not ping anyone: break @everyone/@here/@channel and <@...> syntax."""
    text = _MASS_MENTION_RE.sub(lambda m: "@\u200b" + m.group(1), text)
    return _PLATFORM_MENTION_RE.sub(lambda m: "<\u200b" + m.group(1) + m.group(2) + ">", text)


def strip_mentions(text: str) -> str:
    """Text with its mentions (@everyone/@here/@channel, <@...>, <#...>, <!...>) left out.

    Repeated until nothing changes: removing one ("@every<@U1>one") can join the pieces of
    another."""
    while True:
        stripped = _PLATFORM_MENTION_RE.sub("", _MASS_MENTION_RE.sub("", text))
        if stripped == text:
            return text
        text = stripped


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word to at most `limit` characters (an ellipsis included)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", 0, limit)
    return line[: cut if cut > 0 else limit - 1].rstrip(" ,;:") + "…"
