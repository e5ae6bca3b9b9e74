"""Time for the code that waits: the real clock in production, a hand-cranked one in tests.

The timers (:mod:`pokerrt.timers`) and the socket's heartbeat and rate limit
(:mod:`pokerrt.realtime.consumer`) ask this module what time it is and wait
through it, so a test can move time forward by exactly the amount it needs
(:class:`ManualClock`) instead of sleeping and hoping the machine kept up.
Swap clocks with :func:`use`; the default is :class:`SystemClock`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils import timezone


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, an aware UTC datetime."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back: for intervals."""

    def call_later(
        self, loop: asyncio.AbstractEventLoop, delay: float, callback: Callable[..., object], *args: Any
    ) -> TimerHandle:
        """Run ``callback(*args)`` on ``loop`` after ``delay`` seconds of this clock."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock."""


class SystemClock:
    """Real time: Django's ``now()`` and the event loop's own timers."""

    def now(self) -> datetime:
        moment: datetime = timezone.now()
        return moment

    def monotonic(self) -> float:
        return time.monotonic()

    def call_later(
        self, loop: asyncio.AbstractEventLoop, delay: float, callback: Callable[..., object], *args: Any
    ) -> TimerHandle:
        return loop.call_later(delay, callback, *args)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(order=True)
class _ManualTimer:
    when: datetime
    order: int
    loop: asyncio.AbstractEventLoop = field(compare=False)
    callback: Callable[..., object] = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """Time that moves only when :meth:`advance` is awaited.

    Timers due by the new time run in the order they were due, each with the
    clock showing its own due time, and the loop gets a few turns after each
    so that the tasks they wake reach their next wait.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = self._now = start or timezone.now()
        self._timers: list[_ManualTimer] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return (self._now - self._start).total_seconds()

    def call_later(
        self, loop: asyncio.AbstractEventLoop, delay: float, callback: Callable[..., object], *args: Any
    ) -> TimerHandle:
        timer = _ManualTimer(
            self._now + timedelta(seconds=max(delay, 0.0)), next(self._order), loop, callback, args
        )
        heapq.heappush(self._timers, timer)
        return timer

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self.call_later(asyncio.get_running_loop(), seconds, _resolve, future)
        try:
            await future
        finally:
            timer.cancel()

    async def advance(
        self, seconds: float, between: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Move time forward by ``seconds``, running every timer due meanwhile.

        ``between`` is awaited after each timer: what a timer sets off in
        other threads (a database write, say) may arm the next timer, which
        must be on the heap before time moves past it.
        """
        target = self._now + timedelta(seconds=seconds)
        await _turns()  # timers armed from other threads reach the heap first
        while self._timers and self._timers[0].when <= target:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.when)
            timer.callback(*timer.args)
            await _turns()
            if between is not None:
                await between()
        self._now = target
        await _turns()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _turns(count: int = 5) -> None:
    # A woken task needs a turn of the loop to run up to its next await.
    for _ in range(count):
        await asyncio.sleep(0)


clock: Clock = SystemClock()


def now() -> datetime:
    return clock.now()


def monotonic() -> float:
    return clock.monotonic()


async def sleep(seconds: float) -> None:
    await clock.sleep(seconds)


def call_later(
    loop: asyncio.AbstractEventLoop, delay: float, callback: Callable[..., object], *args: Any
) -> TimerHandle:
    return clock.call_later(loop, delay, callback, *args)


def use(new: Clock) -> Clock:
    """Make ``new`` the clock; returns the previous one (to put back)."""
    global clock
    previous, clock = clock, new
    return previous
