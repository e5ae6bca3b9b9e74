"""A test's own corner of the machine's RabbitMQ: uniquely named exchanges and queues, and reading them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pika

from pokerrt.bus.parameters import bus_parameters
from tests.services import RABBITMQ_URL


@dataclass(frozen=True)
class Received:
    """One message as a bus consumer sees it."""

    routing_key: str
    message_id: str
    headers: dict[str, Any]
    delivery_mode: int
    body: dict[str, Any]


def unique(prefix: str) -> str:
    """A name no other test run uses, so runs side by side never share an exchange or queue."""
    return f"{prefix}.test-{uuid.uuid4().hex[:10]}"


class Broker:
    """Declares what a test needs and deletes it afterwards."""

    def __init__(self) -> None:
        self.exchanges: list[str] = []
        self.queues: list[str] = []

    def connection(self) -> pika.BlockingConnection:
        return pika.BlockingConnection(bus_parameters(RABBITMQ_URL))

    def exchange(self, prefix: str = "pokerrt.events") -> str:
        name = unique(prefix)
        with self.connection() as conn:
            conn.channel().exchange_declare(name, exchange_type="topic", durable=True)
        self.exchanges.append(name)
        return name

    def queue(self, exchange: str, binding: str = "#") -> str:
        """A durable queue bound to ``exchange``: it outlives a broker restart, as a real consumer's would."""
        name = unique("pokerrt.q")
        with self.connection() as conn:
            channel = conn.channel()
            channel.queue_declare(name, durable=True)
            channel.queue_bind(name, exchange, routing_key=binding)
        self.queues.append(name)
        return name

    def publish(self, exchange: str, routing_key: str, body: bytes, **properties: Any) -> None:
        with self.connection() as conn:
            channel = conn.channel()
            channel.confirm_delivery()
            channel.basic_publish(exchange, routing_key, body, pika.BasicProperties(**properties))

    def drain(self, queue: str, until: Callable[[list[Received]], bool], timeout: float = 120.0) -> list[Received]:
        """Every message on ``queue`` until ``until(received)`` holds; the timeout only bounds a failure."""
        received: list[Received] = []
        deadline = time.monotonic() + timeout
        with self.connection() as conn:
            channel = conn.channel()
            while not until(received):
                if time.monotonic() > deadline:
                    break
                method, properties, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    time.sleep(0.05)
                    continue
                received.append(Received(method.routing_key, properties.message_id, properties.headers or {},
                                         properties.delivery_mode, json.loads(body)))
        return received

    def count(self, queue: str) -> int:
        with self.connection() as conn:
            return conn.channel().queue_declare(queue, passive=True).method.message_count

    def cleanup(self) -> None:
        with self.connection() as conn:
            channel = conn.channel()
            for queue in self.queues:
                channel.queue_delete(queue)
            for exchange in self.exchanges:
                channel.exchange_delete(exchange)
