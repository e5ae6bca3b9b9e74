"""Every socket's heartbeat on the node (PROTOCOL.md section 4) from one timer: PING each interval, 4408 on silence.

A socket is due at its next PING or at its last frame + the timeout,
whichever comes first. The node's sockets wait in one heap by that time, and
one clock timer is armed for the earliest. When it fires, each socket due
is looked at again: a frame since may have moved its timeout back, so it is
pinged, closed, or put back at its new due time. A task and a timer of each
socket's own cost an idle socket about 1.5 KiB and a task step per wake
(loadtest/README.md, "Memory per idle connection").

One heartbeat per event loop (tests run each on its own loop); the clock is
``pokerrt.clock``'s, so tests move it by hand.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import weakref
from typing import Any, Protocol

from django.conf import settings

from .. import clock


class Beating(Protocol):
    """What the heartbeat needs of a socket (the consumer)."""

    # clock.monotonic() of the last frame from the client.
    last_frame_at: float

    @property
    def closed(self) -> bool: ...

    def ping(self) -> None:
        """Send a PING."""

    def fall_silent(self) -> None:
        """Close the socket with 4408."""


class Heartbeat:
    """The sockets of one event loop, in a heap by the time each is due."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # Entries [due, order, socket, next_ping]; a removed socket's entry
        # has socket None (it is dropped when it comes up), so that removing
        # is O(1) and the heap holds no ended consumer.
        self.heap: list[list[Any]] = []
        self.order = itertools.count()
        self.timer: clock.TimerHandle | None = None
        # The due time the timer is armed for (inf: none).
        self.armed_for = float("inf")

    def watch(self, socket: Beating) -> list[Any]:
        """Start beating for ``socket``; the entry returned is what ``forget`` takes."""
        next_ping = clock.monotonic() + settings.POKERRT_REALTIME["HEARTBEAT_INTERVAL"]
        entry = [self._due(socket, next_ping), next(self.order), socket, next_ping]
        heapq.heappush(self.heap, entry)
        self._arm()
        return entry

    @staticmethod
    def forget(entry: list[Any]) -> None:
        entry[2] = None

    @staticmethod
    def _due(socket: Beating, next_ping: float) -> float:
        return float(min(next_ping, socket.last_frame_at + settings.POKERRT_REALTIME["HEARTBEAT_TIMEOUT"]))

    def _arm(self) -> None:
        if not self.heap:
            return
        due = self.heap[0][0]
        if due >= self.armed_for:
            return
        if self.timer is not None:
            self.timer.cancel()
        self.armed_for = due
        self.timer = clock.call_later(self.loop, due - clock.monotonic(), self._beat)

    def _beat(self) -> None:
        # A loop timer may fire a hair early: the time it was armed for counts as come.
        now = max(clock.monotonic(), self.armed_for)
        self.timer, self.armed_for = None, float("inf")
        conf = settings.POKERRT_REALTIME
        while self.heap and self.heap[0][0] <= now:
            entry = heapq.heappop(self.heap)
            socket, next_ping = entry[2], entry[3]
            if socket is None or socket.closed:
                continue
            if now - socket.last_frame_at >= conf["HEARTBEAT_TIMEOUT"]:
                socket.fall_silent()
                continue
            if now >= next_ping:
                socket.ping()
                next_ping = entry[3] = now + conf["HEARTBEAT_INTERVAL"]
            entry[0] = self._due(socket, next_ping)
            heapq.heappush(self.heap, entry)
        self._arm()


_heartbeats: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Heartbeat] = weakref.WeakKeyDictionary()


def heartbeat() -> Heartbeat:
    """The running event loop's heartbeat."""
    loop = asyncio.get_running_loop()
    beat = _heartbeats.get(loop)
    if beat is None:
        beat = _heartbeats[loop] = Heartbeat(loop)
    return beat
