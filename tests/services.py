"""Where the real services of the integration tests live, and whether they answer."""

from __future__ import annotations

import functools
import os
import socket
from urllib.parse import urlparse

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")

SERVICE_URLS = {"postgres": POSTGRES_URL, "redis": REDIS_URL, "rabbitmq": RABBITMQ_URL}


@functools.cache
def answers(service: str) -> bool:
    """True when the service's port accepts a TCP connection."""
    url = urlparse(SERVICE_URLS[service])
    default_port = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672}[service]
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or default_port), timeout=1):
            return True
    except OSError:
        return False
