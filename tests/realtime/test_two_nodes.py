"""Two nodes sharing the database and Redis: events cross nodes in order, with no gap.

The real target is PostgreSQL (CI runs the suite with DATABASE_URL set); on a
SQLite suite both nodes share the test database file in WAL mode.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from rest_framework.authtoken.models import Token

from tests.services import REDIS_URL

from .livenode import start_node, stop

pytestmark = [
    pytest.mark.live,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def nodes(django_db_setup, django_db_blocker):
    started = []
    with django_db_blocker.unblock():
        for name in ("a", "b"):
            started.append(
                start_node(REDIS_URL=REDIS_URL, POKERRT_NODE_NAME=f"test-node-{name}-{uuid.uuid4().hex[:6]}")
            )
    yield started
    for node in started:
        stop(node.proc)


async def test_events_caused_on_node_b_reach_node_a_in_order(nodes, user):
    node_a, node_b = nodes
    stream = f"n{uuid.uuid4().hex[:10]}"
    key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
    watcher = await node_a.open()
    subscribed = await watcher.request("SUBSCRIBE", "TALLY", stream)
    assert subscribed["data"]["seq"] == 0
    commander = await node_b.open(key)
    for i in range(10):
        ack = await commander.request("ADD", "TALLY", stream, {"n": 1, "times": 1 + i % 3}, ref=f"c{i}")
        assert ack["type"] == "ACK"
    total = sum(1 + i % 3 for i in range(10))
    events = [await watcher.receive_type("ADD") for _ in range(total)]
    assert [e["seq"] for e in events] == list(range(1, total + 1))
    assert events[-1]["data"]["total"] == total
    await watcher.close()
    await commander.close()


async def test_commands_on_both_nodes_at_once_arrive_contiguous_everywhere(nodes, user):
    stream = f"n{uuid.uuid4().hex[:10]}"
    key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
    watchers = [await node.open() for node in nodes]
    for watcher in watchers:
        await watcher.request("SUBSCRIBE", "TALLY", stream)
    commanders = [await node.open(key) for node in nodes]

    async def hammer(client, name):
        for i in range(15):
            assert (await client.request("ADD", "TALLY", stream, {"n": 1}, ref=f"{name}{i}"))["type"] == "ACK"

    await asyncio.gather(hammer(commanders[0], "a"), hammer(commanders[1], "b"))
    for watcher in watchers:
        seqs = [(await watcher.receive_type("ADD"))["seq"] for _ in range(30)]
        assert seqs == list(range(1, 31))
    for client in watchers + commanders:
        await client.close()


async def test_presence_counts_connections_on_every_node(nodes, user):
    from pokerrt.realtime.presence import live_connections

    key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
    sockets = [await node.open(key) for node in nodes]
    await sockets[0].request("PING", data={"t": 1})
    await sockets[1].request("PING", data={"t": 1})
    assert await database_sync_to_async(live_connections)(user) == 2
    for socket_ in sockets:
        await socket_.close()
    # Each node forgets its connection when it sees the close; no event says so.
    await eventually(lambda: live_connections(user) == 0)


async def eventually(check, bound: float = 60) -> None:
    """Wait until ``check()`` (a database read) holds; ``bound`` is a failure bound only."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + bound
    while not await database_sync_to_async(check)():
        assert loop.time() < deadline, f"not true after {bound} s"
        await asyncio.sleep(0.05)
