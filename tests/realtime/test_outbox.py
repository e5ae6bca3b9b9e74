"""The outbox's fast path and queue, the consumer's single close, and reading the journal only for gaps.

Unit tests with fake sockets: the outgoing order and the close are what a
client sees, but which path a frame took (sent at once or queued behind
others) only shows here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from pokerrt.realtime import consumer as consumer_module
from pokerrt.realtime import streams
from pokerrt.realtime.consumer import RealtimeConsumer
from pokerrt.realtime.frames import encode
from pokerrt.realtime.outbox import Outbox

from . import tally_actions as actions


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed = False
        self.overflowed = 0

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def overflow(self) -> None:
        self.overflowed += 1

    def outbox(self, flow=None) -> Outbox:
        return Outbox(self.send, flow, lambda: self.closed, self.overflow)


class Flow:
    def __init__(self, room: bool) -> None:
        self.room = room

    def has_room(self) -> bool:
        return self.room

    async def writable(self) -> None:
        return None


async def test_a_frame_with_nothing_ahead_of_it_is_sent_at_once():
    socket = FakeSocket()
    outbox = socket.outbox()
    await outbox.forward("a")
    assert socket.sent == ["a"] and not outbox.queue


class StuckSocket(FakeSocket):
    """A socket whose sends wait until ``unstick``: the writer holds a frame meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def send(self, text: str) -> None:
        await self.gate.wait()
        await super().send(text)


@pytest.mark.parametrize("state", ["queued", "writing", "no_room"])
async def test_a_frame_waits_behind_what_is_ahead_of_it(state):
    socket = StuckSocket()
    outbox = socket.outbox(Flow(room=state != "no_room"))
    if state in ("queued", "writing"):
        outbox.put("earlier")
    if state == "writing":
        await asyncio.sleep(0)  # the writer takes "earlier" and waits in send
    await outbox.forward("later")
    assert socket.sent == []
    assert outbox.queued() == (["earlier", "later"] if state == "queued" else ["later"])
    # then: in order once the socket takes them
    socket.gate.set()
    await asyncio.wait_for(outbox.writer, 1)
    assert socket.sent == (["later"] if state == "no_room" else ["earlier", "later"])


async def test_an_idle_outbox_holds_no_queue_and_no_writer():
    socket = FakeSocket()
    outbox = socket.outbox()
    await outbox.forward("sent at once")
    assert outbox.queue is None and outbox.writer is None


async def test_the_writer_ends_once_the_queue_is_empty_and_returns_for_the_next_frame():
    socket = FakeSocket()
    outbox = socket.outbox()
    outbox.put("1")
    outbox.put("2")
    first = outbox.writer
    assert first is not None
    await asyncio.wait_for(first, 1)
    assert socket.sent == ["1", "2"] and outbox.writer is None and outbox.queue is None
    outbox.put("3")
    assert outbox.writer is not None and outbox.writer is not first
    await asyncio.wait_for(outbox.writer, 1)
    assert socket.sent == ["1", "2", "3"]


async def test_stop_cancels_the_writer_and_drops_the_queue():
    socket = StuckSocket()
    outbox = socket.outbox()
    outbox.put("1")
    outbox.put("2")
    writer = outbox.writer
    await asyncio.sleep(0)
    outbox.stop()
    with pytest.raises(asyncio.CancelledError):
        await writer
    assert socket.sent == [] and outbox.queue is None and outbox.writer is None


async def test_nothing_is_sent_or_queued_once_closed():
    socket = FakeSocket()
    outbox = socket.outbox()
    socket.closed = True
    await outbox.forward("late")
    outbox.put("later")
    assert socket.sent == [] and not outbox.queue


async def test_a_full_queue_overflows_instead_of_growing(settings):
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "OUTGOING_QUEUE_LIMIT": 2}
    socket = StuckSocket()
    outbox = socket.outbox()
    for text in ("1", "2", "3"):
        outbox.put(text)
    assert outbox.queued() == ["1", "2"]
    await outbox.closing
    assert socket.overflowed == 1


# --- The consumer ----------------------------------------------------------------------------------


def _bare_consumer() -> tuple[RealtimeConsumer, list[dict]]:
    """A consumer with a fake ASGI send: what it writes to the socket is recorded."""
    written: list[dict] = []
    consumer = RealtimeConsumer()

    async def base_send(message: dict) -> None:
        written.append(message)

    consumer.base_send = base_send
    consumer.channel_name = "test.channel"
    consumer.user = AnonymousUser()
    consumer.outbox = Outbox(lambda text: base_send({"type": "websocket.send", "text": text}), None,
                             lambda: consumer.closed, consumer.close_with)
    return consumer, written


async def test_a_connection_is_closed_once_and_then_takes_no_frames():
    consumer, written = _bare_consumer()
    consumer.outbox.put("queued")
    await consumer.close_with(4429)
    await consumer.close_with(4503)
    assert written == [{"type": "websocket.close", "code": 4429}]
    assert consumer.closed and not consumer.outbox.queue
    await consumer.forward("late")
    assert written == [{"type": "websocket.close", "code": 4429}]


async def test_send_json_encodes_frames_as_every_other_frame_is():
    consumer, written = _bare_consumer()
    # Timestamps and decimals too, as in events' data (plain json.dumps refuses them).
    frame = {"type": "PING", "data": {"at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "x": Decimal("1.5")}}
    await consumer.send_json(frame)
    assert written == [{"type": "websocket.send", "text": encode(frame)}]
    assert json.loads(written[0]["text"]) == {"type": "PING", "data": {"at": "2026-01-02T03:04:05Z", "x": "1.5"}}


@pytest.mark.django_db(transaction=True)
async def test_events_in_order_are_forwarded_without_reading_the_journal(connect, layer, monkeypatch):
    reads: list[tuple] = []
    real = consumer_module.missing_events

    def counted(*args):
        reads.append(args)
        return real(*args)

    monkeypatch.setattr(consumer_module, "missing_events", counted)
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "in-order")
    await database_sync_to_async(actions.do_add)("in-order", 1, times=3)
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(3)] == [1, 2, 3]
    assert reads == []
    # while a gap is read from the journal: seq 5 arriving before 4
    held: list = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await database_sync_to_async(actions.do_add)("in-order", 1, times=2)
    await layer.group_send("tally.in-order", streams.event_message(held[1]))
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(2)] == [4, 5]
    assert [read[3:] for read in reads] == [(3, 5)]
