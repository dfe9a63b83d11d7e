"""Prometheus metrics of one process, in a registry of its own (no global state)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Stages of the answer latency histogram, beside the decision's own (bot/core/routing.py).
PLATFORM_SEND = "platform_send"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "faqbot_messages", "Customer messages handled", ["platform"], registry=self.registry
        )
        self.answered = Counter(
            "faqbot_answered",
            "Questions answered from the FAQ",
            ["platform", "mode"],
            registry=self.registry,
        )
        self.escalated = Counter(
            "faqbot_escalated",
            "Conversations handed to a person",
            ["platform", "reason"],
            registry=self.registry,
        )
        self.unanswered = Counter(
            "faqbot_unanswered",
            "Questions the FAQ could not answer; the customer was offered a person",
            ["platform"],
            registry=self.registry,
        )
        # What bot/core/reactions.py's model let pass as a reaction: watched against
        # faqbot_unanswered, it shows how many unanswered messages it takes for no question.
        self.reactions = Counter(
            "faqbot_reactions",
            "Unanswered messages read as reactions to the answer just given",
            ["platform"],
            registry=self.registry,
        )
        # Unanswered messages read as a question announced ("I have a question about my
        # plan"), invited instead of counted as a miss: watched against faqbot_unanswered too.
        self.invitations = Counter(
            "faqbot_invitations",
            "Unanswered messages read as a question announced with its topic, and invited",
            ["platform"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "faqbot_feedback",
            "Feedback button presses",
            ["platform", "rating"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "faqbot_stage_seconds",
            "Time spent per answering stage",
            ["stage"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.llm_tokens = Counter(
            "faqbot_llm_tokens",
            "LLM tokens by model and kind",
            ["model", "kind"],
            registry=self.registry,
        )
        self.llm_cost = Counter(
            "faqbot_llm_cost_usd",
            "Estimated LLM cost in US dollars",
            ["model"],
            registry=self.registry,
        )
        self.errors = Counter("faqbot_errors", "Errors by kind", ["kind"], registry=self.registry)
        # Set by the core from this process's answered and escalated counts; across replicas,
        # compute it from the faqbot_answered_total and faqbot_escalated_total counters.
        self.deflection_rate = Gauge(
            "faqbot_deflection_rate",
            "Share of questions answered without a person: answered / (answered + escalated)",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "faqbot_rate_limited",
            "Customer messages dropped by a rate limit",
            ["platform", "scope"],
            registry=self.registry,
        )
        self.budget_limited = Counter(
            "faqbot_budget_limited",
            "Questions answered extractively because the channel's daily LLM budget was spent",
            ["platform"],
            registry=self.registry,
        )
        self._answered = 0
        self._escalated = 0

    def outcome(self, platform: str, *, answered: bool, mode: str = "", reason: str = "") -> None:
        """Count an answer or an escalation, and update the deflection rate."""
        if answered:
            self._answered += 1
            self.answered.labels(platform, mode).inc()
        else:
            self._escalated += 1
            self.escalated.labels(platform, reason).inc()
        self.deflection_rate.set(self._answered / (self._answered + self._escalated))

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Observe the time the block takes under `stage`; a failure counts as an error of it."""
        start = time.perf_counter()
        try:
            yield
        except Exception:
            self.errors.labels(stage).inc()
            raise
        finally:
            self.latency.labels(stage).observe(time.perf_counter() - start)

    def render(self) -> bytes:
        return generate_latest(self.registry)
