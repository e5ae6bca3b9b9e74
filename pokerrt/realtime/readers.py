"""Where a SUBSCRIBE's database reads run: a few threads of their own on PostgreSQL.

Every ``database_sync_to_async`` call of a node runs on one thread, one at a
time. In a reconnect storm each of thousands of sockets subscribes at once,
and each SUBSCRIBE is two such calls (the access check, then the snapshot or
the replay): they queued behind each other and behind the players' actions,
and the node sat mostly idle waiting for PostgreSQL's answers one by one.
Those reads change nothing and run in their own transaction, so on
PostgreSQL they go to ``SUBSCRIBE_READERS`` threads, each with its own
connection, and their round trips overlap. Commands, presence and everything
that writes stay on the one sync thread.

On SQLite (the embedded profile) the reads stay on the sync thread:
``transaction_mode: IMMEDIATE`` makes every transaction take the one write
lock at BEGIN, so parallel readers would only wait for each other and for
the writer.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def readers() -> int:
    """How many reader threads this node runs; 0: the reads use the sync thread."""
    # From the settings, not ``connection.vendor``: this runs on the event
    # loop, where Django keeps a connection handle per task, and asking it
    # would build one for every socket (eight objects, held for the socket's life).
    engine = import_module(settings.DATABASES["default"]["ENGINE"] + ".base")
    if engine.DatabaseWrapper.vendor == "sqlite":
        return 0
    return int(settings.POKERRT_REALTIME["SUBSCRIBE_READERS"])


def _executor(size: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or _pool._max_workers != size:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="pokerrt-reader")
        return _pool


def in_reader(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``fn`` as an awaitable run on a reader thread (or the sync thread when there are none)."""
    size = readers()
    if size <= 0:
        return database_sync_to_async(fn)
    return database_sync_to_async(fn, thread_sensitive=False, executor=_executor(size))


def close_connections() -> None:
    """Close every reader thread's database connection (tests, before the test database is dropped)."""
    with _lock:
        pool = _pool
    if pool is None:
        return
    size = pool._max_workers
    # Each call waits at the barrier until all ``size`` run at once: one per thread.
    barrier = threading.Barrier(size)

    def close(_: Any) -> None:
        connections.close_all()
        barrier.wait(timeout=30)

    list(pool.map(close, range(size)))
