"""A node's periodic passes (the journal tail, the digests' SYNC): one task per event loop, started once.

A server node has one event loop; tests run each on a loop of their own, so
the task is kept per loop and a loop that is gone takes its task with it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class PassLoop:
    """``run_pass`` again and again, ``wait()`` seconds apart; a pass that fails is logged and the next one runs."""

    def __init__(self, name: str, run_pass: Callable[[], Awaitable[object]], wait: Callable[[], float]) -> None:
        self.name = name
        self.run_pass = run_pass
        self.wait = wait
        self.tasks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = (
            weakref.WeakKeyDictionary()
        )

    def ensure(self) -> None:
        """Start the running event loop's task, unless it already runs."""
        loop = asyncio.get_running_loop()
        task = self.tasks.get(loop)
        if task is None or task.done():
            self.tasks[loop] = loop.create_task(self._forever())

    async def _forever(self) -> None:
        while True:
            await asyncio.sleep(self.wait())
            try:
                await self.run_pass()
            except Exception:
                logger.exception("%s pass failed", self.name)
