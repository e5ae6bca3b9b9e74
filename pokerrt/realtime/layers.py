"""The embedded profile's channel layer: Channels' in-memory layer, made cheap per message.

Upstream's ``InMemoryChannelLayer`` sweeps every channel and every group for
expired entries on each send and receive, deep-copies each message once per
member of a group, and sends to a group through one task per member. With a
few hundred connections on one node that bookkeeping cost more CPU than the
poker (the table benchmark's profile: about 9% of the node in the sweep).
Here the sweep runs at most once per ``sweep_interval`` seconds (an expired
message or membership lives up to that much longer, against an expiry of
tens of seconds), a message is copied once per channel as a shallow dict
(event messages hold only strings and numbers, and no consumer changes
them), a group send is a plain loop, and a channel's queue is built only
when it has none (upstream builds one to throw away on each send and receive),
as a ``Mailbox`` (mailbox.py) rather than an ``asyncio.Queue``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as UpstreamInMemoryChannelLayer

from .mailbox import Mailbox


class InMemoryChannelLayer(UpstreamInMemoryChannelLayer):
    def __init__(self, *args: Any, sweep_interval: float = 1.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweep_interval = sweep_interval
        self._next_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_interval
        super()._clean_expired()

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        queue = self._queue(channel)
        try:
            queue.put_nowait((time.time() + self.expiry, dict(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel: str) -> dict[str, Any]:
        # Upstream's, without building a queue to throw away on every call.
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    def _queue(self, channel: str) -> Mailbox:
        """The channel's queue, created when it has none (upstream builds one per call for ``setdefault``).

        A Mailbox, not an asyncio.Queue: each idle socket's channel waits in
        receive, and an empty asyncio.Queue is about 3 KiB (mailbox.py).
        """
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = Mailbox(maxsize=self.get_capacity(channel))
        return queue

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass  # as upstream: a full channel misses the message; its consumer sees the seq gap

