"""Personal data and secrets out of what leaves the bot: the LLM's prompt and the logs.

Each kind is found by a pattern and then confirmed (Luhn for cards, mod-97 for IBANs, shape and
context for phone numbers, character mix and entropy for tokens), so that order numbers, dates,
prices, versions and ticket ids stay readable. The ticket agents read keeps the original text:
they need it, and it never leaves the company's own systems.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "iban": "[iban]",
    "secret": "[secret]",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


# --- secrets -------------------------------------------------------------------------------

# Tokens whose shape alone says what they are, so no entropy test is needed.
_KNOWN_TOKENS = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"
    r"|\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|\bwhsec_[A-Za-z0-9]{20,}"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"
    r"|\bxapp-[A-Za-z0-9-]{10,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{30,}"
    r"|\bglpat-[A-Za-z0-9_-]{20,}"
    r"|\bnpm_[A-Za-z0-9]{30,}"
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"
    r"|\bAIza[A-Za-z0-9_-]{35}"
    r"|\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{20,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    # Discord bot tokens: base64 user id, timestamp, HMAC.
    r"|\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}"
)
# A value given for a credential-like name; only the value (group "value") is redacted.
_ASSIGNED = re.compile(
    r"(?i)\b(?:password|passwd|pwd|passphrase|mot de passe|api[_ -]?key|apikey|secret"
    r"|client[_-]?secret|access[_-]?key|auth[_-]?token|access[_-]?token|token)\s*[:=]\s*[\"']?"
    r"(?P<value>[^\s\"']+)"
    r"|(?i:[?&](?:token|key|api_key|apikey|access_token|secret|sig|signature|password|auth)=)"
    r"(?P<query>[^\s\"'&#]+)"
    r"|(?i:\bbearer\s+)(?P<bearer>[A-Za-z0-9._~+/-]+=*)"
)
_TOKEN = re.compile(r"(?<![\w/.+=-])[A-Za-z0-9_+/=-]{20,}(?![\w/=-])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(token: str) -> bool:
    """Random keys mix cases and digits everywhere; words, ids and paths do not."""
    core = token.rstrip("=")
    if len(core) >= 32 and _HEX.fullmatch(core):
        return sum(c.isdigit() for c in core) >= 4
    has_upper = any(c.isupper() for c in core)
    has_lower = any(c.islower() for c in core)
    digits = sum(c.isdigit() for c in core)
    if not (has_upper and has_lower and digits >= (1 if len(core) >= 32 else 2)):
        return False
    # A camel-case name or a dashed slug changes class rarely; a random string every other char.
    classes = [
        "d" if c.isdigit() else "u" if c.isupper() else "l" if c.islower() else "s" for c in core
    ]
    changes = sum(a != b for a, b in itertools.pairwise(classes))
    wordy = sum(len(word) for word in _WORDISH.findall(core))
    return changes / len(core) >= 0.3 and wordy / len(core) < 0.4 and _entropy(core) >= 3.6


def _value_is_secret(value: str) -> bool:
    """`password: reset` is a word and `API key: 100 per minute` a figure; `password: hunter2`,
    `pin: 482913` or a long value is a credential."""
    if value.isdigit():
        return len(value) >= 6
    return len(value) >= 8 or any(not c.isalpha() for c in value)


def _secrets(text: str) -> Iterator[Finding]:
    for match in _KNOWN_TOKENS.finditer(text):
        yield Finding("secret", match.start(), match.end())
    for match in _ASSIGNED.finditer(text):
        group = next(name for name in ("value", "query", "bearer") if match.group(name))
        if _value_is_secret(match.group(group)):
            yield Finding("secret", match.start(group), match.end(group))
    for match in _TOKEN.finditer(text):
        if _looks_random(match.group()):
            yield Finding("secret", match.start(), match.end())


# --- e-mail addresses ----------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])\w[\w.%+-]*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})\b"
    # Written out to dodge scrapers: "jane [at] example [dot] com".
    r"|(?<![\w.+-])[\w.+-]+\s*[\[(]\s*at\s*[\])]\s*[\w-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[\w-]+)+",
    re.IGNORECASE,
)
# Retina images and the like: `logo@2x.png` is a file name, not an address.
_FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp bmp ico pdf txt csv json yaml yml xml html css js ts md".split()
)


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        tld = match.group("tld")
        if tld is None or tld.lower() not in _FILE_EXTENSIONS:
            yield Finding("email", match.start(), match.end())


# --- IBANs ---------------------------------------------------------------------------------

_IBAN_LENGTHS = {
    **dict.fromkeys(["NO"], 15),
    **dict.fromkeys(["BE"], 16),
    **dict.fromkeys(["DK", "FI", "FO", "GL", "NL"], 18),
    **dict.fromkeys(["MK", "SI"], 19),
    **dict.fromkeys(["AT", "BA", "EE", "KZ", "LT", "LU", "XK"], 20),
    **dict.fromkeys(["CH", "HR", "LI", "LV"], 21),
    **dict.fromkeys(["BG", "BH", "CR", "DE", "GB", "GE", "IE", "ME", "RS", "VA"], 22),
    **dict.fromkeys(["AE", "GI", "IL", "IQ", "TL"], 23),
    **dict.fromkeys(["AD", "CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG"], 24),
    **dict.fromkeys(["PT", "ST"], 25),
    **dict.fromkeys(["IS", "TR"], 26),
    **dict.fromkeys(["FR", "GR", "IT", "MC", "MR", "SM"], 27),
    **dict.fromkeys(["AL", "AZ", "BY", "CY", "DO", "GT", "HU", "LB", "PL", "SV"], 28),
    **dict.fromkeys(["BR", "EG", "PS", "QA", "UA"], 29),
    **dict.fromkeys(["JO", "KW", "MU"], 30),
    **dict.fromkeys(["MT", "SC"], 31),
    **dict.fromkeys(["LC"], 32),
}
_IBAN_START = re.compile(r"(?<![\w-])([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 is 1."""
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in moved.upper())
    return int(digits) % 97 == 1


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).upper())
        if length is None:
            continue
        # Take exactly the country's length of characters, allowing single spaces between them.
        chars: list[str] = []
        end = match.start()
        while end < len(text) and len(chars) < length:
            if text[end].isalnum() and text[end].isascii():
                chars.append(text[end])
            elif not (text[end] == " " and chars and end + 1 < len(text) and text[end + 1] != " "):
                break
            end += 1
        if len(chars) != length or (end < len(text) and (text[end].isalnum() or text[end] in "-_")):
            continue
        if iban_checksum_ok("".join(chars)):
            yield Finding("iban", match.start(), end)


# --- card numbers --------------------------------------------------------------------------

_CARD = re.compile(
    r"(?<![\w.,/@<&:-])"
    r"(?:\d{13,19}"
    r"|\d{4}(?P<s1>[ -])\d{4}(?P=s1)\d{4}(?P=s1)\d{4}(?:(?P=s1)\d{3})?"  # 16 or 19 digits
    r"|\d{4}(?P<s2>[ -])\d{6}(?P=s2)\d{4,5}"  # American Express, Diners
    r"|\d{4}(?P<s3>[ -])\d{4}(?P=s3)\d{4}(?P=s3)\d{1,3})"  # 13 to 15 digits
    r"(?![\w-]|[.,]\d)"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _cards(text: str) -> Iterator[Finding]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # Issuers' numbers start with 1-9; an all-zero placeholder passes Luhn but is no card.
        if digits[0] != "0" and luhn_ok(digits):
            yield Finding("card", match.start(), match.end())


# --- phone numbers -------------------------------------------------------------------------

# A run of digit groups: the candidate phone numbers are whitespace-separated windows of it.
_DIGIT_RUN = re.compile(
    r"(?<![\w.,/@#=%$€£-])(?:\+|\(\+?)?\d[\d().-]*(?:[ \t]\(?\+?\d[\d().-]*)*(?![\w%€£$])"
)
_NANP = re.compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]\d{4}")
_WELL_FORMED = re.compile(r"\+?(?:\(\+?\d{1,4}\)|\d{1,5})(?:[ .-]?(?:\(\d{1,4}\)|\d{1,6}))*")
# Words after which a number is an order, invoice or reference number, not a phone.
_NOT_A_PHONE_BEFORE = re.compile(
    r"(?i)(?:\b(?:order|orders|invoice|inv|ref|reference|tracking|commande|facture|ticket|case"
    r"|sku|serial|account|acct|id|transaction|receipt)|#)\W{0,3}"
    r"(?:(?:number|no|num|nr|n°|numéro|id)\b\W{0,3})?(?:is\W{1,3})?$"
)


# "+1 (415) 555 01 32 1" is about as many groups as a phone number is written in.
_MAX_PHONE_CHUNKS = 8


def _phone_shape_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if len(digits) > 17 or not _WELL_FORMED.fullmatch(candidate):
        return False
    if candidate.startswith(("+", "(+")):
        return 8 <= len(digits) <= 15
    if digits.startswith("00"):
        # 00 is the international prefix; country codes never start with 0.
        return 11 <= len(digits) <= 17 and digits[2] != "0"
    if digits.startswith("0"):
        # National formats of Europe: a trunk 0 and nine or ten digits (FR, UK, DE, BE, ...).
        return 10 <= len(digits) <= 11 and not re.search(r"\d[.]\d{4}$", candidate)
    return bool(_NANP.fullmatch(candidate)) and digits.lstrip("1")[0] in "23456789"


def _phones(text: str) -> Iterator[Finding]:
    for run in _DIGIT_RUN.finditer(text):
        chunks = [(m.start(), m.end()) for m in re.finditer(r"\S+", run.group())]
        offset, first = run.start(), 0
        # A number starts where the run starts or where the previous number ended; starting
        # anywhere else would find "phones" in the tail of longer numbers (a bad IBAN, a serial).
        while first < len(chunks):
            for last in range(min(len(chunks), first + _MAX_PHONE_CHUNKS) - 1, first - 1, -1):
                start, end = offset + chunks[first][0], offset + chunks[last][1]
                candidate = text[start:end].rstrip(".-")
                if _phone_shape_ok(candidate) and not _NOT_A_PHONE_BEFORE.search(
                    text[max(0, start - 30) : start]
                ):
                    yield Finding("phone", start, start + len(candidate))
                    first = last + 1
                    break
            else:
                break


# --- putting it together -------------------------------------------------------------------

# Earlier finders win overlaps: a token may hold digit runs, an e-mail may hold a number.
_FINDERS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _secrets,
    _emails,
    _ibans,
    _cards,
    _phones,
)


class Redactor:
    """Finds e-mail addresses, phone numbers, card numbers, IBANs and secrets in text."""

    def find(self, text: str) -> list[Finding]:
        taken: list[Finding] = []
        for finder in _FINDERS:
            for found in finder(text):
                if not any(found.start < t.end and t.start < found.end for t in taken):
                    taken.append(found)
        return sorted(taken, key=lambda f: f.start)

    def redact(self, text: str, *, keep: str = "") -> str:
        """`text` with each finding replaced by its placeholder; findings that also occur in
        `keep` (say, a support address quoted from the FAQ) stay as they are."""
        parts, position = [], 0
        for found in self.find(text):
            if keep and text[found.start : found.end] in keep:
                continue
            parts += [text[position : found.start], PLACEHOLDERS[found.kind]]
            position = found.end
        parts.append(text[position:])
        return "".join(parts)


class RedactingFilter(logging.Filter):
    """Redacts every record a handler emits, whatever logger it comes from.

    Installed on handlers rather than loggers, since a logger's filters do not see records that
    propagate up from its children.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the format: the handler reports that itself, and a
            # filter must not turn a bad log call into an exception in the caller.
            return True
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put a RedactingFilter on every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
