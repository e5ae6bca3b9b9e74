"""A consumer's messages handed to it from each source by one long-lived task: no task per message.

Channels' ``await_many_dispatch`` starts a new task for every receive from
each source (the client's frames, the channel layer's events) and sets up an
``asyncio.wait`` around them for every message: on a busy table node that
machinery was about a sixth of the event loop's time (loadtest/README.md,
table_bench, fifth round), each event costing it once per subscriber.

Here each source has one pump, a task that receives and dispatches in a
loop. ``dispatch`` must take one message at a time itself
(``RealtimeConsumer.dispatch`` holds its ``turn``), as Channels' loop did:
a pump whose message waits for the turn does not receive the next one, so a
source is never read further ahead than that one message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Source = Callable[[], Awaitable[Any]]


async def _pump(source: Source, dispatch: Callable[[Any], Awaitable[None]]) -> None:
    while True:
        await dispatch(await source())
        # A turn of the loop between messages, as Channels' loop gave: the
        # outbox's writer sends what this message queued before the next
        # message runs (a close after it would drop what is still queued).
        await asyncio.sleep(0)


async def dispatch_each(sources: list[Source], dispatch: Callable[[Any], Awaitable[None]]) -> None:
    """Dispatch every message of every source until ``dispatch`` raises (``StopConsumer`` included), then raise it.

    The other pumps are cancelled first: whatever they were receiving or
    waiting to dispatch is dropped, as Channels' loop dropped its pending
    receives.
    """
    pumps = [asyncio.ensure_future(_pump(source, dispatch)) for source in sources]
    try:
        done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        # A pump ends only by raising: the first to end says why.
        ended = next(pump for pump in pumps if pump in done)
        ended.result()
    finally:
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
