"""Redis connections that report a socket closed under a write as the ConnectionError it is.

The bot treats a redis-py ConnectionError as Redis being briefly unreachable: the cluster client
retries it, and the engine and the subscribers carry on without Redis or try again later. Two
ways of losing a socket fail a write with other errors instead, which passed every retry and
stopped whatever met them (a message's handling, a subscription):
- a Redis Cluster client's refresh of its nodes closes connections other tasks are writing on:
  an AttributeError on the missing stream;
- on Python 3.12 to 3.14, a socket the peer had already closed (a restart, a failover, a server
  or proxy dropping idle clients) fails inside asyncio's transport with a TypeError or an
  AttributeError, depending on the patch release (redis/redis-py#4287).
Only a failure whose stream was closed is converted: the same errors from anything
else (a faulty credential provider in the handshake, say) stay the bugs they are. A converted
error is retried where redis-py retries a ConnectionError (on a cluster, a pipeline of spread
counters may then count once more; bot/state/store.py says which writes may repeat).

They also write without a timer what the socket's buffer takes at once. redis-py times every
write with `asyncio.wait_for`, which on Python 3.11 starts a task per command: a third of the
CPU of a round trip to a local Redis (redis-py 8.1), 2-3% of an answered message's
(bench/instructions.py). A write that leaves the buffer below its high-water mark cannot wait,
so it has nothing to time out; a larger one, or one behind a full buffer, is timed as before,
and reads keep their timeout.
"""

from __future__ import annotations

from asyncio import StreamWriter
from typing import Any

from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError


class _Reporting(AbstractConnection):
    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        writer = self._writer  # the stream the write starts on (None: it connects first)
        if isinstance(command, str):
            command = command.encode()
        parts = [command] if isinstance(command, bytes) else list(command)
        try:
            checks = check_health and self.health_check_interval
            if writer is not None and not checks and _fits(writer, parts):
                await self._send_at_once(parts)
            else:
                await super().send_packed_command(parts, check_health)
        except (AttributeError, TypeError) as exc:
            if writer is None or not writer.transport.is_closing():
                raise
            raise ConnectionError(f"the socket to Redis was closed under a write: {exc!r}") from exc

    async def _send_at_once(self, parts: list[bytes]) -> None:
        """The write redis-py's `send_packed_command` makes, with its errors, untimed."""
        try:
            await self._send_packed_command(parts)
        except OSError as exc:
            await self.disconnect(nowait=True)
            raise ConnectionError(f"Error while writing to socket. {exc}.") from exc
        except BaseException:
            await self.disconnect(nowait=True)
            raise


def _fits(writer: StreamWriter, parts: list[bytes]) -> bool:
    """Whether writing `parts` leaves the transport below its high-water mark, where draining
    returns at once."""
    transport = writer.transport
    if transport.is_closing():
        return False
    pending = transport.get_write_buffer_size() + sum(map(len, parts))
    return pending < transport.get_write_buffer_limits()[1]


class ReportingConnection(_Reporting, Connection):
    pass


class ReportingSSLConnection(_Reporting, SSLConnection):
    pass


class ReportingUnixConnection(_Reporting, UnixDomainSocketConnection):
    pass


_REPORTING: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: ReportingConnection,
    SSLConnection: ReportingSSLConnection,
    UnixDomainSocketConnection: ReportingUnixConnection,
}


def reporting(connection_class: type[AbstractConnection]) -> type[AbstractConnection]:
    """The class of connections that report so, for the class a REDIS_URL chose (TCP, TLS or a
    Unix socket); any other class as it is."""
    return _REPORTING.get(connection_class, connection_class)
