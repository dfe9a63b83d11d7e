"""Turning FAQ entries into a reply: the extractive answerer, Claude through the anthropic SDK
(llm, providers) and what it costs (pricing)."""
