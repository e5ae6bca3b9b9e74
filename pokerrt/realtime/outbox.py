"""A connection's frames to the client, in the order they were produced, through one bounded queue.

A writer task drains the queue; a client that does not read fills it, and
the connection is closed (4503 by the consumer) instead of growing the
server's memory.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

from pokerrt import metrics


class Outbox:
    """The queue of one connection and the writer that empties it into the socket."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        flow: Any,
        closed: Callable[[], bool],
        overflow: Callable[[], Awaitable[None]],
    ) -> None:
        self.send = send
        # Backpressure from the pokerrt server (server.py): writable() waits for
        # room in the socket, has_room() asks. None under plain Daphne.
        self.flow = flow
        # Whether the connection takes no more frames; once true, nothing is sent.
        self.closed = closed
        # What to do when the queue is full: close the connection.
        self.overflow = overflow
        self.queue: deque[str] = deque()
        # Beside each queued frame, its event's timestamp (epoch seconds; None for other frames).
        self.timestamps: deque[float | None] = deque()
        self.ready = asyncio.Event()
        # True while the writer holds a frame it took from the queue.
        self.writing = False
        # The overflow's task, held so it is not collected before it runs.
        self.closing: asyncio.Future[None] | None = None

    def put(self, text: str, timestamp: float | None = None) -> None:
        if self.closed():
            return
        if len(self.queue) >= settings.POKERRT_REALTIME["OUTGOING_QUEUE_LIMIT"]:
            self.closing = asyncio.ensure_future(self.overflow())
            return
        self.queue.append(text)
        self.timestamps.append(timestamp)
        self.ready.set()

    def clear(self) -> None:
        self.queue.clear()
        self.timestamps.clear()

    async def forward(self, text: str, timestamp: float | None = None) -> None:
        """Send at once when nothing waits and the socket has room, else queue.

        ``timestamp`` is the event's: the commit-to-send latency is measured
        when its frame is handed to the socket, however long it queued.
        """
        if (
            not self.queue
            and not self.writing
            and not self.closed()
            and (self.flow is None or self.flow.has_room())
        ):
            await self.send(text)
            delivered(timestamp)
        else:
            self.put(text, timestamp)

    async def write_loop(self) -> None:
        while not self.closed():
            await self.ready.wait()
            self.ready.clear()
            while self.queue and not self.closed():
                if self.flow is not None:
                    await self.flow.writable()
                    if self.closed():
                        return
                self.writing = True
                text, timestamp = self.queue.popleft(), self.timestamps.popleft()
                try:
                    await self.send(text)
                finally:
                    self.writing = False
                delivered(timestamp)


def delivered(timestamp: float | None) -> None:
    if timestamp is not None:
        # Wall clocks: the event's timestamp may come from another node.
        metrics.DELIVERY_SECONDS.observe(max(0.0, time.time() - timestamp))
