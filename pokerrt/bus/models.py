"""What the RabbitMQ bridge remembers: who relays which stream, which commands were done."""

from __future__ import annotations

from django.db import models


class RelayLease(models.Model):
    """One relay's claim on one stream: only the holder publishes it until the lease expires.

    A lease row rather than a held row lock: a lock would have to live for a
    whole publish-and-confirm round trip, and the Stream row it could lock is
    the one every ``emit`` of that stream updates. An expiry also frees the
    streams of a relay that was killed.
    """

    target = models.CharField(max_length=16)
    stream_id = models.CharField(max_length=64)
    # The relay process holding the lease (host:pid:random).
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "stream_id"], name="relaylease_stream_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.stream_id} -> {self.holder}"


class ProcessedMessage(models.Model):
    """An inbound command message that took effect, written in the command's own transaction.

    Its ``message_id`` is unique: a redelivery of the same message finds the
    row and changes nothing.
    """

    message_id = models.CharField(max_length=255, unique=True)
    command_type = models.CharField(max_length=32)
    processed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.message_id} {self.command_type}"
