"""The Messages API stand-in (tests/standins) in a process of its own.

A real LLM answers from another machine; running the stand-in in the benchmark's process would
count its request parsing as the bot's overhead. `python -m bench.standin` prints the URL and
serves until its stdin closes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.report import ROOT, process_cpu_seconds
from tests.standins.anthropic_api import AnthropicStandIn


@dataclass(frozen=True)
class StandInProcess:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)


@contextmanager
def anthropic_standin_process() -> Iterator[StandInProcess]:
    """Start the stand-in in a child process."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.standin"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        url = child.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the Messages API stand-in did not start (said {url!r})")
        yield StandInProcess(url, child.pid)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


async def _serve() -> None:
    server = await AnthropicStandIn().start()
    print(server.url, flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(_serve())
