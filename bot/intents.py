"""Messages that are not FAQ questions: small talk, and asking for a person."""

from __future__ import annotations

import re

from faq.text import fold

_SMALL_TALK = {
    "greeting": r"(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|greetings|bonjour|salut"
    r"|coucou|bonsoir|hello there|hey there)( (there|bot|team|all|everyone|a tous))?",
    "thanks": r"(thanks?( you)?( (so|very) much)?( a lot)?|thx|ty|cheers|great thanks|perfect|"
    r"merci( beaucoup| bien)?|super merci|parfait( merci)?|ok merci|ok thanks?"
    r"|thank you very much)",
    "goodbye": r"(bye|goodbye|good bye|see you|see ya|au revoir|a bientot|a plus|bonne journee"
    r"|have a (nice|good) day)",
    "whoami": r"(who are you|what are you|are you (a )?(bot|robot|human|real)|qui es tu|"
    r"qui etes vous|tu es un (bot|robot)|vous etes un (bot|robot)|how are you|ca va|comment ca va)",
}
_SMALL_TALK_RE = {name: re.compile(rf"^(?:{pattern})$") for name, pattern in _SMALL_TALK.items()}

_HUMAN_RE = re.compile(
    r"\b(talk|speak|chat|connect me|put me through)( to| with)? (a |an |to a |some )?"
    r"(human|person|agent|someone|somebody|representative|rep|operator|real person|live agent"
    r"|support agent|staff)\b"
    r"|\b(real|actual|live) (person|human|agent)\b|^(human|agent|operator)( please)?$"
    r"|\bparler (a|avec) (un |une |le |la )?(humain|personne|conseiller|conseillere|agent"
    r"|operateur|quelqu un|vrai humain|vraie personne)\b"
    r"|\b(un|une) (vrai|vraie)? ?(humain|conseiller|conseillere)\b|\bvraie personne\b"
)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def small_talk(text: str) -> str | None:
    """The kind of small talk when the whole message is small talk, else None."""
    normal = _normalise(text)
    for name, pattern in _SMALL_TALK_RE.items():
        if pattern.match(normal):
            return name
    return None


def asks_for_human(text: str) -> bool:
    return bool(_HUMAN_RE.search(_normalise(text)))
