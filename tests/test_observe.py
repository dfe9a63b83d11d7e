"""What an operator watches: Prometheus metrics and log lines (JSON on request) with context."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, Reply
from bot.runtime.logs import configure_logging
from tests.conftest import MakeApp
from tests.people import Customer

SECRET_QUESTION = "Can you recommend a pizza place in Rome near Via Condotti 12 for my anniversary?"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, access = logging.getLogger(), logging.getLogger("aiohttp.access")
    handlers, level, access_level = list(root.handlers), root.level, access.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    access.setLevel(access_level)


async def test_metrics_count_messages_outcomes_deflection_and_time_each_stage(
    make_app: MakeApp,
) -> None:
    app = make_app()
    outbox = CollectingOutputChannel("terminal")
    app.engine.register_channel(outbox)
    customer = Customer(app.engine)
    for question in ("how do I reset my password", "how do I cancel my subscription"):
        await customer.say(question)
    # Read as only reacting to the answer: neither answered nor unanswered.
    await customer.say("ok I'm on the settings page now")
    # The FAQ has no answer; the customer says yes to the bot's offer of a person.
    other = Customer(app.engine)
    await other.miss("Can you recommend a good pizza place in Rome?")
    await other.say("yes")
    # Announced with its topic and invited: no question asked, so no miss either.
    await Customer(app.engine).say("hi, I have a question about my garden")
    await app.engine.send(customer.key, Reply("an agent's words"))
    found = samples(app.metrics.render().decode())
    assert found[("faqbot_messages_total", (("platform", "terminal"),))] == 6
    answered = (("mode", "extractive"), ("platform", "terminal"))
    assert found[("faqbot_answered_total", answered)] == 2
    escalated = (("platform", "terminal"), ("reason", "no_answer"))
    assert found[("faqbot_escalated_total", escalated)] == 1
    assert found[("faqbot_unanswered_total", (("platform", "terminal"),))] == 1
    assert found[("faqbot_reactions_total", (("platform", "terminal"),))] == 1
    assert found[("faqbot_invitations_total", (("platform", "terminal"),))] == 1
    assert found[("faqbot_deflection_rate", ())] == pytest.approx(2 / 3)
    for stage in ("retrieval", "extractive", "platform_send"):
        assert found[("faqbot_stage_seconds_count", (("stage", stage),))] >= 1
    assert found[("faqbot_stage_seconds_count", (("stage", "retrieval"),))] == 5


async def test_json_logs_name_the_conversation_and_ticket_but_never_the_customers_words(
    make_app: MakeApp, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", "json")
    app = make_app()
    key = ConversationKey("slack", "T1", "D42")
    reply = await Customer(app.engine, key).ask_for_a_person_after(SECRET_QUESTION)
    assert reply.ticket is not None
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    opened = next(line for line in lines if "opened" in line["message"])
    assert opened["level"] == "INFO" and opened["logger"] == "bot.engine.conversation"
    assert opened["conversation"] == key.redis_key and opened["ticket"] == reply.ticket.id
    assert {"ts", "level", "logger", "message"} <= set(opened)
    assert all("Condotti" not in json.dumps(line) for line in lines)


async def test_text_logs_carry_the_same_context(
    make_app: MakeApp, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", "text")
    app = make_app()
    reply = await Customer(app.engine).say("I want to talk to a human")
    assert reply.ticket is not None
    err = capsys.readouterr().err
    assert f"ticket={reply.ticket.id}]" in err and "conversation=terminal:" in err


def test_a_line_per_http_request_is_logged_only_when_debugging(restore_logging: None) -> None:
    access = logging.getLogger("aiohttp.access")
    configure_logging("INFO", "json")
    assert not access.isEnabledFor(logging.INFO)
    configure_logging("DEBUG", "text")
    assert access.isEnabledFor(logging.INFO)
