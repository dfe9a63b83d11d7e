"""Questions the FAQ failed: recorded when the bot escalates for lack of an answer or a customer
rates an answer Not helpful, and reported as clusters of similar questions (`/faq gaps`).

Records live in one Redis sorted set scored by time, trimmed to a retention and a size cap, so
every replica writes to and reads from the same log.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis

from bot.core.models import ConversationKey
from bot.safety.redact import Redactor
from bot.safety.sanitize import defuse_mentions
from faq.clustering import cluster_questions

GAP_NO_ANSWER = "no_answer"
GAP_NOT_HELPFUL = "not_helpful"
_REASON_LABELS = {GAP_NO_ANSWER: "escalated", GAP_NOT_HELPFUL: "not helpful"}
# Longer questions are cut: the start says what was asked, and the log stays small.
MAX_QUESTION_CHARS = 500
DAY = 24 * 3600


_REDACTOR = Redactor()


def _digest(key: ConversationKey) -> str:
    """The conversation is kept only as a digest: enough to count once (and to erase a person's
    records), not to find anyone."""
    return hashlib.sha256(key.redis_key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Gap:
    question: str
    at: float
    platform: str
    reason: str


@dataclass(frozen=True)
class GapCluster:
    example: str
    count: int
    reasons: dict[str, int]
    first_seen: float
    last_seen: float


class GapLog:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        retention_days: int,
        max_records: int,
        similarity: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.name = f"{prefix}:gaps"
        self.retention_days = retention_days
        self._max_records = max_records
        self._similarity = similarity

    async def record(self, key: ConversationKey, question: str, reason: str) -> None:
        """One record per conversation, question and reason: pressing Not helpful twice on the
        same answer, or a redelivered event, counts once (the record's time moves forward)."""
        # Admins read these questions to improve the FAQ; a customer's e-mail or card is no use.
        question = _REDACTOR.redact(question.strip())[:MAX_QUESTION_CHARS]
        if not question:
            return
        conversation = _digest(key)
        member = json.dumps(
            {"q": question, "p": key.platform, "r": reason, "c": conversation},
            ensure_ascii=False,
            sort_keys=True,
        )
        now = self.clock()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.name, {member: now})
            pipe.zremrangebyscore(self.name, "-inf", now - self.retention_days * DAY)
            pipe.zremrangebyrank(self.name, 0, -self._max_records - 1)
            await pipe.execute()

    async def forget(self, keys: Iterable[ConversationKey]) -> int:
        """Drop the records of these conversations (an erasure request); how many went."""
        digests = {_digest(key) for key in keys}
        everything = cast(list[str], await self.redis.zrange(self.name, 0, -1))
        members = [m for m in everything if json.loads(m).get("c") in digests]
        return int(await self.redis.zrem(self.name, *members)) if members else 0

    async def since(self, days: float) -> list[Gap]:
        # The client decodes responses, and with scores each item is a (member, score) pair.
        raw = cast(
            list[tuple[str, float]],
            await self.redis.zrangebyscore(
                self.name, self.clock() - days * DAY, "+inf", withscores=True
            ),
        )
        gaps = []
        for member, score in raw:
            data = json.loads(member)
            gaps.append(Gap(data["q"], float(score), data["p"], data["r"]))
        return gaps

    async def clusters(self, days: float) -> list[GapCluster]:
        """Clusters of the last `days`, most frequent first."""
        gaps = await self.since(days)
        # Thousands of questions take seconds: off the event loop, so the bot keeps answering.
        found = await asyncio.to_thread(
            cluster_questions, [gap.question for gap in gaps], self._similarity
        )
        result = []
        for cluster in found:
            members = [gaps[i] for i in cluster.members]
            result.append(
                GapCluster(
                    example=cluster.example,
                    count=cluster.count,
                    reasons=dict(Counter(gap.reason for gap in members)),
                    first_seen=min(gap.at for gap in members),
                    last_seen=max(gap.at for gap in members),
                )
            )
        return result

    async def report(self, days: int, limit: int = 15) -> str:
        clusters = await self.clusters(days)
        if not clusters:
            return f"No gaps in the last {days} day(s): nothing escalated or rated Not helpful."
        total = sum(c.count for c in clusters)
        lines = [
            f"Gaps in the last {days} day(s): {total} question(s) in {len(clusters)} cluster(s), "
            "most frequent first:"
        ]
        for number, cluster in enumerate(clusters[:limit], start=1):
            reasons = ", ".join(
                f"{count} {_REASON_LABELS.get(reason, reason)}"
                for reason, count in sorted(cluster.reasons.items())
            )
            last = time.strftime("%Y-%m-%d", time.gmtime(cluster.last_seen))
            lines.append(
                f'{number}. {cluster.count} x "{defuse_mentions(cluster.example)[:200]}" '
                f"({reasons}; last {last})"
            )
        if len(clusters) > limit:
            rest = clusters[limit:]
            lines.append(
                f"... and {len(rest)} more cluster(s) ({sum(c.count for c in rest)} question(s))"
            )
        return "\n".join(lines)


__all__ = ["GAP_NOT_HELPFUL", "GAP_NO_ANSWER", "Gap", "GapCluster", "GapLog"]
