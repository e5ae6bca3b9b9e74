"""The channel layers' Redis connection pools: bounded, and queueing when all are busy.

channels_redis builds redis-py's plain ``ConnectionPool``, which raises
``MaxConnectionsError`` once 100 connections are in use (redis-py 5.1 and
later). In a reconnect storm each of thousands of consumers joins its groups
at once, every join a command on a connection of its own: the core layer
answered 1,426 SUBSCRIBEs ``INTERNAL`` that way (loadtest/README.md, fault
drills). A ``BlockingConnectionPool`` of the same size makes the surplus wait
for a free connection instead, up to ``timeout`` seconds.
"""

from __future__ import annotations

from typing import Any

from channels_redis.utils import create_pool
from redis import asyncio as aioredis

# Connections a loop's layer opens to one Redis host, at most.
MAX_CONNECTIONS = 100
# Seconds a command waits for a free connection before it fails.
POOL_TIMEOUT = 20.0


def blocking_pool(host: dict[str, Any], max_connections: int = MAX_CONNECTIONS,
                  timeout: float | None = POOL_TIMEOUT) -> Any:
    """A pool for one of channels_redis's ``hosts`` entries that waits for a free connection."""
    host = dict(host)
    if "master_name" in host:
        # Sentinel hosts keep channels_redis's pool: redis-py has no blocking Sentinel pool.
        return create_pool(host)
    if "address" in host:
        return aioredis.BlockingConnectionPool.from_url(
            host.pop("address"), max_connections=max_connections, timeout=timeout, **host
        )
    return aioredis.BlockingConnectionPool(max_connections=max_connections, timeout=timeout, **host)
