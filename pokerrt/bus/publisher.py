"""A confirming publisher: send a whole batch, then wait once for the broker's confirms.

pika's BlockingChannel in confirm mode waits for each message's confirm
before the next is sent: one round trip per event. This drives pika's
asynchronous SelectConnection instead, one batch at a time: every message of
the batch is written, then the I/O loop runs until the broker has acked
them all (or nacked one, or the connection dropped, or the wait timed out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.select_connection import SelectConnection

logger = logging.getLogger(__name__)


class BusUnavailable(Exception):
    """RabbitMQ did not take the batch: unreachable, connection lost, nack, or no answer in time."""


@dataclass(frozen=True)
class Outgoing:
    """One message to publish to the exchange."""

    routing_key: str
    body: bytes
    properties: pika.BasicProperties


class ConfirmingPublisher:
    """One connection and one channel in confirm mode, publishing to one durable topic exchange."""

    def __init__(self, parameters: pika.ConnectionParameters, exchange: str, timeout: float = 30.0) -> None:
        self.parameters = parameters
        self.exchange = exchange
        # Seconds to wait for the connection, or for a batch's confirms.
        self.timeout = timeout
        self._connection: SelectConnection | None = None
        # The connection's I/O loop; kept after close() drops the connection.
        self._ioloop: Any = None
        self._channel: Any = None
        # Why the connection or channel failed; once set, this publisher is done.
        self._failure: str | None = None
        # The channel's delivery tag of the last message sent (confirm mode numbers from 1).
        self._last_tag = 0
        # Delivery tags sent and not yet acked by the broker.
        self._unconfirmed: set[int] = set()
        self._ready = False
        self._done: Callable[[], bool] = lambda: True

    # --- connecting ----------------------------------------------------------------

    def open(self) -> None:
        """Connect, declare the exchange and turn confirms on; raises BusUnavailable."""
        self._connection = SelectConnection(
            self.parameters,
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_connection_error,
            on_close_callback=self._on_connection_closed,
        )
        self._ioloop = self._connection.ioloop
        self._run_until(lambda: self._ready)

    def _on_connection_open(self, connection: SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_connection_error(self, connection: SelectConnection, error: BaseException) -> None:
        self._fail(f"cannot connect: {error!r}")

    def _on_connection_closed(self, connection: SelectConnection, reason: BaseException) -> None:
        self._fail(f"connection closed: {reason!r}")

    def _on_channel_open(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_close_callback(lambda _channel, reason: self._fail(f"channel closed: {reason!r}"))
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True,
                                 callback=lambda _frame: channel.confirm_delivery(self._on_confirm,
                                                                                  callback=self._on_confirming))

    def _on_confirming(self, _frame: Any) -> None:
        self._ready = True
        self._check()

    # --- publishing ----------------------------------------------------------------

    def publish(self, messages: Iterable[Outgoing]) -> int:
        """Publish every message, then wait until the broker confirmed them all; returns how many.

        Raises BusUnavailable when any was not confirmed: the caller must
        treat the whole batch as unpublished and send it again (the consumers
        dedupe on ``message_id``).
        """
        if self._failure is not None or not self._ready:
            raise BusUnavailable(self._failure or "not open")
        count = 0
        for message in messages:
            self._channel.basic_publish(self.exchange, message.routing_key, message.body, message.properties)
            self._last_tag += 1
            self._unconfirmed.add(self._last_tag)
            count += 1
        self._run_until(lambda: not self._unconfirmed)
        return count

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            self._fail(f"the broker nacked delivery {method.delivery_tag}")
            return
        if method.multiple:
            self._unconfirmed = {tag for tag in self._unconfirmed if tag > method.delivery_tag}
        else:
            self._unconfirmed.discard(method.delivery_tag)
        self._check()

    # --- the I/O loop ------------------------------------------------------------------

    def idle(self, seconds: float) -> None:
        """Run the I/O loop for ``seconds`` with nothing to send; raises BusUnavailable if the connection fails.

        Between batches the loop would otherwise not run at all: heartbeats
        would go unanswered and the broker would drop an idle relay.
        """
        self._run_until(lambda: False, seconds, expiry_fails=False)

    def _run_until(self, done: Callable[[], bool], seconds: float | None = None, expiry_fails: bool = True) -> None:
        """Run the I/O loop until ``done()``; raises BusUnavailable on failure, or when ``seconds`` pass first."""
        assert self._ioloop is not None
        if self._failure is None and done():
            return
        self._done = done
        seconds = self.timeout if seconds is None else seconds

        def expire() -> None:
            if expiry_fails:
                self._fail(f"no answer within {seconds:g}s")
            else:
                self._stop()

        timer = self._ioloop.call_later(seconds, expire)
        try:
            self._ioloop.start()
        finally:
            self._ioloop.remove_timeout(timer)
            self._done = lambda: True
        if self._failure is not None:
            raise BusUnavailable(self._failure)

    def _check(self) -> None:
        if self._done():
            self._stop()

    def _fail(self, why: str) -> None:
        if self._failure is None:
            self._failure = why
        self._stop()

    def _stop(self) -> None:
        if self._ioloop is not None:
            self._ioloop.stop()

    def close(self) -> None:
        """Close the connection (politely when it is still open); never raises."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.is_open:
                connection.close()
                # Let the close handshake run; on_close stops the loop.
                self._failure = self._failure or "closed"
                timer = connection.ioloop.call_later(5, connection.ioloop.stop)
                connection.ioloop.start()
                connection.ioloop.remove_timeout(timer)
        except Exception:  # closing a broken connection: nothing left to save
            logger.debug("closing the bus connection failed", exc_info=True)
