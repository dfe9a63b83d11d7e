"""Personal data and secrets out of what leaves the bot: the LLM's prompt, the logs and the
records kept beyond a conversation (the FAQ-gap log, agents' drafts).

Each kind is found by a pattern and then confirmed by a well-kept checker where one exists
(libphonenumber for phone numbers, python-stdnum for the Luhn, IBAN and NIR checksums), or by
shape and context (character mix and entropy for tokens, the word before a password), so that
order numbers, dates, prices, versions and ticket ids stay readable. The ticket agents read keeps
the original text: they need it, and it never leaves the company's own systems.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.fr import nir
from stdnum.iso7064 import mod_97_10

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "iban": "[iban]",
    "national-id": "[national-id]",
    "secret": "[secret]",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


# Hyphens people (and their keyboards) put between digit groups: ASCII, Unicode hyphen,
# non-breaking hyphen, figure dash, en and em dash, minus sign, small and full-width hyphen.
_DASH_CHARS = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_DASHES = re.escape(_DASH_CHARS)  # for a character class
# One separator between two digit groups: a space (also non-breaking), a dash, a dot or a slash,
# with spaces around it allowed ("01 - 45", with any of those dashes).
_SPACES = " \u00a0\u2009\u202f"  # space, no-break, thin and narrow no-break (French typing)
_GROUP_SEP = rf"(?:[{_SPACES}]?[{_DASHES}./][{_SPACES}]?|[{_SPACES}])"

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
    # A JWT, or any base64-encoded JSON object standing alone (a signed link's payload).
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|\beyJ[A-Za-z0-9_-]{16,}"
    # Discord bot tokens: base64 user id, timestamp, HMAC.
    r"|\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}"
)
# Words that name a credential, then (optionally) "is", ":" or the like, then its value. The
# value is redacted only when it looks like one (see _value_is_secret), so "my password is
# wrong" and "PIN code doesn't work" stay.
# PINs and one-time codes are digits; passwords and keys anything.
_PIN_NAMES = (
    r"pin(?:\s+(?:code|number|no\.?))?|code\s+(?:pin|secret|d['\u2019]acc[eè]s|confidentiel)"
    r"|secret\s+code|passcode|otp|one[- ]time\s+(?:code|password)|verification\s+code"
    r"|code\s+de\s+v[ée]rification"
)
_PASSWORD_NAMES = r"password|passwd|pwd|pw|passphrase|mot\s+de\s+passe|mdp|pass(?=\s*[:=])"
_KEY_NAMES = (
    r"api[_ -]?key|apikey|secret|client[_-]?secret|access[_-]?key|auth[_-]?token"
    r"|access[_-]?token|token"
)
_ASSIGNED = re.compile(
    rf"(?i)\b(?:(?P<pin>{_PIN_NAMES})|(?P<password>{_PASSWORD_NAMES})|(?P<key>{_KEY_NAMES}))\b"
    # "the password for my account is", "le mot de passe de mon compte est"
    r"(?:\s+(?:for|of|on|to|de|du|des|pour|sur)\s+(?:(?:my|the|your|this|mon|ma|mes|le|la|les"
    r"|l['\u2019]|votre|ce|cet|cette)\s*)?[\w-]+)?"
    # "the password I use is", "the PIN we chose was"
    r"(?:\s+(?:i|we|je)\s+\w+)?"
    r"(?:(?P<assign>\s*[:=]|\s+[-\u2013\u2014](?=\s))|['\u2019]s\b|\s+(?:is(?:\s+now)?|was|will\s+be|est|était|c['\u2019]est|to|à"
    r"|sera|devient)\b"
    r"(?:\s*:|\s+(?:le|the)(?=\s+\d))?"
    r"|(?=\s))\s*"
    # "my password is password=123456": the value is the second assignment's.
    rf"(?P<quote>[\"'“«\u2018]\s*)?(?!(?:{_PASSWORD_NAMES}|{_KEY_NAMES})\s*[:=])"
    r"(?P<value>[^\s\"'”»\u2019,;]+)"
    r"|(?i:[?&;#](?:[\w.-]*[_-])?(?:token|key|api_key|apikey|access_token|id_token|refresh_token|secret|sig"
    r"|signature|password|passwd|pwd|auth|code|otp|session|sessionid|sid|jwt|reset_token)=)"
    r"(?P<query>[^\s\"'&#]+)"
    r"|(?i:\bbearer\s+)(?P<bearer>[A-Za-z0-9._~+/-]+=*)"
    # Basic credentials are base64 of "user:password" (checked in _secrets).
    r"|(?i:\bbasic\s+)(?P<basic>[A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])"
    # Credentials in a URL (https://user:password@host) or a command line (curl -u user:password).
    r"|(?i:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,15}://[^\s:/@]+:)(?P<userinfo>[^\s@/]+)(?=@)"
    r"|(?:\s-u\s+|--user[ =])[^\s:]+:(?P<cli>\S+)"
)
_URL = re.compile(r"(?i)\bhttps?://[^\s<>\"'`]+")
# Path segments after these words carry one-time links' tokens: /reset/<token>, /invite/<token>.
_TOKEN_PATH = re.compile(
    r"(?i)/(?:reset|verify|verification|confirm|activate|activation|invite|invitation|magic"
    r"|login|auth|token|share|s|unsubscribe|download|dl|recover|password)(?:[-_][a-z]+)?/"
    r"(?P<token>[A-Za-z0-9_-]{12,})(?=[/?#]|$)"
)
_PATH_SEGMENT = re.compile(r"/(?P<segment>[A-Za-z0-9_-]{16,})(?=[/?#]|$)")
_TOKEN = re.compile(r"(?<![\w/.+=-])[A-Za-z0-9_+/=-]{20,}(?![\w/=-])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}")
_TRAILING_PUNCTUATION = ".,;:?)]}"
# Words that follow a credential's name in a sentence without being its value.
_NOT_A_VALUE = frozenset(
    """a an the my your our his her its their this that it is was be been has have had must
    should can cannot can't could will would won't does doesn't did didn't do don't not no never
    too so very still also just only again now then here there which who when where what why how
    wrong incorrect invalid expired expire expires expiring reset changed change changes lost
    forgotten forgot locked blocked disabled required needed missing empty correct right same
    different new old long short strong weak working works work broken manager field page link
    email form screen box policy rules rule requirements length character characters digits
    digit letters field and or but for of in on at to from with by as if
    un une le la les mon ma mes ton ta votre vos notre nos son sa ses ce cet cette est était a
    été ne pas plus jamais toujours encore aussi trop très faux fausse incorrect incorrecte
    invalide expiré expirée oublié oubliée perdu perdue bloqué bloquée changé changée nouveau
    nouvelle ancien ancienne correct correcte requis obligatoire vide trop court courte long
    longue et ou mais pour de du des en au aux par avec sur dans que qui please help svp merci
    aide none unknown inconnu hidden policy""".split()
)


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


def _looks_like_a_link_token(segment: str) -> bool:
    """A one-time link's token mixes letters and digits; a slug ("reset-password") or an order
    id ("ORD-2024-00123") is words or digits between dashes."""
    if "-" in segment and all(
        part.isalpha() or part.isdigit() for part in segment.split("-") if part
    ):
        return False
    return any(c.isdigit() for c in segment) and any(c.isalpha() for c in segment)


def _value_is_secret(
    value: str, *, quoted: bool = False, kind: str = "key", assigned: bool = False
) -> bool:
    """`password: reset` is a word and `API key: 100 per minute` a figure; `password: hunter2`,
    `PIN 4821` or a long value is a credential."""
    if not any(c.isalnum() for c in value):
        return False
    if kind == "pin":
        return value.isdigit() and 4 <= len(value) <= 8
    if value.isdigit():
        return len(value) >= (4 if kind == "password" else 6)
    if quoted:
        return True
    if value.lower() in _NOT_A_VALUE:
        return False
    if kind == "password":
        # A lone word after "password" is usually the sentence going on ("my password is
        # wrong"); a password has digits or symbols, or is no word at all ("correcthorse"),
        # unless it is given as one ("mdp : soleil").
        return any(not c.isalpha() for c in value) or len(value) >= (4 if assigned else 12)
    return len(value) >= 8 or any(not c.isalpha() for c in value)


def _is_basic_credential(value: str) -> bool:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


def _assigned(text: str) -> Iterator[Finding]:
    for match in _ASSIGNED.finditer(text):
        if match.group("value") is not None:
            value = match.group("value")
            quoted = match.group("quote") is not None
            stripped = value.rstrip(_TRAILING_PUNCTUATION)
            # "hunter2!" keeps its "!"; "is hunter2." loses the full stop.
            value = stripped if stripped and (quoted or stripped != value) else value
            kind = next(k for k in ("pin", "password", "key") if match.group(k))
            assigned = match.group("assign") is not None
            if _value_is_secret(value, quoted=quoted, kind=kind, assigned=assigned):
                start = match.start("value")
                yield Finding("secret", start, start + len(value))
            continue
        group = next(
            name
            for name in ("query", "bearer", "basic", "userinfo", "cli")
            if match.group(name) is not None
        )
        value = match.group(group)
        if group == "basic":
            found = _is_basic_credential(value)
        elif group in ("userinfo", "cli"):
            found = True
        else:
            found = _value_is_secret(value)
        if found:
            yield Finding("secret", match.start(group), match.end(group))


def _link_tokens(text: str) -> Iterator[Finding]:
    for url in _URL.finditer(text):
        path = url.group()
        for match in itertools.chain(_TOKEN_PATH.finditer(path), _PATH_SEGMENT.finditer(path)):
            name = "token" if "token" in match.groupdict() else "segment"
            segment = match.group(name)
            if _looks_like_a_link_token(segment) and (
                name == "token" or _looks_random(segment) or len(segment) >= 24
            ):
                yield Finding(
                    "secret", url.start() + match.start(name), url.start() + match.end(name)
                )


def _secrets(text: str) -> Iterator[Finding]:
    for match in _KNOWN_TOKENS.finditer(text):
        yield Finding("secret", match.start(), match.end())
    yield from _assigned(text)
    yield from _link_tokens(text)
    for match in _TOKEN.finditer(text):
        if _looks_random(match.group()):
            yield Finding("secret", match.start(), match.end())


# --- e-mail addresses ----------------------------------------------------------------------

_AT_SIGNS = "@\uff20\ufe6b"  # @, its full-width and its small form
_EMAIL = re.compile(
    # %40 is an @ in a link's query string (?email=jane%40gmail.com).
    rf"(?<![\w.+%'-])\w[\w.%+'-]*?(?:[{_AT_SIGNS}]|%40)"
    r"(?:\w(?:[\w-]{0,61}\w)?[.\uff0e])+(?P<tld>[^\W\d_]{2,24})(?![\w-])",
    re.IGNORECASE,
)
# Written out to dodge scrapers: "jane dot doe at gmail dot com", "jane(at)gmail.com",
# "paul [AT] x [DOT] fr", "jean point dupont arobase free point fr". The top-level domain must
# be a common one, so that "meet me at noon dot" is no address.
_SPELLED_AT = (
    r"\s*[\[({<]\s*(?:at|arobase|@)\s*[\])}>]\s*|\s+(?:at|arobase)\s+|(?<=\w\w) @ (?=\w\w)"
)
_SPELLED_DOT = r"\s*[\[({<]\s*(?:dot|point|\.)\s*[\])}>]\s*|\s+(?:dot|point)\s+"
_COMMON_TLDS = (
    "com|net|org|edu|gov|info|biz|io|co|me|app|dev|ai|eu|fr|de|uk|be|ch|es|it|nl|pt|lu|at|se"
    "|no|dk|fi|ie|pl|cz|ca|us|br|jp|cn|ru|in|au|nz|tv|xyz|online|tech|email|mail|pro"
)
_OBFUSCATED_EMAIL = re.compile(
    # Bounded repetitions: a long "x dot x dot ..." must not be re-scanned from every word.
    rf"(?<![\w.+'-])(?P<local>\w[\w+'-]*(?:(?:{_SPELLED_DOT}|\.)\w[\w+'-]*){{0,4}})"
    rf"(?P<at>{_SPELLED_AT})"
    rf"(?P<domain>\w[\w-]*(?:(?:{_SPELLED_DOT}|\.)\w[\w-]*){{0,4}})(?:{_SPELLED_DOT}|\.)"
    rf"(?:{_COMMON_TLDS})(?![\w-])",
    re.IGNORECASE,
)
# Words that stand before "at" in a sentence ("I work at acme.com"): not a mailbox's name.
_NOT_A_MAILBOX = frozenset(
    """i i'm im we we're you he she it they me us him her them work works worked working
    live lives lived living signed up log logged sign am is are was were be been meet met here
    there arrive arrived stay staying look looking available home office job based shop shopping
    buy bought ordered order paid registered subscribed intern engineer manager developer
    started start employed hired study studied student customer client account login name
    username user yourname firstname lastname""".split()
)
# Retina images and the like: `logo@2x.png` is a file name, not an address.
_FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp bmp ico pdf txt csv json yaml yml xml html css js ts md".split()
)


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        if match.group("tld").lower() not in _FILE_EXTENSIONS:
            yield Finding("email", match.start(), match.end())
    for match in _OBFUSCATED_EMAIL.finditer(text):
        bare_at = match.group("at").strip().lower() == "at"
        if bare_at and match.group("local").lower() in _NOT_A_MAILBOX:
            continue
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
_IBAN_LABEL = re.compile(r"(?i)\b(?:IBAN|RIB)\b\W{0,3}(?:(?:is|est)\W{1,3})?$")
_IBAN_SEPARATORS = _SPACES + ".-\n"
# "FR76 3000 ...", also "FR 76 3000 ..."
_IBAN_START = re.compile(
    rf"(?<![\w-])([A-Za-z]{{2}})[{_SPACES}]?(\d{{2}})(?=[{re.escape(_IBAN_SEPARATORS)}]?[A-Za-z0-9])"
)


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: the first four characters moved to the end, letters as numbers, mod 97 is 1."""
    try:
        return bool(mod_97_10.is_valid(iban[4:].upper() + iban[:4].upper()))
    except ValueError:
        return False


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).upper())
        if length is None:
            continue
        # Take exactly the country's length of characters, allowing one separator between them.
        chars: list[str] = []
        end = match.start()
        while end < len(text) and len(chars) < length:
            char = text[end]
            if char.isalnum() and char.isascii():
                chars.append(char)
            elif not (
                char in _IBAN_SEPARATORS
                and chars
                and end + 1 < len(text)
                and text[end + 1].isalnum()
            ):
                break
            end += 1
        if len(chars) != length or (end < len(text) and (text[end].isalnum() or text[end] == "_")):
            continue
        # One more group after the country's length: a longer number, not this IBAN.
        if (
            end + 1 < len(text)
            and text[end] in _IBAN_SEPARATORS
            and (text[end] != " " or text[end + 1].isdigit())
            and text[end + 1].isalnum()
        ):
            continue
        # A number the customer calls an IBAN is one even when mistyped.
        if iban_checksum_ok("".join(chars)) or _IBAN_LABEL.search(
            text, max(0, match.start() - 20), match.start()
        ):
            yield Finding("iban", match.start(), end)


# --- French social-security numbers (NIR) -------------------------------------------------

_NIR_SEP = rf"[.\-{_SPACES}]?"
_NIR = re.compile(
    rf"(?<![\w.,/-])[1278]{_NIR_SEP}\d{{2}}{_NIR_SEP}\d{{2}}{_NIR_SEP}(?:\d{{2}}|2[ABab])"
    rf"{_NIR_SEP}\d{{3}}{_NIR_SEP}\d{{3}}{_NIR_SEP}\d{{2}}(?![\w]|[.,-]\d)"
)


_NIR_LABEL = re.compile(
    r"(?i)(?:\bs[ée]cu(?:rit[ée]\s+sociale)?|\bNIR|\bINSEE|\bsocial\s+security|\bcarte\s+vitale"
    r"|\bnum[ée]ro\s+SS|n°\s*SS)\b[^\n\d]{0,25}$"
)


def _national_ids(text: str) -> Iterator[Finding]:
    for match in _NIR.finditer(text):
        # The key (97 minus the number mod 97) keeps other 15-digit numbers out; a number the
        # customer calls their social-security number is one even with a wrong key.
        if nir.is_valid(re.sub(rf"[.\-{_SPACES}]", "", match.group()).upper()) or _NIR_LABEL.search(
            text, max(0, match.start() - 40), match.start()
        ):
            yield Finding("national-id", match.start(), match.end())


# Words after which a number is an order, invoice or reference number, not a card or a phone.
_REFERENCE_BEFORE = re.compile(
    r"(?i)(?:\b(?:order|orders|invoice|inv|ref|reference|tracking|commande|facture|ticket|case"
    r"|sku|serial|account|acct|id|transaction|receipt|client|customer|siret|siren|tva|vat)|#)"
    r"\W{0,3}(?:(?:number|no|num|nr|n°|numéro|id)\b\W{0,3})?(?:is\W{1,3})?$"
)


# --- card numbers, and the expiry date and security code next to one ----------------------

_CARD_SEP = rf"(?:[{_SPACES}]*\n[{_SPACES}]*|[{_SPACES}]?[{_DASHES}.][{_SPACES}]?|[{_SPACES}])"
_CARD = re.compile(
    rf"(?<![\w.,/@<&+{_DASHES}])"
    # Groups of 4 (4-4-4-4, 4-4-4-4-3), Amex and Diners (4-6-5, 4-6-4), or however a customer
    # copied it (4-8-4); _card_number trims what follows the number.
    rf"(?:\d{{13,19}}|\d{{3,8}}(?:{_CARD_SEP}\d{{3,8}}){{1,5}}(?:{_CARD_SEP}\d{{1,4}})?)"
    # A number inside a colon-separated key ("hist:4111...:x") is an identifier.
    r"(?!\w|[.,]\d|:\w)"
)
_CARD_GROUP = re.compile(r"\d+")
_CARD_LABEL = re.compile(
    r"(?i)\b(?:card|carte(?:\s+bancaire)?|cb|visa|mastercard|amex|cc)\W{0,3}"
    r"(?:(?:number|no|n°|num[ée]ro)\W{0,3})?(?:(?:is|est)\W{1,3})?$"
)
_IBAN_HEAD = re.compile(r"\b[A-Za-z]{2}\d\d[ .\-]?$")
_EXPIRY_LABEL = (
    r"exp(?:\.|iry|iration|ires?|ire\s+le)?|valid(?:\s+(?:thru|through|until))?"
    r"|date\s+d['\u2019]expiration|expire\s+(?:le|fin)|fin\s+de\s+validit[ée]"
)
_SECURITY_CODE_LABEL = (
    r"cvv2?|cvc2?|cid|csc|security\s+code|code\s+de\s+s[ée]curit[ée]"
    r"|cryptogramme(?:\s+visuel)?|crypto"
)
# What follows a card number: filler of a few characters, then an expiry date or a code.
_CARD_TAIL = re.compile(
    rf"(?i)[^\d\n]{{0,25}}?(?:(?:\b(?:{_EXPIRY_LABEL})\b\s*:?\s*)?"
    r"(?P<expiry>(?:0[1-9]|1[0-2])\s?[/-]\s?(?:20\d{2}|\d{2}))(?![\d/-])"
    rf"|(?P<code_label>\b(?:{_SECURITY_CODE_LABEL})\b\s*:?\s*)?(?P<code>\d{{3,4}})(?![\d/]))"
)
_SECURITY_CODE = re.compile(
    rf"(?i)\b(?:{_SECURITY_CODE_LABEL})\b(?:\s*[:=]|\s+(?:is|est))?\s*(?P<code>\d{{3,4}})\b"
)


def luhn_ok(digits: str) -> bool:
    return bool(luhn.is_valid(digits))


def _card_number(match: re.Match[str], *, labelled: bool) -> tuple[int, int] | None:
    """The span of the card number at the start of `match`: its groups, less any trailing group
    that belongs to what follows (an expiry date, a code), whose digits pass the Luhn check. A
    number the customer calls a card is one even when mistyped, if it has a card's length."""
    groups = list(_CARD_GROUP.finditer(match.group()))
    lengths = {}
    for count in range(len(groups), 0, -1):
        digits = "".join(g.group() for g in groups[:count])
        if len(digits) < 13:
            break
        # Issuers' numbers start with 2-6 (Mastercard, Visa, Amex, Discover, JCB, Diners);
        # SIRET numbers (starting with any digit) also pass Luhn.
        if len(digits) <= 19 and digits[0] in "23456":
            if luhn_ok(digits):
                return match.start(), match.start() + groups[count - 1].end()
            lengths[len(digits)] = match.start() + groups[count - 1].end()
    if labelled:
        for length in (16, 15, 19, 14, 13):
            if length in lengths:
                return match.start(), lengths[length]
    return None


def _cards(text: str) -> Iterator[Finding]:
    for match in _CARD.finditer(text):
        span = _card_number(
            match,
            labelled=bool(_CARD_LABEL.search(text, max(0, match.start() - 40), match.start())),
        )
        # Digits right after a country code and two check digits are an IBAN mistyped.
        if (
            span is None
            or _IBAN_HEAD.search(text, max(0, span[0] - 6), span[0])
            or _REFERENCE_BEFORE.search(text, max(0, span[0] - 30), span[0])
        ):
            continue
        yield Finding("card", *span)
        # An expiry date right after a card, and an unlabelled code right after that date.
        position, after_expiry = span[1], False
        for _ in range(2):
            tail = _CARD_TAIL.match(text, position)
            if tail is None or (
                tail.group("code") and not (after_expiry or tail.group("code_label"))
            ):
                break
            name = "expiry" if tail.group("expiry") else "code"
            yield Finding("card", tail.start(name), tail.end(name))
            position, after_expiry = tail.end(), name == "expiry"
    for match in _SECURITY_CODE.finditer(text):
        yield Finding("card", match.start("code"), match.end("code"))


# --- phone numbers -------------------------------------------------------------------------

# A run of digit groups: the candidate phone numbers are windows of consecutive groups.
_DIGIT_RUN = re.compile(
    rf"(?<![\w.,/@#=%$€£{_DASHES}])(?:\+|\(\+?)?\d[\d()]*(?:{_GROUP_SEP}\(?\+?\d[\d()]*)*"
    r"(?![\w%€£$])"
)
_PHONE_GROUP = re.compile(r"\(?\+?\d[\d()]*")
_NANP = re.compile(
    rf"(?:\+?1{_GROUP_SEP}?)?(?:\(\d{{3}}\) ?|\d{{3}}{_GROUP_SEP}?)\d{{3}}{_GROUP_SEP}\d{{4}}"
)
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
# National numbers start with a trunk 0 in these countries; the first one that accepts a number
# decides (France first: most customers write from there).
_TRUNK_ZERO_REGIONS = ("FR", "GB", "DE", "BE", "CH", "IT", "NL", "AT")
# "+33 (0)6 45 78 12 90" is about as many groups as a phone number is written in.
_MAX_PHONE_GROUPS = 9
_PLAIN_SEPARATORS = str.maketrans(
    {**dict.fromkeys(_DASH_CHARS[1:] + "/", "-"), **dict.fromkeys(_SPACES[1:], " ")}
)


def _is_phone_number(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 17 or _DATE.fullmatch(candidate):
        return False
    plain = candidate.translate(_PLAIN_SEPARATORS)
    if candidate.startswith(("+", "(+")) or digits.startswith("00"):
        regions: tuple[str | None, ...] = (None,)
        if not candidate.startswith(("+", "(+")):
            plain = "+" + plain.lstrip("(")[2:]
    elif digits.startswith("0") or candidate.startswith("(0)"):
        regions = _TRUNK_ZERO_REGIONS
    elif _NANP.fullmatch(candidate) and digits.lstrip("1")[:1] in "23456789":
        regions = ("US",)
    else:
        return False
    # An international number, or a North American one written as such ("(555) 123-4567"), is
    # taken when it has the right length for its country even if it is not (yet) in service:
    # customers give made-up or 555 numbers too. Bare national digits must be a valid number.
    shaped = regions == (None,) or (regions == ("US",) and digits != candidate)
    for region in regions:
        try:
            number = phonenumbers.parse(plain, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) or (
            shaped and phonenumbers.is_possible_number(number)
        ):
            return True
    return False


def _phones(text: str) -> Iterator[Finding]:
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start(), m.end()) for m in _PHONE_GROUP.finditer(run.group())]
        offset, first = run.start(), 0
        # A number starts where the run starts or where the previous number ended; starting
        # anywhere else would find "phones" in the tail of longer numbers (a bad IBAN, a serial).
        while first < len(groups):
            for last in range(min(len(groups), first + _MAX_PHONE_GROUPS) - 1, first - 1, -1):
                start, end = offset + groups[first][0], offset + groups[last][1]
                candidate = text[start:end]
                if _is_phone_number(candidate) and not _REFERENCE_BEFORE.search(
                    text[max(0, start - 30) : start]
                ):
                    yield Finding("phone", start, end)
                    first = last + 1
                    break
            else:
                break


# --- putting it together -------------------------------------------------------------------

# Earlier finders win overlaps: a token may hold digit runs, an e-mail may hold a number, an
# IBAN or a NIR may hold what looks like a card or a phone number.
_FINDERS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _secrets,
    _emails,
    _ibans,
    _national_ids,
    _cards,
    _phones,
)


class Redactor:
    """Finds e-mail addresses, phone numbers, card numbers (with their expiry dates and security
    codes), IBANs, French social-security numbers and secrets in text."""

    def find(self, text: str) -> list[Finding]:
        # Kept sorted by start, so an overlap is checked against two neighbours, not every
        # finding (a long message may hold thousands).
        taken: list[Finding] = []
        for finder in _FINDERS:
            for found in finder(text):
                at = bisect.bisect_left(taken, found.start, key=lambda f: f.start)
                before = taken[at - 1] if at else None
                after = taken[at] if at < len(taken) else None
                if (before is None or before.end <= found.start) and (
                    after is None or found.end <= after.start
                ):
                    taken.insert(at, found)
        return taken

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
