"""What an event looks like on the bus: routing key, properties, body (docs/bridge.md).

The body is the exact envelope a WebSocket subscriber gets for the event
(PROTOCOL.md section 2), so a consumer of the bus and a client of the socket
parse the same thing.
"""

from __future__ import annotations

import json

import pika
from django.core.serializers.json import DjangoJSONEncoder

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame


def routing_key(event: Event) -> str:
    """``table.17.hand_started``: bind ``table.#`` for every table, ``*.*.hand_ended`` for one type."""
    return f"{event.target}.{event.stream_id}.{event.type}".lower()


def message_body(event: Event) -> bytes:
    return json.dumps(event_frame(event), cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def message_properties(event: Event) -> pika.BasicProperties:
    """Persistent, ``message_id`` = ``event_id`` (consumers dedupe on it), seq and epoch as headers."""
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=str(event.event_id),
        timestamp=int(event.timestamp.timestamp()),
        type=event.type,
        headers={"target": event.target, "id": event.stream_id, "seq": event.seq, "epoch": event.epoch},
    )
