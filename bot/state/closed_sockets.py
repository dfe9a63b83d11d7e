"""redis-py's errors for a socket closed under it, read as the ConnectionErrors they are.

redis-py raises a ConnectionError when Redis goes away, and the bot treats that as Redis being
briefly unreachable. Two ways of losing a socket escape as other errors instead:
- a Redis Cluster client's refresh of its nodes closes connections other tasks are using, and
  their next write fails on the missing stream with an AttributeError (its look-ups of a node
  mid-refresh fail the same way, redis/redis-py#3835);
- on Python 3.12 to 3.14 a socket the peer already closed fails the next write inside asyncio's
  transport with a TypeError (or an AttributeError on 3.13), redis/redis-py#4287: a Redis
  restart, a failover, a proxy dropping idle connections.
Neither is a RedisError, so they would pass every retry and stop whatever loop met them.
"""

from __future__ import annotations

import os
from types import TracebackType

from redis.exceptions import ConnectionError

_ASYNCIO = f"{os.sep}asyncio{os.sep}"
_REDIS = f"{os.sep}redis{os.sep}"
# redis-py's function that writes a command: an error raised within it sent nothing.
_WRITE = "_send_packed_command"


def closed_under_it(exc: BaseException) -> bool:
    """Whether `exc` is one of those (raised inside asyncio or redis-py), not a bug of the
    caller's (a TypeError of a call with wrong arguments is raised where the call is)."""
    if not isinstance(exc, (AttributeError, TypeError)):
        return False
    frames = _frames(exc.__traceback__)
    if not frames:
        return False
    where = frames[-1].tb_frame.f_code.co_filename
    return _ASYNCIO in where or _REDIS in where


def unsent(exc: BaseException) -> bool:
    """Whether the failed write never left: running the command again cannot run it twice."""
    return any(frame.tb_frame.f_code.co_name == _WRITE for frame in _frames(exc.__traceback__))


def as_connection_error(exc: BaseException) -> ConnectionError:
    return ConnectionError(f"the connection to Redis was closed under a command: {exc!r}")


def _frames(traceback: TracebackType | None) -> list[TracebackType]:
    frames = []
    while traceback is not None:
        frames.append(traceback)
        traceback = traceback.tb_next
    return frames
