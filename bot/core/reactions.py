"""Messages that only react to the conversation, read from what they mean, for a message the FAQ
has no answer to.

Between questions customers report how they are getting on with the answer ("screws are in,
moving on to the drawers", "ok I'm on the settings page now", "j'attends le sms"), step away
("afk for a bit, cooking dinner"), comment on it ("that's pretty pricey tbh") or joke ("my
router hates me lol"). The patterns of `bot.core.intents` know the commonest of these, but not
the endless rest, which were searched: the FAQ had no answer, the bot offered a person, and a
second such message in a row opened a ticket. A logistic model over the message's multilingual
embedding (`bot.core.classifier`) reads many of them; it is asked only once the FAQ has no
answer, and never about a message that asks in its form (a question mark, or opening as a
question does: "is the induction free", "combien ça coûte") or tells of a problem ("mon epub est
incomplet"), so that a question or a problem the FAQ cannot answer still gets the offer of a
person. What it reads gets a short reply and the Talk to a person button, and counts as no miss.
In lexical-only search, which embeds nothing, such messages are misses as before.

Fitted on the tuning set by `python -m bench.reactions evals/dev --datasets PATH/TO/datasets`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.core.classifier import MessageModel
from faq.semantic import Encoder

# The probability from which a message only reacts. Chosen on the tuning set (bench/reactions.py
# prints each bar's trade): at 0.9 a model fitted without each fifth of the tuning messages read
# 78 of the 133 reactions in it that the bot asks it about, and 1 of its 32 such questions
# ("escalate to tier 2 pls", which the model of requests reads first); the model took 3 of the
# 3,547 such public test questions (Banking77, CLINC150), 11 at 0.85.
BAR = 0.9

_BIAS = -1.679577
_WEIGHTS = (
    "ekj8P6o+lT8GR0g/0kmdP4z9Y776QhO/m5z5PxzONb9GaBTAPeD8PGAKwz97oFk/T+0NwM1soT+y5yLA3q6qP+rr"
    "Dr9sBoBA5erTPxqmO7/xCSw/i8+sPe/jiL+FZy+/e/tRv2hZbL5EP/g9P2tTP3suEMAWQL4/qqXfP19VAb9mpru/"
    "moyMP0mMQz/uEpjA8SbWP2MGqT1mKcK+XDUjPxiSMz6IHfM+RT6PPqweSr9UezrALwV9Pl+E675Re4A/t3qQvtan"
    "nr8sYgW+vS7zP29vcD4BiI8+vyMGP97QlMBNz8m/8jKuPzjzlj+CaEg+PHCTviypq78kc4K/HTWwvy1J/b5Tr6O/"
    "Kpx9PzlbHrwDAtc85Xnvvj49TT8ZOxbAol3ovxjZZz9jGAzAzeZYvvQRHb12NkXAdkx4QNZidUDVDrm/uRcxQJ7S"
    "sL+03ss/ca7PPmPY7z8RADo/hWDGv6wa2D+s6HE/2vn6vyXUFj+aMSHAMqoivy8UZL8Rtfu8kDulvy59ib8kJiTA"
    "NMPkviqsVD9zqOG9BoejP2c9SL1Xd+C/F+x/Py2nib83/ktAIa8IP6ySMr7j9Y89MAP7PQtfuj8KBxVAlasDQMmv"
    "ar+NbAy/btdtPaIkDz+hlRo/6m4oQFTYmj91eBK/DLynv/xS7b9kw0S/0s4DwGMfvL5uvUI9I50GwD+O2z1RWW4/"
    "UYIpQHdwNcC8bj1ArdSAv0ykp79Wlv4/7EKBwAzuCEDak08/OTrOPa4VOj72eRVAyTqRvzM8wr4Ym1s/vGrrvu0F"
    "QT4BUzM/Sau2vhTJnT+Gzei/kkKdvmPw/78sERy/WiHKP5Cy0z/RoJe//0vbPhf5dD4SELO/cmsCPyVYwD+SF4W+"
    "U0q7PyZzrj72QDjACvpcv0X0r73rWQu/xsEHwLGr5L+HRpk/HNISvqxDLj++87O//ESOvero2z7IFmLADcixPjEZ"
    "nT+1Wac/6uWvv12RtD7GKeQ+1Mz7P9HQpT/64hS/bhUePlofbL4XB66/pwmJvzbbDL9bRP++whulPh2plT/SBBe/"
    "rLSkvwImrD9Hqzg/kSikvqQ32j8GAIE/FzuNPWyN4z/aSem+tzkHvz8FW77uPxjA/RGKvzkrTj/tI+8+ay4JQBQf"
    "d79FA1c/vAshPxvz7z9qUk6/uAG8Pyk3lz9ueTs+SN0gP9Ketz82tp9AJBl8vzBrz79XEWA/AArTPzv4WD88LVE+"
    "Y4rrP4D+rD/SJUI/VfDwP7WQej2g9a+/2IJGv+lyZT97joo/APPDPsdCd7/ajE/A1bcvvhsxC74FXGG+Sv8SQP59"
    "IUAkEbC/4Ysmv2XLxz/Dvkm/SqVKvxa60D5FPVA/U0eMP6nnOb+PKdG/2raRP/x61L+lCXK/0kIIQOvUv78IV7q/"
    "0phJP+cuDkBK3VS+s8IkP1omjj67DDtA67T4vVQgZD+PTfM9+GDTPnvcGcAHavg9UQwDv53s7D9wRUJAdj/VPcE5"
    "wj97SOw/dgm1vz8rIL9p4zG/V4XSv+7dQcA3XbY/VP8Cv+wos7/oik8/pdmzv0Gds79Cva0/PEKhvnqPzD89uCk+"
    "NoAWQG+66D2RiLM+uLjVPq6Q1z4I2Go/OcqTP5UM5L91YnQ/LfKEP56VU8DTzRTAJrKCv+4MXL+YuHK/TkZUP2b0"
    "Kr9pBC8/Svd8wGg26z4R6KK/Adh8P7w9wz6xksI/07iBv6OBwj3HUTq/aorJPuGl5z9TwqM/O+nzPjDx5L8RIqo/"
    "XrIsQMaDTj9N3Y2/o8q+v6lql75Fa7fA8q5QP6YPkj5yp0XAMw1XP9Skhz/y69E/IS3qvwmwrT4W/bQ/h1Upv3f+"
    "az8KCqQ/Pg+NP2rFrb9Dh2q++fDTP8VWFT35zqC/9EPDv/BFR7/TsIo/ucU8P1tmE75sR3w/YcLWP4u7gz0KvMi/"
    "J8r4P6P8GEBIRmO/MiO0v/tker9NDre9sVn2PXjzqj90JhjA/cbRPqyJpT5U99o+gAmMO1f0j7/G6Mw/x1qav2Gl"
    "L0C55RzA4sXJvX+DQr+eMOI/2MctwM0F0T//iwfA9raDPvINFD88i0s+rAMPwEg6Pr27Ey6/wyPMv9c6lr+HJwLA"
    "HHwfv2kWnz8ajdi/tSbnvnF2fb86DzHAnaFTPgy0Jz+aLFO9jOFwP8P7tz/OitA/I/qwP2F+UT+DA6S+zUhIP4Vf"
    "aT9IBiq/VmaSP0YVScB3GZHA3AVSv2Be575JcO69SAEhwJ9woD6lOSC/yMKBPmb/lz6CPHQ/oBfPvgyPNb/ulb8+"
    "mEJ7QHvV+z9OdN897Jg6wFgc679tdzXA8tmsv4Uwgj+q9Mc/mP0CP55z3b+ma1y/tHmuvd2lir8P8GA+1FilP2aW"
    "4z5qIGxAhtcUP3adGEAtfN29Mk1VwMl8qT9kS8m/T+ezvy9O0z717jc/0nAMPixrwL/y36g/omLCvzzRo744vio/"
    "1TQrP4DH974ASMW/bi+tPP8PFkBHXpe+cUDYPk4nG8CpaI6/5Dk7QIYAhb4sSpG8lwcgQKcLLMCy1mI+UlKPvoIN"
    "Mr+OI3A+4F+kPTtarEC1DHTAX6cNvwVTPD2++9w/XYqIP7prCMBAO7Q/+bVRPxPBYz/0S+O/DM4BwPaOub+MvhJA"
    "rwhMv/y9rL8OrKi/+FgjwIVhhr8T6r0/AAmEP8fvK7+dEa2/YpneP6h+mj+OFSHAWoWEPwhItz7s9ok/us+yPldy"
    "McA="
)

REACTIONS = MessageModel(_BIAS, _WEIGHTS, BAR)

# A message that opens as a question does (no question mark needed: "is the induction free").
_QUESTION_OPENING_RE = re.compile(
    r"\W*(?:is|are|am|was|were|do|does|did|can|could|will|would"
    r"|should|shall|may|might|have|has|how|what|whats|why|when|where|which|who|whose|est ce"
    r"|comment|pourquoi|quand|quel|quelle|quels|quelles|combien|ou|qui|que|qu est|quoi"
    r"|peut on|puis je|pouvez|peux|avez|y a t il)\b"
)


# Words that tell of a problem or deny something: "mon epub est incomplet, il manque des chapitres"
# reports what the FAQ may answer, told as a statement, and a person should be offered for it
# however calmly it reads. ("t" is what is left of any "n't".)
_PROBLEM_RE = re.compile(
    r"\b(?:not|no|never|nothing|t|cant|cannot|wont|missing|broken|broke|wrong|error|errors|fail"
    r"|failed|fails|failing|problem|problems|issue|issues|crash|crashes|crashed|lost|charged"
    r"|refund|cancel|cancelled|canceled|late|delay|delayed|damaged|incomplete|empty|blocked"
    r"|declined|pas|plus|jamais|rien|manque|manquent|manquant|manquante|incomplet|casse"
    r"|cassee|erreur|probleme|souci|bloque|bloquee|panne|perdu|perdue|retard|annule"
    r"|rembourse|remboursement|debite|endommage|vide)\b"
)


def tells_of_a_problem(text: str) -> bool:
    """Whether the message names a problem or denies something, in English or French."""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return _PROBLEM_RE.search(re.sub(r"[^\w]+", " ", folded)) is not None


def asks(text: str) -> bool:
    """Whether the message asks something in its form: a question mark, or a question's opening
    word (in English or French)."""
    if text.rstrip().endswith(("?", "\uff1f")):
        return True
    words = re.sub(r"[^\w]+", " ", text.casefold()).replace("où", "ou")
    return _QUESTION_OPENING_RE.match(words) is not None


def only_reacts(text: str, encoders: Sequence[Encoder]) -> bool:
    """Whether a message the FAQ has no answer to only reacts to the conversation; never when it
    asks in its form or tells of a problem, nor a command typed as text ("/faq reload"), nor
    without the model's encoder."""
    return (
        not asks(text)
        and not tells_of_a_problem(text)
        and not text.lstrip().startswith("/")
        and REACTIONS.reads(text, encoders)
    )
