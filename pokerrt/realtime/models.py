"""The event journal and the live-connection table: data and queries only."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models


def new_epoch() -> str:
    return secrets.token_urlsafe(6)


class Stream(models.Model):
    """One (target, id) stream: its last seq, locked by ``emit`` to take the next."""

    target = models.CharField(max_length=16)
    stream_id = models.CharField(max_length=64)
    # The seq of the stream's last event; 0 before the first.
    seq = models.BigIntegerField(default=0)
    # Names this history; a new epoch voids every earlier seq (PROTOCOL.md 2).
    epoch = models.CharField(max_length=16, default=new_epoch)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "stream_id"], name="stream_target_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.stream_id}@{self.seq}"


class Event(models.Model):
    """One journaled event: the replay buffer, the RabbitMQ outbox and the audit trail."""

    target = models.CharField(max_length=16)
    stream_id = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    epoch = models.CharField(max_length=16)
    type = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    timestamp = models.DateTimeField()
    # Set by the RabbitMQ outbox relay once the event is on the bus.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["target", "stream_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["target", "stream_id", "seq"], name="event_stream_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["timestamp"], name="event_timestamp_idx"),
            models.Index(
                fields=["published_at"],
                name="event_unpublished_idx",
                condition=models.Q(published_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.stream_id}#{self.seq} {self.type}"


class Node(models.Model):
    """A server process holding connections, and when it last said it was alive."""

    name = models.CharField(max_length=100, unique=True)
    # Refreshed every NODE_HEARTBEAT seconds; a node not seen for NODE_EXPIRY
    # is dead, and the other nodes clear its connection rows.
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}@{self.last_seen:%H:%M:%S}"


class Connection(models.Model):
    """A live WebSocket of a logged-in user, on some node: presence across nodes."""

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="realtime_connections"
    )
    # The name of the node (server process) holding the socket; its rows go
    # when it restarts, or when it has not been seen for NODE_EXPIRY.
    node = models.CharField(max_length=100, db_index=True)
    connected_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}@{self.node}"


class Discrepancy(models.Model):
    """A drift the reconciler found and could not mend: for staff to look at (pokerrt.realtime.reconcile).

    One row per distinct finding; each pass that finds it again moves
    ``last_seen`` and counts it, so a lasting drift is one row, not a flood.
    """

    target = models.CharField(max_length=20)
    stream_id = models.CharField(max_length=64)
    # The rule that does not hold (pokerrt.realtime.validation.Problem.rule).
    rule = models.CharField(max_length=64)
    message = models.TextField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # How many passes found it.
    times_seen = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name_plural = "discrepancies"

    def __str__(self) -> str:
        return f"{self.target}.{self.stream_id} {self.rule}"
