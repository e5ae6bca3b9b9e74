"""The channel layers' Redis pools queue when every connection is busy (pokerrt.realtime.redis_pools)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis import asyncio as aioredis

from pokerrt.realtime.redis_layers import RedisChannelLayer
from pokerrt.realtime.redis_pools import blocking_pool
from tests.services import REDIS_URL

pytestmark = pytest.mark.redis


def test_a_hosts_entry_becomes_a_bounded_blocking_pool():
    pool = blocking_pool({"address": "redis://cache:6380/3"}, max_connections=7, timeout=2.5)

    assert isinstance(pool, aioredis.BlockingConnectionPool)
    assert (pool.max_connections, pool.timeout) == (7, 2.5)
    assert (pool.connection_kwargs["host"], pool.connection_kwargs["port"], pool.connection_kwargs["db"]) == (
        "cache", 6380, 3)


async def test_more_concurrent_group_adds_than_connections_wait_instead_of_failing():
    # given: the core layer with room for 5 commands at a time
    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix=f"t{uuid.uuid4().hex[:8]}", max_connections=5, pool_timeout=None)
    try:
        channels = [await layer.new_channel() for _ in range(300)]

        # when: a storm's worth of joins at once (redis-py's plain pool raises MaxConnectionsError past its size)
        await asyncio.gather(*(layer.group_add("table.1", channel) for channel in channels))

        # then: every one landed, through no more than 5 connections
        await layer.group_send("table.1", {"type": "event.send", "seq": 1})
        assert (await asyncio.wait_for(layer.receive(channels[-1]), 10))["seq"] == 1
        (pool,) = [connection.connection_pool for connection in layer._layers[asyncio.get_running_loop()]
                   ._connections.values()]
        assert len(pool._in_use_connections) + len(pool._available_connections) <= 5
    finally:
        await layer.flush()
