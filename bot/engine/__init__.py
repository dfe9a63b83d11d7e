"""The conversation engine: one message in, one load, one decision, one commit."""
