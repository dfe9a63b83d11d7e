"""Messages that only react to the answer just given, read from what they mean.

After an answer customers report how they are getting on with it ("ok I'm on the settings page
now", "j'attends le sms"), step away, comment on it ("wow that's a lot of steps") or joke. The
patterns of `bot.core.intents` know the commonest of these, but not the endless rest, which were
searched: the FAQ had no answer, the bot offered a person, and a second such message in a row
opened a ticket. A logistic model over the message's multilingual embedding
(`bot.core.classifier`) reads many of them. It is asked only right after the bot answered from
the FAQ, with no miss or choice pending (there is nothing to react to before, and a "that would
be great" after the offer of a person accepts it), once the FAQ has no answer or would give the
same one again; and never about a message that asks something in its form (a question mark, a
question word: "ok is it free", "je fais comment") or tells of a problem ("the page is blank",
"l'appli plante"), so that those still get the offer of a person. What it reads gets a short
reply and the Talk to a person button, and counts as no miss. In lexical-only search, which
embeds nothing, such messages are misses as before.

Fitted on the tuning set by `python -m bench.reactions evals/dev --datasets PATH/TO/datasets`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.core.classifier import MessageModel
from faq.semantic import Encoder
from faq.text import fold

# The probability from which a message only reacts. Chosen on the tuning set (bench/reactions.py
# prints each bar's trade): at 0.9 a model fitted without each fifth of the tuning messages read
# 53 of the 102 reactions in it that the bot asks it about, and 5 of its 42 such other messages
# (corrections such as "oops sent too soon", confusion such as "that went over my head lol");
# the model took 3 of the 3,573 such public test questions (Banking77, CLINC150), 9 at 0.85.
BAR = 0.9

_BIAS = -1.908198
_WEIGHTS = (
    "i5rOP7tUqj/SJzQ/TZq9PwWRZL9kyGe/9zDrPw5Bk79IOhrAZ/jTvTLkpz/gCm0+WYMwwIavsT+aRxXAENNXP3R+"
    "0b5rqnpAJYm8P1a0Grqihjk/6t6FPnbHVL8NRYu+N+e+v4La5rsd9yO+S/iOP+xXJMAxssg/pYQQQLIuG7+ELq6/"
    "JqtaP3mggj9vJpjA2S8YQARGdTxMANS+hbA3Pxmskr29Ymo/HGSVv81kO78RhCbANJK6PnqmF7+uZkA/QYiRvnlq"
    "er9jrj2/bhLBP7JtBj84C4E/r5Y3P6bDicBPiZy//ReWP1twkj/Rk889tseGvuFBk79K5Im/NYrOvzfUDr+VGd6/"
    "O52kP1BlSj53DpS+Qc79vjizcT8ZKDnAzufHv1Plkj5DVRXAjqbhvudWmL5/bkzA/8Z5QNDRbUABiru/TVsWQGQ6"
    "m7++IwtA9O5hPpDu9j8H8a0+55qvv4kK5D/li9Y+930RwPebAz8stTHA9J+vvu9JTL79FBK/ucZvv6oRgr+5RS3A"
    "NWbpvgDgXD8ZGdY9U9igP1vFDj+07sa/iXohP302qL9bHvs/E40PP900t75N+m4+LIUmP3d85T/cowVAyGIZQJjN"
    "bL90XdK+s9vWPkCemz4vyh88Q7ocQG7Kqj+ID/i+O62lvyYXAcA8Hp6/I5gJwP5eB7+e6Ck+onkmwNqCBT9bcZA+"
    "IeYbQIz7IcD/sUtAMvVTv9HNRb8Nncw/G2uCwGvPDkDSVWY/6B0wvYsvFD89Xc0/MvG0v9WFiDuxiq8/rE1hv2FH"
    "BD8tTyw/Xg8oPggn9j9WkQzAGzyFvsCdpr8KZvC++legP7tRzz9IxUG/Y7ugPgDcHr9Yp5a/bTKrPnB2hz+0Gws+"
    "g/beP7RXHD8mvfa/y6FtvwBYHL/nJAC/SE/8v0NRM7+e48A/Wd0VPY/EQT8d7NO/Z4wpP7YACj5+SmvA+RgFPsAO"
    "9D8CKcY+SM+2v9SUaD5n9F++QU34P6iAnD+MPjK/jhJYPnBVCj/ab++/Li1Yv5zCEr/0CRK/Jt6mPnVLfD8bApC+"
    "DdGQv4hp7D/TPGc/BAe7PVI3wj8rsP4+59HbPvs5H0CZDri+YU3JvVz4CL8YxiDA3ooWvzfqTT+vGeU+j+rYP2Ty"
    "db/VgXw/jRMHP9O/sz9rLw6/yqvqP/EjOT9+h8g+SyGeP7KOlz9fLqFAI3zAvyFXwb8PF5k/uk/bP5pKtj5Qg7Y7"
    "qHTXPyxGlz9TGhU/DlHpPxkUkT6Dya6/NZmLv5MUyz9VlXk/VtOTPXTFer8HQRfAr4KEvbVEtD3EB+E9+M7yP4Hc"
    "H0C8FaS/ug+gvmiZAkADGJ2/6qa4vlF5ST5vhxc/vm6jPw/Rl742Q/6/W3LGP53ErL/vL46/dVUTQHLE5r/xgJy/"
    "qtEfP/W6zj/jQ2C+aXCeP1l4QT7CgjJA4FTLPHW5Yj8WYge+LZJcPoFLPsB7hZU+wXIHv/wZ9T9iU1pAswr6vtL6"
    "DED1oCxA3sqLv9LBlb9mrzG/C9rJvxOJI8BeRI4/aGo0PtMWlb/Fg8g+BwGHv5M5m79beIg/DNQsvwIs7D8xjkA/"
    "l9IXQPXL0r2SRXG90DBkPhXKfj/fakE/14d6P4xhv7+Cx1w/C9LsPmfB/r9kI+q/a13Vvu9ZvL//7hi/lYR/PyFA"
    "Mb8Ehdk/7iJfwNqidj8Gbby/GARaP+RLDD77jsE/Pt2SvxGNrD0+KIC/lJSCP2quuj/xgKE/wQkIPxNa2b88NT4/"
    "AQUfQEpNWT8ZrHC/bjabvyOmnj4tgrDA6clHPxRTgz9xz0PABA+AP1b8HD/0970/QWsGwBuKRz+DWtk/HDGmvvcs"
    "NT46zpg/Yhy/P7VTor/7fZA60wTGP9WxtD8cx7W/z3Jpv0UMTL9y7mI/MHy1PtdKMD6c5ZU/H6jmP1tR9T17ZcS/"
    "L+n2P2fhEEBnBVS/YM3tv1v/Z78+r6G9hctBPg7uqj82sw7A/JcCP447lz7aPGK9X7/WPp7Alb9gNoo/MJeIv4/2"
    "EkBbyxfAs3uSvQO5LL4Jh9E/qWQcwBGfmT8eYcu/J5WePrsg+j6VOpM+uq0JwJ+tpj4ijnW/8HesvwM7mb85jBXA"
    "KFjgvnnnnj/W2e6/ViMxv+mvf7+8MB7Ak0iMPkYbQT8AYcs+z+7xPtwxyj9Vcug/pmGzP+LurD8IjPi9sZoyP/m9"
    "ID8/z5e/lKWOP7acLMAWhI3AQjtTv+eKML/SLz++3k1EwCC+wDx4uyC/jDcTP0i+FTy7WL8+2M5pv0Uudb9z0+A9"
    "MlNzQEKm/z9D7hG+WhVBwJN/7b+k5hzAvyTEv28PQT/sLbE/vjVwPpnI3r9jLoy+Oc8uv6WVPb9PVJg/t/WJP7QR"
    "dz7/fF1AlMlPP0IZ5D8ftd2+ltFHwEV1qD/0Ysy/FsOsv6RGHL3tnVw/bkjyPV2B1L8Rxac/IXWgv2sHFL99mkc/"
    "h7KqPgxGfb/waEu/JFd0vjCzFkDiSgC+zeXwPrDLB8BzTEG/Px0XQISjyr7znEI+vJziP7ZyH8BjeVY+m1U6PR++"
    "A79CuKu+okc1PruHkkAKT1/ASgwevnIM3z1zVeE/vwFZP+YdA8CX+wFA13wDP4TfgT+2KMu/Wq/zv4rHzb+zAw1A"
    "yvG1v1pdu78SmMG/ACIewM/YIb6E9bs/ojbKPyXE7L5Xop6/UQ8DQGeWlT961UjA2RkCP1Jy87sa4ak/24btPpYg"
    "IcA="
)

REACTIONS = MessageModel(_BIAS, _WEIGHTS, BAR)

# Words a message may open with before what it asks: "ok is it free", "merci, c'est payant".
_OPENERS = (
    r"(?:(?:ok|okay|oh|ah|so|but|then|hi|hello|hey|thanks|thank you|thx|well|right|alright"
    r"|bonjour|salut|merci|mais|alors|donc|du coup|bon|ben|d accord|dac) )*"
)
# Who an auxiliary asks about: "will it work", not "will do it tonight".
_SUBJECT = (
    r"(?:i|you|u|it|we|they|he|she|this|that|there|these|those|my|your|our|the|a|an|any|anyone"
    r"|someone|je|j|tu|il|elle|on|vous|nous|ils|elles)"
)
# A question's opening, after any opener: an auxiliary and its subject ("is the induction free",
# "ok can I pay by card"), a question word ("how long does it take"), a French question form,
# or a follow-up's conjunction ("and on iPad", "et le week end": the answer's topic for another
# case).
_QUESTION_OPENING_RE = re.compile(
    _OPENERS + r"(?:(?:is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may"
    rf"|might|have|has) {_SUBJECT}|how|what|whats|why|when|where|which|who|est ce|peut on|puis je"
    r"|pouvez|peux|avez|y a t il|c est (?:gratuit|payant|possible|normal)|comment|pourquoi"
    r"|combien|quand|quel|quelle|quels|quelles|quoi|qu est ce|and|et|also|aussi|same for"
    r"|pareil pour|idem pour|but for|mais pour)\b"
)
# What French asks with at the end ("je fais comment", "c'est où", "et maintenant je fais quoi"),
# and "and then?" without its mark.
_QUESTION_ENDING_RE = re.compile(
    r"\b(?:comment|pourquoi|combien|quand|quoi|ou|lequel|laquelle|ensuite|maintenant|apres"
    r"|and then|now what)$"
)
# Words that tell of a problem or deny something, in English or French, folded, with a
# contraction's apostrophe typed or not ("isnt working", "n'arrive pas"): "mon epub est incomplet,
# il manque des chapitres" reports what the FAQ may answer, told as a statement.
_PROBLEM_RE = re.compile(
    r"\b(?:not|no|never|nothing|none|nobody|t|nt|isnt|arent|wasnt|werent|hasnt|havent|hadnt|doesnt"
    r"|dont|didnt|wont|wouldnt|cant|couldnt|shouldnt|cannot|missing|broken|broke|wrong|error"
    r"|errors|fail|failed|fails|failing|failure|problem|problems|issue|issues|bug|bugs|buggy"
    r"|glitch|crash|crashes|crashed|crashing|freeze|freezes|frozen|froze|stuck|blank|empty|slow"
    r"|(?:is|are|went|goes|still) down|offline|greyed|grayed|spinning|expired|invalid|lost"
    r"|charged|twice|refund|cancel|cancelled|canceled|late|delay|delayed|damaged|crushed|dirty"
    r"|incomplete|blocked|locked|declined|rejected|refused|unable|impossible|pas|plus|jamais"
    r"|rien|aucun|aucune|personne n|sans|manque|manquent|manquant|manquante|incomplet|casse"
    r"|cassee|erreur|probleme|souci|bloque|bloquee|plante|plantee|coupe|coupee|lent|lente|abime"
    r"|abimee|mauvais|mauvaise|panne|perdu|perdue|retard|annule|annulee|rembourse"
    r"|remboursement|debite|prelevement|en double|endommage|endommagee|vide|refuse|refusee"
    r"|expire|expiree|inadmissible"
    # Slow, looping, blinking, odd, rude; tried already; waiting for weeks.
    r"|slowly|lentement|keeps|en boucle|blinks|blinking|flashing|clignote|clignotant|spins"
    r"|white screen|ecran blanc|weird|strange|suspicious|bizarre|suspect|rude|desagreable|impoli"
    r"|impolie|typo|too many|too small|too big|trop petit|trop grand|trop de"
    r"|already (?:did|done|tried|have done|checked)|deja (?:fait|essaye|teste|verifie)"
    r"|same thing|meme chose|toujours le meme|still waiting|toujours en attente"
    r"|(?:been|for|depuis|ca fait|il y a) (?:\w+ )?(?:days|weeks|months|jours|semaines|mois)"
    r"|third time|troisieme fois)\b"
)
# A keyword or two ("shipping", "mot de passe") is something to search, not a reaction.
_FEWEST_WORDS = 3


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def asks(text: str) -> bool:
    """Whether the message asks something in its form: a question mark, "où", or a question's
    opening after any greeting or nod, or its French ending (in English or French)."""
    composed = unicodedata.normalize("NFC", text).casefold()
    if "?" in composed or "\uff1f" in composed or "où" in composed:
        return True
    words = _words(text)
    return bool(_QUESTION_OPENING_RE.match(words) or _QUESTION_ENDING_RE.search(words))


def tells_of_a_problem(text: str) -> bool:
    """Whether the message names a problem or denies something, in English or French."""
    return _PROBLEM_RE.search(_words(text)) is not None


def asked_about(text: str) -> bool:
    """Whether the model may be asked about the message: it has a few words, asks nothing in
    its form, tells of no problem, and is neither a command typed as text ("/faq reload") nor a
    correction of the last message ("*password"), which is searched as what it corrects to."""
    return (
        len(_words(text).split()) >= _FEWEST_WORDS
        and not asks(text)
        and not tells_of_a_problem(text)
        and not text.lstrip().startswith(("/", "*"))
    )


def only_reacts(text: str, encoders: Sequence[Encoder]) -> bool:
    """Whether a message, right after an answer, only reacts to it (see the module's doc);
    False without the model's encoder."""
    return asked_about(text) and REACTIONS.reads(text, encoders)
