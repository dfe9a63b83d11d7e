"""What an LLM wrote is checked before a customer sees it.

The customer's text reaches the model as data, but a model can still be talked into things. So the
answer itself is checked against what the bot gave it: a reply that repeats the instructions or
states figures, personal data or secrets that no cited FAQ entry contains is refused (the caller
falls back to the extractive answer or a ticket), and links and mentions that did not come from
the cited entries are taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.redact import Redactor
from bot.sanitize import defuse_mentions
from faq.models import FaqEntry

# Eight words in a row from the instructions are a quotation, not a coincidence.
_SHINGLE_WORDS = 8
_WORD = re.compile(r"\w+")
_BARE_URL = (
    r"(?:https?://|www\.)[^\s<>()\[\]\"'`]+"
    # A domain with a path, which chat clients turn into a link even without a scheme.
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>()\[\]\"'`]*"
)
_URL = re.compile(_BARE_URL, re.IGNORECASE)
_LINK = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\([^)]*\)"
    r"|\[(?P<label>[^\]]*)\]\((?P<href>[^)\s]*)[^)]*\)"
    r"|<(?P<target>(?:https?|mailto):[^|>\s]*)(?:\|(?P<text>[^>]*))?>"
    rf"|(?P<bare>{_BARE_URL})",
    re.IGNORECASE,
)
# A number as a figure: "30 days", "100%", "$9.99", "1,000"; not the 2 of "2FA".
_FIGURE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![A-Za-z])")
# "1." or "2)" opening a line is a list marker, not a claim.
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)


class UnsafeAnswer(Exception):
    """The answer must not reach the customer; the message says why (for the log)."""


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + _SHINGLE_WORDS]) for i in range(len(words) - _SHINGLE_WORDS + 1)}


def _figures(text: str) -> set[str]:
    return {re.sub(r"\D", "", figure) for figure in _FIGURE.findall(_LIST_MARKER.sub("", text))}


def _normal_url(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold())
    return url.rstrip(".,;:!?*_/")


class OutputGuard:
    def __init__(self, instructions: Iterable[str], redactor: Redactor) -> None:
        self._instructions = set().union(*(_shingles(text) for text in instructions))
        self.redactor = redactor

    def check(self, answer: str, cited: Iterable[FaqEntry]) -> str:
        """The answer as the customer may see it; raises UnsafeAnswer when it must not be sent."""
        entries = list(cited)
        grounds = "\n".join(
            part for e in entries for part in (e.question, e.answer, *e.alternates, *e.links)
        )
        if _shingles(answer) & self._instructions:
            raise UnsafeAnswer("the answer quotes the bot's instructions")
        # The figures themselves are not named: they may be a customer's number.
        if _figures(answer) - _figures(grounds):
            raise UnsafeAnswer("the answer states figures no cited entry has")
        # The model never saw personal data or secrets (the prompt is redacted), so any in its
        # answer that the cited entries lack were made up or smuggled in.
        if self.redactor.redact(answer, keep=grounds) != answer:
            raise UnsafeAnswer("the answer has personal data or secrets no cited entry has")
        allowed = {_normal_url(url) for url in _URL.findall(grounds)}
        text = defuse_mentions(self._strip_links(answer, allowed)).strip()
        if not text:
            raise UnsafeAnswer("nothing is left of the answer once cleaned")
        return text

    def _strip_links(self, text: str, allowed: set[str]) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group("alt") is not None:
                # An image is fetched as soon as it is shown, which is how an injected prompt
                # smuggles data out; answers never need one.
                return match.group("alt")
            if match.group("label") is not None:
                keep = _normal_url(match.group("href")) in allowed
                return match.group(0) if keep else match.group("label")
            if match.group("target") is not None:
                keep = _normal_url(match.group("target")) in allowed
                return match.group(0) if keep else match.group("text") or ""
            url = match.group("bare")
            trailing = url[len(url.rstrip(".,;:!?*_")) :]
            return url if _normal_url(url) in allowed else trailing

        # Twice: a link's label may itself be a URL, which chat clients would link again.
        return _LINK.sub(replace, _LINK.sub(replace, text))
