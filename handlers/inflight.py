"""The inbound work an adapter has accepted, so that a shutdown can finish it before closing.

`faqbot serve` on SIGTERM calls each adapter's `stop()`: it stops taking new messages
(`accepting` turns False), waits for the work in flight, then closes the platform connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self, platform: str) -> None:  # a display name for log lines
        self.platform = platform
        self.accepting = True
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run `work` in a task of its own (after the platform got its acknowledgement)."""
        if not self.accepting:
            work.close()
            log.info("%s %s refused: shutting down", self.platform, what)
            return
        self._add(asyncio.create_task(self._guarded(work, what)))

    async def run(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run `work` in the current task (one the platform library started for the event)."""
        task = asyncio.current_task()
        if not self.accepting or task is None:
            work.close()
            log.info("%s %s refused: shutting down", self.platform, what)
            return
        self._add(task)
        await work

    def _add(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("%s %s failed", self.platform, what)

    async def wait(self) -> None:
        """Until the accepted work is done (work it starts in turn is waited for too)."""
        current = asyncio.current_task()
        # A finished task leaves the set only when its done callback runs; on Python 3.12+ a
        # gather of finished tasks completes without yielding to the loop, so waiting on them
        # again would spin forever.
        while pending := [t for t in self._tasks if t is not current and not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        """Take no new work and finish what is in flight."""
        self.accepting = False
        log.info(
            "%s takes no new messages; finishing %d in flight", self.platform, len(self._tasks)
        )
        await self.wait()
