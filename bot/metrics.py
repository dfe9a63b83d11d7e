"""Prometheus metrics of one process, in a registry of its own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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

    def render(self) -> bytes:
        return generate_latest(self.registry)
