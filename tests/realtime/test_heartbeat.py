"""The node's one heartbeat timer: PINGs, the 4408 close, and what an idle socket costs in tasks."""

from __future__ import annotations

import asyncio

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator

from pokerrt import clock
from pokerrt.realtime.heartbeat import Heartbeat, heartbeat


class Socket:
    """What the heartbeat sees of a consumer: its last frame, its pings, its close."""

    def __init__(self) -> None:
        self.last_frame_at = clock.monotonic()
        self.pings: list[float] = []
        self.silent_at: float | None = None

    @property
    def closed(self) -> bool:
        return self.silent_at is not None

    def ping(self) -> None:
        self.pings.append(clock.monotonic())

    def fall_silent(self) -> None:
        self.silent_at = clock.monotonic()


async def test_a_silent_socket_is_pinged_each_interval_then_closed_at_the_timeout(manual_clock, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=25, HEARTBEAT_TIMEOUT=60)
    socket = Socket()
    heartbeat().watch(socket)
    await manual_clock.advance(59.9)
    assert socket.pings == [25, 50] and not socket.closed
    await manual_clock.advance(0.1)
    assert socket.silent_at == 60
    await manual_clock.advance(100)
    assert socket.pings == [25, 50]


async def test_a_frame_moves_the_timeout_back(manual_clock, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=1000, HEARTBEAT_TIMEOUT=60)
    socket = Socket()
    heartbeat().watch(socket)
    for _ in range(4):
        await manual_clock.advance(40)
        socket.last_frame_at = clock.monotonic()
    assert not socket.closed
    await manual_clock.advance(60)
    assert socket.silent_at == 220


async def test_a_forgotten_socket_is_neither_pinged_nor_closed(manual_clock, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=25, HEARTBEAT_TIMEOUT=60)
    socket = Socket()
    entry = heartbeat().watch(socket)
    Heartbeat.forget(entry)
    await manual_clock.advance(120)
    assert socket.pings == [] and not socket.closed


async def test_every_socket_of_the_loop_shares_one_timer(manual_clock, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=25, HEARTBEAT_TIMEOUT=60)
    sockets = []
    for _ in range(50):
        sockets.append(Socket())
        heartbeat().watch(sockets[-1])
        await manual_clock.advance(0.1)
    armed = [timer for timer in manual_clock._timers if not timer.cancelled]
    assert len(armed) == 1
    await manual_clock.advance(25)
    assert all(len(socket.pings) == 1 for socket in sockets)


class BareConsumer(AsyncJsonWebsocketConsumer):
    """Channels' own consumer: the tasks any consumer runs."""


async def _tasks_per_socket(application, count: int = 3) -> float:
    communicators = []

    async def open_one() -> None:
        communicator = WebsocketCommunicator(application, "/ws/")
        connected, _ = await communicator.connect()
        assert connected
        communicators.append(communicator)

    # The node's own tasks (its presence heartbeat, timers) start with the first socket: not counted.
    await open_one()
    await asyncio.sleep(0.05)
    before = len(asyncio.all_tasks())
    for _ in range(count):
        await open_one()
    await asyncio.sleep(0.05)
    tasks = (len(asyncio.all_tasks()) - before) / count
    for communicator in communicators:
        await communicator.disconnect()
    return tasks


async def test_an_idle_socket_runs_no_task_beyond_what_channels_runs_for_any_consumer(layer, transactional_db):
    # given: Channels' bare consumer, then ours, each socket opened and left idle
    from pokerrt.realtime.routing import websocket_application

    bare = await _tasks_per_socket(BareConsumer.as_asgi())
    ours = await _tasks_per_socket(websocket_application())
    # then: no writer (nothing to write) and no heartbeat task of its own; one
    # task fewer, even: the client's frames are pumped in the consumer's own
    # task (pokerrt.realtime.pumps), not in a receive task of their own
    assert ours == bare - 1
