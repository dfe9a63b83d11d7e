"""Routing quality on questions written apart from the sample FAQ (faq/data/golden.yaml):
paraphrases, typos, French, and unrelated questions that must escalate. Offline: no LLM."""

from __future__ import annotations

import yaml

from bot.models import ConversationKey, IncomingMessage
from faq.repository import BUNDLED_FAQ
from tests.conftest import MakeApp

MIN_ROUTED_RIGHT = 0.85
MIN_UNRELATED_ESCALATED = 0.90


async def test_the_sample_faq_routes_its_golden_questions(make_app: MakeApp) -> None:
    golden = yaml.safe_load((BUNDLED_FAQ / "golden.yaml").read_text())
    assert len(golden) >= 100
    faq_questions = set()
    app = make_app()
    for entry in app.faq.index.entries:
        faq_questions.update(q.casefold() for q in (entry.question, *entry.alternates))
    assert not [g["question"] for g in golden if g["question"].casefold() in faq_questions]
    right = unrelated = unrelated_escalated = 0
    misses = []
    for n, item in enumerate(golden):
        reply = await app.engine.handle(
            IncomingMessage(
                key=ConversationKey("cli", "golden", str(n)),
                message_id="",
                user_id="golden",
                text=item["question"],
                is_direct=True,
            )
        )
        got = "escalate" if reply.escalated else (reply.source_ids or ["none"])[0]
        right += got == item["expected"]
        if item["expected"] == "escalate":
            unrelated += 1
            unrelated_escalated += reply.escalated
        if got != item["expected"]:
            misses.append(f"{item['expected']} <- {got}: {item['question']}")
    assert unrelated >= 20
    assert right / len(golden) >= MIN_ROUTED_RIGHT, "\n".join(misses)
    assert unrelated_escalated / unrelated >= MIN_UNRELATED_ESCALATED, "\n".join(misses)
