"""The services profile's channel layer: channels_redis's Pub/Sub layer, each socket's queue a Mailbox.

Its own module so that the embedded profile does not import Redis's client.
"""

from __future__ import annotations

import asyncio

from channels_redis import pubsub
from channels_redis.utils import _wrap_close

from .mailbox import Mailbox


class RedisPubSubLoopLayer(pubsub.RedisPubSubLoopLayer):
    """channels_redis's Pub/Sub layer of one event loop, each channel's queue a Mailbox.

    Upstream gives every channel (every socket) an ``asyncio.Queue``: about 3
    KiB of each idle socket (mailbox.py). Messages, subscriptions and
    reconnections are upstream's.
    """

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = Mailbox()
        shard = self._get_shard(channel)
        await shard.subscribe(channel)


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """The services profile's layer: channels_redis's Pub/Sub layer with ``RedisPubSubLoopLayer`` per loop."""

    def _get_layer(self) -> RedisPubSubLoopLayer:
        # Upstream's, building our loop layer.
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = RedisPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer
