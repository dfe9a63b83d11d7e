"""The Redis Cluster client (REDIS_CLUSTER): redis-py's, kept clear of a race of its own.

redis-py 8's cluster client looks a command up (which takes a connection) before it connects to
the cluster on first use, and that first connection replaces the nodes it knew: commands
arriving together on a fresh client then meet sockets closed under them, failing with an
AttributeError or, worse, running twice. So a command first waits for the client to know the
cluster. Should a command still meet a closed socket (a refresh after a node fails closes idle
connections in the background; bot/state/closed_sockets.py), one that failed before anything
was written is run again, and anything else becomes the ConnectionError it is, which the bot
treats as Redis being briefly unreachable.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.exceptions import RedisClusterException

from bot.state.closed_sockets import as_connection_error, closed_under_it, unsent


class ClusterClient(RedisCluster):
    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        await self.initialize()  # at once when the client knows the cluster
        try:
            return await super().execute_command(*args, **kwargs)
        except (AttributeError, TypeError) as exc:
            if not closed_under_it(exc):
                raise
            if not unsent(exc):
                raise as_connection_error(exc) from exc
        try:
            return await super().execute_command(*args, **kwargs)
        except (AttributeError, TypeError) as exc:
            if not closed_under_it(exc):
                raise
            raise as_connection_error(exc) from exc

    async def rediscover(self) -> None:
        """Learn the cluster's nodes and slots anew. Commands do so when they meet a failed
        node, but a subscriber (bot/knowledge/subscription.py) only knows that its node went
        away, and would otherwise subscribe to it again."""
        # The nodes manager alone: the client's own initialize() closes every connection when
        # it fails, as it may mid-failover, and other tasks' commands would lose theirs.
        await self.nodes_manager.initialize()

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        return _Pipeline(self, transaction)  # type: ignore[abstract]


class _Pipeline(ClusterPipeline):
    async def execute(
        self, raise_on_error: bool = True, allow_redirections: bool = True
    ) -> list[Any]:
        # Its queue is spent once executed, and part of it may have run: never run again here.
        try:
            return await super().execute(raise_on_error, allow_redirections)
        except (AttributeError, TypeError) as exc:
            if not closed_under_it(exc):
                raise
            raise as_connection_error(exc) from exc
