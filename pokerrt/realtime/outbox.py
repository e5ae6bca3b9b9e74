"""A connection's frames to the client, in the order they were produced, through one bounded queue.

A frame with nothing ahead of it goes straight to the socket. Otherwise it
is queued, and a writer task drains the queue; a client that does not read
fills it, and the connection is closed (4503 by the consumer) instead of
growing the server's memory. The queue and the writer exist only while
there are frames waiting: most sockets are idle most of the time, and an
empty deque (528-byte block) plus a parked writer task cost an idle socket
about 2.5 KiB (loadtest/README.md, "Memory per idle connection").
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

    __slots__ = ("send", "flow", "closed", "overflow", "write", "queue", "writer", "closing")

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        flow: Any,
        closed: Callable[[], bool],
        overflow: Callable[[], Awaitable[None]],
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.send = send
        # Backpressure from the pokerrt server (server.py): writable() waits for
        # room in the socket, has_room() asks. None under plain Daphne.
        self.flow = flow
        # Whether the connection takes no more frames; once true, nothing is sent.
        self.closed = closed
        # What to do when the queue is full: close the connection.
        self.overflow = overflow
        # Writes a frame to the socket synchronously (socket_writer.py): what
        # push() uses. None under plain Daphne: push() then queues.
        self.write = write
        # The frames waiting, each with its event's timestamp (epoch seconds;
        # None for other frames). None while nothing waits.
        self.queue: deque[tuple[str, float | None]] | None = None
        # The task draining the queue, from the first frame queued until the
        # queue is empty again; while it runs, new frames go behind.
        self.writer: asyncio.Task[None] | None = None
        # The overflow's task, held so it is not collected before it runs.
        self.closing: asyncio.Future[None] | None = None

    def put(self, text: str, timestamp: float | None = None) -> None:
        if self.closed():
            return
        if self.queue is None:
            self.queue = deque()
        elif len(self.queue) >= settings.POKERRT_REALTIME["OUTGOING_QUEUE_LIMIT"]:
            self.closing = asyncio.ensure_future(self.overflow())
            return
        self.queue.append((text, timestamp))
        if self.writer is None:
            self.writer = asyncio.ensure_future(self._drain())

    def queued(self) -> list[str]:
        """The frames waiting, oldest first."""
        return [text for text, _ in self.queue or ()]

    def clear(self) -> None:
        self.queue = None

    def stop(self) -> None:
        """The connection ended: drop what waits and the writer."""
        self.queue = None
        if self.writer is not None:
            self.writer.cancel()

    async def forward(self, text: str, timestamp: float | None = None) -> None:
        """Send at once when nothing waits and the socket has room, else queue.

        ``timestamp`` is the event's: the commit-to-send latency is measured
        when its frame is handed to the socket, however long it queued.
        """
        if self._can_send_now():
            await self.send(text)
            delivered(timestamp)
        else:
            self.put(text, timestamp)

    def push(self, text: str, timestamp: float | None = None) -> None:
        """forward() without awaiting: written now when nothing waits and the socket has room, else queued.

        For an event handed over in the sender's turn (local_delivery.py).
        """
        if self.write is not None and self._can_send_now():
            self.write(text)
            delivered(timestamp)
        else:
            self.put(text, timestamp)

    def _can_send_now(self) -> bool:
        # Nothing waits ahead of the frame, and the socket takes it.
        return self.writer is None and not self.closed() and (self.flow is None or self.flow.has_room())

    async def _drain(self) -> None:
        try:
            while self.queue and not self.closed():
                if self.flow is not None:
                    await self.flow.writable()
                    if self.closed() or not self.queue:
                        return
                text, timestamp = self.queue.popleft()
                await self.send(text)
                delivered(timestamp)
        finally:
            self.writer = None
            if not self.queue:
                self.queue = None


def delivered(timestamp: float | None) -> None:
    if timestamp is not None:
        # Wall clocks: the event's timestamp may come from another node.
        metrics.DELIVERY_SECONDS.observe(max(0.0, time.time() - timestamp))
