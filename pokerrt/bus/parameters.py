"""How the bridge reaches RabbitMQ: pika's connection parameters for ``EVENT_BUS_URL``."""

from __future__ import annotations

import pika


def bus_parameters(url: str, timeout: float = 10.0) -> pika.URLParameters:
    """pika's parameters for an AMQP URL, with bounded waits so a dead broker is noticed.

    Celery and kombu spell the default vhost ``//``; pika wants it
    percent-encoded, so both spellings of the one setting work.
    """
    if url.endswith("//"):
        url = url[:-1] + "%2F"
    params = pika.URLParameters(url)
    params.socket_timeout = timeout
    params.blocked_connection_timeout = timeout
    params.stack_timeout = timeout
    params.connection_attempts = 1
    return params
