"""The Mailbox behind each socket's input and channel: a FIFO that holds nothing while empty."""

from __future__ import annotations

import asyncio
import time

import pytest

from pokerrt.realtime.layers import InMemoryChannelLayer
from pokerrt.realtime.mailbox import Mailbox


async def test_items_come_out_in_the_order_they_went_in():
    box = Mailbox()
    for n in range(5):
        box.put_nowait(n)
    assert box.qsize() == 5
    assert [await box.get() for _ in range(5)] == [0, 1, 2, 3, 4]
    assert box.empty()


async def test_a_waiting_reader_is_woken_by_the_next_put():
    box = Mailbox()
    reader = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    assert not reader.done()
    box.put_nowait("frame")
    assert await asyncio.wait_for(reader, 1) == "frame"


async def test_an_empty_mailbox_holds_no_deque():
    box = Mailbox()
    box.put_nowait(1)
    await box.get()
    # The point of the class: an idle socket's queues cost no 528-byte block each.
    assert box._queue is None


async def test_past_maxsize_a_put_is_refused():
    box = Mailbox(maxsize=2)
    box.put_nowait(1)
    box.put_nowait(2)
    assert box.full()
    with pytest.raises(asyncio.QueueFull):
        box.put_nowait(3)
    assert box.get_nowait() == 1
    box.put_nowait(3)


async def test_get_nowait_on_an_empty_mailbox_raises_queue_empty():
    with pytest.raises(asyncio.QueueEmpty):
        Mailbox().get_nowait()


async def test_a_cancelled_reader_leaves_the_mailbox_usable():
    box = Mailbox()
    reader = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    box.put_nowait("after")
    assert await asyncio.wait_for(box.get(), 1) == "after"


async def test_a_second_reader_at_once_is_refused():
    box = Mailbox()
    first = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await box.get()
    box.put_nowait(1)
    assert await first == 1


async def test_the_layer_sweeps_expired_messages_out_of_its_mailboxes():
    # Upstream's sweep peeks at the queue's _queue[0] and uses get_nowait.
    layer = InMemoryChannelLayer(expiry=0, sweep_interval=0)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "x"})
    assert isinstance(layer.channels[channel], Mailbox)
    time.sleep(0.01)
    layer._clean_expired()
    assert channel not in layer.channels
