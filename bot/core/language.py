"""Which language the customer writes in, and the bot's own sentences in that language."""

from __future__ import annotations

import re

from faq.text import fold

SUPPORTED = ("en", "fr")

_FRENCH_WORDS = frozenset(
    """
    le la les un une des du de je tu il nous vous ils mon ma mes ton ta votre vos notre est sont
    suis ai avez avons pour pas que qui quoi comment pourquoi quand ou avec sans sur dans chez
    bonjour salut merci bonsoir oui non mais et aussi tres peux puis veux voudrais faut faire
    compte mot passe facture abonnement remboursement aide besoin probleme parler humain personne
    conseiller fichier fichiers dossier donnees supprimer annuler payer paiement ca cest jai
    mdr ptdr xptdr cimer tiguidou slt bjr stp svp dac dacc ouais coucou accord bonne journee
    """.split()
)
_ENGLISH_WORDS = frozenset(
    """
    the a an i you he she we they my your our is are am was were be do does did have has had to of
    for in on with at by from how what why when where who which can could would should will not
    no yes please thanks thank hello hi hey and or but it this that there account password
    """.split()
)
_WORD_RE = re.compile(r"[a-z']+")


def detect_language(text: str, default: str = "en") -> str:
    """A stopword vote; ties (including texts with no known words) keep `default`."""
    tokens = [t for w in _WORD_RE.findall(fold(text)) for t in w.replace("'", " ").split()]
    french = sum(t in _FRENCH_WORDS for t in tokens) + 2 * len(
        re.findall(r"[éèêàçùœ]", text.lower())
    )
    english = sum(t in _ENGLISH_WORDS for t in tokens)
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return default


_PHRASES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! Ask me anything about our product and I'll answer from our FAQ.",
        "fr": "Bonjour ! Posez-moi votre question, je réponds à partir de notre FAQ.",
    },
    "thanks": {
        "en": "You're welcome! Anything else I can help with?",
        "fr": "Avec plaisir ! Puis-je vous aider pour autre chose ?",
    },
    "help_offer": {
        "en": "Sure, what can I help you with?",
        "fr": "Bien sûr, quelle est votre question ?",
    },
    "ack": {
        "en": "Anything else I can help with?",
        "fr": "Puis-je vous aider pour autre chose ?",
    },
    "decline": {
        "en": "All right. Ask me anything else, or put your question another way if you like.",
        "fr": "D'accord. Posez-moi une autre question, ou formulez la vôtre autrement si vous le "
        "souhaitez.",
    },
    "compliment": {
        "en": "Thank you, glad I could help! Anything else?",
        "fr": "Merci, ravi d'avoir pu vous aider ! Autre chose ?",
    },
    "pleasantry": {
        "en": "Thank you, likewise! Is there anything I can help you with?",
        "fr": "Merci, de même ! Puis-je vous aider pour quelque chose ?",
    },
    "wait": {
        "en": "Sure, take your time. I'm here when you're ready.",
        "fr": "Bien sûr, prenez votre temps. Je suis là quand vous voulez.",
    },
    "no_such_pick": {
        "en": "I don't have an option with that number. Tell me what you're looking for, or press "
        "one of the buttons.",
        "fr": "Je n'ai pas d'option avec ce numéro. Dites-moi ce que vous cherchez, ou appuyez sur "
        "l'un des boutons.",
    },
    "reaction": {
        "en": "All right. If there's something I can help with, just ask, or press Talk to a "
        "person.",
        "fr": "D'accord. Si je peux vous aider, posez-moi votre question, ou appuyez sur Parler "
        "à une personne.",
    },
    "confirm": {
        "en": "I can only go by what our FAQ says. If your situation is different, tell me more "
        "about it, or ask for a person and someone from our team will check.",
        "fr": "Je ne peux m'appuyer que sur notre FAQ. Si votre situation est différente, "
        "dites-m'en plus, ou demandez à parler à une personne : quelqu'un de notre équipe "
        "vérifiera.",
    },
    "goodbye": {
        "en": "Goodbye, and thanks for reaching out!",
        "fr": "Au revoir, et merci de nous avoir contactés !",
    },
    "whoami": {
        "en": "I'm the support bot: I answer from our FAQ, and hand you to a person when it can't.",
        "fr": "Je suis le bot du support : je réponds à partir de notre FAQ et je vous passe à une "
        "personne quand elle ne suffit pas.",
    },
    "empty": {
        "en": "I didn't catch a question there. What can I help you with?",
        "fr": "Je n'ai pas vu de question. Comment puis-je vous aider ?",
    },
    "too_long": {
        "en": "That message is too long for me ({length:,} characters). Please send your question "
        "in under {limit:,} characters.",
        "fr": "Ce message est trop long pour moi ({length} caractères). Merci d'envoyer votre "
        "question en moins de {limit} caractères.",
    },
    "ticket_opened": {
        "en": "I've opened ticket {ticket} and passed your question to our support team. A person "
        "will reply here.",
        "fr": "J'ai ouvert le ticket {ticket} et transmis votre question à notre équipe support. "
        "Une personne vous répondra ici.",
    },
    "out_of_hours": {
        "en": "Our team is away right now; they are back on {day} at {time} ({zone}) and will "
        "reply here then.",
        "fr": "Notre équipe est absente pour le moment ; elle revient {day} à {time} ({zone}) et "
        "vous répondra ici.",
    },
    "ticket_stored": {
        "en": "Your ticket {held} is now ticket {ticket}; our support team will reply here.",
        "fr": "Votre ticket {held} est désormais le ticket {ticket} ; notre équipe support vous "
        "répondra ici.",
    },
    "ticket_exists": {
        "en": "Ticket {ticket} is already open for this conversation; our team will reply here.",
        "fr": "Le ticket {ticket} est déjà ouvert pour cette conversation ; notre équipe vous "
        "répondra ici.",
    },
    "ticket_resolved": {
        "en": "Ticket {ticket} has been resolved. If you need anything else, just ask.",
        "fr": "Le ticket {ticket} est résolu. Si vous avez besoin d'autre chose, demandez-moi.",
    },
    "no_answer": {
        "en": "I couldn't find the answer to that in our FAQ. Could you rephrase it? Or shall I "
        "pass your question to a person? (say yes, or press the button)",
        "fr": "Je n'ai pas trouvé la réponse dans notre FAQ. Pouvez-vous reformuler ? Ou "
        "voulez-vous que je transmette votre question à une personne ? (répondez oui, ou "
        "utilisez le bouton)",
    },
    "no_answer_suggest_one": {
        "en": "I couldn't find a sure answer to that in our FAQ. Maybe this one helps:",
        "fr": "Je n'ai pas trouvé de réponse sûre dans notre FAQ. Peut-être que celle-ci vous "
        "aidera :",
    },
    "no_answer_suggest": {
        "en": "I couldn't find a sure answer to that in our FAQ. Maybe one of these helps:",
        "fr": "Je n'ai pas trouvé de réponse sûre dans notre FAQ. Peut-être l'une de ces "
        "questions vous aidera :",
    },
    "no_answer_else": {
        "en": "If not, could you rephrase it? Or shall I pass your question to a person? (say "
        "yes, or press Talk to a person)",
        "fr": "Sinon, pouvez-vous reformuler ? Ou voulez-vous que je transmette votre question à "
        "une personne ? (répondez oui, ou utilisez le bouton Parler à une personne)",
    },
    "announced": {
        "en": "Sure, what would you like to know?",
        "fr": "Bien sûr, que voulez-vous savoir ?",
    },
    "announced_suggest_one": {
        "en": "It may be this one:",
        "fr": "C'est peut-être celle-ci :",
    },
    "announced_suggest": {
        "en": "It may be one of these:",
        "fr": "C'est peut-être l'une de ces questions :",
    },
    "clarify": {
        "en": "Which of these do you mean?",
        "fr": "Laquelle de ces questions correspond à votre demande ?",
    },
    "feedback_thanks": {
        "en": "Thanks for the feedback!",
        "fr": "Merci pour votre retour !",
    },
    "unhelpful": {
        "en": "Sorry that didn't help. Try rephrasing your question, or ask to talk to a person.",
        "fr": "Désolé, cela ne vous a pas aidé. Reformulez votre question, ou demandez à parler à "
        "une personne.",
    },
    "offer_intro": {
        "en": "While ticket {ticket} waits for our team: our FAQ now has an answer that may help.",
        "fr": "En attendant que notre équipe traite le ticket {ticket} : notre FAQ a maintenant "
        "une réponse qui pourrait vous aider.",
    },
    "offer_question": {
        "en": "Does this answer your question?",
        "fr": "Est-ce que cela répond à votre question ?",
    },
    "auto_resolved": {
        "en": "Great! I've closed ticket {ticket}. If you need anything else, just ask.",
        "fr": "Parfait ! J'ai fermé le ticket {ticket}. Si vous avez besoin d'autre chose, "
        "demandez-moi.",
    },
    "auto_declined": {
        "en": "Thanks for telling me. Ticket {ticket} stays open and a person will reply here.",
        "fr": "Merci de me le dire. Le ticket {ticket} reste ouvert et une personne vous répondra "
        "ici.",
    },
    "offer_closed": {
        "en": "That suggestion has already been answered or its ticket is closed.",
        "fr": "Cette suggestion a déjà reçu une réponse, ou son ticket est fermé.",
    },
    "offer_not_yours": {
        "en": "Only the person who asked can answer that suggestion.",
        "fr": "Seule la personne qui a posé la question peut répondre à cette suggestion.",
    },
    "yes": {"en": "Yes", "fr": "Oui"},
    "no": {"en": "No", "fr": "Non"},
    "slow_down": {
        "en": "You're sending messages a little too quickly. Please try again in a minute.",
        "fr": "Vous envoyez des messages un peu trop vite. Merci de réessayer dans une minute.",
    },
    "privacy_notice_ai": {
        "en": "I'm an automated assistant, not a person: your messages are processed by an AI "
        "provider ({provider}) to answer you.",
        "fr": "Je suis un assistant automatique, pas une personne : vos messages sont traités par "
        "un fournisseur d'IA ({provider}) pour vous répondre.",
    },
    "privacy_notice_bot": {
        "en": "I'm an automated assistant, not a person: I answer from our FAQ.",
        "fr": "Je suis un assistant automatique, pas une personne : je réponds à partir de notre "
        "FAQ.",
    },
    "helpful": {"en": "Helpful", "fr": "Utile"},
    "not_helpful": {"en": "Not helpful", "fr": "Pas utile"},
    "human": {"en": "Talk to a person", "fr": "Parler à une personne"},
    "sources": {"en": "Sources", "fr": "Sources"},
}


_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
}


def weekday(number: int, language: str) -> str:
    """The name of a weekday (Monday is 0)."""
    return _WEEKDAYS.get(language, _WEEKDAYS["en"])[number]


def phrase(name: str, language: str, **values: object) -> str:
    texts = _PHRASES[name]
    template = texts.get(language, texts["en"])
    return template.format(**values)
