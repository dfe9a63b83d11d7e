"""What an LLM wrote is checked before a customer sees it.

The customer's text reaches the model as data, but a model can still be talked into things. So the
answer itself is checked against what the bot gave it: a reply that repeats the instructions or
states figures, personal data or secrets that no cited FAQ entry contains is refused (the caller
falls back to the extractive answer or a ticket), and links, domains and mentions that did not
come from the cited entries are taken out.

Each check reads the answer the way someone bent on slipping something past it would write it:
instructions with the words joined or split by invisible characters, figures spelled out in
English or French, a figure dressed as a list marker, a domain without a scheme.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

from publicsuffixlist import PublicSuffixList
from text_to_num import alpha2digit

from bot.safety.redact import Redactor
from bot.safety.sanitize import defuse_mentions
from faq.models import FaqEntry

# Forty letters in a row from the instructions (about eight words), once spaces and punctuation
# are gone, are a quotation, not a coincidence.
_QUOTE_CHARS = 40
# Invisible characters an answer has no use for; joiners stay (emoji sequences, Persian script).
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")
# Blank "letters" (Hangul fillers) that split words as invisibly as a zero-width space.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_BARE_URL = (
    r"(?:https?://|www\.)[^\s<>()\[\]\"'`]+"
    # A domain with a path, which chat clients turn into a link even without a scheme.
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>()\[\]\"'`]*"
    # A bare domain ("refunds-now.com"): a link too when its suffix is a real one, which the
    # public suffix list decides (so "e.g." or "report.pdf" are left alone).
    r"|(?<![^\W_])(?<![@.-])"
    r"(?P<domain>(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_](?:[\w-]*[^\W_])?)"
    r"(?![^\W_])(?![@-])"
)
_URL = re.compile(_BARE_URL, re.IGNORECASE)
# Names reserved for documentation and tests (RFC 2606), absent from the public suffix list but
# still someone else's host when an answer names one.
_RESERVED_SUFFIXES = frozenset({"example", "test", "invalid", "localhost"})
_LINK = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\([^)]*\)"
    r"|\[(?P<label>[^\]]*)\]\((?P<href>[^)\s]*)[^)]*\)"
    r"|<(?P<target>(?:https?|mailto):[^|>\s]*)(?:\|(?P<text>[^>]*))?>"
    rf"|(?P<bare>{_BARE_URL})",
    re.IGNORECASE,
)
# A number as a figure: "30 days", "100%", "$9.99", "1,000", "10 000"; not the 2 of "2FA".
# Units a figure is glued to ("50GB", "45k", "30days") keep it a figure.
_UNITS = (
    r"k|m|bn|[kmgt]i?b|[kmgt]o|x|h|hrs?|min|mins|sec|secs|ms|days?|jours?|j|weeks?|wks?|months?"
    r"|mois|years?|yrs?|ans?|usd|eur|gbp"
)


def _figure_pattern(units: str) -> re.Pattern[str]:
    return re.compile(
        # Atomic: "45k" is the figure 45, not the 4 in front of a "5" that no letter follows.
        r"(?<![\w.,])(?>\d+(?:(?:[.,]|[ \u00a0\u202f](?=\d{3}(?!\d)))\d+)*)"
        rf"(?:(?![A-Za-z])|(?=(?i:{units})(?![A-Za-z])))"
    )


_FIGURE = _figure_pattern(_UNITS)
# A written "45th" is a figure; "fourth" read as "4th" is the order of a step.
_WRITTEN_FIGURE = _figure_pattern(_UNITS + "|th")
# Step numbers alpha2digit leaves as words (below _SPELLED_FROM).
_STEP_WORDS = {"one": 1, "first": 1, "un": 1, "une": 1, "two": 2, "second": 2, "deux": 2}
# A marker introduces a step, never a quantity: "3. days" is the figure 3.
_QUANTITY = (
    r"(?:days?|jours?|hours?|heures?|minutes?|weeks?|semaines?|months?|mois|years?|ans?|%"
    r"|percent|pour\s*cent|dollars?|euros?|usd|eur|gb|tb|mb|go|to|mo|times|fois)\b"
)
# "1.", "2)", "(3)", "4\ufe0f\u20e3" before a step, or "Step 5"; a list marker only when it
# continues a list (below).
_MARKER = re.compile(
    r"(?:^|(?<=[\s*_(]))(?:(?P<number>\d{1,2})(?:[.)]|\ufe0f?\u20e3)(?=[\s*_])"
    rf"|(?:step|étape)\s+(?P<step>\d{{1,2}}|{'|'.join(_STEP_WORDS)})\b)"
    rf"(?![\s*_.:)]*{_QUANTITY})",
    re.MULTILINE | re.IGNORECASE,
)
# Cyrillic and Greek letters drawn like Latin ones, which a leak can swap in.
_LOOKALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u051b\u051d\u03bf\u03b1\u03bd",
    "aeopcyxijsdhqwoav",
)
_PER_CENT = re.compile(r"\b(?:pour|per)[\s-]+cent\b", re.IGNORECASE)
# A lone number word is read as a figure from three up: "one" and "un" are articles as often as
# figures, and "two" or "les deux" say "both" as often as they state a quantity.
_SPELLED_FROM = 3


class UnsafeAnswer(Exception):
    """The answer must not reach the customer; the message says why (for the log)."""


def _visible(text: str) -> str:
    """`text` without zero-width spaces, soft hyphens, bidi controls and other invisible marks."""
    return "".join(
        ch
        for ch in text
        if (unicodedata.category(ch) != "Cf" or ch in _KEPT_FORMAT_CHARS)
        and ch not in _BLANK_LETTERS
    )


def _letters(text: str) -> str:
    """Only the letters and digits of `text`, case folded: the same words however joined, split,
    spaced, hyphenated or punctuated."""
    folded = unicodedata.normalize("NFKC", html.unescape(text)).casefold().translate(_LOOKALIKES)
    return "".join(ch for ch in folded if ch.isalnum())


def _quotes(letters: str) -> set[str]:
    return {letters[i : i + _QUOTE_CHARS] for i in range(len(letters) - _QUOTE_CHARS + 1)}


def _list_markers(text: str) -> list[tuple[int, int]]:
    """Where the numbers that mark list items are. A list counts 1, 2, 3 and either opens a line
    or has at least two items; any other number is a figure, so "Refunds take:\n45. days" cannot
    pass 45 off as an item."""
    lists: list[list[tuple[int, int, int]]] = []
    for match in _MARKER.finditer(text):
        group = "number" if match["number"] else "step"
        value = match[group]
        number = int(value) if value.isdigit() else _STEP_WORDS[value.casefold()]
        item = (number, *match.span(group))
        if number == 1:
            lists.append([item])
        elif lists and number == lists[-1][-1][0] + 1:
            lists[-1].append(item)
    spans: list[tuple[int, int]] = []
    for items in lists:
        opens_a_line = not text[: items[0][1]].rpartition("\n")[2].strip(" \t*_>-#")
        if opens_a_line or len(items) > 1:
            spans += [(start, end) for _, start, end in items]
    return spans


def _figures(text: str) -> set[str]:
    """The figures `text` states, as digits: "thirty", "trente" and "30" are one figure, and so
    are "1,000" and "1 000"."""
    text = _PER_CENT.sub("%", text)
    spelled = text
    for language in ("en", "fr"):
        spelled = alpha2digit(spelled, language, threshold=_SPELLED_FROM)
    return _found(_WRITTEN_FIGURE, text) | _found(_FIGURE, spelled)


def _found(figure: re.Pattern[str], text: str) -> set[str]:
    for start, end in reversed(_list_markers(text)):
        text = text[:start] + text[end:]
    return {str(int(re.sub(r"\D", "", found))) for found in figure.findall(text)}


def _normal_url(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold())
    return url.rstrip(".,;:!?*_/")


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    """The list ships inside its package (nothing is downloaded); read once per process, on
    first use, since every answerer reads the same one."""
    return PublicSuffixList()


class OutputGuard:
    def __init__(self, instructions: Iterable[str], redactor: Redactor) -> None:
        self._instructions = set().union(*(_quotes(_letters(text)) for text in instructions))
        self.redactor = redactor
        self._suffixes = _public_suffixes()

    def check(self, answer: str, cited: Iterable[FaqEntry]) -> str:
        """The answer as the customer may see it; raises UnsafeAnswer when it must not be sent."""
        entries = list(cited)
        grounds = "\n".join(
            part for e in entries for part in (e.question, e.answer, *e.alternates, *e.links)
        )
        answer = _visible(answer)
        # What the entries themselves say may be repeated, even where the instructions say it too.
        grounded = _letters(grounds)
        if any(q not in grounded for q in _quotes(_letters(answer)) & self._instructions):
            raise UnsafeAnswer("the answer quotes the bot's instructions")
        # The figures themselves are not named: they may be a customer's number.
        if _figures(answer) - _figures(grounds):
            raise UnsafeAnswer("the answer states figures no cited entry has")
        # The model never saw personal data or secrets (the prompt is redacted), so any in its
        # answer that the cited entries lack were made up or smuggled in.
        if self.redactor.redact(answer, keep=grounds) != answer:
            raise UnsafeAnswer("the answer has personal data or secrets no cited entry has")
        allowed = {_normal_url(match[0]) for match in _URL.finditer(grounds)}
        # The company's own domain may be named bare wherever the entries link to it.
        allowed |= {re.split(r"[/:?#]", url, maxsplit=1)[0] for url in allowed}
        text = defuse_mentions(self._strip_links(answer, allowed)).strip()
        if not text:
            raise UnsafeAnswer("nothing is left of the answer once cleaned")
        return text

    def _is_domain(self, host: str) -> bool:
        host = host.casefold()
        if host.rpartition(".")[2] in _RESERVED_SUFFIXES:
            return True
        return self._suffixes.privatesuffix(host, accept_unknown=False) is not None

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
            domain = match.group("domain")
            if domain is not None and not self._is_domain(domain):
                return url
            trailing = url[len(url.rstrip(".,;:!?*_")) :]
            return url if _normal_url(url) in allowed else trailing

        # Twice: a link's label may itself be a URL, which chat clients would link again.
        return _LINK.sub(replace, _LINK.sub(replace, text))
