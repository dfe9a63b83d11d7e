"""Find the Redis server the suite talks to, or start one of its own."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import redis

INSTALL_HINT = (
    "redis-server not found: install it (Debian/Ubuntu: apt-get install redis-server; "
    "macOS: brew install redis) or set REDIS_URL to a server the tests may use"
)


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


# The servers the suite starts on a port it chooses (redis-server, `faqbot serve`) get one below
# the kernel's ephemeral range (32768 and up on Linux), so that no outgoing connection takes it
# while the test has its server stopped, and from a band of ports of each pytest-xdist worker's
# own, so that two workers never choose the same one. A Redis Cluster node also needs its bus
# port, 10000 higher: still below the ephemeral range.
PORTS_FROM = 10000
PORTS = 10000
BUS_OFFSET = 10000


def free_port(also_free: int = 0) -> int:
    """A loopback port nothing is bound to, from this worker's band; `port + also_free` is free
    too when asked."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    width = PORTS // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    first = PORTS_FROM + worker * width
    for _ in range(1000):
        port = random.randrange(first, first + width)
        if _bindable(port) and (not also_free or _bindable(port + also_free)):
            return port
    raise RuntimeError(f"no free loopback port between {first} and {first + width}")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def own_redis_server(
    port: int | None = None, folder: str | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server on a free loopback port, stopped on exit. With a `folder`, it
    loads the data a server saved there (`SHUTDOWN SAVE`) before it."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError(INSTALL_HINT)
    port = port or free_port()
    with ExitStack() as stack:
        folder = folder or stack.enter_context(tempfile.TemporaryDirectory())
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            deadline = time.monotonic() + 10
            while not answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}")
                time.sleep(0.05)
            yield url, process
        finally:
            process.terminate()
            process.wait(timeout=10)
