"""Messages that are not FAQ questions: small talk, and asking for a person.

Both detectors read a normalised message (case, accents, punctuation and emoji folded away, letters
repeated for emphasis squeezed), so the patterns below are plain lower-case words; "j'ai" reads
"j ai", "you're" reads "you re".

Small talk counts only when the *whole* message is small-talk phrases ("hi! quick question",
"ok thanks, bye"): a greeting or thanks before a real question ("hi, how do I reset my
password?") leaves words no phrase covers, and the question goes to the FAQ.

A request for a person is read from its structure, not from its words: person nouns alone are
everywhere in FAQ questions ("how do I add a person to my team?", "what are your support hours?").
What counts is a request verb aimed at a person (talk to, put me through to, I want, call me back,
open a ticket), a person of the company asked to take the case ("could someone from billing look
at this?", "une vraie personne peut m'aider ?"), a person noun said on its own ("agent!!!"), or
frustration aimed at the bot.
"my"/"mon" never introduces the person asked for: "talk to my team" is about the product.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from bot.core.gates import GatedAlternation
from bot.core.request_gates import REQUEST_GATES
from faq.text import fold


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# --- Normalising ---------------------------------------------------------------------------------

# The emoji that carry the message; every other one is dropped with the punctuation.
_EMOJI_WORDS = {"👍": "ok", "👌": "ok", "✅": "ok", "🆗": "ok", "🙏": "thanks", "👋": "hi"}
# The same written as Slack and Discord send them (":pray:"); any other shortcode is dropped as
# an emoji is, and so is a "+1" (a nod) standing alone.
_SHORTCODE_WORDS = {
    "thumbsup": "ok",
    "+1": "ok",
    "ok_hand": "ok",
    "white_check_mark": "ok",
    "ok": "ok",
    "pray": "thanks",
    "wave": "hi",
}
_SHORTCODE = re.compile(r"(?<![\w:]):([a-z][a-z0-9_]*|\+1):(?![\w:])|(?<![\w+])\+1(?!\w)")
# Ligatures that folding would drop rather than spell out: "un œil" must read "un oeil".
_LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_CLAUSE_END = re.compile(r"[.!?;,:\n]+")
# A quotation: in double quotes, guillemets, or single quotes that are not apostrophes, within
# a sentence (an inch mark or a quote left open must not hide what follows).
_QUOTED = re.compile(
    r"(?<!\w)[\"\u201c«][^\"\u201d».?!\n]{1,80}[\"\u201d»]"
    r"|(?<!\w)['\u2018][^'\u2019.?!\n]{1,80}['\u2019](?!\w)"
)
# What the customer's own callers, clients or staff are to do ("is there a way for callers to
# press 0 in the IVR to reach a live operator?", "can our customers talk to a human in the
# widget?"), to the end of the sentence.
_THIRD_PARTY_NOUN = (
    r"(?:caller|customer|client|user|visitor|member|employee|student|patient|guest|lead|contact"
    r"|shopper|buyer|candidate|driver|tenant)"
)
# The customer's family and friends: "can my kids talk to your staff at the pool?"
_FAMILY = (
    r"(?:\w+ )?(?:kids?|children|child|sons?|daughters?|wife|husband|partner|spouse|mum|mom"
    r"|mother|dad|father|parents?|grand(?:ma|pa|mother|father|parents?)|sister|brother|friends?"
    r"|family|teens?|teenagers?)"
)
_FAMILLE = (
    r"(?:fils|fille|filles|femme|mari|conjoint|conjointe|p[eè]re|m[eè]re|parents|enfants?|ami|amie"
    r"|amis|amies|famille|fr[eè]re|s(?:oe|œ)ur|grand[ -]m[eè]re|grand[ -]p[eè]re|grands?[ -]parents"
    r"|belle[ -]m[eè]re|beau[ -]p[eè]re)"
)
_TIERS_FR = (
    r"(?:client|utilisateur|membre|salarie|salarié|employe|employé|locataire|candidat|chauffeur"
    r"|livreur|patient|eleve|élève|acheteur|visiteur)"
)
_THIRD_PARTY = re.compile(
    r"\b(?:(?:for|so that|allow|allows|let|lets|enable|enables) (?:my |our |the |their )?"
    rf"{_THIRD_PARTY_NOUN}s|(?:can|could|do|does|will|would|should) (?:my|our|their)"
    rf" (?:{_THIRD_PARTY_NOUN}s|{_FAMILY})|(?<!arrange )(?<!organise )(?<!organize )for (?:my"
    rf"|our) {_FAMILY} to"
    rf"|(?:mon|ma|mes|notre|nos) {_FAMILLE} (?:peut|peuvent|pourrait|pourraient|doit"
    rf"|doivent)(?! (?:plus|pas|jamais)\b)"
    rf"|(?:when|whenever|if|once) (?:a|an|the|my|our|their)"
    rf" {_THIRD_PARTY_NOUN}s? (?:asks|ask|wants|want|tries|try|types|type|says|say|writes|write"
    r"|calls|call)\b"
    r"|(?:pour|quand|si|lorsque|lorsqu.un|comment) (?:un |une |mes |nos |les |leurs |des |ses )?"
    rf"{_TIERS_FR}s? (?:peuvent|peut|puisse|puissent|demande|demandent|veut|veulent|essaie"
    r"|essaient|ecrit|écrit|appelle|appellent|tape|tapent)\b)"
    # (Not "members of your team": the company's own.)
    r"(?! of (?:your|ur|the)\b)"
    # To the end of the clause, or to where the customer speaks for themself again ("our
    # clients ..., or should I speak to an agent?").
    r"[^.?!;,\n]*?(?=$|[.?!;,\n]| - | (?:and|or|but|so) (?:i|we|please|can|could|should|would"
    r"|want|need)\b| (?:donc|alors|du coup|et|mais|ou) (?:je|j|nous|moi|svp)\b)"
)
# "a+" (à plus, "see you"), whose "+" the folding would drop.
_A_PLUS = re.compile(r"(?<!\w)[aà]\+(?!\w)", re.IGNORECASE)


# One message is read by several detectors (small talk, a pick from a list, a follow-up), each
# from its normal form: the last few are kept rather than worked out again.
@lru_cache(maxsize=32)
def _normalise(text: str) -> str:
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, f" {word} ")
    if ":" in text or "+1" in text:
        text = _SHORTCODE.sub(lambda m: f" {_SHORTCODE_WORDS.get(m[1] or '', '')} ", text)
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    if "+" in text:
        text = _A_PLUS.sub(" a plus ", text)
    words = _NOT_A_WORD.sub(" ", fold(text)).split()
    # "soooo" and "merciiii" become "soo" and "mercii"; small talk also tries "so" and "merci".
    return re.sub(r"([a-z])\1{2,}", r"\1\1", " ".join(words))


# --- Small talk ----------------------------------------------------------------------------------

_THANKS = _any(
    r"thanks?|thank (?:you|u|ya)|thankyou|thanku|thnx|thnks|thanx|thx|tx|tks|ty|tysm|tyvm|cheers",
    r"many thanks|much appreciated|appreciated|perfect|great thanks",
    r"(?:i |we )?(?:really |truly )?appreciate (?:it|that|this|you|your help|the help)",
    r"merci|mrc|mci|cimer|mille mercis?|(?:un )?grand merci|je (?:vous|te) remercie|parfait|ta",
    r"encore merci|thanks anyway|thank you anyway|merci quand meme",
    r"danke|gracias|grazie|obrigad[oa]",
    r"(?:really |much |very much |greatly )appreciated",
    r"remerciements|much obliged|(?:i m |i am )?(?:much )?obliged",
)
_THANKS_MORE = _any(
    r"so much|very much|so very much|a lot|a bunch|a ton|a million|again|anyway|in advance",
    r"beaucoup|bien|bcp|infiniment|encore|quand meme|mille fois|pour tout|a vous|a toi|heaps",
    r"sm|soo much|dear|my friend",
)
_THANKS_FOR = (
    r"(?:for|pour|de) (?:all |tout )?(?:(?:the|your|ur|this|that|votre|ton|ta|la|l|vos|les|ces"
    r"|these) )?"
    + r"(?:(?:quick|fast|speedy|prompt|clear|detailed|rapid) )?"
    + _any(
        r"help|helping(?: me)?|info|information|answers?|reply|response|assistance",
        r"support|time|patience|explanation|everything|that|this|kindness|responsiveness",
        r"aide|reponses?|infos?|informations?|temps|retour|explications?|rapidite|tout",
        r"reactivite|gentillesse|disponibilite|efficacite|precisions?|explaining(?: it)?(?: again"
        r"| twice)?|being (?:so )?patient(?: with me)?",
    )
    + r"(?: (?:quick|fast|rapide|claire?s?|detaillee?s?))?"
)
# Why a bot and a person are told apart: "are you a bot?", "am I talking to a real person?".
_BEING = r"(?:a |an |un |une )?(?:(?:real|actual|live|vrai|vraie) )*" + _any(
    r"bot|robot|chatbot|human|human being|person|machine|ai|computer|program|real",
    r"chatgpt|chat gpt|gpt|claude|an llm|llm",
    r"someone real|somebody real|humain|personne|ia|etre humain|personne reelle",
    r"intelligence artificielle",
)

# Wishing the bot well, and the times a goodbye points to: "hope you're having a great week",
# "see you at the gym tomorrow", "à la semaine prochaine".
_NICE = _any(
    r"good|great|nice|lovely|wonderful|fantastic|amazing|awesome|pleasant|productive|relaxing",
    r"restful|happy|fab|fabulous|brilliant|super|beautiful|terrific|excellent|safe",
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PERIOD = _any(
    r"(?:rest of (?:the|your) )?(?:day|week|weekend|week end|morning|afternoon|evening)",
    rf"night|time|one|holidays?|vacation|break|trip|summer|christmas|new year|{_DAY}",
)
_FINE = r"(?:well|good|great|fine|ok|okay|alright|all right|safe|healthy)"
_WHEN = _any(
    r"later|soon|around|then|again|tomorrow|tonight|soon enough|real soon|very soon|another time",
    rf"next (?:week|time|month|year|session|class|visit|lesson|one|{_DAY})|on {_DAY}|{_DAY}",
    rf"(?:this|next|on the) (?:week|weekend|week end|morning|afternoon|evening|{_DAY})",
    r"in (?:a |an |the |a few |two |a couple of |few )?\w+|at (?:the |your |my )?\w+",
    r"on the other side|there",
)
_DAY_FR = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_WHEN_FR = _any(
    r"demain|apres demain|ce soir|cet apres midi|ce week end|ce weekend|tout a l heure",
    r"tout de suite|tantot|plus tard|plus|bientot|tres bientot|tres vite|vite|la prochaine",
    r"la prochaine fois|la semaine prochaine|le mois prochain|l annee prochaine|un de ces jours",
    rf"un de ces quatre|{_DAY_FR}(?: prochain| soir| matin| apres midi)?",
)
_PLACE_FR = r"(?:a|au|aux|chez|en) (?:la |le |l |les )?\w+"
_PERIOD_FR = (
    r"(?:journee|soiree|semaine|week end|weekend|matinee|apres midi|fin de journee|nuit"
    r"|fin de semaine|fin de week end|vacances|fetes|sejour)"
)
_NICE_FR = r"(?:bonne|bon|bonnes|belle|bel|belles|excellente|excellent|super|agreable|tres bonne)"
# What a customer praises besides the bot: "love your app", "votre service est génial".
_PRODUCT = _any(
    r"products?|apps?|application|services?|tool|platform|software|site|website|company",
    r"team|support|support team|customer service|customer support|customer care|features?",
    r"interface|ui|design|system|bot|chatbot|assistant|stuff|work|job|staff|chat",
)
_PRAISE = _any(
    r"great|awesome|amazing|excellent|fantastic|brilliant|perfect|the best|wonderful|superb",
    r"incredible|top notch|a lifesaver|a life saver|a game changer|good|nice|cool|helpful",
    r"easy to use|intuitive|lovely|outstanding|impressive|solid|fab|fabulous|stellar|so good",
    r"really good|very good|the greatest|beautiful|slick|second to none|the best ever|legends?",
    r"rock stars|rockstars|stars|heroes|a star|a legend|lifesavers",
)
_VERY = _any(
    r"so|really|very|just|absolutely|truly|pretty|super|incredibly|honestly|genuinely|always",
    r"simply|quite|seriously|actually",
)
_PRODUCT_FR = _any(
    r"appli|application|app|service|service client|produit|outil|plateforme|logiciel|site",
    r"site web|equipe|support|entreprise|societe|boite|interface|bot|robot|chatbot|assistant",
    r"fonctionnalites?|solution|systeme|travail|boulot",
)
_DET_FR = r"(?:votre|vos|ton|ta|tes|le|la|l|les|cette|cet|ce|votre nouvelle|votre nouveau)"
_PRAISE_FR = _any(
    r"top|au top|genial|geniale|geniaux|super|excellent|excellente|parfait|parfaite|formidable",
    r"incroyable|pratique|bien fait|bien faite|tres bien|efficace|intuitif|intuitive|extra",
    r"le meilleur|la meilleure|les meilleurs|nickel|remarquable|tip top|impeccable|magnifique",
    r"superbe|trop bien|top du top|bien pense|bien pensee|agreable|facile a utiliser",
    r"fantastique|exceptionnel|exceptionnelle|une pepite|un bijou|de qualite",
)
_VERY_FR = (
    r"(?:vraiment|tres|trop|super|franchement|hyper|tellement|juste|absolument|carrement|toujours)"
)

# Help asked for with nothing said yet: "can you help me with something?"
_WITH_IT = (
    r"(?: (?:with|on) (?:something|smth|sth|a thing|a few things|a couple of things"
    r"|a question|a problem|an issue))?(?: please| pls)?"
)

# The small talk that turns down what the bot offered (bot/core/decisions.py clears the offer).
DECLINE = "decline"
# A goodbye ends the exchange: what the bot offered is turned down as well ("no thanks", "bye").
GOODBYE = "goodbye"
# Saying the last reply failed ("that's wrong", "didn't work"): the engine takes it for a press of
# "Not helpful" (bot/engine/conversation.py).
UNHELPFUL = "unhelpful"
# What only reacts to the conversation in words no pattern knows ("screws are in, moving on to the
# drawers"), read by bot/core/reactions.py's model once the FAQ has no answer: never returned by
# `small_talk`.
REACTION = "reaction"
_RESOLVED = "resolved"
# Asking whether what the bot said holds: "is that right?", "are you sure?", "c'est vrai ?".
_CONFIRM = "confirm"
# Words that turn "my card worked" into a problem to report (see `_RESOLVED` below).
# ("t" is what is left of any "n't", however the verb before it is spelt: "dosen't".)
_NOT_RESOLVED = _any(
    r"not|never|no|nt|t|didn|doesn|isn|wasn|hasn|haven|hadn|won|didnt|doesnt|isnt|wasnt|hasnt"
    r"|havent|hadnt|wont|cant|dont|aint|dosnt|dosent|doesent|havnt|hasent|wasent|couldnt"
    r"|wouldnt|shouldnt|but|yet|still|stil|only|sometimes|rarely|occasionally|randomly|partly"
    r"|partially|half|semi|kinda|barely|hardly|almost|nearly|maybe|probably|possibly"
    r"|apparently|supposedly|should|would|could|might|must|stolen|blocked|cancelled|canceled"
    r"|expired|lost|frozen|old|previous|former|suspended|locked|declined|disabled|closed"
    r"|deactivated|compromised|hacked|wrong|fraudulent|duplicate|second|other",
)
_SMALL_TALK = {
    "greeting": _any(
        r"hi|hello|helo|hallo|hey|heya|hiya|howdy|yo|hola|greetings|what s up|whats up|sup",
        r"good (?:morning|afternoon|evening|day)|morning|evening|hi again|hello again",
        r"(?:it s |its |it is )?me again|c est (?:encore |re )moi",
        r"bonjour|bjr|salut|slt|coucou|bonsoir|rebonjour|re bonjour|re|allo|greetings from \w+",
        # Back from a moment away: "ok back", "I'm back", "me revoilà".
        r"(?:(?:ok|okay|ok i m|i m|im|i am) )?back(?: again| now)?|me revoila|je suis de retour",
        r"(?:(?:i )?(?:just )?(?:wanted to |want to )?)?say(?:ing)? (?:hi|hello|hey)",
        # Trying the bot out: the greeting says what it does.
        r"(?:just )?test(?:ing)?(?: (?:test(?:ing)?|123|1 2 3|the bot))?|this is a test"
        r"|je teste(?: le bot)?",
    ),
    # Away for a moment, or trying what the bot said: "one sec", "let me check", "je vérifie".
    # (Before "help_offer", where "got a sec?" asks for one.)
    "wait": _any(
        r"(?:please |pls )?(?:wait|hold on|hang on|bear with me|brb|be right back|(?:just )?(?:one"
        r"|a|1) (?:sec|second|moment|min|minute)|(?:give me|gimme|just) (?:a|one|1|a few|two|2)"
        r" (?:sec|secs|second|seconds|moment|moments|min|mins|minute|minutes))(?: please| pls)?",
        r"let me (?:check|see|try|look|have a look|try that|try it|check that|check it)"
        r"(?: (?:now|quickly|real quick|first))?",
        r"(?:(?:ok|okay) )?(?:i ll|ill|i will|will) (?:try|check|test)(?: (?:that|it|this))?"
        r"(?: (?:now|again|later|and let you know|and get back to you))?",
        r"trying (?:now|that|it|it now|that now|again)|checking now|on it",
        r"(?:(?:ok|okay) )?(?:i ll|ill|i will|im|i m|let me) (?:try|do) (?:it |that )?again",
        r"(?:(?:i m|im) )?checking (?:my )?(?:email|emails|inbox|mail|spam|phone|messages)"
        r"(?: now)?|let me check (?:my )?(?:email|emails|inbox|mail|spam|phone|messages)",
        r"(?:attendez|attends|patientez|un instant|une seconde|une minute|un moment|deux secondes"
        r"|2 secondes|2 sec|deux minutes|2 min|je reviens|je verifie|je regarde|bougez pas"
        r"|ne quittez pas|je vais (?:essayer|voir|regarder|verifier|tester)(?: ca)?|j essaie"
        r"|j essaye)(?: svp| s il vous plait| merci)?",
        # Doing what the answer said, as it happens: "clicking it now", "it's loading", "back
        # in 5", "ça charge". ("still loading" says it fails: see `_REJECTION_RE`; "I clicked
        # it" may follow a warning about a suspicious link, and is searched.)
        r"(?:(?:ok|okay|alright|k) )?(?:(?:i m|im|i am) )?(?:clicking|tapping|opening|typing"
        r"|entering|restarting|rebooting|refreshing|downloading|installing|updating|logging in"
        r"|signing in|doing|following|reading|trying|checking|looking|filling|resetting)"
        # (What is being done may be named: "typing my invoice number now".)
        r"(?: (?!now\b)[a-z0-9]+){0,4} (?:now|right now|rn|as we speak)",
        r"(?:it s|its|it is|the page s|the page is|page is|the app is|app is|the site is"
        r"|site is|it s now|its now) (?:loading|downloading|installing|updating|uploading"
        r"|restarting|rebooting|syncing)(?: now)?|loading now|(?:it s|its|it is)"
        r" (?:working on it|doing its thing|thinking)",
        r"(?:(?:i ll|ill|i will) )?be (?:right )?back(?: (?:in a (?:bit|sec|second|minute|min"
        r"|moment|few)|soon|shortly))?|back in (?:a (?:sec|second|minute|min|moment|bit|few)"
        r"|(?:a few|2|two|5|five|10|ten|15|fifteen)(?: (?:min|mins|minutes|sec|secs|seconds))?)"
        r"|afk",
        r"(?:ca (?:charge|telecharge|s installe|redemarre)|(?:c est en train de|ca a l air de)"
        r" (?:charger|telecharger|s installer|redemarrer))"
        r"|je reviens (?:dans|d ici) (?:2|deux|5|cinq|10|dix|quelques) (?:min|minutes|secondes)"
        r"|je (?:fais|teste|essaie|regarde) (?:ca|cela) (?:maintenant|tout de suite|de suite)"
        r"|j y vais|je m en occupe|j arrive(?: tout de suite)?|je reviens tout de suite",
    ),
    # Announcing a question, or asking for help in general: the reply invites the question.
    "help_offer": _any(
        r"(?:i (?:have |ve |ve got |have got |got )|got )?(?:a |one |another |one more |some "
        r"|a few |two )?(?:quick |small |short |simple |little )?questions?(?: for you)?",
        r"(?:can|could|may) i ask (?:you )?(?:(?:a |one |another )?(?:quick |small )?question"
        r"|something|sth|a thing|a few things|some questions)",
        rf"(?:can|could|would) (?:you|u) (?:please )?help(?: me| us)?(?: please| out)?{_WITH_IT}",
        rf"(?:i |we )?(?:need|would like|d like|want) (?:some |your )?(?:help|assistance)"
        rf"{_WITH_IT}",
        r"help(?: me)?|(?:are you|you) there|(?:is )?any(?:one|body)(?: there| here)?",
        r"(?:(?:can|could) )?(?:someone|somebody|anyone|anybody) help(?: me)?",
        r"(?:allo )?(?:il )?y a (?:t il |tu )?(?:quelqu un|quelquun|qqn|qq1)(?: (?:la|ici))?",
        r"i (?:have|ve got) (?:a|an) (?:problem|issue)",
        r"(?:j ai )?(?:une |deux |quelques |encore une |une autre )?(?:petites? )?questions?"
        r"(?: rapide| pour vous)?",
        r"(?:est ce que )?(?:je peux|puis je) (?:vous|te) (?:poser une (?:petite )?question"
        r"|demander quelque chose)",
        r"(?:est ce que )?(?:vous pouvez|tu peux|pouvez vous|peux tu|pourriez vous) m aider",
        r"(?:j ai )?besoin d (?:aide|un coup de main)|aidez moi|aide moi|aide",
        r"j ai (?:un|une) (?:probleme|souci)|(?:il )?y a quelqu un",
        r"(?:i |we )?(?:hope|hoping) (?:you|u) (?:can|could|will be able to) help(?: me| us)?",
        r"(?:est ce que )?(?:quelqu un|qqn|qq1) (?:peut|pourrait) m aider",
        r"j espere que (?:vous pourrez|vous pouvez|tu peux|tu pourras) m aider",
        # Asking for a moment, or whether anyone is there: "got a sec?", "you around?".
        r"(?:(?:have|got|do you have|you have|you got|u got|have you got|any chance you have) )?"
        r"(?:a|one|a quick|a spare|a free|two|2|five|5) (?:minute|minutes|min|mins|sec|secs"
        r"|second|seconds|moment)(?: for me)?",
        r"(?:are )?(?:you|u|ya) (?:there|around|about|available|free|online|awake)(?: now)?"
        r"|any(?:one|body) (?:home|around|about|available|online)",
        r"is this (?:thing )?(?:on|working)",
        r"(?:vous avez|tu as|t as|avez vous|as tu|auriez vous) (?:une|deux|2|cinq|5|un) "
        r"(?:minutes?|secondes?|instant|moment)(?: (?:pour moi|a m accorder))?",
        r"(?:vous etes|tu es|t es|etes vous|es tu) (?:la|dispo|disponible)",
    ),
    "ack": _any(
        r"ok|okay|okey|okie|oki|k|kk|oki doki|okie dokie|okey dokey|cool|got it|gotcha|great",
        r"alright|all right|aight|wonderful|brilliant|amazing|fantastic|superb|lovely|fab|sweet",
        r"nice|fine|good|very good|sounds (?:good|great)|understood|i understand|i see|noted|sure",
        r"(?:that )?makes sense|yes|yeah|yea|yep|yup|right|of course|ahh?|ohh?|lol|haha|wow",
        r"awesome|ouf|phew|pfiou|(?:i )?(?:understand|see|get it) now",
        r"(?:that |it )?makes (?:more|much more|a lot more) sense(?: now)?",
        r"no problem|no worries|np|will do|fair enough|good to know|that works|all good|ok then",
        r"interesting|(?:i )?(?:didn t|did not|never) know that|(?:ca c est |c est )?bon a savoir",
        r"je (?:ne )?(?:savais|le savais) pas|j en savais rien",
        r"(?:that s|thats) (?:fine|ok|okay|good|great|nice|cool)|hmm|hm",
        r"d accord|dac|dacc|ca marche|ca roule|entendu|compris|j ai compris|je comprends|je vois",
        r"jai compris|c bon|c est bon la|c cool|c est cool|tiguidou",
        r"bien recu|tres bien|bien|super|genial|nickel|top|oui|ouais|c est note|note|c est bon",
        r"je note|trop bien|c est exactement ca|c est ca|exactement ca|tout a fait|tres clair",
        r"bravo|clair|ptdr|mdr|xptdr|lol ok|mdr ok|ok mdr",
        # Done what the answer said: "done", "c'est fait".
        r"(?:all )?done|done that|did it|c est fait|fait|voila(?: c est fait)?",
        r"(?:that s|thats|that is) (?:right|correct)|never ?mind|nvm|laisse(?:z)? tomber",
        r"correct|(?:so |that s |thats |that is )?true|exact|c est juste",
        r"(?:ah )?(?:oui )?(?:la )?je comprends mieux(?: maintenant)?|ah oui",
        r"(?:that s|thats|that is) (?:just |exactly )?what i (?:needed|was looking for|wanted)",
        r"ca me va|pas de (?:souci|soucis|probleme)|bon|ben|bien sur|excellent|d acc|d ac",
        r"alrighty(?: then)?|roger(?: that)?|copy that|awesome sauce|(?:that )?makes sense now",
        r"sounds (?:good|great|fine|perfect) to me|all good(?: now)?|(?:that s|thats|that is)?"
        r" ?exactly (?:it|what i needed|what i was looking for)|exactly|perfect|clear",
        # It works again ("it's working again", "all sorted now"): said of the customer's own
        # problem, with "again" or "now" (a bare "fixed" or "c'est réglé" may be a question).
        r"(?:it s|its|it is|everything s|everything is) (?:working|sorted|fixed) (?:again|now)"
        r"|all (?:sorted|fixed) now|it works (?:again|now)|gg|tant pis|bon ben tant pis",
        # A message sent by mistake: "sorry wrong chat", "oups, mauvaise conversation".
        r"(?:sorry|oops|whoops|my bad) (?:wrong|the wrong) (?:chat|window|tab|channel|person"
        r"|conversation)|oops|whoops|my bad|wrong (?:chat|window|tab|channel|conversation)",
        r"(?:desolee?|oups)(?: (?:mauvais|mauvaise) (?:conversation|fenetre|onglet))?"
        r"|c etait une erreur|erreur de ma part",
        # An apology for a slip or a bother: "sorry", "sorry, typo", "pardon", "désolé pour le
        # dérangement" (asked, "sorry?" and "pardon ?" ask the bot to say it again).
        r"(?:so |very |really )?sorry(?: about that| for that| for the trouble| for the bother"
        r"| for the confusion| for the typo| my mistake)?|(?:sorry )?typo|pardon"
        r"|(?:desolee?|pardon) (?:pour le derangement|pour la faute de frappe|pour la faute)"
        r"|faute de frappe",
        # Finding the answer themselves: "never mind, figured it out", "laisse tomber, j'ai trouvé".
        r"never ?mind|nvm|forget it|(?:i )?(?:figured|worked|sorted) it out|(?:i )?found it"
        r"(?: myself)?|(?:i )?got it now|laisse(?:z)? tomber|c est bon j ai trouve"
        r"|j ai trouve(?: tout seul| toute seule| moi meme)?|oubliez|oublie",
    ),
    # Declining, usually the offer of a person or a suggestion: "no", "nope", "non merci".
    DECLINE: _any(
        r"no|nope|nah|nop|no need|not now|not yet|not really|no it (?:s|is) (?:fine|ok|okay"
        r"|alright)",
        r"(?:no )?(?:i m|im|i am) (?:good|fine|ok|okay)(?: (?:thanks|thank you))?",
        r"no (?:person|human|agent|ticket)(?: (?:needed|please))?",
        r"non|nan|pas besoin|pas (?:maintenant|encore|la peine|vraiment)|non c est bon"
        r"|non ca ira|ca ira|pas de (?:ticket|personne)",
    ),
    "thanks": rf"{_THANKS}(?: {_THANKS_MORE}){{0,2}}(?: {_THANKS_FOR})?(?: {_THANKS_MORE})?",
    "compliment": _any(
        r"(?:you re|you are|youre|ur|u r|u are|you ve been|you have been|you guys are|you guys re"
        r"|you all are|y all are|you guys have been|you were|u were|you guys were) (?:so |very "
        r"|really |super |the |just |absolutely |truly |pretty |quite |actually )?(?:awesome|great"
        r"|amazing|brilliant|helpful|best|a star|a lifesaver|(?:a|such a) (?:(?:great|big|huge"
        r"|massive|real|tremendous) )?help"
        r"|fantastic|wonderful|smart|clever|cool|a legend|perfect|excellent|the best|legends"
        r"|incredible|outstanding|superb|stars|rock stars|rockstars|heroes|lifesavers|an angel"
        r"|a gem|a champ)"
        r"(?: (?:today|again|as always|as usual|once again|for a bot|for a robot|honestly))*",
        # Praise for a bot as a bot: "lol you're pretty quick for a bot".
        r"(?:you re|you are|youre|ur|u r|u are) (?:so |very |really |pretty |quite |actually )?"
        r"(?:quick|fast|speedy|efficient|good|smart|clever|polite|funny) for (?:a|an) (?:bot|robot"
        r"|ai|machine|chatbot)",
        r"(?:t es|tu es|vous etes) (?:(?:trop|vraiment|plutot|assez|super) )?(?:marrante?|drole"
        r"|rigolo|rigolote|sympa|rapide|poli|polie|efficace) pour (?:un|une) (?:robot|bot|ia"
        r"|machine|chatbot)",
        r"(?:you|u)(?: guys| all| folks| people)? rock|y all rock|well done|problem solved",
        r"(?:i m |im |i am )?(?:very |really |so |quite )?impressed",
        r"(?:very |really |so )?impressive|(?:so|very) (?:easy|simple|quick|fast)"
        r"|(?:really|super) (?:easy|simple)",
        r"(?:i |we )?love (?:it|this|you|you guys|you all|this bot|the bot)",
        r"(?:great|good|nice|awesome|amazing|helpful|smart|best|brilliant) (?:bot|job|work"
        r"|answer|assistant|chatbot|one)",
        # The product, the company, the team: "love your app", "your support is amazing".
        rf"(?:i |we )?(?:{_VERY} )?(?:love|loving|adore|like|enjoy|enjoying|dig|am loving"
        rf"|m loving|am enjoying|m enjoying) (?:using )?(?:(?:the|your|ur|this|the new|your new) )?"
        rf"{_PRODUCT}(?: (?:so much|a lot|very much))?",
        rf"(?:(?:the|your|ur|this|the new|your new) )?{_PRODUCT} (?:is|s|are|re|has been|have been"
        rf"|was)(?: {_VERY})* {_PRAISE}",
        rf"(?:what an? |such an? )?(?:{_VERY} )?(?:great|good|nice|awesome|amazing|excellent"
        rf"|fantastic|brilliant|superb|top notch|wonderful|lovely|cool|solid|best|incredible"
        rf"|outstanding|impressive|beautiful|slick|fab|fabulous|stellar) {_PRODUCT}(?: ever"
        rf"| as always| as usual| as ever| again| once again| today)?",
        # Hailed as one: "legend, thanks", "you absolute lifesaver".
        r"(?:you|u)(?: absolute| total| real)? (?:legend|hero|champ|lifesaver|life saver"
        r"|rockstar|rock star)",
        r"keep up the (?:good|great|amazing|awesome|excellent|fantastic) (?:work|job)|keep it up",
        rf"(?:(?:i m|im|i am|we re|we are) )?(?:a |such a |huge |big |such |real )*fans?"
        rf"(?: of (?:the |your |ur )?{_PRODUCT})?",
        rf"(?:five|5) stars|10 (?:out of|on|over) 10|(?:i |we )?(?:would |highly |really )*"
        rf"recommend(?: (?:it|you|you guys|(?:the|your) {_PRODUCT}))?",
        r"(?:kudos|props|hats off|shout ?out|big up)(?: to (?:the|your|you|ur) (?:team|guys|devs"
        r"|developers|support|support team|folks))?",
        r"(?:(?:that|this|it) (?:(?:was|is|s|has been) )?)?(?:so |very |really |super "
        r"|extremely |quite )?(?:helpful|useful|exactly what i needed|spot on)",
        r"(?:that|this|it) (?:(?:was|is|s) )?(?:perfect|great|awesome|clear|amazing)",
        r"(?:that|this|it) (?:was|is|s) (?:so |very |really )?(?:kind|nice|sweet|lovely)",
        # ("you're fast?" asks.)
        r"(?:(?:wow|omg|gosh) (?:you re|you are|youre|ur|u r|u are)|(?:you re|you are|youre|ur"
        r"|u r|u are) (?:so|very|really|super|pretty|quite)) (?:fast|quick|speedy|efficient|nice"
        r"|kind|sweet|lovely|patient)",
        r"god bless(?: you)?|yay|woo ?hoo|hooray",
        r"c est (?:tres |trop |vraiment |super )?gentil(?: de votre part| de ta part)?",
        r"(?:c etait|c est|c etait vraiment|c est vraiment) (?:tres |super |vraiment )?"
        r"(?:utile|clair|parfait|top|efficace|rapide)",
        r"(?:that|this|it) (?:was|is|s) (?:so |very |really |super )?(?:quick|fast|easy|simple"
        r"|painless|smooth)",
        r"(?:that|this|it) (?:helped|helps|worked|works)(?: (?:a lot|perfectly|great|now))?",
        r"(?:that|this|it) worked (?:first try|first time|the first time)",
        r"(?:you|u) (?:saved|just saved) my (?:life|day|bacon)|(?:vous m avez|tu m as) sauve"
        r" (?:la vie|la journee)",
        r"(?:that|this|it) (?:sorted it|sorts it|did it|did the trick|fixed it|solved it"
        r"|answers it|answered it|answers my question|answered my question)",
        r"(?:vous etes|tu es|t es|vous avez ete|tu as ete) (?:vraiment |trop |tres |super )?"
        r"(?:super|genial|geniale|geniaux|top|au top|formidable|parfait|excellent|efficace"
        r"|utile|tres utile|le meilleur|la meilleure|les meilleurs|les meilleures|formidables"
        r"|incroyables|des pros|des chefs|au top du top|un ange|une perle|des anges"
        r"|un vrai ange|une vraie perle|un amour|un crack|un genie|un vrai genie)",
        r"(?:vous m avez|tu m as) (?:(?:bien|beaucoup|vraiment|super|tellement|tres) ){0,2}aidee?",
        r"(?:ca|cela|votre reponse) repond (?:bien |parfaitement |exactement )?a (?:ma|la)"
        r" question",
        r"(?:vous etes|tu es|t es) (?:vraiment |plutot |assez |tres |trop )?(?:rapides?"
        r"|efficaces?|poli|polie|malin|maline) pour (?:un|une) (?:bot|robot|ia|machine)",
        r"c est (?:vraiment |tres |trop |super |exactement )?(?:super|genial|parfait|top|clair"
        r"|utile|gentil|excellent|nickel|au top|ce qu il me fallait|ce que je cherchais)",
        r"(?:ca|cela) m a (?:bien |beaucoup |vraiment |tres )?aide",
        r"(?:ca|cela) fonctionne(?: maintenant| enfin| parfaitement)?",
        r"(?:ca|cela) marche (?:maintenant|enfin|parfaitement)",
        r"bravo|bien joue|impeccable|tres utile|j adore|probleme resolu|trop forte?",
        r"(?:tres|vraiment|super) (?:efficace|pratique|clair|claire)|trop (?:efficace|pratique)",
        r"(?:vous etes|tu es|t es) (?:vraiment |trop |tres |super )?(?:aimable|sympa|adorable"
        r"|gentil|gentille)",
        r"(?:super|bon|excellent|genial|top) (?:bot|robot|travail|boulot|reponse)",
        # (Not how fast: "réponse rapide svp" asks for one.)
        r"reponse (?:parfaite|top|nickel)|reponse (?:tres|vraiment|super|hyper) (?:claire|complete"
        r"|utile)|(?:tres|vraiment|super) bonne reponse",
        # The product, the company, the team: "votre appli est top", "j'adore votre service".
        rf"(?:(?:{_DET_FR}) )?{_PRODUCT_FR} (?:est|sont|c est|etait|a ete|ont ete)(?: {_VERY_FR})*"
        rf" {_PRAISE_FR}",
        rf"(?:(?:{_DET_FR}) )?{_PRODUCT_FR}(?: {_VERY_FR})? (?:au top|top|geniale?|parfaite?"
        rf"|nickel|impeccable|excellente?|super|de qualite|tip top|trop bien|5 etoiles)",
        rf"(?:{_VERY_FR} )?{_PRAISE_FR} {_DET_FR} {_PRODUCT_FR}",
        rf"(?:j |on |je |nous )?(?:adore|adorons|aime|aimons|kiffe)(?: {_VERY_FR}| beaucoup| bien)?"
        rf" (?:{_DET_FR} )?{_PRODUCT_FR}",
        rf"(?:quelle |quel |une |un |vraiment une |vraiment un )?(?:{_VERY_FR} )?(?:super"
        rf"|excellente?|geniale?|top|belle|bel|bonne|bon|tres bonne|superbe|chouette|formidable"
        rf"|magnifique|incroyable|parfaite?|meilleure?) {_PRODUCT_FR}",
        r"continuez comme (?:ca|cela)|continuez ainsi|chapeau(?: bas)?|felicitations",
        r"(?:un grand |grand )?bravo (?:a|pour) (?:toute |tout |toutes |tous )?(?:l equipe"
        r"|votre equipe|vous|vos equipes|le travail|votre travail|l appli|l application"
        r"|le boulot|les devs?|les developpeurs|votre service|le service)",
        rf"(?:je|on|nous) (?:vous )?(?:le |la )?recommande(?:rai|rais|ons)?"
        rf"(?: (?:vivement|fortement|chaudement|les yeux fermes))?(?: {_DET_FR} {_PRODUCT_FR})?",
        rf"(?:cinq|5) etoiles|(?:je suis|on est|nous sommes) (?:{_VERY_FR} )?(?:fan|fans|conquise?"
        rf"|ravie?s?|satisfaite?s?|contente?s?)(?: (?:de|du|des) (?:{_DET_FR} )?{_PRODUCT_FR})?",
    ),
    GOODBYE: _any(
        r"bye|bye bye|byebye|goodbye|good bye|cya|later|ttyl|take care|good night",
        r"(?:bye|goodbye|ciao) (?:for now|then|now)|until next time|till next time|til next time",
        r"gotta (?:go|run)|got to (?:go|run)|i (?:have|ve got) to (?:go|run)",
        r"(?:i m|im) off(?: now)?",
        # A goodbye pointing to a time or a place: "see you at the gym", "talk to you next week".
        rf"(?:see|c|catch) (?:you|ya|u)(?: guys| all)?(?: {_WHEN}){{0,3}}",
        rf"(?:talk|speak) (?:to|with) (?:you|u)(?: {_WHEN}){{1,3}}|(?:talk|speak) (?:later|soon)",
        rf"(?:have|enjoy|i wish you|wishing you|wish you) (?:a |an |the |your )?(?:{_NICE} )?"
        rf"{_PERIOD}(?: {_WHEN})?",
        rf"(?:i )?hope you (?:have|enjoy|get) (?:a |an |the |your )?(?:{_NICE} )?{_PERIOD}",
        r"(?:that s|thats|that is) (?:all|it|everything)(?: for now| for today| i needed"
        r"| i (?:wanted|needed) to (?:know|ask))?",
        r"nothing (?:else|more)|no(?: thanks| thank you| thx| that s all| nothing else)"
        r"|no (?:more|further|other) questions?(?: for now| for today)?"
        r"|rien de plus|bisous|bises|biz",
        r"(?:i m|im|i am) (?:done|all set)|all set|that (?:will|ll) be all",
        r"au revoir|aurevoir|ciao|tchao|au plaisir(?: de vous (?:revoir|relire|reparler))?",
        # "à la semaine prochaine", "on se voit à la salle demain", "à bientôt au club".
        rf"(?:a|rendez vous|rdv|on se (?:voit|revoit|retrouve|reparle|dit)) {_WHEN_FR}"
        rf"(?: {_PLACE_FR}| {_WHEN_FR}){{0,2}}",
        rf"on se (?:voit|revoit|retrouve|reparle)(?: {_PLACE_FR}| {_WHEN_FR}){{0,2}}",
        r"bonne (?:journee|soiree|nuit|semaine|continuation|fin de (?:journee|soiree|semaine))",
        rf"(?:(?:je vous souhaite|je te souhaite|passez|passe) )?(?:une |un |de )?{_NICE_FR}"
        rf" {_PERIOD_FR}(?: a vous| a toi| a tous)?",
        rf"bon (?:week end|weekend|apres midi|courage|{_DAY_FR})|bonnes fetes|non merci",
        r"(?:non )?c est tout(?: pour moi| ce que je (?:voulais|souhaitais) (?:savoir|demander))?",
        r"(?:ce|ca) sera tout|rien d autre|(?:je n ai )?pas d autres? questions?",
    ),
    # Wishing the bot well: "hope you're having a good day", "j'espère que vous allez bien".
    "pleasantry": _any(
        rf"(?:i |we )?(?:hope|hoping|trust) (?:that )?(?:you re|you are|youre|ur|u r|u are|you"
        rf"|you guys are|you all are|y all are|you and the team are|the team is|your team is"
        rf"|everyone is|everyone s|all is|all s|everything is|everything s|things are|you ve been"
        rf"|you have been)(?: all)?(?: (?:doing|keeping|feeling|going))?(?: {_VERY})? {_FINE}"
        rf"(?: today| too| as well| this (?:morning|afternoon|evening|week)| on your (?:end|side)"
        rf"| with you)?",
        rf"(?:i |we )?(?:hope|hoping) (?:you re|you are|youre|ur|u r|you all are|you guys are)"
        rf" (?:having|enjoying|off to) (?:a |an |the |your )?(?:{_VERY} )?(?:{_NICE} )?{_PERIOD}"
        rf"(?: so far)?",
        rf"(?:i |we )?hope (?:you|u) (?:had|enjoyed) (?:a |an |the |your )?(?:{_NICE} )?{_PERIOD}",
        rf"(?:i |we )?hope your {_PERIOD} (?:is|was|has been|s) (?:going )?(?:{_VERY} )?"
        rf"(?:{_NICE}|well|nicely|smoothly)(?: so far)?",
        r"(?:i |we )?hope (?:this|my|the) (?:message |email |note )?finds you (?:well|in good "
        r"health|in good spirits)",
        r"(?:nice|pleased|glad|good|great|lovely) to (?:meet|see|chat with|talk to|hear from|speak"
        r" with|speak to) (?:you|u)(?: again)?",
        r"(?:you|u) too|same to you|likewise|and you|and yourself|you as well|back at you",
        rf"(?:happy (?:{_DAY}|holidays|new year|christmas|easter|thanksgiving|weekend|birthday)"
        r"|merry christmas|season s greetings)"
        r"(?: to (?:the |you |your )?(?:whole )?(?:team|all|everyone)| when it comes)?",
        r"(?:j espere|on espere|nous esperons|en esperant|j ose esperer) (?:que |qu )?"
        r"(?:(?:vous allez|vous alliez|tu vas|tu ailles|vous vous portez|vous portez|tout va"
        r"|tout aille|tout se passe|ca va|vous etes|tout le monde va|vous allez tous)"
        r"(?: toujours| tres)? (?:bien|pour le mieux|au mieux)(?: (?:chez vous|de votre cote"
        r"|de ton cote|pour vous|aujourd hui))?|ca va|tout va bien)",
        rf"(?:j espere|on espere|nous esperons|en esperant) (?:que |qu )?(?:vous passez|tu passes"
        rf"|vous avez passe|tu as passe|vous passiez|vous passerez|vous avez eu|tu as eu)"
        rf" (?:une |un |de )?{_NICE_FR} {_PERIOD_FR}",
        r"(?:ravie?|enchantee?|contente?) de (?:vous|te) (?:parler|rencontrer|connaitre|lire|"
        r"retrouver)|enchantee?",
        r"(?:vous|toi) (?:aussi|de meme|egalement|pareil)|de meme|pareillement",
        r"(?:joyeux|joyeuses) (?:noel|fetes|paques)|bonne annee|meilleurs voeux",
    ),
    # Whether the answer holds, asked with nothing more: the reply stands by the FAQ and offers
    # a person, where a search would find an entry on "right" or "correct". Said without asking,
    # "that's right" or "c'est juste" is a nod (see `_ASKED_AGREEMENT_RE` for those asked).
    _CONFIRM: _any(
        r"(?:is|was|isn t|isnt) (?:that|this|it)(?: (?:really|actually|definitely|still|always))?"
        r" (?:right|correct|true|accurate|so|the case|for real)",
        r"(?:are|r) (?:you|u)(?: (?:really|absolutely|totally|completely|100))? (?:sure|certain"
        r"|positive)(?: about (?:that|this|it)| of (?:that|this|it))?",
        r"(?:you|u) sure(?: about (?:that|this|it))?|are you serious",
        # ("c'est sûr ?" may ask whether something is safe.)
        r"(?:est ce que )?c est (?:vraiment |bien )?(?:vrai|correct|bien ca)"
        r"|est ce (?:vrai|juste|exact|correct)",
        r"(?:vous etes|tu es|t es|etes vous|es tu)(?: bien| vraiment)? (?:sur|sure|surs|sures"
        r"|certain|certaine)(?: de (?:vous|toi|ca|cela))?",
    ),
    "whoami": _any(
        r"(?:who|what) (?:are|r) (?:you|u)|who (?:is|s) this|(?:what s|whats|what is) your name",
        rf"(?:are|r) (?:you|u) {_BEING}(?: or (?:{_BEING}|not))?",
        rf"(?:am i|i m|im) (?:talking|speaking|chatting) (?:to|with) {_BEING}(?: or {_BEING})?"
        r"(?: right now| now| here)?",
        rf"is (?:this|it) {_BEING}",
        r"how (?:are|r) (?:you|u)(?: doing| today)?|how s it going|hows it going|how do you do",
        r"how (?:is|s) it going|hows things|how are things",
        r"how (?:s|is) (?:your|ur) (?:day|week|morning|afternoon|evening)(?: going| been)?",
        r"what (?:can|do|else can) you do|what else(?: can i ask(?: you)?| do you know)?",
        r"qui (?:es tu|etes vous|est ce)|(?:t es|tu es|vous etes|c est) qui",
        rf"(?:tu es|t es|vous etes|es tu|etes vous|est ce que (?:tu es|vous etes|je parle"
        rf" (?:a|avec))|c est|je parle"
        rf" (?:a|avec)) {_BEING}(?: ou (?:{_BEING}|pas|non))?(?: qui (?:repond|ecrit|parle))?"
        rf"(?: la| ici)?",
        r"(?:il )?y a (?:t il )?(?:quelqu un|qqn|qq1|un humain|une (?:vraie )?personne)"
        r"(?: de vrai)?"
        r" derriere (?:l ecran|le clavier|ce chat|ce bot)",
        r"(?:comment )?ca va|comment allez vous|vous allez bien|tu vas bien|comment vas tu",
        r"who (?:made|built|created|programmed|designed|trained|coded|developed) (?:you|u)"
        r"|who (?:is|s) your (?:creator|maker)",
        r"do (?:you|u) (?:ever )?(?:sleep|dream|get tired)"
        r"|do (?:you|u) ever (?:rest|eat|take (?:a )?breaks?)",
        r"(?:tu t appelles|vous vous appelez) comment|(?:c est )?quoi ton nom"
        r"|quel est (?:ton|votre) nom|(?:t as|tu as|as tu|vous avez|avez vous) un (?:prenom|nom)"
        r"|(?:do (?:you|u) have|have (?:you|u) got) a name",
        r"(?:tu|toi tu) (?:ne )?dors jamais(?: toi)?|vous (?:ne )?dormez jamais",
        # (Not "qui vous a créé ?", which may ask who founded the company.)
        r"qui t a (?:cree|creee|fait|faite|concu|programme|programmee|developpe|code|entraine)"
        r"|qui vous a (?:programme|programmee|developpe|code|entraine)",
        r"comment (?:tu t appelles|vous appelez vous)|(?:que|qu est ce que) (?:pouvez vous|tu "
        r"peux|vous pouvez) faire",
    ),
    # Saying the problem is gone ("fixed it", "the reset link worked", "c'est réglé"): small
    # talk only beside thanks or a nod (see `small_talk`), and never where it is asked
    # ("c'est réglé ?", "so the refund worked?"; see `_asks_if_resolved`). Last: a phrase of
    # another kind as well is read as that kind ("it worked!" is a compliment).
    _RESOLVED: _any(
        r"(?:i |we )?(?:fixed|solved|sorted|resolved) it|(?:i |we )?got (?:it|this|that)"
        r" (?:working|to work|sorted|fixed)|(?:i |we )?(?:got|m|am|re|are) (?:back )?in"
        r"|(?:i |we )?managed|(?:problem|issue|it s|its|it is|that s|thats|that is|all) (?:fixed"
        r"|solved|sorted|resolved)(?: now)?",
        r"(?:it s|its|it is|all|everything s|everything is|everything) (?:working|works)"
        r"(?: now| again| fine| fine now| perfectly)?|(?:it )?worked like a charm",
        # What worked may be named after a determiner, but never with a word that makes it a
        # problem: a negation, a hedge or a card's state ("my card never worked", "my card
        # sometimes works", "my stolen card worked"; "stil" is "still" squeezed).
        rf"(?:(?:the|my|your|that|this|it)(?: (?!{_NOT_RESOLVED}\b)[a-z0-9]+){{0,3}} )?"
        r"(?:worked|works(?: now| again| fine)?|did the trick|is working(?: now| again)?)",
        r"c est (?:regle|resolu|repare|bon maintenant)|(?:probleme|souci) (?:regle|resolu)"
        r"|(?:tout|ca|c) (?:fonctionne|marche|refonctionne|remarche)(?: (?:bien|maintenant"
        r"|a nouveau|de nouveau))?|tout est (?:ok|bon|regle|en ordre)"
        r"|j ai (?:pu|reussi a) (?:me connecter|le faire|me reconnecter)|j ai reussi",
        r"(?:i )?(?:figured|worked) it out(?: myself| on my own| by myself)?(?: in the end"
        r"| after all| finally)?|(?:that s|thats|that is|it s|its) all sorted(?: then| now)?",
        r"(?:ca|c|tout) a (?:marche|fonctionne)(?: du premier coup| nickel| parfaitement)?"
        r"|j ai trouve(?: tout seul| toute seule| moi meme)?(?: finalement)?",
    ),
}
_SMALL_TALK_RE = {kind: re.compile(pattern) for kind, pattern in _SMALL_TALK.items()}
# Words that say what is wrong with a name, or when to call, not what the name is: "my name is
# misspelled", "you can call me this afternoon".
_NOT_A_NAME = (
    r"(?!(?:wrong|wrongly|incorrect|misspelled|misspelt|spelled|spelt|missing|different|changed"
    r"|invalid|truncated|blank|empty|hidden|taken|required|correct|duplicated|duplicate|locked"
    r"|showing|shown|displayed|still|all|too|also|not|no|now|being|gone|deleted|cut|incomplete"
    r"|the|a|an|on|in|at|what|who|back|later|tomorrow|today|tonight|asap|please|anytime|any"
    r"|whenever|when|after|before|this|around|between|urgently|again|soon|directly|instead"
    r"|first|errone|tronque|faux|mal|incomplet|absent|manquant|pas|plus|change|modifie|bloque"
    r"|affiche|quoi)\b)"
)
# Introducing oneself, as the whole message: "my name is Alan", "hi, you can call me Alan", "je
# m'appelle Marie". Read as typed (not with letters squeezed, which would turn "incorrect" into
# a name).
_INTRODUCTION_RE = re.compile(
    r"(?:(?:hi|hello|hey|bonjour|salut|coucou|bonsoir) )?(?:my name is|my name s|you can call me"
    rf"|i m called|je m appelle|mon nom est|mon prenom est) {_NOT_A_NAME}[a-z]+"
    rf"(?: {_NOT_A_NAME}[a-z]+)?"
)
# "I'm Tom from Northwind, just signed up", "I'm Priya, a prospective student from Mumbai": a
# name, capitalised as typed, then where they come from ("I'm struggling with the app", "je
# suis victime de fraude" name no one).
_NAMED_FROM_RE = re.compile(
    r"(?:(?:hi|hello|hey|bonjour|salut|coucou|bonsoir) )?(?:i m|im|i am|this is|je suis|moi c est)"
    r" (?P<name>[a-z]+)(?: (?:a|an|un|une) [a-z]+(?: [a-z]+)?)? (?:from|at|de|du|chez) [a-z0-9]+"
    r"(?: [a-z0-9]+){0,2}(?: (?:just|i just|je viens de) (?:signed up|joined|registered"
    r"|subscribed|m inscrire|m abonner|arriver))?"
)
_TYPED_WORD_RE = re.compile(r"[^\W\d_]+")
# Words that may sit between phrases or after them ("thanks again team", "hello there") but do
# not make small talk by themselves.
_FILLER_RE = re.compile(
    r"and|et|also|aussi|so|alors|well|um|umm|please|pls|svp|then|btw|there|all|everyone"
    r"|everybody|guys|folks|team|bot|support|friend|buddy|mate|man|legend|champ|hero|lifesaver"
    r"|life saver|rockstar|rock star|a tous|tout le monde|hein"
    r"|l equipe|madame|monsieur|the team|vous|toi|you all|y all|all of you|a toute l equipe"
    r"|a l equipe|a vous|a toi|to you|to you all|to the team|to everyone|by the way"
    r"|just curious|out of curiosity|par curiosite"
)
# Whether any phrase starts the words: an ordinary question is then refused with one match
# instead of one per kind for each of its spans.
_PHRASE_START_RE = re.compile(_any(*_SMALL_TALK.values(), _FILLER_RE.pattern) + "(?= |$)")
# When a message mixes kinds, the one the reply should answer: "thanks, bye" is a goodbye,
# "hi! quick question" announces a question.
_PRIORITY = (
    "whoami",
    "help_offer",
    GOODBYE,
    _CONFIRM,
    "wait",
    "thanks",
    "compliment",
    "pleasantry",
    "greeting",
    DECLINE,
    "ack",
    _RESOLVED,
)
# Small talk is short; a longer message is a question even if it opens with pleasantries.
_MAX_WORDS = 16


def _kinds(words: tuple[str, ...]) -> list[str] | None:
    """The kinds of phrase the words split into, longest phrases first; None if they don't."""
    if not _PHRASE_START_RE.match(" ".join(words)):
        return None  # most messages, before the memo below is even built

    @cache
    def split(start: int) -> tuple[str, ...] | None:
        if start == len(words):
            return ()
        if not _PHRASE_START_RE.match(" ".join(words[start:])):
            return None
        for end in range(len(words), start, -1):
            span = " ".join(words[start:end])
            kinds = [k for k, pattern in _SMALL_TALK_RE.items() if pattern.fullmatch(span)]
            if not kinds and _FILLER_RE.fullmatch(span):
                kinds = ["filler"]
            rest = split(end) if kinds else None
            if rest is not None:
                return (kinds[0], *rest)
        return None

    found = split(0)
    return None if found is None else [k for k in found if k != "filler"]


def _introduces(text: str, normal: str) -> bool:
    named = _NAMED_FROM_RE.fullmatch(normal)
    return named is not None and any(
        word[0].isupper() and _normalise(word) == named["name"]
        for word in _TYPED_WORD_RE.findall(text)
    )


# The customer says the bot's last reply did not help, and nothing more: typed, it is the "Not
# helpful" button (`UNHELPFUL`: "that's wrong", "not what I asked", "didn't work", "ça ne m'aide
# pas"). With what it is about ("that's wrong, I'm on the Pro plan"), it is a question.
_REJECTION_RE = re.compile(
    r"(?:(?:no|nope|nah|hmm|hm|um|umm|sorry but|but|well|ugh|meh|non|bah|ben|euh|mais"
    r"|desole mais|desolee mais) )*(?:"
    # Wrong, or beside the question.
    r"(?:(?:that s|thats|that is|this is|it s|its|this|that|your answer is|the answer is) )?"
    r"(?:(?:totally|completely|just|simply|still) )?(?:wrong|incorrect|not right|not correct"
    r"|not true|not it|irrelevant|not relevant|unhelpful|not (?:very |really |at all )?helpful"
    r"|nonsense|not (?:my|the) question|not (?:the|an) answer|(?:a |the )?wrong (?:answer|one)"
    r"|not what i (?:asked|asked for|meant|wanted|need|needed|was asking|was asking for"
    r"|was looking for)|wrong again|not that(?: one)?)(?: at all)?"
    r"|(?:that |this |it )?(?:can t|cannot|can not|doesn t|does not|doesnt) (?:be|sound|seem"
    r"|look) (?:right|correct)|(?:close|almost|nearly) but not (?:exactly|quite)(?: it)?"
    r"|not (?:exactly|quite)(?: (?:it|right|what i (?:asked|meant|needed)))?"
    # Of no help, or not about the question.
    r"|(?:this|that|it|your answer) (?:doesn t|does not|didn t|did not|dont|doesnt|didnt)"
    r" (?:help|answer (?:my|the) question)(?: (?:me|at all|much))?"
    r"|doesn t help|does not help|didn t help|did not help|doesnt help|didnt help"
    r"|(?:you|u) (?:didn t|did not|didnt|don t|dont|haven t|have not|havent) (?:help(?: me)?"
    r"|answer(?:ed)? (?:my|the) question)|thanks for nothing"
    # Tried already, to no avail.
    r"|(?:it |that |this )?(?:didn t|did not|didnt|doesn t|does not|doesnt) work(?: for me)?"
    r"|(?:it s |its |it is )?still (?:not working|broken|the same|doesn t work|does not work"
    r"|doesnt work)|same (?:problem|issue|thing|error)(?: here)?|same here|still same"
    r"|(?:i )?(?:already (?:did|tried|done)|(?:ve|have) already (?:done|tried)) (?:all )?(?:that"
    r"|this|it|everything)|(?:i )?(?:ve |have )?(?:tried|did|done) everything(?: already)?"
    r"|(?:i )?did (?:that|this|all that|everything) already|already (?:tried|done)"
    r"|(?:it s|its|it is|that s|thats|that is) not there|(?:i )?(?:can t|cannot|cant) (?:see"
    r"|find) (?:it|that|this)(?: anywhere)?|(?:the|that) (?:button|link|option|menu|tab)"
    r" (?:isn t|is not|isnt|doesn t exist|does not exist) there"
    # Not understood.
    r"|(?:i m |im |i am )?(?:still )?confused|(?:i )?(?:still )?(?:don t|do not|dont)"
    r" understand|(?:this is |that s |thats |it s )?(?:so )?(?:confusing|unclear"
    r"|not clear)|(?:i m |im |i am )(?:so |totally |completely |a bit |kinda )?lost"
    r"|(?:i )?(?:don t|do not|dont) follow(?: (?:you|u))?(?: at all)?|(?:i m |im |i am )?not"
    r" following(?: (?:you|u))?(?: at all)?|(?:(?:sorry|hmm|um) )?(?:not sure|i m not sure"
    r"|im not sure|i am not sure) what you mean(?: by (?:that|this|it))?"
    r"|(?:you |u )?lost me|wait what"
    # Trying it fails as it goes: "still loading", "stuck on the same screen".
    r"|(?:it s |its |it is |the page is |page is |the app is )?still (?:loading|spinning"
    r"|processing|on the same (?:page|screen)|stuck)|(?:i m |im |i am )stuck(?: (?:again|there"
    r"|on the same (?:page|screen|step)))?"
    # The same in French.
    r"|(?:c est pas|ce n est pas|c etait pas|ce n etait pas|ca n est pas|c est toujours pas)"
    r" (?:ca|ma question|la question|la bonne reponse|une reponse|clair|ce que (?:j ai"
    r" demande|je (?:voulais|veux|cherche|cherchais|demandais)))"
    r"|c est pas ca que je (?:veux|voulais|cherche|cherchais)"
    r"|(?:c est |c etait )?(?:faux|n importe quoi|hors sujet|pas clair|pas utile)"
    r"|mauvaise reponse|reponse fausse"
    r"|(?:ca|cela|votre reponse) (?:ne )?(?:marche|fonctionne|m aide|aide)(?: toujours)? pas"
    r"(?: (?:mieux|du tout|beaucoup))?|(?:ca|cela|votre reponse) (?:ne )?m a pas aidee?"
    r"|(?:vous ne m avez|tu ne m as|vous m avez|tu m as) pas aidee?"
    r"|(?:ca|cela|votre reponse) (?:ne )?repond pas a (?:ma|la) question"
    r"|(?:vous n avez|tu n as|vous avez|t as) pas repondu a (?:ma|la) question"
    r"|toujours pas|toujours rien|(?:j ai )?deja (?:essaye|fait)(?: ca)?"
    r"|meme (?:probleme|souci|chose)(?: ici)?|(?:presque )?(?:mais )?pas (?:tout a fait"
    r"|exactement|vraiment ca)|je (?:ne )?comprends (?:toujours )?pas"
    r"|j ai rien compris|je n ai rien compris|j y comprends rien|je comprends rien"
    r"|je (?:ne )?(?:vous|te) suis pas(?: du tout| bien| tres bien)?"
    r"|je (?:ne )?suis pas sur de (?:suivre|comprendre)"
    r"|pas sur de (?:suivre|comprendre)"
    r"|(?:je suis|jsuis|chui|je suis un peu|je suis completement) perdue?"
    r"|(?:ca|c est) (?:charge|tourne) (?:toujours|encore))"
)


# A sentence and what ends it: "?" is gone from the words small talk reads.
_SENTENCE_RE = re.compile(r"[^.!?\uff1f\u2026]*[.!?\uff1f\u2026]*")
# The kinds that, asked, are a question: "ok it worked?", "that's correct?", "c'est efficace ?"
# ask whether something holds; a pleasantry asked is small talk all the same ("vous allez bien ?").
_ASKABLE = frozenset(("ack", "compliment", _RESOLVED, "wait"))


# A nod or surprise asked, with nothing more: "that's right?", "correct?", "really?", "c'est
# ça ?" ask whether the answer holds, as "is that right?" does. (Said, they are a nod, or
# words of another kind: "really great!")
_ASKED_AGREEMENT_RE = re.compile(
    r"(?:(?:ok|okay|so|and|but|wait|hmm|hm|oh|ah|um|alors|donc|mais|et|euh) )*(?:"
    r"(?:(?:that s|thats|that is|this is|it s|its|c est|c etait) )?(?:(?:really|actually|bien"
    r"|vraiment) )?(?:right|correct|true|accurate|exact|exactly|juste|vrai|sure)|c est (?:bien )?ca"
    r"|really|for real|seriously|vraiment|ah bon|serieux|serieusement|sans blague)"
)


# The customer's own matter named, and nothing more ("about my account", "c'est pour ma
# facture"): searched, "account" found the entry on deleting one. Only a matter, in one word: "about
# my lost card" says what is wrong, "about my son" who it is for, "and about my refund?" follows
# up; and a question announced with its topic is searched ("j'ai une question sur ma facture").
_OWN_MATTER_RE = re.compile(
    r"(?:(?:hi|hello|hey|bonjour|salut|bonsoir) )?(?:(?:it s|its|it is|this is|i m writing"
    r"|im writing|i am writing) )?(?:about|regarding|concerning|re) (?:my|our) (?:account|order"
    r"|invoice|bill|subscription|booking|reservation|delivery|payment|contract|plan|membership"
    r"|policy|claim|case|application|profile|package|parcel|appointment|purchase|request"
    r"|complaint)"
    r"|(?:(?:bonjour|salut|bonsoir) )?(?:c est pour|(?:c est )?(?:a propos de|au sujet de"
    r"|concernant)) (?:mon|ma|mes|notre|nos) (?:compte|commande|facture|abonnement|reservation"
    r"|livraison|paiement|contrat|forfait|dossier|adhesion|colis|rendez vous|demande"
    r"|reclamation|sinistre|achat|profil)"
)


# A question announced with what it is about, and nothing more: "I have a question about my
# subscription", "can you help me with billing?", "j'ai un souci avec ma commande". Such a message
# is searched (its topic may name an entry); when the FAQ has no sure answer, the bot invites the
# question rather than report a miss (bot/core/routing.py). Read clause by clause: greetings,
# thanks and courtesies around it aside, what is left is one clause: a few words, a word of
# needing or asking (a question, help, info, trouble; writing, reaching out) or one that points
# ("it's", "c'est"), what it is about ("about", "regarding", "avec", "au sujet de") and a topic:
# a few words that name something and ask, tell or request nothing yet. A wrong refusal only
# costs the invitation (the miss's reply comes instead); a wrong reading costs the miss's count
# and gap, so the topic is read strictly.
_NEED = _any(
    r"questions?|qs?|query|queries|enquiry|enquiries|inquiry|inquiries|doubts?|concerns?|info"
    r"|infos|information|informations|clarifications?|help|assist|assistance|support|hand|trouble"
    r"|problems?|issues?|difficulty|difficulties|bugs?|(?:quick|small|short) one",
    r"contacting|contact|writing|reaching out|reach out|messaging|getting in touch|get in touch"
    r"|wondering|enquiring|inquiring"
    r"|ask(?:ing)?(?: you| u)? (?:something|smth|sth|a question|questions|a thing|a few things)",
    r"interrogations?|doutes?|renseignements?|renseigner|precisions?|aide|aider|coup de main"
    r"|problemes?|soucis?|pbs?|difficultes?|demander|contacte|contacter|ecris|ecrire"
    r"|viens vers vous|reviens vers vous",
)
# Pointing at the topic straight away: "it's about my booking", "c'est pour mon dossier" (with
# words between, it asks: "c'est bon pour les chèques vacances ?").
_POINTING = r"(?:it s|its|it is|this is|c est|ca|cela)"
_ABOUT = _any(
    r"about|abt|regarding|re|concerning|on|with|w|for|around|sur|a propos d(?:e|es|u)|a propos"
    r"|au sujet d(?:e|es|u)|concernant|concerne|pour|pr|avec|par rapport (?:a|au|aux)"
    r"|d?(?:s|ans) le cadre d(?:e|es|u)"
)
_THANKS_AFTER = (
    r"(?: (?:please|pls|plz|svp|stp|s il vous plait|s il te plait|merci|thanks|thank you|thx"
    r"|merci d avance|thanks in advance|many thanks))*"
)
_ANNOUNCED_RE = re.compile(
    rf"(?P<lead>(?:[a-z0-9]+ ){{0,9}}?)(?:{_NEED}(?P<then>(?: [a-z0-9]+){{0,3}}?)|{_POINTING})"
    rf" {_ABOUT}(?P<topic>(?: [a-z0-9]+){{1,8}}?){_THANKS_AFTER}"
)
# What opens or closes a written message without saying anything ("Dear support team",
# "sorry to bother you", "Kind regards", "Madame, Monsieur", "Bonne journée"), beside small talk
# (an apology, "ok sorry", is one).
_COURTESY_RE = re.compile(
    r"(?:hi |hello |good (?:morning|afternoon|evening) )?(?:dear )?(?:(?:support )?team|sir"
    r"|madam|sir or madam|all|support)|(?:so )?sorry to (?:bother|disturb|trouble) you"
    r"|(?:kind|best|warm) regards|regards|cheers|best|thank you (?:very much |so much )?in advance"
    r"|(?:many )?thanks in advance(?: for your help)?|(?:bien )?cordialement"
    r"|bonne (?:journee|soiree|fin de journee)|madame|monsieur|madame monsieur"
    r"|(?:desole|desolee|pardon) de vous deranger|excusez moi de vous deranger"
    r"|merci (?:beaucoup )?(?:d avance|par avance)(?: (?:pour|de) votre aide)?|rebonjour"
    r"|re bonjour|hope you re (?:well|doing well)|i hope you re (?:well|doing well)"
)
# Words that ask or deny, wherever they stand: "how", "why", "not", "didn't", "jamais".
_ASKS_OR_DENIES = frozenset(
    "how what why when where which who whom whose whether not never no dont don cant cannot"
    " didnt didn doesnt doesn isnt isn haven hasn aren wasn weren couldn wouldn shouldn won wont"
    " comment pourquoi quand quel quelle quels quelles combien pas jamais".split()
)
# Words before the need that ask or tell ("why do I need help with...", "I don't have info
# on"), or that ask for a person ("could someone get in touch about...", "passez-moi un
# vétérinaire, c'est pour mon chien").
_NOT_ANNOUNCING = _ASKS_OR_DENIES | frozenset(
    "someone somebody anyone anybody person human agent advisor adviser representative rep"
    " manager staff recruiter qqn quelqu conseiller conseillere transfer connect put passez passe"
    " mettez transferez".split()
)
# A first word that makes the clause a question: "Is customer support available on weekends?".
_ASKING_FIRST = frozenset(("is", "are", "was", "were", "do", "does", "did", "will", "has"))
# Words that make a topic a question, a story or a request of its own: "about how refunds work",
# "with my order that never came", "about the invoice you sent me", "with my card, declined",
# "avec ma carte qui est bloquée", "sur la livraison en retard".
_NOT_A_TOPIC = _ASKS_OR_DENIES | frozenset(
    "if can could do does did is are was were should would will has have had that because since"
    " but keeps kept i you we they he she ou si peut peux puis faut dois est sont etait qui que"
    " qu parce mais ne n je tu il elle nous vous ils elles declined refused missing delayed"
    " broken crashing crashed crashes wrong lost stolen blocked locked hacked failed failing"
    " error errors expired damaged stuck unable charged refuse refusee manquant manquante retard"
    " casse cassee perdu perdue vole volee bloque bloquee erreur expire expiree abime abimee"
    " impossible incorrect".split()
)
# A topic that names nothing: "about it", "with this please", "avec ça".
_EMPTY_TOPIC = frozenset(
    "it this that these those them something smth sth stuff thing things one u you me my our"
    " your the a an ca cela ceci ce mon ma mes notre nos votre vos le la les l un une des du de"
    " d".split()
)
# The object a verb takes: "help with deleting my workspace", "besoin d'aide pour annuler ma
# commande" ask to do something, where "help with online banking" names a topic.
_OBJECT_START = frozenset(
    "my our your the a an this that these those in out up on off into to it them me us his her"
    " their some all back down over mon ma mes le la les l un une des du de d ce cet cette ces"
    " notre nos votre vos son sa ses leur leurs en y".split()
)
# An announcement is short, courtesies and all; a longer message says more than that.
_ANNOUNCEMENT_WORDS = 60
_ANNOUNCEMENT_CLAUSES = 6
# "quick q re: my baggage": the colon is no clause's end there.
_RE_COLON = re.compile(r"\bre:", re.IGNORECASE)
# Letters outside the Latin alphabet, which normalising drops: the message says more than the
# patterns can read ("I have a question about my 订阅").
_OTHER_LETTERS = re.compile(r"[^\W\da-z_]")


def announces_question(text: str) -> bool:
    """Whether the message announces a question and names what it is about, asking nothing
    yet (greetings, thanks and courtesies around it aside)."""
    parts = _CLAUSE_END.split(_RE_COLON.sub("re ", text))
    if len(text.split()) > _ANNOUNCEMENT_WORDS or len(parts) > _ANNOUNCEMENT_CLAUSES:
        return False
    if _OTHER_LETTERS.search(fold(text.casefold())):
        return False
    clauses = [
        normal
        for part in parts
        if (normal := _normalise(part))
        and not _COURTESY_RE.fullmatch(normal)
        and small_talk(part) is None
    ]
    found = _ANNOUNCED_RE.fullmatch(clauses[0]) if len(clauses) == 1 else None
    if found is None:
        return False
    lead, topic = found["lead"].split(), found["topic"].split()
    return (
        (lead[0] if lead else "") not in _ASKING_FIRST
        and _NOT_ANNOUNCING.isdisjoint([*lead, *(found["then"] or "").split()])
        and _NOT_A_TOPIC.isdisjoint(topic)
        and not _EMPTY_TOPIC.issuperset(topic)
        and not _acts(topic)
    )


def _acts(topic: list[str]) -> bool:
    """Whether the topic is something to do: a verb ("deleting", "annuler") and its object."""
    verb = topic[0].endswith("ing") or topic[0].endswith(("er", "ir", "re", "oir"))
    return verb and len(topic) > 1 and topic[1] in _OBJECT_START


def _asked(text: str) -> bool:
    return text.rstrip().endswith(("?", "\uff1f"))


def _asks_if_resolved(text: str) -> bool:
    """Whether a sentence that asks is a nod, praise or a fix ("ok it worked?", "merci, ça
    marche ?", "c'est efficace ?"), not whether the answer holds ("ok, is that right?"); a
    question after the closer is small talk of its own ("merci, c'est réglé ! vous allez
    bien ?")."""
    for sentence in _SENTENCE_RE.findall(text):
        if _asked(sentence):
            kinds = _kinds(tuple(_normalise(sentence).split())) or ()
            if _CONFIRM not in kinds and not _ASKABLE.isdisjoint(kinds):
                return True
    return False


def small_talk(text: str) -> str | None:
    """The kind of small talk when the whole message is small talk, else None."""
    normal = _normalise(text)
    if not normal:
        # Only emoji or punctuation ("🙂", ":)", "..."): a nod, not a question.
        return "ack" if text.strip() else None
    if _INTRODUCTION_RE.fullmatch(normal) or _introduces(text, normal):
        return "greeting"
    asked = _asked(text)
    if asked and _ASKED_AGREEMENT_RE.fullmatch(normal):
        return _CONFIRM
    if not asked and _OWN_MATTER_RE.fullmatch(normal):
        return "help_offer"
    # Asked, it is a question ("still the same?", "ça ne marche pas ?"); "this is useless" is
    # the customer asking for a person.
    if not asked and _REJECTION_RE.fullmatch(normal) and not names_a_person(text):
        return UNHELPFUL
    squeezed = re.sub(r"([a-z])\1+", r"\1", normal)  # "mercii" -> "merci", "hii" -> "hi"
    for form in dict.fromkeys((normal, squeezed)):
        words = tuple(form.split())
        kinds = _kinds(words) if len(words) <= _MAX_WORDS else None
        if not kinds or set(kinds) == {_RESOLVED}:
            continue
        return None if _asks_if_resolved(text) else min(kinds, key=_PRIORITY.index)
    return None


# --- Asking for a person -------------------------------------------------------------------------

# Where a request for a person may end: the clause, or politeness and what it is about.
_REQUEST_END = (
    r"(?= *$| (?:svp|stp|s il vous plait|merci|maintenant|rapidement|tout de suite|please|pls|now"
    r"|asap|au sujet|concernant|a propos|about|regarding)\b)"
)
# ("ur" is "your" as typed in a hurry: "talk to ur manager".)
_DET = r"(?:(?:a|an|the|some|any|one of (?:your|the)|your|ur|un|une|le|la|l|les|des|du|au|aux"
_DET += r"|votre|vos) )?"
# Nouns that mean a person of the company whatever the sentence.
_STAFF = _any(
    r"(?:real|actual|live|human|proper|vrai|vraie) (?:person|people|one|humans?|agent|being"
    r"|personne|humain|etre humain|conseill(?:er|ere)|advis(?:o|e)r|operat(?:or|eur|rice)"
    r"|representative|rep|interlocut(?:eur|rice))",
    r"humans?|human beings?|hooman|humains?|etre humain|personne (?:reelle|physique)",
    r"agents?|agnets?|representatives?|representitive|reps?|operators?|operat(?:eur|rice)",
    # (Plural only as "one of your advisors": "email advisors in bulk" is a product's feature.)
    r"advis(?:o|e)r|customer advis(?:o|e)r|(?<=of your )(?:\w+ )?advis(?:o|e)rs",
    r"conseill(?:er|ere|e)s?|interlocut(?:eur|rice)|technicien(?:ne)?|technician|specialist",
    # (Not the adjective: "le forfait supérieur".)
    r"(?<=votre )superieure?(?: hierarchique)?|(?<=vos )superieurs",
    r"supervisor|superviseur|superviseuse|manager|responsable|staff(?: member)?|employee",
    # (Their boss, not the customer's: "my boss wants the invoice in his name".)
    # ("who do you call your boss?" asks about the bot.)
    r"(?:(?<=your )|(?<=ur ))(?<!you call your )boss(?! (?:range|bottled|perfume|fragrance"
    r"|collection|line|brand|edition|model)s?\b)|(?<=votre )patron(?! de\b)",
    # A hotel's front desk, asked for (not "phone reception", "a concierge migration").
    r"(?:(?<=the )|(?<=your )|(?<=ur )|(?<=la )|(?<=l )|(?<=le ))(?:front desk|reception(?:ist)?"
    r"|concierge)|receptionist|reception desk|(?:front desk|reception|concierge)(?= *$| (?:please"
    r"|pls|plz|now|asap|svp|s il vous plait)\b)",
    # The company's person assigned to the customer, whose "our" is no one else's when asked
    # for ("talk to our account manager about renewing"; not "I need our account manager to
    # approve the quote", "un gestionnaire de fichiers").
    r"(?:account manager|account executive|customer success manager|csm"
    r"|chargee? de (?:compte|clientele)|gestionnaire de compte)"
    r"|(?:our|my|mon|ma|notre) (?:account manager|account executive|customer success manager"
    r"|csm|chargee? de (?:compte|clientele)|gestionnaire(?! de (?!compte\b)))"
    r"(?= *$| (?:please|asap|now|urgently|about|regarding|today|svp|chez vous|at your|c est))",
    r"members? of (?:your|ur) (?:team|staff|support team|customer service team)",
    r"membres? (?:de (?:votre|ton|l) equipe|du personnel)(?: technique| support| commerciale?)?",
    r"representante?s?|(?:whoever|the person|someone) (?:is |s )?in charge",
    # ("une relation client de qualité" is a product's promise.)
    r"guest relations|customer relations|service (?:de )?relations? clients?",
    # An expert of the company's: "your onboarding specialist", "one of your technical experts"
    # (a bare engineer or expert is a service booked: "request an engineer visit").
    r"(?:technical|tech|support|onboarding|product|billing|integration|implementation"
    r"|solutions?) (?:specialist|engineer|expert|consultant)"
    r"|(?<=of your )(?:(?:technical|tech|support|onboarding|product|billing|integration"
    r"|implementation|solutions?) )?(?:specialists|engineers|experts|consultants)",
    r"(?:customer |tech |technical )?support (?:team|staff|person|agent|engineer|desk)",
    r"(?:customer service|customer care|sales|billing|service client) (?:rep|representative"
    r"|agent|advis(?:o|e)r|conseill(?:er|ere))",
    r"(?:customer|costumer|custumer|custmer) (?:service|servise|sevice|care|success|support)"
    r"|customer services(?= *$| (?:please|pls|now|asap|about|regarding|team|department|directly)\b)"
    r"|tech(?:nical)? support|help ?desk",
    # "artificial customer service", "manual service": 人工客服 (a person) translated word by word.
    r"(?:artificial|human) (?:customer )?(?:service|support)|modos?|concerned person"
    r"|person concerned",
    r"service (?:client|clientele|apres vente|a la clientele)|sav|hotline"
    r"|equipe (?:support|technique)",
    # Said familiarly: "passe moi un mec du support".
    r"(?:mec|gars|type|nana|meuf) (?:du|de la|de l) (?:support|service client|sav|hotline)",
)
# What may follow "call me" when a call is asked for: when, why, on what number ("call me
# tomorrow", "call me about my bill"; not "call me Alan", "a call script").
_CALLED = (
    r"(?= *$| (?:back|on|at|tomorrow|today|tonight|asap|please|pls|plz|now|later|when|about"
    r"|regarding|to|as soon|this|in|before|after|urgently|again|svp|any|anytime|whenever|around"
    r"|\d))"
)
# Escalated to a person, not to a level: "escalate this to a manager", not "to tier 2".
_TO_PERSON = (
    r" to (?:(?:a |an |the |your |ur )?(?:manager|supervisor|human|person|someone|somebody|agent"
    r"|support|team|senior|management)\b|whoever\b|(?:the|your) (?:\w+ )?(?:team|department)\b)"
)
# Nouns that mean a person of the company only when asked for ("I need someone" but not "I need
# someone to have access to my folder").
_ANYONE = _any(
    r"someone|somebody|some one|some body|somone|sombody|sum1|some1|sb|anyone|anybody|any1|qq1",
    r"person|personne",
    r"quelqu un|quelquun|qqn|qqun|support|team|equipe|sales|billing",
)
# Words that say the team is the customer's own, or nobody's: "someone from my team", "quelqu'un
# d'autre", "a person from outside my company" are people the product serves, not its staff.
# Staff nouns that are as often the customer's own people ("discuss the review with a manager").
_NOT_INTERNAL = (
    r"(?!(?:manager|supervisor|superviseur|superviseuse|employee|responsable|specialist"
    r"|technician|technicien|front desk|reception|receptionist|concierge)\b)"
)
_NOT_STAFF = (
    r"(?!(?:my|our|mon|ma|mes|notre|nos|me|us|else|other|another|outside|different|external|a|an"
    r"|un|une|autre|d|their|his|her|leur|leurs|son|sa|ses)\b)"
)
_FROM = (
    r"(?: (?:de )?chez vous| on (?:your|ur) (?:end|side)"
    r"| (?:from|at|in|of|du|de|de l|de la|chez) (?:your |the |votre |la |l )?"
    rf"{_NOT_STAFF}\w+(?: (?:team|company|department|office))?)?"
)
# "(?! s\b)" keeps "the agent's hours" out, but not "un humain s'il vous plaît"; nor is a person
# meant in "human-readable invoices", "human resources" or where the noun qualifies a product's
# ("human translators", "an agent account", "a live agent feature").
_POSSESSIVE = (
    r"(?! s\b(?! il\b))(?! (?:readable|resources?|errors?|rights|verification|quality|features?"
    r"|translators?|translations?|reviews?|moderation|roles?|seats?|licen[cs]es?|accounts?"
    r"|permissions?|plans?|dashboard|widget|tools?|apps?|software|module|integrations?|logins?"
    r"|access|view|mode|visits?|opinion|appointments?|referrals?|reports?|witness|levels?"
    r"|discounts?)\b)"
)
# An adjective may stand before any of them: "a real support person".
_REAL = r"(?:(?:real|actual|live|human|proper|vrai|vraie) )?"
_PERSON = rf"{_DET}{_REAL}(?:{_STAFF}|{_ANYONE}){_FROM}{_POSSESSIVE}"
# Roles that are as often someone else's (a thesis director, a care attendant, a client's
# collaborators), or the company's own in one trade (a camp's director, a venue's wedding
# coordinator, a solar installer's project manager): only talked to or passed to, ending the
# clause ("talk to the camp director about my son", "parler au directeur de la colonie"), as is
# the boss of a member of staff the customer complains of ("I want to speak to his manager").
_IN_CHARGE = (
    r"(?:director|directeur|directrice|coordinat(?:or|eur|rice)|planner|project manager"
    r"|chef de projet|(?:claims?|case|admissions?) (?:handler|officer)"
    r"|gestionnaire (?:sinistres?|de dossier|de projet))s?"
)
# Said of a person asked for just before the request ends: "talk to one of your funeral
# directors directly" (not where more follows: "talk to the coordinator directly in the app").
_DIRECTLY = r"(?: (?:directly|personally|directement|personnellement))?"
# A person talked to: "un de vos conseillers" and "1" for "un" as typed in a hurry ("passe moi 1
# humain"), and a directeur or préposé, only where the person ends the request: "je veux 1 agent
# de plus" counts seats, "parler à un de vos conseillers le dimanche ?" asks when.
_PERSON_TALK_BASIC = (
    rf"(?:{_PERSON}|(?:{_DET}|(?:l )?une? de vos |1 ){_REAL}(?:{_STAFF}|{_ANYONE}|directeur"
    rf"|directrice|preposee?|(?<=de vos )collaborat(?:eur|rice)s)"
    rf"(?: (?:du|de la|de l|de votre|d) (?:magasin|agence|succursale|boutique|hotel|restaurant))?"
    rf"{_DIRECTLY}{_REQUEST_END})"
)
# A role of the trade's, or the boss of someone the customer complains of, talked to only where
# the customer wishes it (`_WISH_LEAD`) and the request ends: "how do clients talk to their
# project manager?", "I'll have to talk to our project manager" ask or tell something else.
_ROLE_TALKED = (
    rf"(?:{_DET}(?:{_NOT_STAFF}(?!(?:finance|financial|managing|sales|marketing|it|hr|art|creative"
    rf"|thesis|programme|program|technical|executive)\b)\w+ )?{_IN_CHARGE}"
    rf"|(?:his|her|son|sa) (?:manager|supervisor|boss|superieure?|responsable|chef))"
    rf"(?: (?:of the|of your) (?:\w+ )?\w+| (?:du|de la|de l|de votre|d) \w+"
    rf"| (?:assigned to|handling|in charge of|dealing with|looking after|qui suit|qui gere)"
    rf" (?:my|our|mon|ma|mes|notre|nos) \w+)?{_DIRECTLY}{_REQUEST_END}"
)
_PERSON_TALK = rf"(?:{_PERSON_TALK_BASIC}|{_ROLE_TALKED})"
# Who wishes it, as a wish ("I really want to", "can I", "je voudrais"), not as a question or a
# plan ("do I need to", "I'll need to", "we need to" tell of a task of the customer's own).
_WISH_ADVERB = r"(?:(?:really|just|still|urgently|actually|also|now|absolutely) )?"
_WISH_LEAD = (
    r"(?:^|(?<!where )(?<!how )(?<!when )(?:(?:(?<!do )(?<!did )(?<!will )(?<!would )(?<!should )"
    rf"(?:i {_WISH_ADVERB}|we {_WISH_ADVERB}(?!need\b))|(?<!.))(?:want|need|d like|would like"
    r"|wish|d prefer|would prefer|d rather|demand|insist on) to |(?:can|could|may) (?:i|we)"
    r"(?: please)? |please |je (?:veux|voudrais|souhaite|souhaiterais|prefere|prefererais|desire"
    r"|demande a) |j aimerais |puis je |pourrais je |je peux |est ce que je peux ))"
)
# What follows "someone" when the customer asks for them rather than describes them.
_ASKED = (
    rf"(?= *$| (?:please|pls|plz|now|asap|right now|instead|here|about|regarding|svp|stp"
    rf"|(?:from|at) {_NOT_STAFF}"
    r"|maintenant|s il vous plait|not a bot|rather|who (?:can|could|will|knows)|qui (?:puisse|peut)"
    r"|not a (?:bot|robot|machine|computer|chatbot)|pas (?:un|une) (?:robot|machine|bot)"
    r"|real|human|competent|on the (?:phone|line)|au (?:telephone|tel)\b|par telephone|en ligne"
    r"|(?:to|pour) (?:help|assist|talk|speak|chat|call|contact|look|check|review|fix"
    r"|sort (?:this|it|that|things) out|explain"
    r"|handle|m aider|parler)))"
)
_PERSON_ASKED = rf"{_DET}{_REAL}(?:{_STAFF}{_FROM}|{_ANYONE}{_FROM}{_ASKED}){_POSSESSIVE}"
_BOT = r"(?:bot|robot|chatbot|chat bot|assistant|ai|ia|machine|thing|truc)"

# Asking a person to take the case: "could someone from member services pick up my case?",
# "quelqu'un du service client peut s'en occuper ?", "une vraie personne peut m'aider ?". The
# person is the company's by its noun (an agent, a real person) or by its team ("someone from
# billing", never "someone from my team"); plain "someone" only takes over a case ("can someone
# look into my issue?"), since "can someone look at my files?" asks what others may do.
_TEAM_WORD = rf"{_NOT_STAFF}[a-z0-9]+"
_TEAM_HEAD = _any(
    r"teams?|department|dept|staff|side|end|office|desk|support|services?|care|billing|sales",
    r"accounts?|accounting|finance|company|headquarters|hq",
)
_TEAM = _any(
    rf" from (?:your |ur |the )?{_TEAM_WORD}(?: {_TEAM_WORD}){{0,2}}",
    rf" (?:at|in|on|with|of) (?:your |ur |the )?(?:{_TEAM_WORD} ){{0,2}}{_TEAM_HEAD}",
    rf" (?:du|des|de la|de l|de votre|de vos|chez|au|a la|aux|au sein (?:du|de la|de l|de votre))"
    rf" {_TEAM_WORD}(?: {_TEAM_WORD}){{0,2}}",
    r" (?:de )?chez vous",
)
_SOMEONE = _any(
    r"(?:someone|somebody|anyone|anybody) real|someone|somebody|some one|anyone|anybody|somone",
    r"sombody|quelqu un|quelquun|qqn|qqun|qq1",
    r"one of (?:you|you guys|your (?:team|staff|colleagues|people|guys|agents|reps))",
    r"(?:a |one )?member of (?:your|the) (?:team|staff|support team)",
    r"(?:un |l un des )?membres? de (?:votre|l) equipe|(?:un|une|l un|l une) de vos \w+",
)
_A_PERSON = r"(?:a|one|une|la) (?:(?:real|actual|live|vraie?) )?(?:person|human|personne|humain)"
# A person as opposed to the bot ("a human, not a bot"), and the bot as a chat's (not "this
# machine" or "ce truc", which may be the product).
_HUMAN_NOUN = r"(?:person|human|human being|humain|personne)"
_CHATBOT = r"(?:bot|robot|chatbot|chat bot)"
# Who may be asked whatever the request; and plain "someone", only asked to take over a case.
_AGENT = _any(
    rf"(?:{_DET}{_STAFF}|{_A_PERSON}|{_SOMEONE}|{_DET}{_ANYONE})(?:{_TEAM})",
    rf"{_DET}{_NOT_INTERNAL}{_STAFF}|{_A_PERSON}",
    # ("can a team member approve invoices?" asks what a role may do: only taking the case over.)
    r"(?:a|one of the|one of your) (?:team|staff|support) member|(?:a|the|one of the) mods?",
)
_CASE_NOUN = (
    _any(
        r"case|ticket|issue|problem|request|complaint|query|question|enquiry|inquiry|claim",
        r"dispute|matter|situation|order|invoice|bill|charge|payment|refund|subscription|account",
        r"dossier|demande|cas|probleme|souci|reclamation|compte|facture|commande|remboursement",
        r"abonnement|paiement|requete|litige|message|application|booking|reservation|appointment",
        r"delivery|parcel|return|contract|candidature|rendez vous|livraison|colis|retour|contrat",
    )
    + "s?"
)
# "this", "it" and "that" only when nothing names another thing: "can someone look at this
# document?" asks about sharing.
_DEICTIC = (
    r"(?:this|it|that|these|them)(?= *$| (?:please|pls|plz|for (?:me|us)|asap|now|today|urgently"
    r"|quickly|soon|right away|thanks|thank|again|too|as well|instead|and|because|since|as|if"
    r"|when|it|i|i m|i ve|svp|stp|merci|at some point|sometime|this time|before)\b)"
)
# The chat itself only as this one: "can an agent take over the chat from the bot?" asks what a
# helpdesk product does.
_CASE = (
    rf"(?:(?:my|our|the|this|that) (?:\w+ )?{_CASE_NOUN}"
    rf"|this (?:conversation|chat)(?= *$| (?:please|pls|plz|now|asap|for (?:me|us)|thanks)\b)"
    rf"|{_DEICTIC})"
)
_TAKE_ON = _any(
    r"pick up|take over|take on|take care of|look at|look into|look over|have a look at",
    r"take a look at|deal with|sort out|follow up on|handle|check|check on|review|fix|resolve",
    r"process|work on|go over|investigate|reply to|respond to|answer",
)
_TAKEN_ON = _any(
    rf"{_TAKE_ON} {_CASE}",
    rf"pick (?:this|it|that|them|(?:my|our|the) (?:\w+ )?{_CASE_NOUN}) up",
    # Reading what was just written ("could a human please read this?"), not "can an agent
    # read my messages?", which asks who sees them.
    r"read (?:this|it|that)(?= *$| (?:please|pls|plz|for (?:me|us)|asap|now|at some point"
    r"|sometime|this time|again|thanks|thank|svp|merci)\b)",
)
# Nothing after the verb but politeness: "could a human take over please".
_NOTHING_MORE = r"(?: (?:please|pls|plz|now|asap|for (?:me|us)|thanks|thank you|right away|today"
_NOTHING_MORE += r"|urgently|svp|stp|s il vous plait|merci))* *$"
_HELP = r"(?:(?:help|assist)(?: (?:me|us)(?: out)?"
_HELP += r"|(?= *$| (?:please|pls|with|on|about|regarding|asap|now|out)\b))"
# Answering the customer: "can somebody from the team actually reply to me this time?"
_HELP += r"|(?:(?:reply|respond|write back|get back) to (?:me|us)|answer (?:me|us)"
_HELP += r"|(?:reply|respond|answer) here)"
_HELP += r"(?= *$| (?:please|pls|asap|now|today|this time|already|soon|at all|quickly)\b))"
# Words that may sit between the person and the verb: "could someone please look at this".
_SOON = r"(?: (?:please|pls|plz|kindly|just|quickly|urgently|maybe|possibly|also|actually|then"
_SOON += r"|now|directly|personally|somehow))*"
_ASK_LEAD = _any(
    r"can|could|would|will|may|might|please|pls|plz|kindly|so|ok|okay|hi|hello|hey|then|now",
    r"i d like|i would like|i want|i need|i d love|is it possible for|possible for|have|get",
    r"could you have|can you have|could you get|can you get|could i have|can i have|could i get",
    r"can i get|please have|please get|we need|we d like|we would like",
    r"any chance|is there any chance|is there a chance",
)
_CASE_FR = rf"(?:(?:mon|ma|mes|ce|cette|le|la|l|notre|nos) (?:\w+ )?{_CASE_NOUN}|ca|cela|ceci)"
_MAY_FR = (
    r"(?:peut|pourrait|pourra|peuvent|pourraient|pourriez|va|vont|doit|devrait|voudrait|veut)"
    r"(?: (?:il|elle|ils|elles))?(?: (?:svp|s il vous plait|rapidement|vite|enfin|bien|aussi"
    r"|vraiment|directement|personnellement))*"
)
# French takes the case as a pronoun before the verb ("le regarder", "s'en occuper") or names it
# after ("regarder mon dossier"); the infinitive after "peut", the subjunctive after "que".
_TAKE_ON_INF_FR = r"(?:regarder|traiter|prendre en charge|reprendre|examiner|verifier|gerer"
_TAKE_ON_INF_FR += r"|debloquer|regler|resoudre|suivre|etudier)"
_TAKE_ON_SUBJ_FR = r"(?:regarde|traite|prenne en charge|reprenne|examine|verifie|gere|debloque"
_TAKE_ON_SUBJ_FR += r"|regle|resolve|suive|etudie)"
# The case taken in hand, said last: "quelqu'un peut prendre mon dossier en main ?" ("prendre
# l'application en main" is learning to use it).
_IN_HAND = r" en main(?= *$| (?:svp|stp|s il vous plait|rapidement|vite|merci|maintenant)\b)"
_NOT_THE_APP = r"(?!(?:\w+ ){1,2}application)"
_TAKE_ON_FR = _any(
    rf"s en (?:occuper|charger)|s occuper de (?:moi|nous|{_CASE_FR})|prendre le relais",
    rf"prendre {_NOT_THE_APP}{_CASE_FR}{_IN_HAND}",
    rf"(?:le|la|les|l) {_TAKE_ON_INF_FR}|{_TAKE_ON_INF_FR} {_CASE_FR}",
    rf"jeter un (?:oeil|coup d oeil)(?: (?:a|sur) {_CASE_FR}| *$)",
)
_TAKEN_ON_FR = _any(
    rf"s en (?:occupe|charge)|s occupe de (?:moi|nous|{_CASE_FR})|prenne le relais",
    rf"prenne {_NOT_THE_APP}{_CASE_FR}{_IN_HAND}",
    rf"(?:le|la|les|l) {_TAKE_ON_SUBJ_FR}|{_TAKE_ON_SUBJ_FR} {_CASE_FR}",
    rf"jette un (?:oeil|coup d oeil)(?: (?:a|sur) {_CASE_FR}| *$)",
)
_HELP_FR = r"(?:(?:m|nous|me) (?:aider|repondre|rappeler|recontacter|depanner)|aider *$"
_HELP_FR += r"|repondre(?= *$| ici| svp| stp| s il)"
_HELP_FR += r"|repondre a (?:ma|mes|notre) (?:demande|question)s?)"
_HELPS_FR = r"(?:m|nous|me) (?:aide|reponde|rappelle|recontacte|depanne)"
_ASK_LEAD_FR = _any(
    r"est ce|j aimerais|je voudrais|je veux|je souhaite|je souhaiterais|je prefererais",
    r"il faudrait|il faut|serait il possible|est il possible|est ce possible|possible|bonjour",
    r"svp|s il vous plait|alors|donc|du coup|pourriez vous faire en sorte",
)
# "can a mod or someone from the studio reply here": two people asked for at once.
_OR_SOMEONE = (
    r"(?: or (?:someone|somebody|anyone|one of you)(?: (?:from|at|in) (?:the |your )?\w+)?)?"
)
# Each is read from the start of a clause or after a lead: "hi, could someone from billing look
# at this", "my invoice is wrong. someone from billing please look at it".
_LEAD = rf"(?:^|(?:{_ASK_LEAD}) )"
_LEAD_FR = rf"(?:^|(?:{_ASK_LEAD_FR}) (?:que |qu )?)"
_TEAMED = rf"(?:{_SOMEONE}|{_DET}{_STAFF}|{_A_PERSON}){_TEAM}"
_ASK_PATTERNS = [
    rf"{_LEAD}{_AGENT}{_OR_SOMEONE}(?: (?:could|can|would|will|might))?{_SOON}(?: to)? (?:{_HELP}"
    rf"|{_TAKE_ON}{_NOTHING_MORE}|{_TAKEN_ON})",
    rf"{_LEAD}{_SOMEONE}{_SOON}(?: to)? {_TAKEN_ON}",
    rf"{_LEAD_FR}{_AGENT} (?:{_MAY_FR} (?:{_HELP_FR}|{_TAKE_ON_FR})|{_HELPS_FR}|{_TAKEN_ON_FR})",
    rf"{_LEAD_FR}{_SOMEONE} (?:{_MAY_FR} {_TAKE_ON_FR}|{_TAKEN_ON_FR})",
    # Help, but from a person this time: "qqn peut m'aider pour de vrai ?"
    rf"{_SOMEONE}(?: {_MAY_FR})? m aider pour de vrai",
    rf"{_SOMEONE}(?: (?:can|could))? (?:actually |really )?help (?:me|us) for real",
    # Whether one is there: "is anyone from billing available?", "y a-t-il quelqu'un du support
    # de disponible ?"
    rf"(?:is|are) (?:there )?{_TEAMED} (?:available|around|online|there|here|free|awake|in)",
    rf"(?:is|are) there {_TEAMED} (?:who|that) (?:can|could|will) (?:{_HELP}|{_TAKE_ON})",
    rf"(?:il )?y a (?:t il )?{_TEAMED} (?:de disponible|disponible|qui (?:peut|pourrait|puisse)"
    rf" (?:{_HELP_FR}|{_TAKE_ON_FR}))",
]

# A department of the company's, by its name ("le service facturation"; not "le service de
# livraison", Pôle emploi or a department of the customer's own company).
_SERVICE_FR = (
    r"(?:service|departement|pole) (?!(?:du|de|des|d|en|emploi)\b)[a-z]+"
    r"(?! (?:de|d) (?:mon|ma|mes|notre|nos|l entreprise|la societe)\b)"
)
# Who handles a customer's file, by the file: asked for only to talk to or to pass a case on.
_ROLE = (
    r"(?:member of staff|staff member|(?:claims?|case|admissions?) (?:handler|officer|adjuster"
    r"|advis(?:o|e)r|counsel(?:l)?or)|loss adjuster|caseworker)"
)

_TRANSFERRED = (
    r"(?:be|get|getting|being) (?:transferred|transfered|passed|redirected|forwarded|switched)"
    r" (?:on |over |through )?to"
)

_HUMAN_PATTERNS = [
    # Talking to someone: "talk to a human", "parler à un conseiller", "chat with support".
    # ("le chat avec le support" is the chat window.)
    rf"(?:talk|talking|speak|speaking|speek|(?<!le )(?<!the )(?<!un )(?<!du )chat|chatting|parler"
    rf"|parle|discuter|echanger|communiquer|tchatter|chatter"
    # (Wished for: "dois-je m'entretenir avec un conseiller ?" asks about a process.)
    rf"|(?:(?<=veux )|(?<=voudrais )|(?<=aimerais )|(?<=souhaite )|(?<=souhaiterais )"
    rf"|(?<=desire )|(?<=puis je )|(?<=je peux )|(?<=pourrais je )|(?<=on peut )|(?<=peut on ))"
    rf"(?:jaser|m entretenir|se parler))"
    rf"(?:(?: directly| directement| personally| personnellement| de vive voix)?"
    rf" (?:to|2|with|w|a|avec|au|aux) {_PERSON_TALK_BASIC}"
    # (On the phone only to the end: "can I speak on the phone with an agent on Sundays?")
    rf"|(?: par telephone| au telephone| on the phone) (?:to|with|a|avec|au|aux)"
    rf" {_PERSON_TALK_BASIC}{_REQUEST_END})",
    # A role of the trade's, wished for, in a message that asks no question of when or why and
    # speaks of none of the customer's own staff ("I want to talk to her manager, where do I see
    # who that is?" about an employee).
    r"^(?!(?:.* )?(?:when|why|what point|what stage|quand|a quel|a quelle|pourquoi|comment)\b)"
    r"(?!(?:.* )?(?:(?:one of )?(?:my|our|mes|nos) (?:employees?|staff|salaries|collaborat\w+"
    r"|team members?|reports?)|un salarie|une salariee|un collaborateur|une collaboratrice)\b)"
    rf"(?:.* )?{_WISH_LEAD}(?:talk|speak|chat|parler|discuter|echanger|m entretenir)(?: directly"
    rf"| directement| personally| personnellement| par telephone| au telephone| on the phone)?"
    rf" (?:to|with|a|avec|au|aux) {_ROLE_TALKED}",
    # "je peux avoir un call avec quelqu'un de l'équipe ?"
    rf"avoir un (?:call|appel) avec {_PERSON}",
    # "I want it to go to a human being"
    rf"(?:want|need|like) (?:it|this|my \w+) to go (?:to|through) {_PERSON}",
    # A person named by the customer's file, asked for by name: "speak to a claims handler about
    # the damage", "pass this on to an admissions officer" ("a case officer field" is product).
    rf"(?:(?:talk|speak|chat) (?:to|with)|(?:pass|forward|send|escalate) (?:this|it|my \w+)"
    rf"(?: on| over| along)? to) (?:a|an|one of your|your) {_ROLE}(?= *$| (?:about|regarding"
    rf"|please|pls|asap|now|today|because|as)\b)",
    # A department of the company's, named: "I need to talk to the fraud department right away".
    r"(?:^|i (?:need|want|have|d like|would like|must) to |can i |could i |may i |let me )"
    r"(?:talk|speak|chat) (?:to|with) (?:the|your|ur) (?!(?:right|correct|appropriate|relevant"
    r"|proper|same|other|wrong)\b)(?:[a-z]+ ){1,2}(?:department|dept)"
    r"(?= *$| (?:please|pls|right away|now|asap|about|regarding|urgently|today|svp)\b)",
    # Not wanting the bot: "i dont want to talk to a robot", "je veux pas parler à une machine".
    r"i (?:don t|dont|do not) (?:want|wanna|wish|like)(?: to)? (?:talk|speak|chat|deal)"
    r" (?:to|with) (?:a |an |the |your |ur |this )?(?:bot|robot|chatbot|chat bot|ai)s?\b",
    r"je (?:ne )?(?:veux|voulais|souhaite|souhaitais) (?:pas|plus) (?:parler|discuter"
    r"|avoir affaire) (?:a|avec) (?:un |une |le |la |l |votre |ce |cette )?(?:robot|bot|chatbot"
    r"|ia|machine)s?(?= *$| (?:svp|stp|merci|mais|moi|je|s il)\b)",
    # A call booked with a person: "je voudrais un rdv téléphonique avec le support", "me
    # programmer un rappel avec l'équipe d'urgence".
    rf"(?:(?:voudrais|veux|souhaite|souhaiterais|aimerais|demande|prendre|fixer|obtenir)"
    rf" (?:un |une )?(?:rdv|rendez vous|appel|entretien) (?:telephonique|par telephone)"
    rf"|(?<=je )(?:voudrais |veux |souhaite |souhaiterais |desire )(?:programmer|planifier"
    rf"|organiser|fixer|prendre) un rappel"
    rf"|(?:pouvez|pourriez) vous (?:me |nous )?(?:programmer|planifier|organiser|fixer) un rappel"
    rf"|(?:me|nous) (?:programmer|planifier|organiser|fixer) un rappel) avec {_PERSON}",
    # "I'd rather deal with a real person" (dealing with a team is product talk).
    rf"(?:rather|prefer to|prefer|want to|need to) deal with {_DET}{_STAFF}{_POSSESSIVE}",
    rf"(?:rather|prefer to|prefer) (?:deal|discuss this|discuss it) with {_A_PERSON}"
    r"(?= *$| (?:on|about|if|please|pls|thanks|instead|rather)\b)",
    # Being passed on: "put me through to customer service", "passez-moi un humain".
    rf"(?:connect|put|transfer|pass|send|redirect|forward|hand|switch|get|give|bring|find|hook)"
    rf" me (?:(?:on |over |through |back |up |off )*(?:to|with) )?{_PERSON}",
    # "could you put me in touch with your support team?" (not "can my GP put me in touch with a
    # specialist?", "will the app put me in contact with someone nearby?")
    rf"(?:^|you |please |pls |kindly )(?:put|get) me in (?:touch|contact) with (?:(?:your|ur)"
    rf" (?:\w+ )?(?:team|department|dept|staff|support|people)|{_DET}(?!(?:specialist|technician"
    rf"|technicien|manager)\b)(?:{_STAFF}|{_ANYONE}{_ASKED}))",
    rf"(?:passez|passe|passer|transferez|transfere|transferer|redirigez|rediriger|orientez"
    rf"|mettez|mets|reliez) moi (?:(?:avec|a|au|aux|vers) )?{_PERSON_TALK}",
    # The pronoun first: "pouvez-vous me passer le service client ?"
    # ("puis-je me passer du service client ?" asks whether one can do without it.)
    rf"(?:me|nous) (?:passer|passez|transferer|transferez|rediriger|redirigez|orienter|orientez)"
    rf"(?! (?:du|de|des|d)\b) (?:(?:avec|a|au|aux|vers) )?{_PERSON_TALK}",
    # Asked, to the end ("what tests will you put me through?" is no request).
    r"(?:(?<=can you )|(?<=could you )|(?<=can u )|(?<=would you )|(?<=please )|(?<=pls )"
    r"|(?<!.))put me through(?= *$| (?:please|pls|now|asap)\b)",
    # To whoever handles it, or to a team named: "put me through to whoever deals with
    # cancellations", "connect me with the international admissions team".
    r"(?:(?:connect|transfer|forward) me (?:to|with)|put me through to|pass me (?:on |over )?to)"
    r" (?:whoever (?:deals|handles|does|is in charge|can)|(?:the|your|ur) (?:[a-z]+ ){0,3}"
    r"(?:team|department|dept|desk)(?= *$| (?:please|pls|plz|asap|now|about|regarding|svp)\b))",
    rf"(?:(?:passez|transferez|transfere|redirigez|orientez|reliez) moi|(?:me|nous) (?:passer"
    rf"|transferer|rediriger|orienter)) (?:au|a la|aux|vers le|vers la|avec le|avec la|le|la)"
    rf" {_SERVICE_FR}",
    # "puis-je parler au service facturation ?", "joindre le service comptabilité".
    rf"(?:parler|discuter|echanger|joindre|contacter) (?:au|avec le|avec la|a la|le|la)"
    rf" {_SERVICE_FR}(?= *$| (?:svp|stp|s il|merci|pour|concernant|au sujet|a propos|rapidement"
    rf"|urgent|immediatement|tout de suite|maintenant|vite|au plus vite|aujourd hui)\b)",
    # "transfer to human", said as a command.
    rf"^(?:please |pls )?(?:transfer|connect|switch|pass)(?: me)? (?:to|with)"
    rf" {_DET}{_REAL}{_STAFF}(?: (?:please|pls|plz|now|asap|svp))* *$",
    # "can you pass me to a colleague who can help?" (a colleague of the bot's, not one's own).
    r"(?:connect|put|transfer|pass|send|redirect|forward|hand|switch) me (?:(?:on |over |through"
    r" )*(?:to|with) )?(?:a|one of your|your) coll(?:e|ea)gues?(?= *$| (?:who|that|please))",
    # The question passed on by the bot: "forward this to a colleague who knows" ("can I forward
    # this to a colleague?" shares a document).
    r"(?:^|please |pls )(?:forward|pass|send|hand|give) (?:this|it|that|my (?:question|request"
    r"|case|issue))(?: on| over| along)? to (?:a|one of your|your) coll(?:e|ea)gues?(?= *$"
    r"| please| (?:who|that) (?:knows|can|could|handles|deals))",
    r"(?:can|could|would) you (?:please )?(?:forward|pass|send|hand|give) (?:this|it|that|my"
    r" (?:question|request|case|issue))(?: on| over| along)? to (?:one of )?your coll(?:e|ea)gues?",
    # The conversation itself handed to a person: "please forward my conversation to a team
    # member" ("can I forward a chat to an agent?" asks what the product does).
    r"(?:^|please |pls )(?:forward|pass|send|hand|transfer|escalate) (?:this|my)"
    r" (?:conversation|chat|discussion)(?: on| over| along)? to (?:a|an|one of your|your|ur)"
    r" (?:(?:real|actual|live|human) )?(?:team member|member of (?:staff|your team)|staff member"
    r"|human|person|agent|advis(?:o|e)r|representative|rep|operator|colleague)s?"
    r"(?= *$| (?:please|pls|now|asap)\b)",
    # A member of staff, to talk to ("we need a member of staff to approve leave" is a role).
    r"(?:(?:^|please |let me |(?<!do )(?<!how )(?:can|could|may) (?:i|we) |(?<!do )(?:i|we)"
    r" (?:want|need|d like|would like|d rather|d prefer) to )(?:talk|speak|chat) (?:to|with)"
    r"|(?:connect|put) me (?:to|with|through to)|transfer me to)"
    r" (?:a|an|one) member of (?:the )?staff(?= *$| (?:please|pls|now|asap|at|from|about"
    r"|regarding|than|instead|rather)\b)",
    # "passer à un conseiller", asked ("dois-je passer par un conseiller ?" asks about a process,
    # "je peux passer au SAV ?" about dropping by).
    r"(?:^|je veux |je voudrais |j aimerais |je souhaite |je souhaiterais |puis je "
    r"|est ce que je peux |je peux |on peut |peut on )passer (?:a|avec) (?:un|une)"
    r" (?:vrai |vraie )?(?:conseill(?:er|ere)|agent|humain|operat(?:eur|rice)|personne)"
    r"(?: humaine?)?(?= *$| (?:svp|stp|s il vous plait|merci|maintenant|rapidement"
    r"|tout de suite)\b)",
    # "tu peux me mettre avec un agent ?"
    rf"(?:me|nous) (?:mettre|mettez) avec {_DET}{_REAL}(?:{_NOT_INTERNAL}{_STAFF}|{_ANYONE})"
    rf"{_FROM}{_POSSESSIVE}{_REQUEST_END}",
    # One's own advisor at the company, asked for: "je voudrais parler à mon conseiller attitré".
    # (To the end of the clause: "je peux parler à mon conseiller pour un crédit ?" asks whether
    # it is allowed.)
    r"(?:je veux|je voudrais|j aimerais|je souhaite|je souhaiterais|je souhaiterai|je desire"
    r"|je desirerais|j ai besoin de|je dois|il faut que je|puis je|est ce que je peux"
    r"|est ce que je pourrais|je peux|pourrais je) (?:parler|parle|discuter|m entretenir|echanger"
    r"|joindre) (?:a |avec )?(?:mon|ma) (?:conseill(?:er|ere)|chargee? de (?:clientele|compte)"
    r"|gestionnaire de compte)(?: (?:attitree?|habituel(?:le)?|bancaire|personnel(?:le)?))?"
    r"(?: (?:directement|rapidement|aujourd hui|demain|au plus vite))?"
    r"(?: (?:svp|stp|s il vous plait|merci|maintenant))* *$",
    # "I'd like to be contacted by someone from your team" (not "I hate being contacted by
    # agents", "will I be contacted by an agent?").
    rf"(?:i|we) (?:d |would |really )?(?:like|love|prefer|want|wish|need)(?: to)? (?:be|get)"
    rf" (?:contacted|called|called back|phoned|rung|emailed|reached) by"
    rf" (?:{_DET}{_STAFF}|{_TEAMED}){_POSSESSIVE}(?= *$| (?:please|pls|asap|today|tomorrow"
    rf"|about|regarding|on|at|as soon|soon|this|in)\b)",
    # ("la mise en relation avec un conseiller", "les clients sont mis en relation" describe
    # the service.)
    rf"(?:mettre|mettez|mets|etre mise?s?)(?: moi)? en (?:relation|contact|communication)"
    rf" (?:avec|a|au) (?:{_PERSON_TALK}|(?:le |l )?(?:service|departement)"
    rf" (?!(?:du|de|des|d|en)\b)[a-z]+)",
    rf"(?:(?:me|nous) mettre|mettez moi|mets moi|(?:veux|voudrais|souhaite|souhaiterais|aimerais"
    rf"|desire|desirerais|prefere|prefererais|puis je|peux|pourrais je|possible d) etre)"
    rf" en (?:relation|contact|communication|lien) (?:avec|a|au)"
    rf" (?:(?:{_PERSON_ASKED}|{_TEAMED}){_REQUEST_END}"
    rf"|(?:le |l )?(?:service|departement) (?!(?:du|de|des|d|en)\b)[a-z]+)",
    # "I'd like to be put in touch with an advisor" (a team's own people are not meant, nor is
    # an account connected to an advisor).
    rf"(?:i|we|possible to|way to|chance to) (?:\w+ ){{0,3}}(?:be|get|getting|being) (?:put"
    rf" (?:in touch|in contact|through)|connected) (?:to|with) (?:{_DET}{_STAFF}|{_TEAMED}"
    rf"|(?:(?<=in touch with )|(?<=in contact with ))(?:your|the) (?:\w+ ){{0,2}}(?:team"
    rf"|department|office|desk)){_POSSESSIVE}",
    # "is it possible to be transferred to an advisor?"
    rf"(?:(?<=to )|(?<=i )|(?<=we )|(?<=me )|(?<!.)){_TRANSFERRED} (?:(?:a|an|one of your|your) )?"
    r"(?:real |actual |live |human )?(?:agent|human|person|representative|rep|advis(?:o|e)r"
    r"|operator|customer service|support|supervisor)(?: (?:please|pls|now|asap|svp))* *$",
    # The customer, not a file or a call, to a team or a member of staff, asked for ("why do I
    # always get transferred to the wrong department?" is a complaint about the phone line).
    r"(?:(?<!do )(?<!did )(?<!will )(?<!would )(?<!when )(?<!why )(?:i|we)(?: (?!(?:always"
    r"|usually|keep|ever|never|often)\b)\w+){0,3}|(?:can|could|may) (?:i|we)(?: please)?)"
    rf" {_TRANSFERRED} (?:(?:the |your )?(?:customer services?|(?!(?:another|other|new|different"
    r"|same)\b)\w+ (?:team|department))|(?:a|an|one of your|your) (?:member of staff"
    r"|staff member|team member))(?: (?:please|pls|now|asap|svp))* *$",
    # A matter to go over with a person, wished for: "j'aimerais discuter de mon dossier avec
    # un conseiller", "je préférerais voir ça avec quelqu'un de chez vous".
    rf"(?:veux|voudrais|aimerais|souhaite|souhaiterais|prefere|prefererais) (?:discuter|parler"
    rf"|voir|regler) (?:ca |cela |ceci |(?:de|d|du|des) (?:\w+ ){{1,4}})avec (?:{_DET}{_REAL}"
    rf"{_NOT_INTERNAL}{_STAFF}|{_SOMEONE}(?: de chez vous| (?:du|de la|de l|de votre)"
    rf" (?!(?:ma|mon|mes|notre|nos)\b)\w+)?){_REQUEST_END}",
    # "pouvez-vous me transférer ?", "can you transfer me?"
    r"(?:pouvez vous|pourriez vous|peux tu|tu peux|vous pouvez|merci de|can you|could you"
    r"|can u|could u|please)"
    r" (?:me transferer|transfer me)(?: (?:svp|stp|s il vous plait|s il te plait|merci|please|pls"
    r"|now))* *$",
    # "I would prefer to discuss this with a human".
    rf"(?:discuss|go over|go through|talk about|talk through|speak about) (?:this|it|that"
    rf"|(?:my|the|this|a|an|our) \w+(?: \w+)?) with (?:{_DET}{_REAL}{_NOT_INTERNAL}{_STAFF}"
    rf"{_POSSESSIVE}|{_DET}{_REAL}{_ROLE}{_REQUEST_END}"
    rf"|{_SOMEONE} (?:who|that) (?:actually |really )?(?:knows|understands)\b"
    rf"|(?:your|ur) (?:\w+ )?(?:team|department|staff)|{_SOMEONE}{_TEAM}|a member of staff)",
    rf"(?:voir|regler|traiter|gerer|discuter de) (?:ca|cela|ceci|ce point|ce probleme|mon dossier"
    rf"|ma demande) (?:avec|par) {_DET}{_STAFF}{_POSSESSIVE}",
    # Wanting one: "I need a real person", "je veux un conseiller".
    # ("do you have staff who speak German?" asks what the company has.)
    rf"(?:want|wanna|need|like|prefer|(?<!you )have|get|gimme|request|demand|veux|voudrais|aimerais"
    rf"|souhaite|souhaiterais|exige|demande|besoin d|faut|avoir|find) {_PERSON_ASKED}",
    r"(?:do you|you) have (?:some|any)(?:one|body) (?:who|that) (?:can|could) (?:help|talk"
    r"|speak|assist)",
    rf"(?:help|assistance|support|aide) (?:from|by|d|de|par) (?:{_DET}{_STAFF}|(?:a|an|un|une)"
    r" (?:(?:real|actual|live|vraie?) )?(?:person|human|personne|humain))",
    # "I want this reviewed by a person, not a chatbot".
    r"(?:want|need|like|prefer|have|get) (?:this|it|that|my \w+|the \w+) (?:reviewed|checked"
    r"|looked at|handled|dealt with|seen|read) by (?:a|an|one of your) (?:(?:real|actual|live"
    r"|human) )?(?:person|human|human being|agent)(?= *$| (?:not|instead|rather|please|pls"
    r"|asap|and not|pas)\b)",
    # "can I get a real answer from a real person?"
    r"(?:answer|reply|response|reponse)s? (?:from|by|de|d) (?:a|an|une|un) (?:real|actual|live"
    r"|vraie?) (?:person|human|agent|personne|humain|conseiller)",
    # Reaching one: "how do I contact support?" (see the module's tests for why it is a request).
    # (A noun there is a channel: "the hours for phone support".)
    rf"(?<!for )(?<!the )(?<!by )(?<!via )(?<!of )(?<!your )(?<!offer )(?<!offers )(?<!provide )"
    rf"(?<!provides )(?<!have )(?<!has )(?<!any )(?:contact|reach|get in touch with"
    rf"|get hold of|write to|email|call|phone|contacter|joindre|appeler|ecrire (?:a|au|aux))"
    rf" {_PERSON_ASKED}",
    r"(?:contact|reach|get in touch with|get hold of) (?:you|u)(?: guys)?(?= *$| (?:by|directly))",
    # ("Je me permets de vous contacter au sujet de..." is the customer writing in; "comment
    # vous contacter au sujet d'un litige ?" still asks how to reach one.)
    r"(?:comment|ou|quand) vous (?:contacter|joindre|appeler|ecrire)"
    r"|vous (?:contacter|joindre|appeler|ecrire)(?! (?:au sujet|a propos|concernant|par rapport))",
    # "how I can contact with a person?" (not "I had contact with an agent last week").
    rf"(?:^|can i |how i can |how can i |want to |need to |like to )contact with {_PERSON_ASKED}",
    # Being called back: "je voudrais être rappelé" (and "have someone call me back", below).
    # Written to by a person asked to ("can someone from your team email me?"; not "does
    # support email me when...", and "can you email me the form?" asks the bot).
    rf"(?:can|could|please) (?:{_SOMEONE}|{_A_PERSON}|(?:a|an|one of your) {_REAL}{_STAFF})"
    rf"(?:{_TEAM})?"
    rf"(?: please)? (?:(?:email|e mail|mail|write to) (?:me|us)\b"
    rf"|(?:write|dm|pm) (?:me|us)(?= *$| (?:back|here|please|asap)\b))",
    # (A call with, to or for someone else is a service: "can I book a call with a trainer?",
    # "schedule a call back to a lead"; so is a thing: "a call back option", "a callback URL".)
    # Said to the bot, the whole clause: "call me please", "telephone me asap", "call me at 5"
    # (not "Call me at 5 is a setting", "ring me on arrival: is that an option?").
    r"(?:call|ring|phone) me back|(?<!.)(?:(?:please|pls|plz|kindly) |(?=(?:call|ring|phone"
    r"|telephone) me .))(?:call|ring|phone"
    r"|telephone) me(?: (?:please|pls|plz|asap|now|today|tomorrow|tonight|urgently|when you can"
    r"|on (?:my (?:mobile|cell|phone|number)|\d[\d ]*)|at \d+(?: (?:am|pm|h|o clock))?|\d[\d ]*"
    r"|(?:about|regarding) (?:my|the|this|our) (?:\w+ )?\w+))* *$"
    r"|^(?:please )?call ?back(?: (?:please|pls|plz|asap|svp|today"
    r"|tomorrow|later|now|soon))*$"
    r"|book (?:me|us) a call(?: ?back)?(?= *$| (?:with (?:sales|support|your \w+ team)|please|pls"
    r"|asap|today|tomorrow)\b)"
    r"|to have (?:a |an )?(?:call ?back|phone call back)\b"
    r"|(?:request|schedule|book|arrange|get|want|need|like) (?:a |an )?(?:phone )?"
    r"call(?>(?: ?back)?)\b(?! (?:with|to|for) (?:a|an|the|my|our|their|each|every|all)"
    r" (?:lead|customer|client|contact|caller|prospect|patient|trainer|coach|candidate|user"
    r"|driver|tenant|member|student|guest)s?\b"
    r"| ?(?:option|feature|button|task|queue|request form|setting|url|number|function|endpoint"
    r"|slot|log|recording|report|center|centre|script|summary|history|api|webhook|booth|room"
    r"|pod)s?\b)",
    # "je veux un rappel asap" (not "un rappel de vaccin", a booster), "un appel de retour".
    r"(?:veux|voudrais|souhaite|souhaiterais|demande|aimerais) (?:avoir )?(?:un )?(?:rappel"
    r"(?: telephonique)?"
    r" (?:asap|au plus vite|par telephone|d un conseiller|du support|du service client)\b"
    r"|rappel telephonique|appel (?:de )?retour)",
    # "I expect a call from a supervisor today."
    # (Not "should I expect a call from a technician before the visit?")
    rf"(?<!should i )(?<!will i )(?<!do i )(?<!should we )(?<!will we )(?<!do we )(?<!when )(?<!^)"
    rf"(?:expect|want|need|like|request|demand) (?:a |an )?(?:phone )?call(?: back)? from"
    rf" {_DET}{_STAFF}",
    # (d) "can your sales team give me a call?"
    rf"(?:can|could|would|please)(?: you| your (?:\w+ )?(?:team|department)| someone| somebody"
    rf"| {_DET}{_STAFF}) (?:please )?give (?:me|us) a (?:call|ring|buzz){_CALLED}",
    r"(?:me|nous) faire (?:rappeler|recontacter)(?= *$| par (?!(?:sms|texto|mail|e ?mail"
    r"|courriel|notification|message)\b)| (?:svp|rapidement|au plus vite|demain|aujourd hui))|"
    # ("je m'appelle Paul" is a name, "je me rappelle" a memory.)
    # ("merci de me rappeler la date de fin" asks to be reminded of something.)
    r"(?<!je )(?:me|m) (?:(?:rappeler|rappelle|rappeliez)\b(?! (?:(?:la|les|l|le|mon|ma|mes|votre"
    r"|vos|son|sa|ses|ton|ta|tes|leur|leurs|cette|ces) (?!(?:semaine|matin|matinee|soir|soiree"
    r"|apres midi|journee|lendemain|plus|week end|weekend|mois|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|\d+)\b)|(?:de|d) (?!(?:preference|ici|urgence|toute|suite"
    r"|nouveau)\b)|que|qu|quand (?!(?:vous|tu|un|une|quelqu|possible|ce sera)\b)|combien|comment"
    r"|pourquoi|ou (?!(?:m|me|par|sinon|bien)\b)|ce que?|a (?:quel|quelle|quels|quelles|combien)"
    r"|quel|quelle|quels|quelles)\b)"
    r"|(?:recontacter|recontactiez|contacter|contactiez|appeler|telephoner)\b"
    # ("l'appli m'appelle quand mon stationnement expire ?", "la télésurveillance m'appelle
    # d'abord ?" ask how the customer is told.)
    r"(?!(?: t (?:il|elle|on))? (?:quand|lorsque|lorsqu|des que|si|s|avant|apres|d abord|en premier"
    r"|aussi|automatiquement|en cas)\b"
    r"(?! (?:vous|tu|possible|ce sera|\d\w*|midi|demain|ce soir|cet apres midi|la fin|lundi|mardi"
    r"|mercredi|jeudi|vendredi|samedi|dimanche)\b)))|(?:rappelez|recontactez|contactez"
    r"|appelez) moi|etre (?:rappele|recontacte|contacte|appele)e?s?(?! par (?:sms|texto|mail"
    r"|e ?mail|courriel|notification|message)\b)",
    # "qu'un conseiller me contacte", "pour que le service facturation me recontacte" (the same
    # words without "que" tell what happens: "le coursier m'appelle en arrivant ?").
    r"(?:veux|voudrais|voudrions|aimerais|souhaite|souhaiterais|prefere|prefererais|desire"
    r"|demande a ce|faudrait|faut|faire en sorte|faites en sorte|serait possible|serait il possible"
    r"|est il possible|ce serait possible|possible|exige|insiste pour)"
    r" (?:que|qu) (?:\w+ ){1,7}(?:me|m) (?:contacte|recontacte|appelle|telephone)\b"
    r"|pour qu (?:il|elle) (?:me|m)"
    r" (?:contacte|recontacte|appelle|telephone)\b",
    # A ticket: "I'd like to open a ticket", "ouvrir un ticket".
    # ("what happens when I open a ticket?" asks about the process.)
    r"(?<!when i )(?<!if i )(?<!after i )(?<!once i )(?<!before i )"
    r"(?:open|file|raise|create|submit|log|start|lodge|make|put in|ouvrir|ouvrez|ouvre|creer"
    r"|creez|faire|deposer|soumettre)(?: (?:a|an|one|me|new|my|un|une|moi|nouveau|nouvelle))*"
    r"(?: (?:support|help|helpdesk))? (?:ticket|support case|support request|reclamation"
    r"|demande (?:de support|d assistance))"
    # (A ticket for the customer's own customers is the product's: "how do I open a ticket in
    # your app for my own customers?")
    rf"(?!(?: \w+){{0,4}} (?:for (?:my|our|their) (?:own )?{_THIRD_PARTY_NOUN}s?|pour (?:mes|nos"
    rf"|leurs) (?:propres )?{_TIERS_FR}s?)\b)",
    # Escalating or forwarding: "please escalate this", "transmettre ma demande à un agent".
    # (Escalating to a level or a procedure is the product's: "can I escalate it to
    # pre-arbitration?", "get this escalated to tier 2 in the workflow builder".)
    r"(?<!can i )(?<!could i )(?<!how do i )(?<!how can i )(?<!how to )"
    rf"escalate(?: (?:this|it|that|me)\b(?:{_TO_PERSON}|(?! to\b))|{_TO_PERSON}"
    r"| (?:my|the) (?:issue|case|problem|question|request|ticket)| *$"
    r"|(?: (?:please|pls|plz|asap|now|svp))+ *$)|escalation please",
    r"(?<!how do i )(?<!how can i )(?<!how to )(?:want|need|like|get|have) (?:this|it|that"
    rf"|my \w+) escalated(?= *$| (?:please|asap|urgently|now|immediately)|{_TO_PERSON})",
    # ("comment escalader un ticket vers le niveau 2 ?" asks how the product does it.)
    r"faire remonter (?:ma|mon|cette|ce) (?:demande|dossier|probleme|reclamation|plainte)|"
    r"(?:escalader|escaladez)(?: (?:ma|mon|cette|ce|la) (?:demande|dossier|probleme|question"
    r"|reclamation|requete)| *$| svp| s il vous plait)",
    # "je veux que mon dossier soit escaladé au service conformité"
    rf"(?:soit|etre|sera) (?:escalade|transmis|transfere|remonte)e?s? (?:a|au|aux|a la|vers)"
    rf" (?:{_PERSON}|(?:le |la )?{_SERVICE_FR})",
    # "donnez-moi juste quelqu'un qui peut faire le remboursement"
    rf"(?:donnez|donne|trouvez|trouve) moi (?:juste |vite |simplement )?{_PERSON_ASKED}",
    rf"(?:forward|pass|send|transfer|hand|give|escalate|transmettre|transmettez|transmets"
    rf"|transferer|transferez|faire suivre|remonter|remontez) (?:this|it|that|(?:my|this|the|ma"
    rf"|la|cette|mon) (?:question|request|issue|case|problem|message|demande|requete|probleme"
    rf"|dossier))(?: (?:on|over|along))? (?:to|a|au|aux) (?:{_PERSON}|(?:your|ur|the) (?:\w+ )?"
    rf"(?:team|department))",
    rf"(?:transmettre|transmettez|transmets|transferer|transferez|faire suivre) (?:a|au|aux)"
    rf" {_PERSON}",
    # On the phone: "can I get someone on the phone?", "put a real person on the line".
    rf"(?:get|put|have|need|want) {_PERSON} on the (?:phone|line|call)",
    # A role of the trade's, asked for, on the phone or the line to the end (not "do we need the
    # planner on the call for the cake tasting?").
    rf"(?:(?:can|could|may) (?:i|we) (?:get|have)|(?<!do )(?<!will )(?<!would )(?<!should )(?:i"
    rf"|we) (?:need|want|d like|would like)"
    rf"|(?:^|please )get me) {_DET}(?:{_NOT_STAFF}\w+ )?{_IN_CHARGE} on the (?:phone|line)"
    rf"(?= *$| (?:please|pls|now|asap|today|about|regarding)\b)",
    # "pourrais-je avoir le coordinateur du déménagement au téléphone ?"
    rf"(?:je (?:veux|voudrais|souhaite|souhaiterais|aimerais)|j aimerais|(?:je peux|puis je"
    rf"|pourrais je) (?:avoir|joindre)) (?:avoir |joindre )?{_DET}{_REAL}(?:{_STAFF}|{_ANYONE}"
    rf"|{_IN_CHARGE})(?: (?:du|de la|de l|d) \w+)? (?:au telephone|au tel|par telephone)"
    rf"{_REQUEST_END}",
    # A complaint to a person: "I want to file a complaint with a person" (a complaint alone is
    # a FAQ question: "how do I make a complaint?").
    rf"complaint (?:with|to) {_PERSON}",
    # Looking for one: "is there a person I can talk to?", "quelqu'un à qui parler".
    r"who (?:can|could|should|do) (?:i|we) (?:talk|speak|chat) (?:to|with)(?! (?:at|in|from)"
    r" (?:my|our)\b)",
    r"who (?:can|could|should|do) (?:i|we) (?:call|phone|contact|reach) at (?:your|ur)"
    r" (?:company|end|side|office)",
    r"(?:is|are) there (?:a |an |any |some )?(?:real |actual |live )?(?:person|human|humans"
    r"|someone|somebody|anyone|anybody|agent|agents)(?: (?:around|here|there|available"
    r"|online|at all))?(?= *$| (?:i|we) | (?:who|that) (?:can|could) (?:help|talk|speak))",
    # "is a customer service rep available?" (not "is an agent available on weekends?").
    # ("is customer support free?" asks a price, "is the support team online?" its hours.)
    r"(?:is|are) (?:someone|somebody|anyone|anybody|(?:a|an|any) (?:(?:real|actual|live|human)"
    r" )?(?:person|human|agent|advis(?:o|e)r|representative|rep|operator|(?:customer service"
    r"|support|sales|billing) (?:rep|representative|agent|advis(?:o|e)r))) (?:around|here|there"
    r"|available|online)(?= *$| (?:to|who|that) (?:help|talk|speak|chat))",
    # "y a-t-il quelqu'un de disponible pour m'aider ?" (not "un conseiller disponible le samedi").
    r"(?:il )?y a (?:t il )?(?:quelqu un|quelquun|qqn|qq1|une? (?:vraie? )?(?:personne|humain"
    r"|conseill(?:er|ere)|agent))(?: de)? (?:disponible|la|present|presente|en ligne)"
    r"(?= *$| pour (?:m aider|me repondre|nous aider|me parler))",
    # Frustration aimed at the bot: it has failed them, a person should take over.
    rf"(?:useless|stupid|dumb|worthless|pointless|terrible|garbage|rubbish|crappy|inutile|nul"
    rf"|stupide|debile) {_BOT}\b|{_BOT} (?:inutile|nul|debile|stupide|de merde|pourri)\b",
    rf"(?:you|u|this|(?:this|the|your) {_BOT}) (?:is|are|re|s|r)(?: so| really| completely"
    rf"| totally| just)? (?:useless|stupid|dumb|worthless|pointless|garbage|rubbish|hopeless"
    rf"|a joke|no help|not helping|not helpful|no use)\b",
    r"(?:you|u|this|it|that) (?:isn t|is not|s not|aren t|are not|re not) (?:helping|helpful"
    r"|useful|any help)\b|(?:you|u) (?:don t|do not|dont) (?:understand|get it|help)\b",
    # The bot's suggestions did not help: "none of these answers help".
    r"none of (?:these|those|your)(?: (?:answers|replies|suggestions|responses))?"
    r" (?:help|helps|helped|are helpful|answer my question)(?: me)? *$",
    rf"(?:you|u|(?:this|the|your) {_BOT})(?: (?:clearly|obviously|really|just|simply"
    rf"|actually))? (?:can t|cant|cannot|can not|couldn t|could not) (?:help|assist) (?:me|us)\b",
    # ("who in your team can see my data?" asks who has access.)
    r"who (?:at|from|in) (?:your|ur) (?:company|team|end|side|office) (?:can|could)(?= *$| help)",
    # "wheres the human at lol"
    r"where(?: is| s|s| are)? (?:the|a|your|ur) (?:human|humans|person|real person|agent|agents)"
    r"(?= *$| at(?: (?:lol|lmao|rn|now|please|pls))* *$)",
    rf"(?:{_BOT}|tu|vous) (?:ne )?(?:sert|sers|servez) (?:a |strictement a )?rien\b",
    # Waiting for one: "still waiting for someone from staff to look at my order", "toujours
    # personne du staff pour mon ban ?"; or none there: "does anyone actually work there".
    rf"(?:still )?waiting (?:for|on) {_PERSON} (?:to|from \w+ to) (?:reply|answer|respond|get back"
    rf"|look at (?:my|this|it)|pick (?:this|it|my \w+) up)\b",
    r"(?:toujours|encore) personne (?:du|de l|de la|des) (?:staff|equipe|support|service|sav)"
    r"(?: pour (?:mon|ma) (?:dossier|ban|ticket|demande|compte|probleme))? *$",
    r"^(?:does|do) (?:anyone|anybody|someone|somebody|humans) (?:actually |even |really )?"
    r"work (?:there|here)(?= *$| (?:or|lol)\b| at all *$)",
    # ("il y a des gens qui travaillent chez vous ?" may ask about jobs.)
    r"(?:il )?y a (?:t il )?(?:personne|vraiment (?:des gens|quelqu un))(?: qui travaill\w+)?"
    r" chez vous(?= *$| ou quoi| ou pas| la dedans)|(?:il )?y a (?:t il )?(?:des gens|quelqu un)"
    r"(?: qui travaill\w+)? chez vous (?:ou quoi|ou pas)",
    r"(?:is|will) (?:anybody|anyone|someone|somebody|a human|a person|an agent) (?:going to|gonna"
    r"|ever) (?:show up|answer|reply|respond|help|come)(?: (?:here|to me|lol|at all|today))* *$",
    r"get me out of (?:this|the|your) (?:bot|chatbot|robot)(?: loop)?\b",
    # "j'ai besoin qu'une personne m'aide", said to the end of the clause.
    rf"(?:j ai|j aurais) besoin (?:que |qu )(?:{_AGENT} (?:{_HELPS_FR}|{_TAKEN_ON_FR})"
    rf"|{_SOMEONE} {_HELPS_FR})"
    r"(?= *$| (?:svp|stp|s il vous plait|rapidement|vite|merci|au plus vite|maintenant)\b)",
    # "je préfère avoir quelqu'un au bout du fil": wished for, to the end of the clause.
    rf"(?:je (?:veux|voudrais|prefere|prefererais|souhaite|souhaiterais|aimerais|exige)"
    rf"|j aimerais|j exige|(?:j ai|j aurais) besoin d|(?:^|(?:svp|bonjour|alors|donc) )"
    rf"(?:est ce que )?(?:je peux|puis je|pourrais je) avoir) (?:avoir |parler a )?{_DET}{_REAL}"
    rf"(?:{_STAFF}|{_ANYONE}) au bout du fil(?= *$| (?:svp|stp|s il vous plait|merci|maintenant"
    r"|rapidement|vite|pas (?:un|une) (?:robot|machine|bot))\b)",
    # Frustration with the chat only: "robot", "machine", "truc", "assistant" may be the product.
    r"je (?:n arrive a rien|n y arrive pas|ne m en sors pas|m en sors pas) avec (?:ce |cette "
    r"|votre |ton |le |la |l )?(?:bot|chatbot|chat bot|ia)s?(?= *$| (?:la|svp|stp|franchement)\b)",
    # "how can I get through to a real person"
    rf"(?:how (?:can|do|could) (?:i|we)|(?:i|we) (?:just |really )?(?:need|want|would like|d like)"
    rf" to|(?:can|could) (?:i|we)|let me|(?:i m|im|i am|we re|we are) (?:just |still )?trying to)"
    rf" get (?:put )?through to {_DET}{_REAL}(?:{_STAFF}|{_ANYONE}){_FROM}"
    r"(?= *$| (?:please|pls|plz|now|asap|right now|today|here|instead|about|regarding"
    r"|on the phone|not a bot)\b)",
    # "put a human on this please", asked of the company, not how to assign one.
    r"(?:^|please |pls |can you |could you |will you |would you )put (?:(?:a|an|one of your|your"
    r"|some) (?:(?:real|actual|live) )?(?:human|person|agent|staff member|rep|representative)s?"
    r"|someone|somebody) on (?:this|it|my (?:case|ticket|issue))(?= *$| (?:please|pls|asap|now)\b)",
    rf"(?:tu es|t es|vous etes|(?:ce|le) {_BOT} est) (?:vraiment |completement |totalement "
    rf"|trop )?(?:nul|nulle|inutile|stupide|debile|idiot|incompetent|pas utile)\b",
    r"(?:tu|vous) (?:ne )?(?:comprends|comprenez|m aides|m aidez) (?:rien|pas)\b",
    # Whether a person is there at all: "is there a real human here?", "y a-t-il un humain ?",
    # "il y a une vraie personne derrière ?" ("is there a person limit?", "are there people
    # who attend for free?" ask about the product).
    r"(?:is there|are there|is anyone|is anybody|y a t il|y a t|il y a|y a) (?:a |an |any |some "
    r"|un |une |des )?(?:(?:(?:real|actual|live|vraie?|vrais|vraies) (?:person|people|personnes?"
    r"|humains?|humans?)|humans?|human beings?|humains?|etre humain)(?: (?:here|there|out there"
    r"|around|at all|ici|la|derriere|en ligne|online|available|dispo|disponible|behind (?:this"
    r"|the screen)|on the other (?:end|side)))*|(?:person|people|personne|personnes)(?: (?:here"
    r"|there|out there|at all|ici|la|derriere|behind (?:this|the screen)|on the other (?:end"
    r"|side)))+)(?= *$| to (?:talk|speak|chat|help)\b| who (?:can"
    r"|could|will) (?:help|answer|talk|speak)\b| qui (?:peut|puisse|pourrait) m aider\b"
    r"| pour (?:m aider|me repondre|parler|discuter)\b| (?:please|pls|svp|stp)\b)",
    # "hello? anybody real out there?", "anyone there??"
    r"^(?:(?:hello|hi|hey|allo|bonjour|excuse me|um|so) )*(?:is |are |y a t il |il y a |y a )?"
    r"(?:anyone|anybody|someone|somebody|any1|quelqu un)(?: (?:real|human|alive|vrai|humain))?"
    r"(?: (?:here|there|out there|around|ici|la|on the other end|on the line|in there))+ *$",
    # Someone who is not the bot: "anyone here who is not an AI?", "quelqu'un qui n'est pas un
    # robot" ("I can't prove I'm not a robot" is a captcha).
    r"(?:^|(?:talk|speak|chat|write) (?:to|with) |get me |give me |want |need |is there "
    r"|are there |parler a |veux |voudrais |y a t il |il y a )"
    rf"(?:anyone|anybody|someone|somebody|any1|a person|a human|one of you|quelqu un"
    rf"|une personne|un humain)(?: (?:real|here|there|out there|ici|la))* (?:who|that|qui)"
    rf" (?:is |s |n est |est )?(?:not|n t|isn t|pas) (?:a |an |un |une )?(?:{_BOT}s?"
    rf"|automated|automatic|automatique|a program|un programme)(?= *$| (?:please|pls|svp|stp"
    rf"|i can|we can|je peux|to (?:talk|speak|chat))\b)",
    # "I'd rather deal with a person than a machine", "un humain plutôt qu'un robot".
    rf"(?:(?:rather|prefer|prefere|prefererais|want|need|deal with|talk to|speak to|speak with"
    rf"|get me|give me|veux|voudrais|parler a) (?:(?:a|an|un|une|with|to|talk to|speak to"
    rf"|parler a|real|actual|vraie?) )*)"
    rf"(?:{_HUMAN_NOUN}|someone real|real people)(?: please| svp)?"
    rf" (?:than|rather than|instead of|plutot qu|plutot que) (?:to |talking to |parler a )?"
    rf"(?:a |an |un |une |this |the |ce |cette |la |le )?{_BOT}s?\b",
    # "a human, not a bot please", "pas un robot svp, une personne" (not "I'm a person, not a
    # bot", nor "je ne suis pas un robot").
    rf"^(?:(?:please|pls|just|i want|i need|give me|get me|talk to|speak to|je veux|svp) )*"
    rf"(?:a |an |un |une )(?:(?:real|actual|vraie?) )?{_HUMAN_NOUN}(?: (?:please|pls|svp|stp))*"
    rf" (?:not|pas)"
    rf" (?:a |an |un |une |the |this |ce |cette )?{_BOT}s?(?= *$| (?:please|pls|svp|stp"
    rf"|thanks|merci)\b)",
    rf"^(?:please |pls |svp )?(?:not|pas) (?:a |an |un |une |the |this |ce |cette )?"
    rf"{_BOT}s?(?: (?:please|pls|svp|stp))* (?:a |an |un |une )(?:(?:real|actual|vraie?) )?"
    rf"{_HUMAN_NOUN}(?= *$| (?:please|pls|svp|stp|thanks|merci)\b)",
    r"(?:get me|give me|want|need|talk to|speak to|speak with|talk with) (?:a |an )?non"
    r" (?:bot|robot|ai)s?(?= *$| (?:please|pls|plz|now|asap|svp)\b)",
    # A person taking over from the bot: "please let a colleague take over", "un conseiller peut
    # prendre le relais ?" ("can an agent take over a conversation from the widget?" asks
    # about a feature).
    r"(?:(?:^|please |pls )(?:let|have|get) (?:a |an |one of your |your )?"
    r"(?:(?:real|actual|live) )?"
    r"(?:colleague|human|person|agent|someone|somebody|staff member|team member|advis(?:o|e)r"
    r"|representative|rep)|(?:can|could|may|will) (?:a |an |one of your |your )?(?:(?:real|actual"
    r"|live) )?(?:human|person|agent|staff member|team member|advis(?:o|e)r|representative|rep"
    r"|colleague of yours)) (?:please )?take (?:over|it from here|this over|it over)"
    r"(?= *$| (?:please|pls|now|here|from here|asap)\b)",
    r"(?:conseill(?:er|ere)|humain|agent|une personne|une vraie personne|un vrai conseiller"
    r"|quelqu un de chez vous) (?:de chez vous )?(?:peut |pourrait |puisse )"
    r"prendre le relais(?= *$| (?:svp|stp|s il vous plait|maintenant|merci)\b)",
    r"(?:conseill(?:er|ere)|humain|une personne|une vraie personne|un vrai conseiller)"
    r" (?:peut |pourrait |puisse )reprendre (?:la conversation|la discussion|le chat)"
    r"(?: avec moi)?(?= *$| (?:svp|stp|s il vous plait|maintenant|merci)\b)",
    # "I'd prefer to talk it through with a real human"
    rf"talk (?:it|this|that|things) (?:through|over) with (?:{_DET}{_NOT_INTERNAL}{_STAFF}"
    rf"{_POSSESSIVE}|{_A_PERSON}(?= *$| (?:please|pls|instead|rather|now|here|svp)\b)"
    rf"|{_SOMEONE}{_TEAM})",
    # Done with the bot: "I'm done with this chatbot", "j'en ai marre de ce robot".
    rf"(?:i m|im|i am|i ve had it|i have had it|we re|we are)(?: so| really| completely| totally)?"
    rf" (?:done|fed up|sick|tired) (?:with|of) (?:(?:this|the|your|ur|talking to (?:a|an"
    rf"|this|the|your)) {_CHATBOT}|(?:this|your|ur) ai)s?"
    r"(?= *$| (?:already|now|lol|seriously|honestly|please)\b)",
    r"(?:j en ai marre|marre|ras le bol|j en peux plus|je n en peux plus) (?:de|du|des|d)"
    rf" (?:ce |cette |votre |ton |le |la |l |parler a (?:un |une |ce |cette |votre )?)?"
    rf"(?:{_CHATBOT}|ia)s?"
    r"(?= *$| (?:la|sérieux|serieux|franchement|svp|stp|maintenant)\b)",
]


# Requests that open with the person, each with words every match holds: tried from every word
# of every message, a person's many names cost more than all the other patterns together, so
# they are tried only where those words are.
# Asking what happens rather than for it: "does your team call me to confirm?", "why did your
# agent call me?", and "will someone call me when ...".
def _after(*leads: str) -> str:
    """Just after one of `leads`, with or without an article or "your" ("does your ...")."""
    articles = ("", "your ", "ur ", "the ", "a ", "an ")
    return _any(*(f"(?<={lead} {article})" for lead in leads for article in articles))


_ASKED_WHAT = _after("does", "do", "why did", "why does", "why do", "why would")
_ASKED_WHEN = _after("will")
_ASKED_WOULD = _after("would")
_TOLD_BY = (
    r"(?:call|contact|phone|telephone|ring|reach|text|email|notify|reach out to|get back to"
    r"|get in touch with) (?:me|us)(?: back)?"
)
# An event of the customer's or the order's, not whenever the company can ("when you can").
_NOT_AT_WILL = r"(?! (?:you|u|possible|convenient)\b)"
# How the customer will be told of something: "... contact me when my order ships", "... call me
# to confirm the appointment", "... contact me by email".
_TOLD = (
    rf"{_TOLD_BY} (?:(?:when|once|if|after|as soon as|before|whenever){_NOT_AT_WILL} |to"
    r" (?:confirm|schedule|arrange|book|check|verify|tell|let)\b|by (?:email|e mail|phone|text"
    r"|sms)\b|about the\b)"
)
# After "would", only before an event, and never politely: "would someone please call me?"
_TOLD_WOULD = (
    rf"(?!(?:\w+ ){{0,7}}(?:please|possible|able|mind)\b)(?:\w+ ){{1,7}}{_TOLD_BY}"
    r"(?: by (?:email|e mail|phone|text|sms|post))? (?:when|once|if|after|as soon as|whenever"
    rf"|before (?:the|my|your|any|each|every|it|they|he|she))\b{_NOT_AT_WILL}"
)
_PERSON_FIRST_PATTERNS = [
    # Being called back: "have someone call me back", "can an agent contact me?"
    # ("let someone contact me" is a product question: who may reach the customer; "you can
    # call me Alan" and "what do you call me?" are about a name; "will your team contact me
    # when my order ships?" asks how the customer hears of something.)
    (
        # (Nor where the message asks what happens: "does someone from your team telephone me
        # when the keys are ready?")
        rf"^(?!(?:(?:hi|hello|hey|ok|okay|so|and|also|but|sorry) )*(?:(?:does|do(?! you (?:think"
        rf"|know|reckon|mind)\b)|why (?:did|does"
        rf"|do|would))\b|will (?:\w+ ){{1,7}}{_TOLD}|would {_TOLD_WOULD}))"
        r".*\b(?:call|contact|phone|telephone|ring|reach|text|to|with) (?:me|us)\b",
        rf"(?!{_ASKED_WHAT})(?!{_ASKED_WHEN}(?:\w+ ){{1,7}}{_TOLD})(?!{_ASKED_WOULD}{_TOLD_WOULD})"
        rf"(?<!let )(?<!allow )(?<!what )(?<!what do )(?<!what will )(?<!what would )"
        rf"(?<!what can )"
        rf"(?:you|u|{_PERSON}|(?:(?<=can )|(?<=could )|(?<=please )|(?<=have )|(?<=get )|(?<=ask )"
        rf"|(?<=want )|(?<=need )|(?<=like )|(?<=may ))(?:{_DET}(?:{_NOT_STAFF}\w+ )?{_IN_CHARGE}))"
        rf"(?: (?:please|pls|can|could"
        rf"|will|would|should|to"
        rf"|must))* (?:call (?:me|us){_CALLED}|(?:contact|phone|telephone|ring|reach"
        rf"|text|get back to|get in touch with|reach out to) (?:me|us)\b)",
    ),
    # Looking for one: "is there a person I can talk to?", "quelqu'un à qui parler".
    (
        r"\b(?:i|we) (?:can|could|may|might)\b",
        rf"{_PERSON} (?:that |who )?(?:i|we) (?:can|could|may|might)(?: actually| really"
        rf"| just)? (?:talk|speak|chat|write)",
    ),
    (
        r"\b(?:i|we) (?:can|could) (?:talk|speak|chat)\b",
        r"(?:is|are) there (?:a|an|any|some) (?:(?:real|actual|live|human) )?(?:engineer|developer"
        r"|dev|expert|specialist|moderator|supervisor)s? (?:that |who )?"
        r"(?:i|we) (?:can|could) (?:talk|speak|chat) (?:to|with)(?= *$| (?:about|now|today"
        r"|please|directly))",
    ),
    (
        r"\b(?:a|avec) qui\b",
        # (Not the customer's own people, nor a sentence in between: "mon équipe se demande à
        # qui écrire".)
        rf"(?<!mon )(?<!ma )(?<!mes )(?<!suis )(?<!notre )(?<!nos ){_PERSON}(?: (?!(?:m|me|se|ne|n"
        rf"|a|ai|est|et|ou|mais|je|j|il|on|qui)\b)\w+){{0,5}} (?:a|avec) qui (?:je (?:peux"
        rf"|pourrais|puisse) |on (?:peut"
        rf"|pourrait) )?"
        rf"(?:parler|discuter|m adresser|ecrire)",
    ),
]
# Searched only with the alternatives whose words a message holds, each compiled when first
# needed (bot/core/gates.py; `python -m bot.core.gates` after changing them).
REQUEST_ALTERNATIVES = [*_HUMAN_PATTERNS, *_ASK_PATTERNS]
_REQUESTS = GatedAlternation(REQUEST_ALTERNATIVES, r"(?:^| )(?:{})(?= |$)", REQUEST_GATES)
_PERSON_FIRST = [
    (re.compile(words), re.compile(rf"(?:^| )(?:{pattern})(?= |$)"))
    for words, pattern in _PERSON_FIRST_PATTERNS
]
# A person noun said on its own, as a whole sentence: "representative!!!", "this is useless.
# agent.", "un conseiller svp". Inside a sentence the same nouns are FAQ material.
_BARE_HUMAN_RE = re.compile(
    r"1 (?:humains?|humans?)(?: (?:please|pls|plz|svp|stp|s il vous plait|merci))*|"
    r"1 (?:agent|conseill(?:er|ere))(?: (?:please|pls|plz|svp|stp|s il vous plait|merci))+|"
    r"(?:please|pls|plz|svp|stp|s il vous plait) 1 (?:agent|conseill(?:er|ere))|"
    # ("Role: Staff." is an answer; "staff member please" asks for one.)
    r"(?:a )?(?:staff member|member of staff|staff)(?: (?:please|pls|plz|asap|now|svp))+|"
    # ("0" is the telephone's way to an operator.)
    r"0+ (?:operator|operateur)|(?:manager|supervisor|superviseur)(?: (?:please|pls|plz|now"
    r"|asap|svp|right now|immediately))+|"
    r"(?:(?:please|pls|plz|svp|stp|s il vous plait) )?"
    r"(?:(?:a|an|the|un|une|le|la|real|vrai|vraie|live|human|humain) )*"
    r"(?:humans?|hoomans?|humains?|agent|operator|operateur|representative|rep|person|someone"
    r"|somebody|conseill(?:er|ere)|customer service|support person"
    r"|transfert (?:vers )?(?:un )?(?:conseill(?:er|ere)|agent|humain)"
    r"|(?:une|un) (?:vraie )?(?:personne|humain|conseill(?:er|ere)) (?:pour|qui)"
    r" (?:m aider"
    r"|me repondre|puisse m aider|peut m aider)"
    r"|service client|real person|vraie personne|support agent"
    r"|(?:agent|conseill(?:er|ere)"
    r"|advis(?:o|e)r|person|personne) (?:disponible|dispo|available))(?: (?:humain|humaine"
    r"|human))?(?: (?:please|pls|plz|now|asap|right now|immediately|svp|stp|s il vous plait"
    r"|maintenant|tout de suite|vite|i mean|je veux dire|thanks|thank you|thx|merci))*"
)


def asks_for_human(text: str) -> bool:
    """Whether the customer asks for a person. Small talk wins: "are you a real person?" is a
    question about the bot, answered as such."""
    return small_talk(text) is None and names_a_person(text)


def names_a_person(text: str) -> bool:
    """`asks_for_human` for a message already known not to be small talk (routing checks that
    first, and need not parse the message twice)."""
    # Words in quotes are mentioned, not said: "our customers type 'talk to a human'"; nor is
    # what the customer's own customers are to do asked for.
    # (Read in lower case, as everything here: a case-blind search costs three times as much.)
    text = _THIRD_PARTY.sub(" ", _QUOTED.sub(" ", text.casefold()))
    clauses = [_normalise(c) for c in _CLAUSE_END.split(text)]
    # The clauses' ends are no words: joined, they read as the whole message does.
    whole = " ".join(c for c in clauses if c)
    if _requests(whole) or _WHOLE_REQUEST_RE.fullmatch(whole):
        return True
    # A request in a clause of its own stands whatever follows it ("I want a human, plans are so
    # confusing"); a clause that reads as the whole message was searched already.
    return any(_BARE_HUMAN_RE.fullmatch(c) or (c != whole and _requests(c)) for c in clauses)


# Said alone, as the whole message: "manager.", "Transfer me.", "support?" (in a sentence, or as a
# clause of one, these are FAQ material: "Support: what languages?").
_WHOLE_REQUEST_RE = re.compile(
    r"(?:please |pls )?(?:manager|supervisor|superviseur|responsable|support|tech support"
    r"|transfer me|transferez moi|escalate me|(?:a )?real one|(?:a )?mod|mods"
    # (Only as the whole message: a dating app's customers want "someone real" as a match.)
    r"|(?:someone|somebody|quelqu un|quelquun|qqn|qq1) (?:real|de reel|de vrai)"
    r"|(?:(?:une|la) )?personne reelle"
    # The bot called a robot, as the whole message (in a sentence "ce robot" is as often the
    # product: "je n'arrive à rien avec ce robot, il tourne en rond").
    r"|je (?:n arrive a rien|ne m en sors pas|m en sors pas) avec (?:ce|votre|ton) robot(?: la)?"
    # "pls transfer manual service": 人工客服 (a person) translated word by word.
    r"|(?:(?:transfer|connect)(?: me)?(?: to| with)? )?(?:artificial|human|manual)"
    r" (?:customer )?(?:service|support))(?: please| pls| now| asap| svp| thanks| thank you| thx"
    r"| merci)*"
)


def _requests(normal: str) -> bool:
    return _REQUESTS.search(normal) or any(
        words.search(normal) and pattern.search(normal) for words, pattern in _PERSON_FIRST
    )


# --- Reading a reply in context (used by bot/core/routing.py and bot/engine/conversation.py) ---

# A yes to "shall I pass your question to a person?", typed instead of pressing the button;
# "thanks" alone is not one.
_YES = (
    r"(?:yes|yeah|yep|yup|sure|ok|okay|please|go ahead|do it|please do|of course|yes please"
    r"|oui|ouais|d accord|volontiers|allez y|bien sur|svp|s il vous plait)"
)
_YES_RE = re.compile(rf"{_YES}(?: (?:{_YES}|merci|thanks|thank you))*")
# Openers and pronouns that lean on the previous question: "and for a team?", "et ça coûte
# combien ?", "what about on Android?".
_FOLLOW_UP_RE = re.compile(
    r"^(?:and|also|but|or|what about|how about|what if|same|et|aussi|mais|ou|et pour|et si"
    r"|pareil)\b|\b(?:it|that|this|those|them|one|ca|cela|celui|celle)\b"
)


# Which of a numbered list, in words: "2", "the second one", "option 2", "la deuxième".
_ORDINALS = {
    **dict.fromkeys(("first", "1st", "premier", "premiere", "1er", "1ere"), 1),
    # ("seconde" alone is "one sec": only "la seconde" picks.)
    **dict.fromkeys(("second", "2nd", "deuxieme", "la seconde", "2e", "2eme"), 2),
    **dict.fromkeys(("third", "3rd", "troisieme", "3e", "3eme"), 3),
    **dict.fromkeys(("fourth", "4th", "quatrieme", "4e", "4eme"), 4),
}
_PICKED_RE = re.compile(
    r"(?:(?:ok|okay|so|then|yes|yeah|oui|alors|donc|euh|um) )?(?:(?:the|la|le|l) )?(?:number "
    r"|option |numero |choice |choix |n )?(?P<pick>[1-9]|" + "|".join(_ORDINALS) + r")"
    r"(?: (?:one|option|choice|choix|entry|please|pls|plz|svp|s il vous plait|merci|thanks|thx"
    r"|ok))*"
)


def picked_number(text: str) -> int | None:
    """The number of the list item the message picks, if that is all it says."""
    picked = _PICKED_RE.fullmatch(_normalise(text))
    if picked is None:
        return None
    word = picked["pick"]
    return int(word) if word.isdigit() else _ORDINALS[word]


def accepts_offer(text: str) -> bool:
    """Whether the message says yes to the bot's offer of a person ("yes", "oui svp", or asking
    for one outright)."""
    normal = _normalise(text)
    return bool(normal) and (bool(_YES_RE.fullmatch(normal)) or asks_for_human(text))


def is_follow_up(text: str) -> bool:
    """A short message that leans on the previous question to make sense."""
    normal = _normalise(text)
    return 0 < len(normal.split()) <= 10 and bool(_FOLLOW_UP_RE.search(normal))
