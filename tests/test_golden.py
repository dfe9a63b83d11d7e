"""Routing quality on questions written apart from the sample FAQ (faq/data/golden.yaml):
paraphrases, typos, French, and unrelated questions that must escalate. Offline: no LLM."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.evaluation import evaluate, load_cases
from faq.repository import BUNDLED_FAQ
from tests.conftest import MakeApp

MIN_ROUTED_RIGHT = 0.85
MIN_UNRELATED_ESCALATED = 0.90


# Known regression, kept visible instead of re-tuning on this held-out set: with the confidence
# calibrated on CLINC150 and its validation-chosen thresholds, the sample FAQ routes 75.4% of its
# golden questions right and escalates 72.4% of the unrelated ones lexical-only, 74.6% / 58.6%
# with embeddings (the English model finds French questions close to French entries).
@pytest.mark.xfail(
    strict=True, reason="calibration fitted on CLINC150 transfers poorly to the sample FAQ"
)
async def test_the_sample_faq_routes_its_golden_questions(make_app: MakeApp) -> None:
    cases = load_cases(BUNDLED_FAQ / "golden.yaml")
    assert len(cases) >= 100
    app = make_app()
    index = app.faq.index
    faq_questions = {q.casefold() for e in index.entries for q in (e.question, *e.alternates)}
    assert not [c.question for c in cases if c.question.casefold() in faq_questions]

    report = await evaluate(app.engine.router, index, cases)

    misses = "\n".join(
        f"{r.case.expected} <- {r.routed}: {r.case.question}" for r in report.misses()
    )
    assert len(report.unanswerable) >= 20
    assert report.accuracy >= MIN_ROUTED_RIGHT, misses
    assert report.escalation_recall >= MIN_UNRELATED_ESCALATED, misses


async def test_evaluation_takes_the_customers_path_without_leaving_a_trace(
    make_app: MakeApp, redis_url: str, prefix: str
) -> None:
    app = make_app()
    cases = load_cases(BUNDLED_FAQ / "golden.yaml")[:20]
    report = await evaluate(app.engine.router, app.faq.index, cases)
    assert len(report.results) == 20
    client = Redis.from_url(redis_url)
    assert [key async for key in client.scan_iter(f"{prefix}:*")] == []
    await client.aclose()
