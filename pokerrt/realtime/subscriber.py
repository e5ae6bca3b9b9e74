"""A node's Redis Pub/Sub subscriptions on one Redis: joins batched, publishes unlocked.

channels_redis's ``RedisSingleShardConnection`` runs every subscribe,
unsubscribe *and publish* of a node through one ``asyncio.Lock``, one Redis
command at a time: in a reconnect storm thousands of group joins queue behind
each other, and every event the node publishes waits behind them all. Here:

- Publishes go through a connection pool, never through the subscriber
  connection, and take no lock. The pool blocks when all its connections are
  busy (rather than failing, as redis-py's plain pool does past 100).
- Subscribes and unsubscribes are queued in call order and written by one
  task: what queued while it wrote the last batch goes out as the next, one
  ``SUBSCRIBE a b c ...`` per run of joins, then a ``PING`` with the batch's
  token. Redis applies a connection's commands in order, so the pong means
  every command of the batch has been applied: ``subscribe`` returns only
  then, and an event published after it is delivered.
- Order is kept, so a join, leave and join of one channel ends subscribed.
- When the connection drops, the reader reconnects (backing off while Redis is
  down) and subscribes, in one command, to everything wanted at that moment;
  the joins still waiting, sent or not, return at that command's pong.
  Messages published while the connection was down are lost, as with
  upstream: the journal has them (docs/realtime.md).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import local_delivery
from .redis_pools import blocking_pool

logger = logging.getLogger(__name__)

# What a lost connection raises while writing, reading or connecting.
CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError, asyncio.IncompleteReadError)
# Seconds between reconnect attempts while Redis is down: doubling up to the cap.
RECONNECT_FIRST, RECONNECT_CAP = 0.1, 2.0


class Subscriber:
    """The subscriptions of one loop's layer on one Redis host, and its publishes there."""

    def __init__(self, host: dict[str, Any], channel_layer: Any, max_connections: int,
                 pool_timeout: float | None) -> None:
        self.host = host
        # The loop layer: its ``channels`` (queues by channel name) and
        # ``groups`` (channel names by group channel) are where messages land.
        self.channel_layer = channel_layer
        self.max_connections = max_connections
        self.pool_timeout = pool_timeout
        # Channels this node wants subscribed now: what a new connection subscribes to.
        self.wanted: set[str] = set()
        # Commands not yet written, in call order: ("SUBSCRIBE" | "UNSUBSCRIBE", channel).
        self.queued: list[tuple[str, str]] = []
        # Joins waiting for the next batch to be written and applied.
        self.queued_waiters: list[asyncio.Future[None]] = []
        # Batches written, by their PING token: the joins each one's pong releases.
        self.in_flight: dict[bytes, list[asyncio.Future[None]]] = {}
        self.tokens = itertools.count(1)
        self.client: aioredis.Redis | None = None
        self.connection: Any = None
        # Set while the connection is up and subscribed to ``wanted``: only then may the writer write.
        self.ready = asyncio.Event()
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    # --- the layer's calls ----------------------------------------------------------------

    async def publish(self, channel: str, message: bytes) -> None:
        await self._client().publish(channel, message)

    async def subscribe(self, channel: str) -> None:
        """Return once Redis delivers this channel's messages to this node."""
        self.wanted.add(channel)
        waiter = asyncio.get_running_loop().create_future()
        self.queued.append(("SUBSCRIBE", channel))
        self.queued_waiters.append(waiter)
        self._start()
        self.wake.set()
        await waiter

    async def unsubscribe(self, channel: str) -> None:
        # Nobody waits on a leave: the channel's later messages find no
        # member in the layer and are dropped, and a later join queues after it.
        self.wanted.discard(channel)
        self.queued.append(("UNSUBSCRIBE", channel))
        self._start()
        self.wake.set()

    async def flush(self) -> None:
        """Close the connections and forget every subscription; the next call starts afresh."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self.tasks = []
        self.ready.clear()
        if self.connection is not None:
            await self.connection.disconnect(nowait=True)
            self.connection = None
        if self.client is not None:
            await self.client.aclose(close_connection_pool=True)
            self.client = None
        self._release(self._take_waiters())
        self.wanted.clear()
        self.queued.clear()

    # --- the connection -------------------------------------------------------------------

    def _client(self) -> aioredis.Redis:
        if self.client is None:
            self.client = aioredis.Redis(connection_pool=blocking_pool(self.host, self.max_connections,
                                                                       self.pool_timeout))
        return self.client

    def _start(self) -> None:
        if not self.tasks:
            # A connection of the pool's kind, outside it: a subscribed
            # connection can carry nothing else.
            self.connection = self._client().connection_pool.make_connection()
            self.tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._write())]

    async def _read(self) -> None:
        """Read what Redis sends; on a lost connection, reconnect and subscribe again."""
        delay, down = RECONNECT_FIRST, False
        while True:
            try:
                if not self.connection.is_connected:
                    await self.connection.connect()
                    await self._subscribe_wanted()
                    if down:
                        logger.warning("Pub/Sub connection to Redis back: %d channels subscribed again",
                                       len(self.wanted))
                    delay, down = RECONNECT_FIRST, False
                    self.ready.set()
                    self.wake.set()
                self._dispatch(await self.connection.read_response(timeout=math.inf, push_request=True))
            except Exception as error:
                # A lost connection, or anything unforeseen (an error reply):
                # either way a new connection subscribed afresh is a known state.
                self.ready.clear()
                if not isinstance(error, CONNECTION_ERRORS):
                    logger.exception("Pub/Sub connection to Redis: unexpected error, reconnecting")
                elif not down:
                    logger.warning("Pub/Sub connection to Redis lost (%s): reconnecting", error)
                down = True
                await self.connection.disconnect(nowait=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_CAP)

    async def _subscribe_wanted(self) -> None:
        """On a new connection: one SUBSCRIBE for everything wanted; the pending joins return at its pong."""
        # What was queued or written on the old connection is all in
        # ``wanted`` now (each call changed it as it queued): one command
        # stands for them, in their final state.
        self.queued.clear()
        waiters = self._take_waiters()
        token = self._token()
        self.in_flight[token] = waiters
        commands: list[tuple[Any, ...]] = [("SUBSCRIBE", *self.wanted)] if self.wanted else []
        await self.connection.send_packed_command(
            self.connection.pack_commands([*commands, ("PING", token)]), check_health=False
        )

    async def _write(self) -> None:
        """Write what queued, a batch at a time, each closed by a PING whose pong releases its joins."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queued:
                await self.ready.wait()
                if not self.queued:
                    break  # a reconnect subscribed to them meanwhile
                batch, self.queued = self.queued, []
                token = self._token()
                self.in_flight[token] = self.queued_waiters
                self.queued_waiters = []
                if not self.connection.is_connected:
                    continue  # lost just now: the reconnect's SUBSCRIBE releases this batch
                try:
                    await self.connection.send_packed_command(
                        self.connection.pack_commands([*commands_of(batch), ("PING", token)]), check_health=False
                    )
                except Exception as error:
                    # The reader sees the connection go and subscribes again.
                    self.ready.clear()
                    if not isinstance(error, CONNECTION_ERRORS):
                        logger.exception("Pub/Sub connection to Redis: unexpected error writing, reconnecting")
                        await self.connection.disconnect(nowait=True)

    def _dispatch(self, response: Any) -> None:
        if isinstance(response, list) and response:
            kind = response[0]
            if kind == b"message":
                self._deliver(response[1], response[2])
            elif kind == b"pong":
                self._release(self.in_flight.pop(response[1], []))
            # subscribe and unsubscribe replies: the batch's pong says as much.
        elif isinstance(response, bytes):
            # RESP3 (redis-py's default since 6), or RESP2 out of subscribed
            # mode: PING answers with its argument alone.
            self._release(self.in_flight.pop(response, []))

    def _deliver(self, name: bytes, data: bytes) -> None:
        channel = name.decode()
        layer = self.channel_layer
        if channel in layer.channels:
            layer.channels[channel].put_nowait(data)
        elif channel in layer.groups:
            message = None
            for member in layer.groups[channel]:
                queue = layer.channels.get(member)
                if queue is None:
                    continue
                # A consumer parked on its empty channel takes the event at
                # once (local_delivery.py), decoded once for all of them.
                if queue.idle_reader():
                    if message is None:
                        message = layer.channel_layer.deserialize(data)
                    if local_delivery.hand_over(member, message):
                        continue
                queue.put_nowait(data)

    # --- waiters --------------------------------------------------------------------------

    def _token(self) -> bytes:
        return f"pokerrt-subscribed-{next(self.tokens)}".encode()

    def _take_waiters(self) -> list[asyncio.Future[None]]:
        waiters = [w for batch in self.in_flight.values() for w in batch] + self.queued_waiters
        self.in_flight.clear()
        self.queued_waiters = []
        return waiters

    @staticmethod
    def _release(waiters: list[asyncio.Future[None]]) -> None:
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def commands_of(batch: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Consecutive subscribes as one SUBSCRIBE, consecutive unsubscribes as one UNSUBSCRIBE, in order."""
    commands: list[tuple[str, ...]] = []
    for name, run in itertools.groupby(batch, key=lambda op: op[0]):
        commands.append((name, *dict.fromkeys(channel for _, channel in run)))
    return commands
