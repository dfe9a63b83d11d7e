"""Which conversations and tickets belong to a person, so that erasing them needs no keyspace scan.

Each person (per platform) has a set in Redis, written as their conversations and tickets are
created. It expires once everything it names may have: every write refreshes it with the longest
retention (conversations' and resolved tickets').
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio.client import Pipeline


@dataclass(eq=False)
class UserIndex:
    """`{prefix}:user:{platform}:{user id}`: a set of `conv:<conversation>` and `ticket:<id>`."""

    prefix: str
    ttl: int

    def key(self, platform: str, user_id: str) -> str:
        return ":".join([self.prefix, "user", platform, user_id])

    def add(self, pipe: Pipeline, platform: str, user_id: str, *members: str) -> None:
        """Queue on `pipe`: remember `members` for this person, and keep the index as long as
        the longest-kept thing it may name."""
        name = self.key(platform, user_id)
        pipe.sadd(name, *members)
        pipe.expire(name, self.ttl)
