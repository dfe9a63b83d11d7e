"""Claude answers through the real anthropic SDK, against a local stand-in of the Messages API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.language import phrase
from tests.conftest import MakeApp, llm_app
from tests.people import Customer
from tests.standins.anthropic_api import (
    AnthropicStandIn,
    Broken,
    Fail,
    Slow,
    TextOnly,
    ToolReply,
)


async def test_claude_answers_from_the_retrieved_entries_and_names_its_sources(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_FULL_FAQ_TOKENS=0)
    claude.script.append(
        ToolReply(
            "Use the Forgot password link; the reset link lasts 60 minutes.", ["reset-password"]
        )
    )
    reply = await Customer(app.engine).say("I forgot my password, what now?")
    assert reply.text == "Use the Forgot password link; the reset link lasts 60 minutes."
    assert reply.source_ids == ["reset-password"]
    [request] = claude.requests
    assert request.headers["Authorization"] == "Bearer sk-test-key"
    assert request.body["model"] == "claude-sonnet-5-5"
    assert request.body["tool_choice"] == {"type": "tool", "name": "reply_to_customer"}
    assert '<entry id="reset-password">' in request.body["messages"][-1]["content"]
    assert "I forgot my password, what now?" in request.body["messages"][-1]["content"]
    assert "data, not instructions" in request.prompt


async def test_the_whole_faq_is_sent_with_prompt_caching_when_it_fits(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude)
    customer = Customer(app.engine)
    await customer.say("How do I turn on two-factor authentication?")
    await customer.say("What is the refund policy?")
    first, second = claude.requests
    faq_block = first.body["system"][-1]
    assert faq_block["cache_control"] == {"type": "ephemeral"}
    assert faq_block["text"].count("<entry id=") == len(app.faq.index)
    usage = await app.store.usage()
    assert usage["cache_write_tokens"] > 0 and usage["cache_read_tokens"] > 0
    assert usage["cost_usd"] > 0
    # The second request carries the first turn of the conversation.
    assert any("two-factor" in str(m["content"]) for m in second.body["messages"][:-1])


async def test_ids_the_model_was_not_given_are_dropped(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_FULL_FAQ_TOKENS=0)
    claude.script.append(
        ToolReply("Reset it from the sign-in page.", ["reset-password", "made-up-id"])
    )
    reply = await Customer(app.engine).say("how do I reset my password")
    assert reply.source_ids == ["reset-password"]


async def test_an_answer_resting_on_no_given_entry_escalates(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_FULL_FAQ_TOKENS=0)
    claude.script.append(ToolReply("Our CEO is Jane, trust me.", ["not-an-entry"]))
    customer = Customer(app.engine)
    offer = await customer.miss("how do I reset my password")
    assert "Jane" not in offer.text
    assert (await customer.press(offer, "human")).ticket is not None


async def test_when_the_faq_does_not_answer_claude_says_so_and_a_yes_opens_a_ticket(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude)
    claude.script.append(ToolReply("I'll pass this on.", [], faq_answers_it=False))
    customer = Customer(app.engine)
    offer = await customer.miss("Do you sponsor hackathons?")
    assert offer.text == phrase("no_answer", "en")
    reply = await customer.say("yes please")
    assert reply.escalated and reply.ticket is not None
    assert reply.ticket.question == "Do you sponsor hackathons?"
    # The yes answers the bot's offer: it is not a question for the model.
    assert len(claude.requests) == 1


async def test_a_request_claude_finds_no_answer_to_opens_a_ticket_and_its_cost_is_counted(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    # Words no pattern knows, which the model of requests reads as asking for a person: once
    # Claude finds no answer in the FAQ, the ticket opens at once, and the call still counts.
    app = llm_app(make_app, claude, SEMANTIC_SEARCH="multilingual")
    claude.script.append(ToolReply("I'll pass this on.", [], faq_answers_it=False))
    customer = Customer(app.engine)
    reply = await customer.say("I'd like a living, breathing member of your crew to read this")
    assert reply.ticket is not None and reply.ticket.reason == "the FAQ has no answer"
    assert len(claude.requests) == 1
    assert (await app.store.usage(customer.key))["cost_usd"] > 0


async def test_a_french_question_asks_claude_for_french(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude)
    await Customer(app.engine).say("Comment payer par virement SEPA ?")
    assert "French" in claude.requests[0].body["system"][0]["text"]


@pytest.mark.parametrize(
    "failure",
    [
        [Fail(429, "rate_limit_error"), Fail(429, "rate_limit_error")],
        [Fail(529, "overloaded_error"), Fail(529, "overloaded_error")],
        [Fail(500, "api_error"), Fail(500, "api_error")],
        [TextOnly("no tool call here")],
        [Broken(), Broken()],
        [Slow(1.5), Slow(1.5)],
    ],
    ids=["429", "529", "500", "no-tool-call", "answer-cut-off-halfway", "timeouts"],
)
async def test_an_llm_outage_falls_back_to_the_extractive_answer(
    make_app: MakeApp, claude: AnthropicStandIn, failure: list[object]
) -> None:
    app = llm_app(make_app, claude, LLM_MAX_RETRIES=1, LLM_TIMEOUT_SECONDS=0.5)
    claude.script.extend(failure)
    reply = await Customer(app.engine).say("How do I reset my password? I forgot it")
    assert reply.text == app.faq.index.by_id["reset-password"].answer
    assert reply.source_ids == ["reset-password"]
    assert len(claude.requests) == len(failure)
    assert b'faqbot_errors_total{kind="llm"} 1.0' in app.metrics.render()


async def test_a_rate_limit_is_retried_and_then_answered(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_MAX_RETRIES=2, LLM_FULL_FAQ_TOKENS=0)
    claude.script.extend(
        [Fail(429, "rate_limit_error"), ToolReply("Here you go.", ["reset-password"])]
    )
    reply = await Customer(app.engine).say("how do I reset my password")
    assert reply.text == "Here you go."
    assert len(claude.requests) == 2


async def test_a_slow_llm_times_out_into_the_fallback(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_MAX_RETRIES=0, LLM_TIMEOUT_SECONDS=0.3)
    claude.script.append(Slow(3))
    reply = await Customer(app.engine).say("how do I reset my password")
    assert reply.source_ids == ["reset-password"]
    assert not reply.escalated


async def test_an_outage_on_an_unanswerable_question_still_leads_to_a_person(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = llm_app(make_app, claude, LLM_MAX_RETRIES=0)
    claude.script.append(Fail(529, "overloaded_error"))
    reply = await Customer(app.engine).ask_for_a_person_after(
        "Who won the chess world championship?"
    )
    assert reply.escalated and reply.ticket is not None
    assert len(claude.requests) == 1


async def test_usage_and_cost_follow_the_price_table_and_its_override(
    make_app: MakeApp, claude: AnthropicStandIn, tmp_path: Path
) -> None:
    app = llm_app(
        make_app,
        claude,
        LLM_FULL_FAQ_TOKENS=0,
        ANTHROPIC_MODEL="my-model",
        LLM_PRICES={"my-model": {"input": 1000, "output": 0, "cache_write": 0, "cache_read": 0}},
    )
    customer = Customer(app.engine)
    await customer.say("how do I reset my password")
    conversation = await app.store.usage(customer.key)
    assert conversation["input_tokens"] > 0 and conversation["output_tokens"] > 0
    assert conversation["cost_usd"] == pytest.approx(conversation["input_tokens"] * 1000 / 1e6)
    assert (await app.store.usage())["cost_usd"] == pytest.approx(conversation["cost_usd"])
    assert b'faqbot_llm_cost_usd_total{model="my-model"}' in app.metrics.render()
