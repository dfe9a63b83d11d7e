"""Routing quality on questions written apart from the sample FAQ (faq/data/golden.yaml):
paraphrases, typos, French, and unrelated questions that must escalate. Offline: no LLM."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.knowledge.evaluation import evaluate, load_cases
from faq.repository import BUNDLED_FAQ
from tests.conftest import MakeApp

MIN_ROUTED_RIGHT = 0.85
MIN_UNRELATED_ESCALATED = 0.90


# Known shortfall, kept visible: the sample FAQ with its alternates routes about 69-73% of its
# golden questions as labelled and escalates 83-97% of the unrelated ones, depending on the search
# mode. The default thresholds are chosen to keep unrelated questions out on FAQs without
# alternates, which turns away many right answers (see the README's Quality section). This set is
# part of the tuning data since the judgment work (faq/calibration.py), not a held-out check.
@pytest.mark.xfail(
    strict=True,
    reason="the confidence that keeps unrelated near misses out turns away right answers too",
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
