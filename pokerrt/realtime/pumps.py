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

    The first source is pumped in the calling task itself and the others in
    a task each: an idle socket holds no more tasks than under Channels'
    loop (its memory is most of a node's with many idle sockets). A pump of
    its own that raises cancels the calling task, which raises that error
    instead. The other pumps are cancelled on the way out: whatever they were
    receiving or waiting to dispatch is dropped, as Channels' loop dropped
    its pending receives.
    """
    caller = asyncio.current_task()
    assert caller is not None
    failed: list[asyncio.Task[None]] = []

    def ended(pump: asyncio.Task[None]) -> None:
        if not pump.cancelled():
            failed.append(pump)
            caller.cancel()

    pumps = [asyncio.ensure_future(_pump(source, dispatch)) for source in sources[1:]]
    for pump in pumps:
        pump.add_done_callback(ended)
    try:
        await _pump(sources[0], dispatch)
    except asyncio.CancelledError:
        if not failed:
            raise
        # The cancel was ours, to stop this pump: the pump that ended says why.
        caller.uncancel()
        failed[0].result()
        raise
    finally:
        for pump in pumps:
            pump.remove_done_callback(ended)
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
