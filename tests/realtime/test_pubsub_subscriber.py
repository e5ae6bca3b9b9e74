"""The Pub/Sub layer's subscriber connection, against the real Redis: batched joins, exact semantics."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis import asyncio as aioredis

from pokerrt.realtime.redis_layers import RedisPubSubChannelLayer
from pokerrt.realtime.subscriber import commands_of
from tests.services import REDIS_URL

# Failure bound only: how long a message may take to arrive before the test fails.
ARRIVES = 10.0


def test_a_batch_is_one_command_per_run_of_joins_or_leaves_in_order():
    batch = [("SUBSCRIBE", "a"), ("SUBSCRIBE", "b"), ("SUBSCRIBE", "a"), ("UNSUBSCRIBE", "b"), ("SUBSCRIBE", "b")]

    assert commands_of(batch) == [("SUBSCRIBE", "a", "b"), ("UNSUBSCRIBE", "b"), ("SUBSCRIBE", "b")]


@pytest.fixture
async def layer():
    # Pub/Sub channels are server-wide: a prefix of the test's own.
    channel_layer = RedisPubSubChannelLayer(hosts=[REDIS_URL], prefix=f"t{uuid.uuid4().hex[:8]}")
    yield channel_layer
    await channel_layer.flush()


def subscriber_of(channel_layer):
    (shard,) = channel_layer._get_layer()._shards
    return shard


async def publish_elsewhere(channel_layer, group: str, message: dict) -> int:
    """PUBLISH from a connection of its own, as another node would; how many subscribers Redis reached."""
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        return await client.publish(f"{channel_layer.prefix}__group__{group}", channel_layer.serialize(message))
    finally:
        await client.aclose()


pytestmark_redis = pytest.mark.redis


@pytestmark_redis
async def test_concurrent_joins_go_out_as_few_subscribe_commands(layer):
    # given: a node's consumers, and a count of what the subscriber writes
    channels = [await layer.new_channel() for _ in range(5)]
    subscriber = subscriber_of(layer)
    written: list[list[tuple]] = []
    send = subscriber.connection.send_packed_command

    async def counting_send(packed, check_health=True):
        written.append(packed)
        return await send(packed, check_health=check_health)

    subscriber.connection.send_packed_command = counting_send

    # when: 200 consumers join 200 groups at once
    await asyncio.gather(*(layer.group_add(f"table.{i}", channels[i % 5]) for i in range(200)))

    # then: one write carried them all (the joins queued while nothing was being written)
    assert len(written) == 1
    assert b"".join(written[0]).count(b"SUBSCRIBE") == 1


@pytestmark_redis
async def test_an_event_published_once_a_join_returned_reaches_the_member(layer):
    channel = await layer.new_channel()
    for i in range(30):
        # when: the join returns, and another node publishes at once
        await layer.group_add(f"table.{i}", channel)
        reached = await publish_elsewhere(layer, f"table.{i}", {"type": "event.send", "seq": i})

        # then: Redis had applied the SUBSCRIBE before answering the join
        assert reached == 1
        assert (await asyncio.wait_for(layer.receive(channel), ARRIVES))["seq"] == i


@pytestmark_redis
async def test_join_leave_join_of_one_group_ends_subscribed(layer):
    channel = await layer.new_channel()

    # when: the three calls queue before any is written
    joined = asyncio.ensure_future(layer.group_add("table.1", channel))
    left = asyncio.ensure_future(layer.group_discard("table.1", channel))
    rejoined = asyncio.ensure_future(layer.group_add("table.1", channel))
    await asyncio.gather(joined, left, rejoined)

    # then
    assert await publish_elsewhere(layer, "table.1", {"type": "event.send", "seq": 1}) == 1
    assert (await asyncio.wait_for(layer.receive(channel), ARRIVES))["seq"] == 1


@pytestmark_redis
async def test_a_group_left_by_its_last_member_is_unsubscribed(layer):
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("table.1", first)
    await layer.group_add("table.1", second)

    await layer.group_discard("table.1", first)
    # A join after the leave is written after it: once it returns, the leave was applied too.
    await layer.group_add("table.2", first)
    assert await publish_elsewhere(layer, "table.1", {"type": "event.send", "seq": 1}) == 1

    await layer.group_discard("table.1", second)
    await layer.group_add("table.3", second)
    assert await publish_elsewhere(layer, "table.1", {"type": "event.send", "seq": 2}) == 0


@pytestmark_redis
async def test_a_publish_does_not_wait_for_joins(layer):
    channel = await layer.new_channel()
    subscriber = subscriber_of(layer)
    # given: the subscriber connection taken for lost, so joins wait for its reconnect
    subscriber.ready.clear()
    waiting = asyncio.ensure_future(layer.group_add("table.1", channel))
    await asyncio.sleep(0)

    # when / then: a publish goes out meanwhile (upstream's would queue on the joins' lock)
    await asyncio.wait_for(layer.group_send("table.2", {"type": "event.send", "seq": 1}), ARRIVES)
    assert not waiting.done()

    subscriber.ready.set()
    await asyncio.wait_for(waiting, ARRIVES)


@pytestmark_redis
async def test_subscriptions_survive_a_lost_connection(layer):
    # given: a member of table.1, and its node's subscriber connection cut by Redis
    channel = await layer.new_channel()
    await layer.group_add("table.1", channel)
    subscriber = subscriber_of(layer)
    host, port = subscriber.connection._writer.get_extra_info("sockname")[:2]
    admin = aioredis.Redis.from_url(REDIS_URL)
    try:
        assert await admin.client_kill_filter(_type="pubsub", addr=f"{host}:{port}") == 1
    finally:
        await admin.aclose()

    # when: a join made while the node may not have noticed yet
    await asyncio.wait_for(layer.group_add("table.2", channel), ARRIVES)

    # then: both groups reach the member over the new connection
    assert await publish_elsewhere(layer, "table.1", {"type": "event.send", "seq": 1}) == 1
    assert await publish_elsewhere(layer, "table.2", {"type": "event.send", "seq": 2}) == 1
    got = [await asyncio.wait_for(layer.receive(channel), ARRIVES) for _ in range(2)]
    assert [m["seq"] for m in got] == [1, 2]
