"""A one-reader FIFO that costs almost nothing while empty: what an idle socket's queues are.

An idle WebSocket has two queues waiting on it: Daphne's input queue (the
frames from the client) and its channel-layer channel (the events for it).
``asyncio.Queue`` keeps four deques (its items, its getters, its putters,
and the waiters of its ``join()``), each holding a 528-byte block even when
empty: about 3 KiB a queue, 6 KiB of an idle socket's memory
(loadtest/README.md, "Memory per idle connection"). A ``Mailbox`` holds its
items' deque only while it has items, and its one waiting reader as a future.
It offers what Daphne and the in-memory channel layer use of a queue:
``put_nowait``, ``get``, ``get_nowait``, ``empty``, ``qsize``, ``full``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any


class Mailbox:
    """FIFO for one reader at a time; ``maxsize`` 0 is unbounded, else ``put_nowait`` raises ``QueueFull`` past it."""

    __slots__ = ("maxsize", "_queue", "_reader")

    def __init__(self, maxsize: int = 0) -> None:
        self.maxsize = maxsize
        # The items; None while there are none. Named as asyncio.Queue's:
        # Channels' in-memory layer peeks at _queue[0] when it sweeps expired messages.
        self._queue: deque[Any] | None = None
        # The reader waiting in get(), woken by the next put.
        self._reader: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return 0 if self._queue is None else len(self._queue)

    def empty(self) -> bool:
        return not self._queue

    def full(self) -> bool:
        return 0 < self.maxsize <= self.qsize()

    def put_nowait(self, item: Any) -> None:
        if self.full():
            raise asyncio.QueueFull
        if self._queue is None:
            self._queue = deque()
        self._queue.append(item)
        reader = self._reader
        if reader is not None and not reader.done():
            reader.set_result(None)

    def idle_reader(self) -> bool:
        """Whether its reader waits in get() with nothing queued: an item handed over now by other means comes next."""
        return self._queue is None and self._reader is not None and not self._reader.done()

    def get_nowait(self) -> Any:
        if not self._queue:
            raise asyncio.QueueEmpty
        item = self._queue.popleft()
        if not self._queue:
            self._queue = None
        return item

    async def get(self) -> Any:
        while not self._queue:
            if self._reader is not None:
                raise RuntimeError("a Mailbox has one reader at a time")
            self._reader = asyncio.get_running_loop().create_future()
            try:
                await self._reader
            finally:
                self._reader = None
        return self.get_nowait()
