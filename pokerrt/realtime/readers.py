"""Where a SUBSCRIBE's database reads and the clients' commands run: threads of their own on PostgreSQL.

Every ``database_sync_to_async`` call of a node runs on one thread, one at a
time. In a reconnect storm each of thousands of sockets subscribes at once,
and each SUBSCRIBE is two such calls (the access check, then the snapshot or
the replay): they queued behind each other and behind the players' actions,
and the node sat mostly idle waiting for PostgreSQL's answers one by one.
Those reads change nothing and run in their own transaction, so on
PostgreSQL they go to ``SUBSCRIBE_READERS`` threads, each with its own
connection, and their round trips overlap. Presence and the rest stay on the
one sync thread.

On SQLite (the embedded profile) the reads stay on the sync thread:
``transaction_mode: IMMEDIATE`` makes every transaction take the one write
lock at BEGIN, so parallel readers would only wait for each other and for
the writer.

The players' commands get threads of their own on PostgreSQL too
(``COMMAND_THREADS``, :func:`in_command_thread`): a betting action was
nine round trips (eight now), and on one thread the node kept up with about
165 of 200 actions a second at 200 tables, its CPU half idle. Commands of
one socket still run one after the other (the consumer awaits each), and
two on one table queue on its row lock as they do with the timers' thread.
Their events may reach the loop out of commit order; the consumers fill
such a gap from the journal, as for events from other nodes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

T = TypeVar("T")

# name -> its pool: "reader" (SUBSCRIBE reads), "command" (commands).
_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()
# (function, pool or None for the sync thread) -> the function as an awaitable there: a
# SyncToAsync costs an inspect of the function to build, and every command
# goes through one.
_wrapped: dict[tuple[Any, ThreadPoolExecutor | None], Callable[..., Awaitable[Any]]] = {}
_WRAPPED_KEPT = 64


def _on_sqlite() -> bool:
    # From the settings, not ``connection.vendor``: this runs on the event
    # loop, where Django keeps a connection handle per task, and asking it
    # would build one for every socket (eight objects, held for the socket's life).
    return _is_sqlite(settings.DATABASES["default"]["ENGINE"])


@functools.cache
def _is_sqlite(engine: str) -> bool:
    # Asked for every command: the backend module is looked up once per engine.
    return import_module(engine + ".base").DatabaseWrapper.vendor == "sqlite"


def readers() -> int:
    """How many reader threads this node runs; 0: the reads use the sync thread."""
    return 0 if _on_sqlite() else int(settings.POKERRT_REALTIME["SUBSCRIBE_READERS"])


def command_threads() -> int:
    """How many threads run this node's commands; 0: the sync thread does."""
    return 0 if _on_sqlite() else int(settings.POKERRT_REALTIME["COMMAND_THREADS"])


def _executor(name: str, size: int) -> ThreadPoolExecutor:
    pool = _pools.get(name)
    if pool is not None and pool._max_workers == size:
        return pool  # every command asks: no lock once the pool is built
    with _lock:
        pool = _pools.get(name)
        if pool is not None and pool._max_workers == size:
            return pool
        _pools[name] = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"pokerrt-{name}")
    if pool is not None:  # resized (tests): its threads' connections go with it
        _close(pool)
        pool.shutdown(wait=False)
    return _pools[name]


def _on_pool(fn: Callable[..., T], name: str, size: int) -> Callable[..., Awaitable[T]]:
    pool = _executor(name, size) if size > 0 else None
    key = (fn, pool)
    wrapped = _wrapped.get(key)
    if wrapped is None:
        if len(_wrapped) > _WRAPPED_KEPT:
            _wrapped.clear()  # a caller handing new functions each time (tests' lambdas), or pools replaced
        if pool is None:
            wrapped = database_sync_to_async(fn)
        else:
            wrapped = database_sync_to_async(fn, thread_sensitive=False, executor=pool)
        _wrapped[key] = wrapped
    return wrapped


def in_reader(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``fn`` as an awaitable run on a reader thread (or the sync thread when there are none)."""
    return _on_pool(fn, "reader", readers())


def in_command_thread(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``fn`` as an awaitable run on a command thread (or the sync thread when there are none)."""
    return _on_pool(fn, "command", command_threads())


def close_connections() -> None:
    """Close every reader and command thread's database connection (tests, before the test database is dropped)."""
    with _lock:
        pools = list(_pools.values())
    for pool in pools:
        _close(pool)


def _close(pool: ThreadPoolExecutor) -> None:
    size = pool._max_workers
    # Each call waits at the barrier until all ``size`` run at once: one per thread.
    barrier = threading.Barrier(size)

    def close(_: Any) -> None:
        connections.close_all()
        barrier.wait(timeout=30)

    list(pool.map(close, range(size)))
