"""A consumer's sources pumped one message at a time, without a task per message (pokerrt.realtime.pumps)."""

from __future__ import annotations

import asyncio

import pytest
from channels.exceptions import StopConsumer

from pokerrt.realtime.mailbox import Mailbox
from pokerrt.realtime.pumps import dispatch_each


class Serial:
    """A dispatch that, like RealtimeConsumer's, takes one message at a time; it records them."""

    def __init__(self, stop_at=None, slow=None):
        self.turn = asyncio.Lock()
        self.seen: list = []
        self.busy = False
        self.stop_at = stop_at
        self.slow = slow

    async def __call__(self, message):
        async with self.turn:
            assert not self.busy
            self.busy = True
            try:
                if message == self.slow:
                    await asyncio.sleep(0.05)
                self.seen.append(message)
                if message == self.stop_at:
                    raise StopConsumer()
                if message == "boom":
                    raise ValueError("boom")
            finally:
                self.busy = False


def filled(*messages):
    box = Mailbox()
    for message in messages:
        box.put_nowait(message)
    return box


async def test_each_sources_messages_in_order_one_at_a_time_until_stop():
    frames, events = filled("f1", "f2", "f3"), filled("e1", "e2", "stop")
    dispatch = Serial(stop_at="stop")
    with pytest.raises(StopConsumer):
        await asyncio.wait_for(dispatch_each([frames.get, events.get], dispatch), 2)
    assert [m for m in dispatch.seen if m.startswith("f")] == ["f1", "f2", "f3"]
    assert [m for m in dispatch.seen if m.startswith("e") or m == "stop"] == ["e1", "e2", "stop"]


async def test_an_error_in_dispatch_ends_every_pump_and_is_raised():
    frames, events = Mailbox(), filled("boom")
    with pytest.raises(ValueError, match="boom"):
        await asyncio.wait_for(dispatch_each([frames.get, events.get], Serial()), 2)
    assert frames._reader is None or frames._reader.cancelled()


async def test_a_source_is_read_at_most_one_message_ahead_of_a_busy_dispatch():
    frames, events = filled("slow"), filled("e1", "e2", "e3")
    dispatch = Serial(slow="slow")
    runner = asyncio.ensure_future(dispatch_each([frames.get, events.get], dispatch))
    await asyncio.sleep(0.01)
    # "slow" holds the turn: the events' pump took e1 and waits, e2 and e3 stay in their mailbox
    assert dispatch.seen == [] and events.qsize() == 2
    await asyncio.sleep(0.1)
    assert dispatch.seen == ["slow", "e1", "e2", "e3"]
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner


async def test_the_callers_own_source_ending_cancels_the_other_pumps():
    # given: the first source (pumped in the calling task) stops, the events' mailbox is empty
    frames, events = filled("f1", "stop"), Mailbox()
    dispatch = Serial(stop_at="stop")
    with pytest.raises(StopConsumer):
        await asyncio.wait_for(dispatch_each([frames.get, events.get], dispatch), 2)
    # then: the events' pump no longer waits on its mailbox
    await asyncio.sleep(0)
    assert events._reader is None or events._reader.cancelled()
    assert dispatch.seen == ["f1", "stop"]
