"""The Redis Cluster client (REDIS_CLUSTER): redis-py's, kept clear of races of its own.

redis-py 8's cluster client looks a command up (which takes a connection) before it connects to
the cluster on first use, and that first connection replaces the nodes it knew: commands
arriving together on a fresh client then meet sockets closed under them, failing with an
AttributeError or, worse, running twice. So a command first waits for the client to know the
cluster. Its connections report a socket closed under a write (a refresh after a node fails
closes connections in the background) as a ConnectionError, which redis-py retries on the
cluster as it is now (bot/state/connections.py); a node looked up mid-refresh still fails with
an AttributeError (redis/redis-py#3835), which becomes the ConnectionError it is, and the bot
treats it as Redis being briefly unreachable.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.exceptions import ConnectionError, RedisClusterException

from bot.state.connections import reporting


def _dropped(exc: AttributeError) -> ConnectionError:
    return ConnectionError(f"the cluster client lost a node while it refreshed them: {exc}")


class ClusterClient(RedisCluster):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # redis-py's cluster client takes no connection class: its nodes get theirs from here.
        settings = self.nodes_manager.connection_kwargs
        settings["connection_class"] = reporting(settings["connection_class"])
        for node in self.nodes_manager.startup_nodes.values():
            node.connection_class = settings["connection_class"]

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        await self.initialize()  # at once when the client knows the cluster
        try:
            return await super().execute_command(*args, **kwargs)
        except AttributeError as exc:
            raise _dropped(exc) from exc

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
        # Its queue is spent once executed, and part of it may have run: never run again here
        # (redis-py itself sends a pipeline's unanswered commands again after a ConnectionError:
        # counters and idempotent writes, bot/state/store.py).
        try:
            return await super().execute(raise_on_error, allow_redirections)
        except AttributeError as exc:
            raise _dropped(exc) from exc
