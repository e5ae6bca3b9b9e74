"""The inbound consumer: commands from other services, from a durable RabbitMQ queue, each exactly once.

A message is acknowledged only after its command's transaction committed
(or after it was dead-lettered): a consumer killed in between gets it
redelivered, and the recorded ``message_id`` makes the redelivery a no-op.
A message the platform refuses (bad JSON, no credential, VALIDATION,
FORBIDDEN, ...) would be refused again on every delivery, so it goes to the
dead-letter exchange with the error in its headers, and the consumer carries
on. docs/bridge.md has the message format.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pika
import pika.exceptions
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, close_old_connections

from pokerrt import error_handlers
from pokerrt.realtime.envelope import control_frame, error_frame, read_ref
from pokerrt.retry import BROKER, DATABASE, Backoff

from .commands import Outcome, run_command
from .parameters import bus_parameters

logger = logging.getLogger(__name__)


class CommandConsumer:
    """Consumes ``queue`` (bound to the commands exchange) until ``stopping`` is set."""

    def __init__(
        self,
        url: str | None = None,
        *,
        exchange: str | None = None,
        queue: str | None = None,
        dead_letter: str | None = None,
        prefetch: int | None = None,
    ) -> None:
        self.url = url or settings.EVENT_BUS_URL
        self.exchange = exchange or settings.EVENT_BUS_COMMANDS_EXCHANGE
        self.queue = queue or settings.EVENT_BUS_COMMANDS_QUEUE
        # Both the exchange refused messages are published to and a durable
        # queue of the same name bound to it, so none is lost while no one listens.
        self.dead_letter = dead_letter or settings.EVENT_BUS_DEAD_LETTER_EXCHANGE
        self.prefetch = prefetch or settings.EVENT_BUS_PREFETCH
        self.stopping = threading.Event()
        # Messages settled (done, duplicate or dead-lettered) since start.
        self.handled = 0
        self.connection: pika.BlockingConnection | None = None
        # A channel in confirm mode for dead letters and replies: each is
        # confirmed before the command's message is acked.
        self.replies: Any = None

    def connect(self) -> Any:
        self.connection = pika.BlockingConnection(bus_parameters(self.url))
        channel = self.connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.queue_declare(self.queue, durable=True)
        channel.queue_bind(self.queue, self.exchange, routing_key="#")
        channel.exchange_declare(self.dead_letter, exchange_type="topic", durable=True)
        channel.queue_declare(self.dead_letter, durable=True)
        channel.queue_bind(self.dead_letter, self.dead_letter, routing_key="#")
        channel.basic_qos(prefetch_count=self.prefetch)
        self.replies = self.connection.channel()
        self.replies.confirm_delivery()
        channel.basic_consume(self.queue, self.on_message)
        return channel

    def disconnect(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except pika.exceptions.AMQPError:
                logger.debug("closing the consumer's connection failed", exc_info=True)

    def on_message(self, channel: Any, method: Any, properties: pika.BasicProperties, body: bytes) -> None:
        headers = properties.headers or {}
        try:
            outcome = run_command(properties.message_id, headers, body)
        except DatabaseError:
            # The database is away (or a deadlock outlasted its retries), not
            # the message at fault: back in the queue, and the run loop waits
            # before it takes the next one.
            channel.basic_nack(method.delivery_tag, requeue=True)
            raise
        except Exception as error:
            # Refused (or INTERNAL, logged as pokerrt.error_handlers says): it
            # would be refused again on every delivery.
            told = error_handlers.answer(error, error_handlers.BUS, f"command message {properties.message_id}")
            self.dead_letter_message(method, properties, body, told)
            self.reply(properties, error_frame(told.code, told.message, self._ref(body), told.details))
        else:
            self.reply(properties, self.ack_frame(outcome))
        channel.basic_ack(method.delivery_tag)
        self.handled += 1

    @staticmethod
    def _ref(body: bytes) -> str | None:
        try:
            return read_ref(json.loads(body))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    @staticmethod
    def ack_frame(outcome: Outcome) -> dict[str, Any]:
        command = outcome.command
        data: dict[str, Any] = {"ref": command.ref} if command.ref is not None else {}
        if outcome.result is not None:
            data["result"] = outcome.result
        if outcome.duplicate:
            # Done by an earlier delivery: its result is not kept, only that it happened.
            data["duplicate"] = True
        return control_frame("ACK", data, command.target, command.id)

    def dead_letter_message(self, method: Any, properties: pika.BasicProperties, body: bytes,
                            error: error_handlers.Answer) -> None:
        """The refused message, unchanged, to the dead-letter exchange with why in its headers."""
        headers = dict(properties.headers or {})
        # The credential stays behind: whoever reads dead letters need not hold it.
        headers.pop("authorization", None)
        headers.update({
            "x-error-code": error.code,
            "x-error-message": error.message,
            "x-error-details": json.dumps(error.details or {}, cls=DjangoJSONEncoder),
            "x-original-exchange": method.exchange,
            "x-original-routing-key": method.routing_key,
        })
        dead = pika.BasicProperties(
            content_type=properties.content_type, delivery_mode=pika.DeliveryMode.Persistent,
            message_id=properties.message_id, correlation_id=properties.correlation_id,
            timestamp=properties.timestamp, headers=headers,
        )
        self.replies.basic_publish(self.dead_letter, method.routing_key, body, dead)
        logger.warning("command message %s dead-lettered: %s %s", properties.message_id, error.code, error.message)

    def reply(self, properties: pika.BasicProperties, frame: dict[str, Any]) -> None:
        """The ACK or ERROR frame to the sender's ``reply_to`` queue, if it named one."""
        if not properties.reply_to:
            return
        reply = pika.BasicProperties(content_type="application/json",
                                     correlation_id=properties.correlation_id or properties.message_id)
        self.replies.basic_publish("", properties.reply_to, json.dumps(frame, cls=DjangoJSONEncoder).encode(),
                                   reply)

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Consume until ``stopping`` is set (or ``until()`` holds), reconnecting with backoff."""
        backoff = Backoff(cap=settings.EVENT_BUS_RETRY_CAP_SECONDS)

        def done() -> bool:
            return self.stopping.is_set() or (until is not None and until())

        try:
            while not done():
                try:
                    if self.connection is None:
                        self.connect()
                        backoff.reset()
                    assert self.connection is not None
                    self.connection.process_data_events(time_limit=0.2)
                except pika.exceptions.AMQPError as error:
                    self.disconnect()
                    delay = backoff.next_delay(BROKER)
                    logger.warning("command bus unavailable (%r); retrying in %.1fs", error, delay)
                    self.stopping.wait(delay)
                except DatabaseError:
                    delay = backoff.next_delay(DATABASE)
                    logger.exception("consumer: database error; retrying in %.1fs", delay)
                    close_old_connections()
                    self.stopping.wait(delay)
        finally:
            self.disconnect()
