"""Retries of transient faults: one classification, one backoff, one budget, for every place that retries.

A fault is *transient* when the same call, made again a moment later, may
well succeed and the failed try left nothing behind: PostgreSQL chose this
transaction as a deadlock's or a serialization conflict's loser (SQLSTATE
40P01, 40001) and rolled it back; SQLite's one write lock stayed taken;
Redis (the channel layer) or RabbitMQ did not answer. Everything else is
*permanent* and never retried: above all every ``pokerrt.errors`` error
(VALIDATION, CONFLICT, FORBIDDEN, ...), which would be refused again, and a
lost database connection, after which nobody knows whether the COMMIT
landed (retrying could do the action twice).

:func:`call` retries a whole transaction, so it must wrap the outermost
``transaction.atomic()``: on PostgreSQL a transaction that failed is dead,
and a retry inside it could only fail again. Called inside an atomic block
it refuses to retry and runs the function once, leaving the retry to the
call that owns the transaction (the bus consumer's, a test's). docs/errors.md
has the policy and where it applies.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

from . import errors, metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What went wrong, as the label ``kind`` of pokerrt_retries_total.
DEADLOCK = "deadlock"  # PostgreSQL 40P01 deadlock_detected
SERIALIZATION = "serialization"  # PostgreSQL 40001 serialization_failure
DATABASE_LOCKED = "database_locked"  # SQLite: the write lock stayed taken past the busy timeout
DATABASE = "database"  # the database is away (the bridge's loops only: redelivery makes their retry safe)
CHANNEL_LAYER = "channel_layer"  # Redis did not answer a send
BROKER = "broker"  # RabbitMQ is away

# The outcomes, as the label ``outcome``.
RETRIED = "retried"  # a transient fault, and another try follows
RECOVERED = "recovered"  # a call that succeeded after one or more retries
GAVE_UP = "gave_up"  # a transient fault with the budget spent: the fault reaches the caller

_SQLSTATES = {"40P01": DEADLOCK, "40001": SERIALIZATION}
# SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED.
_SQLITE_BUSY = {5, 6}


@functools.cache
def _transient_classes() -> tuple[tuple[type[BaseException], str], ...]:
    """Exception classes that are transient whatever their message, with their kind.

    Imported here, once: a process without Redis or RabbitMQ configured still
    has the libraries (requirements.txt), and classifying must not import them
    on every failure.
    """
    import pika.exceptions
    import redis.exceptions

    return (
        (redis.exceptions.ConnectionError, CHANNEL_LAYER),
        (redis.exceptions.TimeoutError, CHANNEL_LAYER),
        (pika.exceptions.AMQPConnectionError, BROKER),
        (pika.exceptions.ConnectionClosed, BROKER),
        (pika.exceptions.ConnectionWrongStateError, BROKER),
        (pika.exceptions.ChannelWrongStateError, BROKER),
    )


def transient_kind(error: BaseException) -> str | None:
    """The kind of transient fault ``error`` is, or None when it is permanent.

    Django wraps the driver's error (``OperationalError`` whose ``__cause__``
    is psycopg's ``DeadlockDetected``), so the chain of causes is read. A
    protocol error is permanent even when a transient fault caused it.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, errors.PokerrtError):
            return None
        sqlstate = getattr(current, "sqlstate", None)
        if sqlstate in _SQLSTATES:
            return _SQLSTATES[sqlstate]
        if isinstance(current, sqlite3.OperationalError) and (
            getattr(current, "sqlite_errorcode", 0) & 0xFF in _SQLITE_BUSY or "locked" in str(current)
        ):
            return DATABASE_LOCKED
        for cls, kind in _transient_classes():
            if isinstance(current, cls):
                return kind
        # The explicit cause only (``raise ... from``, as Django wraps the
        # driver's error): a bug raised while handling a fault is still a bug.
        current = current.__cause__
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``attempts`` tries, none begun past ``time_budget`` seconds.

    The wait before retry n (1 for the first) is drawn below
    ``min(cap, base * 2 ** (n - 1))``: anywhere from 0 with ``"full"``
    jitter, from half of it with ``"equal"``. Jitter parts the two losers of
    one deadlock, which would otherwise meet again at once.
    """

    attempts: int
    base: float
    cap: float
    time_budget: float
    jitter: str = "full"

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base <= 0 or self.cap < self.base or self.time_budget < 0:
            raise ValueError(f"not a retry policy: {self}")
        if self.jitter not in ("full", "equal"):
            raise ValueError(f"jitter is 'full' or 'equal', not {self.jitter!r}")

    def ceiling(self, retry: int) -> float:
        return min(self.cap, self.base * 2 ** (retry - 1))

    def delay(self, retry: int, rng: random.Random) -> float:
        ceiling = self.ceiling(retry)
        if self.jitter == "equal":
            return ceiling / 2 + rng.uniform(0, ceiling / 2)
        return rng.uniform(0, ceiling)


# A transaction: short waits, since the consumers' one sync thread waits with
# it; a deadlock's loser usually gets through on its first retry.
TRANSACTION = RetryPolicy(attempts=4, base=0.01, cap=0.2, time_budget=2.0)
# A channel-layer send: Redis failing over takes a moment; events of the same
# loop wait behind it, in order, so the budget stays short too.
CHANNEL_SEND = RetryPolicy(attempts=3, base=0.05, cap=0.5, time_budget=2.0)

_rng = random.Random()


class _Tries:
    """One call's retries: counts, budget, metrics and logs, the same for sync and async calls."""

    def __init__(self, policy: RetryPolicy, what: str, clock: Callable[[], float], rng: random.Random,
                 started: float) -> None:
        self.policy = policy
        self.what = what
        self.clock = clock
        self.rng = rng
        # When the first try began: the time budget counts from there.
        self.started = started
        # Tries made so far (the first included).
        self.tries = 1
        # The kind of the last fault retried, for RECOVERED.
        self.kind: str | None = None

    def wait_after(self, error: BaseException) -> float | None:
        """The wait before the next try, or None: ``error`` is permanent or the budget is spent."""
        kind = transient_kind(error)
        if kind is None:
            return None
        delay = self.policy.delay(self.tries, self.rng)
        if self.tries >= self.policy.attempts or self.clock() - self.started + delay > self.policy.time_budget:
            metrics.RETRIES.labels(kind, GAVE_UP).inc()
            logger.error("%s: gave up after %d tries (%s): %s", self.what, self.tries, kind, error)
            return None
        self.kind = kind
        metrics.RETRIES.labels(kind, RETRIED).inc()
        logger.warning("%s: %s on try %d of %d; retrying in %.3fs", self.what, kind, self.tries,
                       self.policy.attempts, delay)
        return delay

    def succeeded(self) -> None:
        if self.kind is not None:
            metrics.RETRIES.labels(self.kind, RECOVERED).inc()


def call(
    fn: Callable[..., T],
    *args: Any,
    what: str,
    policy: RetryPolicy | None = None,
    transactional: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``, tried again after each transient fault within ``policy``'s budget.

    ``fn`` must be all of one transaction (or of none, ``transactional=False``
    for a channel-layer send): inside an atomic block it runs once. The last
    fault is raised unchanged when the budget is spent; a permanent error at
    once. ``what`` names the call in the logs; ``policy`` is TRANSACTION unless given.
    """
    if transactional and transaction.get_connection().in_atomic_block:
        return fn(*args, **kwargs)
    started = clock()
    # The first try costs nothing more than the call: commands take this path.
    try:
        return fn(*args, **kwargs)
    except errors.PokerrtError:
        raise  # a refusal, the commonest failure: never retried
    except Exception as error:
        tries = _Tries(policy or TRANSACTION, what, clock, rng or _rng, started)
        delay = tries.wait_after(error)
        if delay is None:
            raise
    while True:
        sleep(delay)
        tries.tries += 1
        try:
            result = fn(*args, **kwargs)
        except Exception as error:
            delay = tries.wait_after(error)
            if delay is None:
                raise
            continue
        tries.succeeded()
        return result


async def call_async(
    fn: Callable[..., Awaitable[T]],
    *args: Any,
    what: str,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    **kwargs: Any,
) -> T:
    """:func:`call` for a coroutine function (a channel-layer send on the event loop); CHANNEL_SEND unless given."""
    started = clock()
    try:
        return await fn(*args, **kwargs)
    except Exception as error:
        tries = _Tries(policy or CHANNEL_SEND, what, clock, rng or _rng, started)
        delay = tries.wait_after(error)
        if delay is None:
            raise
    while True:
        await sleep(delay)
        tries.tries += 1
        try:
            result = await fn(*args, **kwargs)
        except Exception as error:
            delay = tries.wait_after(error)
            if delay is None:
                raise
            continue
        tries.succeeded()
        return result


class Backoff:
    """The waits of a loop that retries for ever (the bridge's relay and consumer while RabbitMQ is away).

    Delays double from ``base`` up to ``cap`` with equal jitter (each between
    half and all of its ceiling), so that the relays and consumers that lost
    the same broker at the same moment do not all knock at once. A daemon
    has no budget: it waits for its broker as long as it runs. Each wait is
    counted as a retry of its ``kind``.
    """

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self.policy = RetryPolicy(attempts=1, base=base, cap=max(cap, base), time_budget=0, jitter="equal")
        self.rng = rng or random.Random()
        # Failures since the last success.
        self.failures = 0

    def next_delay(self, kind: str | None = None) -> float:
        self.failures += 1
        if kind is not None:
            metrics.RETRIES.labels(kind, RETRIED).inc()
        return self.policy.delay(self.failures, self.rng)

    def reset(self) -> None:
        self.failures = 0
