"""A group's event handed straight to an idle member's consumer (pokerrt/realtime/local_delivery.py).

Over the project's in-memory layer, the embedded profile's; the Redis layers
keep their channel path (tests/realtime/test_redis_layers.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from pokerrt.realtime import local_delivery, streams
from pokerrt.realtime.mailbox import Mailbox
from pokerrt.realtime.routing import websocket_application

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

OURS = {"default": {"BACKEND": "pokerrt.realtime.layers.InMemoryChannelLayer"}}

add = database_sync_to_async(actions.do_add)


@pytest.fixture
def layer_settings():
    return OURS


@pytest.fixture
def handed(monkeypatch):
    """The events each channel took directly: channel -> seqs."""
    taken: dict[str, list[int]] = {}
    real = local_delivery.hand_over

    def counted(channel: str, message: dict[str, Any]) -> bool:
        took = real(channel, message)
        if took:
            taken.setdefault(channel, []).append(message.get("seq"))
        return took

    monkeypatch.setattr(local_delivery, "hand_over", counted)
    return taken


def only_member() -> Any:
    (consumer,) = local_delivery._members.values()
    return consumer


class Flow:
    """A socket's send buffer, full or not as the test says."""

    def __init__(self) -> None:
        self.room = True
        self.opened = asyncio.Event()
        self.opened.set()

    def has_room(self) -> bool:
        return self.room

    def fill(self) -> None:
        self.room = False
        self.opened.clear()

    def drain(self) -> None:
        self.room = True
        self.opened.set()

    async def writable(self) -> None:
        await self.opened.wait()


class Wire:
    """What reached the socket, by either way (the writer, Daphne's send), in the order it got there."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, dict[str, Any]]] = []

    def write(self, text: str) -> None:
        self.frames.append(("written", json.loads(text)))

    def sent(self, message: dict[str, Any]) -> None:
        if message.get("type") == "websocket.send":
            self.frames.append(("sent", json.loads(message["text"])))

    def seqs(self, type_: str = "ADD") -> list[int]:
        return [frame["seq"] for _, frame in self.frames if frame.get("type") == type_]

    def ways(self, type_: str = "ADD") -> list[str]:
        return [way for way, frame in self.frames if frame.get("type") == type_]


async def open_with_writer(flow: Flow, wire: Wire) -> WebsocketCommunicator:
    """A socket as the pokerrt server serves it: a flow and a writer in its scope."""
    app = websocket_application()

    async def served(scope, receive, send):
        async def watched_send(message):
            wire.sent(message)
            await send(message)

        extensions = {"pokerrt.flow": flow, "pokerrt.writer": wire.write}
        return await app({**scope, "extensions": extensions}, receive, watched_send)

    communicator = WebsocketCommunicator(served, "/ws/")
    assert (await communicator.connect())[0]
    return communicator


async def subscribe(communicator: WebsocketCommunicator, stream: str) -> None:
    await communicator.send_to(text_data=json.dumps({"type": "SUBSCRIBE", "target": "TALLY", "id": stream}))
    while json.loads(await communicator.receive_from(10))["type"] != "SUBSCRIBED":
        pass


async def until(condition, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_an_idle_member_takes_the_event_without_a_channel_message(connect, layer, handed):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d1")
    await add("d1", 1, times=3)
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(3)] == [1, 2, 3]
    # each went into the consumer's outbox in the sender's turn, none through its channel
    assert list(handed.values()) == [[1, 2, 3]]


async def test_an_idle_socket_is_written_in_the_senders_turn(layer, handed):
    flow, wire = Flow(), Wire()
    communicator = await open_with_writer(flow, wire)
    await subscribe(communicator, "d2")
    await add("d2", 1, times=2)
    await until(lambda: len(wire.seqs()) == 2)
    assert wire.seqs() == [1, 2] and wire.ways() == ["written", "written"]
    await communicator.disconnect()


async def test_events_keep_their_order_whichever_way_each_goes(layer, handed):
    flow, wire = Flow(), Wire()
    communicator = await open_with_writer(flow, wire)
    await subscribe(communicator, "d3")
    consumer = only_member()
    held: list = []
    real_broadcast = streams.broadcast
    streams.broadcast = held.append
    try:
        await add("d3", 1, times=6)
    finally:
        streams.broadcast = real_broadcast
    messages = [streams.event_message(event) for event in held]
    # 1-2: while the consumer handles a message, into its channel
    async with consumer.turn:
        for message in messages[:2]:
            await layer.group_send("tally.d3", message)
        # 3: something waits in its channel: behind it, in the channel too
        await layer.group_send("tally.d3", messages[2])
    # 4-5: the socket's buffer is full: whatever way the event comes, its frame waits in the outbox
    await until(lambda: wire.seqs() == [1, 2, 3])
    flow.fill()
    for message in messages[3:5]:
        await layer.group_send("tally.d3", message)
    assert wire.seqs() == [1, 2, 3]
    flow.drain()
    await until(lambda: wire.seqs() == [1, 2, 3, 4, 5])
    # 6: nothing waits any more: written at once
    await layer.group_send("tally.d3", messages[5])
    assert wire.seqs() == [1, 2, 3, 4, 5, 6]
    assert wire.ways()[-1] == "written"
    assert 3 not in handed.get(consumer.channel_name, []) and 6 in handed[consumer.channel_name]
    await communicator.disconnect()


async def test_an_event_after_a_gap_goes_the_usual_way_and_reads_the_journal(
    connect, layer, handed, monkeypatch
):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d4")
    held: list = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await add("d4", 1, times=3)
    monkeypatch.undo()
    # seq 3 first: 1 and 2 come from the journal; then 1 and 2 themselves are dropped
    for event in reversed(held):
        await layer.group_send("tally.d4", streams.event_message(event))
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(3)] == [1, 2, 3]
    assert await client.nothing()
    assert 3 not in [seq for seqs in handed.values() for seq in seqs]


async def test_a_slow_consumer_is_still_closed_4503(layer, realtime_conf, handed):
    realtime_conf(OUTGOING_QUEUE_LIMIT=5)
    flow, wire = Flow(), Wire()
    communicator = await open_with_writer(flow, wire)
    await subscribe(communicator, "d5")
    flow.fill()
    await add("d5", 1, times=10)
    assert await communicator.receive_output(5) == {"type": "websocket.close", "code": 4503}
    assert handed  # the events came the direct way, and filled the outbox all the same
    assert wire.seqs() == []
    await communicator.disconnect()


async def test_a_closed_member_is_skipped_and_the_others_get_the_event(connect, layer, handed):
    stays, leaves = await connect(), await connect()
    await stays.request("SUBSCRIBE", "TALLY", "d6")
    await leaves.request("SUBSCRIBE", "TALLY", "d6")
    staying, leaving = local_delivery._members.values()  # in the order they connected
    # a member that ended but has not left its groups yet takes the event and writes nothing
    leaving.ended = True
    await add("d6", 1)
    assert (await stays.receive_type("ADD"))["seq"] == 1
    assert await leaves.nothing()
    assert handed == {staying.channel_name: [1], leaving.channel_name: [1]}
    # a member that disconnected is gone from the registry and from the group
    await leaves.close()
    assert list(local_delivery._members.values()) == [staying]
    await add("d6", 1)
    assert (await stays.receive_type("ADD"))["seq"] == 2
    assert handed[staying.channel_name] == [1, 2] and handed[leaving.channel_name] == [1]


async def test_a_member_busy_with_a_command_gets_the_event_through_its_channel(
    connect, layer, handed, monkeypatch
):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d7")
    consumer = only_member()
    held: list = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await add("d7", 1)
    async with consumer.turn:
        await layer.group_send("tally.d7", streams.event_message(held[0]))
        assert layer.channels[consumer.channel_name].qsize() == 1
    assert (await client.receive_type("ADD"))["seq"] == 1
    assert handed == {}


def test_an_idle_reader_is_one_waiting_on_an_empty_mailbox():
    async def scenario() -> None:
        box = Mailbox()
        assert not box.idle_reader()  # nobody reads
        reader = asyncio.ensure_future(box.get())
        await asyncio.sleep(0)
        assert box.idle_reader()
        box.put_nowait(1)
        assert not box.idle_reader()  # woken, the item still queued
        assert await reader == 1
        assert not box.idle_reader()

    asyncio.run(scenario())


async def test_a_member_that_fails_to_take_the_event_gets_it_through_its_channel(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d8")

    def broken(message):
        raise RuntimeError("a bug")

    monkeypatch.setattr(only_member(), "take_event", broken)
    await add("d8", 1, times=2)
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(2)] == [1, 2]
