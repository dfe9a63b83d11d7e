"""The gap report: questions the FAQ failed, grouped so that paraphrases count together."""

from __future__ import annotations

from pathlib import Path

from bot.core.models import ConversationKey, IncomingMessage, MessageKind
from faq.clustering import cluster_questions
from tests.conftest import MakeApp
from tests.people import Customer
from tests.test_cli import faqbot

FAQ = (
    "- id: reset-password\n  question: How do I reset my password?\n"
    "  answer: Click Forgot password on the sign-in page.\n"
    "- id: refund\n  question: How do I get a refund?\n  answer: Write to billing within 30 days.\n"
)
PAYPAL = [
    "Can I pay with PayPal?",
    "Do you accept PayPal?",
    "paypal payment possible?",
    "Is PayPal supported as a payment method?",
    "can i pay via paypall",
]
MARS = ["Do you ship to Mars?", "Can you deliver to Mars?", "shipping to mars, is that possible?"]


def faq_file(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(FAQ)
    return path


def admin(text: str, user: str = "UADMIN") -> IncomingMessage:
    return IncomingMessage(
        key=ConversationKey("slack", "W", "C1"),
        message_id="",
        user_id=user,
        text=text,
        kind=MessageKind.COMMAND,
    )


def test_paraphrases_typos_and_french_join_their_cluster_and_unrelated_questions_do_not() -> None:
    questions = [
        *PAYPAL,
        "Est-ce que je peux payer avec PayPal ?",
        *MARS,
        "Livrez-vous sur Mars ?",
        "Can I pay in bitcoin?",
        "How do I change the colour of my avatar?",
        "Can I pay with PayPal?",
    ]
    clusters = cluster_questions(questions, threshold=0.3)
    members = [{questions[i] for i in c.members} for c in clusters]
    assert [c.count for c in clusters] == [7, 4, 1, 1]
    assert members[0] == {*PAYPAL, "Est-ce que je peux payer avec PayPal ?"}
    assert members[1] == {*MARS, "Livrez-vous sur Mars ?"}
    # The example is a real question from the cluster, the most repeated one here.
    assert clusters[0].example == "Can I pay with PayPal?"
    assert clusters[1].example in MARS
    assert [c.example for c in clusters[2:]] == [
        "Can I pay in bitcoin?",
        "How do I change the colour of my avatar?",
    ]


async def test_two_replicas_record_escalations_and_not_helpful_and_the_report_groups_them(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = faq_file(tmp_path)
    first = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN")
    second = make_app(faq_path=path, SLACK_ADMIN_USER_IDS="UADMIN")
    for n, question in enumerate([*PAYPAL, *MARS]):
        reply = await Customer((first, second)[n % 2].engine).say(question)
        assert reply.escalated, question
    rater = Customer(second.engine)
    answered = await rater.say("How do I reset my password?")
    assert not answered.escalated
    await rater.press(answered, "not_helpful")
    await rater.press(answered, "not_helpful")  # the same rating twice counts once

    clusters = await first.gaps.clusters(7)
    assert [(c.count, c.reasons) for c in clusters] == [
        (5, {"no_answer": 5}),
        (3, {"no_answer": 3}),
        (1, {"not_helpful": 1}),
    ]
    assert clusters[0].example in PAYPAL and clusters[1].example in MARS
    assert clusters[2].example == "How do I reset my password?"

    report = (await second.engine.handle(admin("gaps 7"))).text
    lines = report.splitlines()
    assert lines[0].startswith("Gaps in the last 7 day(s): 9 question(s) in 3 cluster(s)")
    assert lines[1].startswith(f'1. 5 x "{clusters[0].example}" (5 escalated; last ')
    assert lines[2].startswith(f'2. 3 x "{clusters[1].example}" (3 escalated; last ')
    assert lines[3].startswith('3. 1 x "How do I reset my password?" (1 not helpful; last ')


async def test_asking_for_a_person_small_talk_and_answered_questions_are_not_gaps(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(faq_path=faq_file(tmp_path), SLACK_ADMIN_USER_IDS="UADMIN")
    assert (await Customer(app.engine).say("I want to talk to a human")).escalated
    customer = Customer(app.engine)
    await customer.say("hello!")
    answered = await customer.say("how do I get a refund")
    await customer.press(answered, "helpful")
    await customer.press(answered, "human")
    assert await app.gaps.since(90) == []
    report = await app.engine.handle(admin("gaps"))
    assert report.text == ("No gaps in the last 7 day(s): nothing escalated or rated Not helpful.")


async def test_the_log_keeps_its_retention_and_size_cap(make_app: MakeApp) -> None:
    now = [1_767_268_800.0]
    app = make_app(clock=lambda: now[0], GAPS_MAX_RECORDS=100, GAPS_RETENTION_DAYS=30)
    key = ConversationKey("slack", "W", "C1")
    await app.gaps.record(key, "an old question", "no_answer")
    now[0] += 31 * 24 * 3600
    await app.gaps.record(key, "question number 0", "no_answer")
    # Past its retention a record goes, even when a longer look back is asked for.
    assert [gap.question for gap in await app.gaps.since(90)] == ["question number 0"]
    for n in range(1, 105):
        now[0] += 1
        await app.gaps.record(key, f"question number {n}", "no_answer")
    kept = await app.gaps.since(30)
    assert len(kept) == 100 == await app.redis.zcard(app.gaps.name)
    assert {gap.question for gap in kept} == {f"question number {n}" for n in range(5, 105)}


async def test_a_bad_period_gets_the_usage_and_non_admins_are_refused(
    make_app: MakeApp,
) -> None:
    app = make_app(SLACK_ADMIN_USER_IDS="UADMIN", GAPS_RETENTION_DAYS=30)
    for text in ("gaps soon", "gaps 0", "gaps 31", "gaps 7 8"):
        reply = await app.engine.handle(admin(text))
        assert reply.text == "Usage: gaps [DAYS], DAYS a whole number from 1 to 30 (default 7).", (
            text
        )
    refused = await app.engine.handle(admin("gaps", user="UCUSTOMER"))
    assert "for admins only" in refused.text


async def test_operators_read_the_gaps_from_the_cli(
    make_app: MakeApp, tmp_path: Path, redis_url: str, prefix: str
) -> None:
    app = make_app(faq_path=faq_file(tmp_path))
    for question in PAYPAL[:2]:
        await Customer(app.engine).say(question)
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "FAQ_PATH": str(faq_file(tmp_path))}
    result = faqbot("faq", "gaps", "--days", "3", cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Gaps in the last 3 day(s): 2 question(s)")
    assert '1. 2 x "' in result.stdout
    bad = faqbot("faq", "gaps", "--days", "0", cwd=tmp_path, **env)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "Usage: gaps [DAYS], DAYS a whole number from 1 to 90 (default 7)."
