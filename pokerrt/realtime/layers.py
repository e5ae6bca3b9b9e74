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

A large group (a lobby watched by hundreds) is sent to a few dozen members
per turn of the event loop, by a task of its own: delivering to each member
wakes its consumer, and two hundred consumers woken at once held up every
table frame behind them (issue 11's benchmark). The group's messages keep
their order; other groups' sends do not wait for it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as UpstreamInMemoryChannelLayer

from . import local_delivery
from .mailbox import Mailbox


class InMemoryChannelLayer(UpstreamInMemoryChannelLayer):
    def __init__(self, *args: Any, sweep_interval: float = 1.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweep_interval = sweep_interval
        self._next_sweep = 0.0
        # Per large group being fanned out: its messages waiting, each with the members it goes to.
        self._fanouts: dict[str, deque[tuple[dict[str, Any], list[str]]]] = {}
        self._fanout_tasks: set[asyncio.Task[None]] = set()

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

    # A group with more members than this is fanned out by its own task, this many members per loop turn.
    large_group = 32

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        members = list(self.groups.get(group, ()))
        pending = self._fanouts.get(group)
        if pending is None and len(members) <= self.large_group:
            self._deliver(members, message)
            return
        # Behind the group's earlier messages, whatever its size now; to the
        # members it has now, as a plain loop would.
        if pending is None:
            pending = self._fanouts[group] = deque()
            task = asyncio.get_running_loop().create_task(self._fan_out(group, pending))
            self._fanout_tasks.add(task)
            task.add_done_callback(self._fanout_tasks.discard)
        pending.append((message, members))

    async def _fan_out(self, group: str, pending: deque[tuple[dict[str, Any], list[str]]]) -> None:
        try:
            while pending:
                message, members = pending.popleft()
                for start in range(0, len(members), self.large_group):
                    if start:
                        # The members woken so far run, and what else is ready (other tables' frames).
                        await asyncio.sleep(0)
                    self._deliver(members[start:start + self.large_group], message)
        finally:
            del self._fanouts[group]

    def _deliver(self, channels: list[str], message: dict[str, Any]) -> None:
        expires = time.time() + self.expiry
        for channel in channels:
            queue = self.channels.get(channel)
            # A consumer parked on its empty channel takes the event at once
            # (local_delivery.py): no copy, no task woken. Behind anything
            # queued, the event waits its turn in the channel.
            if queue is not None and queue.idle_reader() and local_delivery.hand_over(channel, message):
                continue
            try:
                self._queue(channel).put_nowait((expires, dict(message)))
            except asyncio.QueueFull:
                pass  # as upstream: a full channel misses the message; its consumer sees the seq gap

