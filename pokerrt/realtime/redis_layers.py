"""The services profile's channel layers: channels_redis's two, fitted for a reconnect storm.

- ``RedisPubSubChannelLayer`` (the default, ``POKERRT_CHANNEL_LAYER=pubsub``):
  upstream's Pub/Sub layer with its per-host connection replaced by a
  :class:`~pokerrt.realtime.subscriber.Subscriber`, which batches a node's
  joins into few SUBSCRIBE commands and publishes without a lock.
- ``RedisChannelLayer`` (``POKERRT_CHANNEL_LAYER=core``): upstream's core
  layer on a pool that queues when its connections are all busy.

Both take, besides upstream's options, ``max_connections`` (per event loop and
Redis host) and ``pool_timeout`` (seconds a command may wait for a connection).

Each socket's channel queue in the Pub/Sub layer is a Mailbox: upstream's
``asyncio.Queue`` is about 3 KiB of each idle socket (mailbox.py). This is
a module of its own so that the embedded profile does not import Redis's client.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis import core, pubsub
from channels_redis.utils import _wrap_close, decode_hosts

from .mailbox import Mailbox
from .redis_pools import MAX_CONNECTIONS, POOL_TIMEOUT, blocking_pool
from .subscriber import Subscriber


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, *args: Any, max_connections: int = MAX_CONNECTIONS,
                 pool_timeout: float | None = POOL_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_connections = max_connections
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> Any:
        return blocking_pool(self.hosts[index], self.max_connections, self.pool_timeout)


class RedisPubSubLoopLayer(pubsub.RedisPubSubLoopLayer):
    """Upstream's layer for one event loop, on :class:`Subscriber` connections."""

    def __init__(self, hosts: Any = None, *args: Any, max_connections: int = MAX_CONNECTIONS,
                 pool_timeout: float | None = POOL_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(hosts, *args, **kwargs)
        self._shards = [Subscriber(host, self, max_connections, pool_timeout) for host in decode_hosts(hosts)]

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = Mailbox()
        shard = self._get_shard(channel)
        await shard.subscribe(channel)


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    def _get_layer(self) -> RedisPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = RedisPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer
