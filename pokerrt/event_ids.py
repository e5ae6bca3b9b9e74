"""Random (version 4) UUIDs for the journal's events, from the operating system's generator read in bulk.

``uuid.uuid4()`` reads ``os.urandom`` for each id, and each read lets go of
the interpreter's lock: on a busy node every event then gave the event loop
the chance to take the lock and keep the committing thread (and, on SQLite,
the one writer) waiting. Here each thread reads 4 KiB at a time and cuts its
ids from it; the bits are the generator's all the same.
"""

from __future__ import annotations

import os
import threading
import uuid

_READ = 4096
_local = threading.local()


def _forget_pools() -> None:
    # A forked child (a Celery worker) must not cut the ids its parent's pool still holds.
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_pools)


def uuid4() -> uuid.UUID:
    """A random UUID, as ``uuid.uuid4()``."""
    pool: bytes | None = getattr(_local, "pool", None)
    at: int = getattr(_local, "at", _READ)
    if pool is None or at >= _READ:
        pool, at = os.urandom(_READ), 0
        _local.pool = pool
    _local.at = at + 16
    return uuid.UUID(bytes=pool[at:at + 16], version=4)
