"""What the bots share in Redis: conversations and the unit of work (store), tickets, rate limits
and budgets, held tickets (outbox), people's indexes and erasure (privacy)."""
