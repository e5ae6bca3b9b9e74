"""The outbound relay: journal rows not yet published go to RabbitMQ, in seq order per stream.

The journal is the outbox (DESIGN.md): ``emit`` writes the event in the
action's transaction, and this process publishes it afterwards, so an event
is on the bus if and only if it committed. A row is marked published only
after the broker confirmed it; a relay killed in between publishes the batch
again after restart, with the same ``message_id`` (at least once, never
lost). docs/bridge.md has the whole contract.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

import pika.exceptions
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import PRIVATE_TARGETS, awaiting_bus
from pokerrt.retry import BROKER, DATABASE, Backoff

from .leases import StreamKey, any_of, claim_streams, release_streams
from .parameters import bus_parameters
from .publisher import BusUnavailable, ConfirmingPublisher, Outgoing
from .routing import message_body, message_properties, routing_key

logger = logging.getLogger(__name__)

# How many streams with unpublished events one round looks at.
STREAMS_PER_ROUND = 500


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def unpublished_streams(limit: int = STREAMS_PER_ROUND) -> list[StreamKey]:
    """Streams that have events the bus carries and has not yet taken."""
    rows = (
        awaiting_bus()
        .order_by()
        .values_list("target", "stream_id")
        .distinct()[:limit]
    )
    return [(target, sid) for target, sid in rows]


def next_batch(streams: list[StreamKey], size: int) -> list[Event]:
    """Up to ``size`` unpublished events of ``streams``, oldest first.

    Row id order is seq order within a stream: seqs are taken under the
    stream's lock and the row inserted before the lock is let go, so a
    stream's next event is always inserted after its previous one committed.
    """
    if not streams:
        return []
    return list(awaiting_bus().filter(any_of(streams)).order_by("id")[:size])


def pass_over_private() -> int:
    """Mark the private events the bus does not carry as done, so no round looks at them again.

    Left unmarked, every PLAYER event of the retention window would sit in
    the unpublished index and be scanned by each round's query.
    """
    if settings.EVENT_BUS_PUBLISH_PRIVATE:
        return 0
    passed = Event.objects.filter(published_at__isnull=True, target__in=PRIVATE_TARGETS)
    # Asked first: on SQLite even an UPDATE of no rows takes the one write lock the node's actions need.
    if not passed.exists():
        return 0
    return passed.update(published_at=timezone.now())


def mark_published(events: list[Event]) -> None:
    """Record that the broker confirmed ``events``: the relay will not send them again."""
    Event.objects.filter(pk__in=[event.pk for event in events]).update(published_at=timezone.now())


class Relay:
    """Publishes the journal to ``exchange``; several may run, each stream has one at a time."""

    def __init__(
        self,
        url: str | None = None,
        exchange: str | None = None,
        *,
        holder: str | None = None,
        batch_size: int | None = None,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
        confirm_timeout: float = 30.0,
    ) -> None:
        self.url = url or settings.EVENT_BUS_URL
        self.exchange = exchange or settings.EVENT_BUS_EXCHANGE
        # Names this relay in its leases; a relay restarted under the same
        # name takes its streams back at once instead of after expiry.
        self.holder = holder or default_holder()
        self.batch_size = batch_size or settings.EVENT_BUS_RELAY_BATCH
        self.lease_seconds = lease_seconds or settings.EVENT_BUS_RELAY_LEASE_SECONDS
        self.poll_seconds = settings.EVENT_BUS_RELAY_POLL_SECONDS if poll_seconds is None else poll_seconds
        self.confirm_timeout = confirm_timeout
        self.publisher: ConfirmingPublisher | None = None
        # Set to make run() return after the batch in hand.
        self.stopping = threading.Event()
        # Events published and confirmed since start.
        self.published = 0
        # Stream -> when (monotonic) this relay's lease on it ends, as far as it knows.
        self.lease_ends: dict[StreamKey, float] = {}

    def connect(self) -> None:
        publisher = ConfirmingPublisher(bus_parameters(self.url, self.confirm_timeout), self.exchange,
                                        timeout=self.confirm_timeout)
        try:
            publisher.open()
        except BaseException:
            publisher.close()
            raise
        self.publisher = publisher

    def disconnect(self) -> None:
        if self.publisher is not None:
            self.publisher.close()
            self.publisher = None

    def relay_once(self) -> int:
        """Publish one batch of this relay's streams and mark it published; returns its size."""
        if self.publisher is None:
            self.connect()
        assert self.publisher is not None
        pass_over_private()
        streams = self.leased(unpublished_streams())
        events = next_batch(streams, self.batch_size)
        if not events:
            return 0
        self.publisher.publish(
            Outgoing(routing_key(event), message_body(event), message_properties(event)) for event in events
        )
        mark_published(events)
        self.published += len(events)
        return len(events)

    def leased(self, streams: list[StreamKey]) -> list[StreamKey]:
        """The streams among ``streams`` this relay holds, claiming or renewing leases only when needed.

        A lease with more than half its time left is still ours: not renewing
        it every round spares the database a write per round (on SQLite, the
        one write lock the node's actions need).
        """
        now = time.monotonic()
        due = [stream for stream in streams if self.lease_ends.get(stream, 0.0) - now < self.lease_seconds / 2]
        if due:
            # Counted from before the claim, so this relay never thinks it holds a lease longer than it does.
            claimed = set(claim_streams(self.holder, due, self.lease_seconds))
            for stream in due:
                if stream in claimed:
                    self.lease_ends[stream] = now + self.lease_seconds
                else:
                    self.lease_ends.pop(stream, None)
        return [stream for stream in streams if self.lease_ends.get(stream, 0.0) > now]

    def run(self) -> None:
        """Relay until ``stopping`` is set, retrying with backoff while RabbitMQ or the database is away."""
        backoff = Backoff(cap=settings.EVENT_BUS_RETRY_CAP_SECONDS)
        try:
            while not self.stopping.is_set():
                try:
                    count = self.relay_once()
                    if count < self.batch_size and self.publisher is not None:
                        # Caught up: wait for new events rather than spin on the
                        # journal, keeping the connection's heartbeats going.
                        self.publisher.idle(self.poll_seconds)
                except (BusUnavailable, pika.exceptions.AMQPError) as error:
                    self.disconnect()
                    delay = backoff.next_delay(BROKER)
                    logger.warning("event bus unavailable (%s); retrying in %.1fs", error, delay)
                    self.stopping.wait(delay)
                    continue
                except DatabaseError:
                    delay = backoff.next_delay(DATABASE)
                    logger.exception("relay: database error; retrying in %.1fs", delay)
                    close_old_connections()
                    self.stopping.wait(delay)
                    continue
                if backoff.failures:
                    logger.info("relay: publishing again")
                backoff.reset()
        finally:
            self.disconnect()
            try:
                release_streams(self.holder)
            except DatabaseError:
                logger.warning("relay %s could not release its leases; they expire", self.holder)
