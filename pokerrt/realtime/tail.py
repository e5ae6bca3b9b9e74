"""The journal tail of this node: an event committed but never broadcast still reaches its sockets.

A committed event is in the journal whatever happens to its broadcast; when
the channel layer (Redis) is away past the send's retries, the broadcast is
lost. Subscribers then learn of the event only from the next one that
reaches them, and a table whose last event asked a player to act waits for
the action clock. So every ``TAIL_INTERVAL`` seconds each node reads, in one
query, the head seq of every stream its sockets follow, and compares it with
the seq each of those sockets was last given. A socket still behind a head
seen at least ``TAIL_GRACE`` earlier (longer than a broadcast in flight
takes) is handed the head event in-process, without the channel layer, as if
its broadcast had come: the consumer drops what it already has and fills the
gap from the journal (``RealtimeConsumer.event_send``), so the tail never
duplicates, reorders or shows another user's PLAYER stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection

from .models import Event, Stream
from .passes import PassLoop
from .streams import event_message

logger = logging.getLogger(__name__)

Key = tuple[str, str]


class Follower(Protocol):
    """A socket of this node following streams: the consumer."""

    # (target, stream id) -> what it was given of that stream (subscriptions.Subscription).
    subscriptions: dict[Key, Any]

    async def tail_send(self, message: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Behind:
    """A stream some follower lagged on: the journal's head then, and when the tail first saw it."""

    seq: int
    epoch: str
    seen_at: float


# (target, stream id) -> the followers of this process subscribed to it.
_followers: dict[Key, set[Follower]] = {}
# Streams found lagging on an earlier pass, waiting out the grace.
_behind: dict[Key, Behind] = {}
# Deliveries under way, held so they are not collected before they run.
_deliveries: set[asyncio.Task[None]] = set()
# The tail's own thread, with its own database connection kept open between
# passes: neither the consumers' sync thread (their commands must not wait
# for it) nor a new connection a second.
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pokerrt-tail")
# Whether the last read failed: an outage is logged once, not every pass.
_failing = False


def follow(key: Key, follower: Follower) -> None:
    _followers.setdefault(key, set()).add(follower)


def unfollow(key: Key, follower: Follower) -> None:
    followers = _followers.get(key)
    if followers is not None:
        followers.discard(follower)
        if not followers:
            del _followers[key]
            _behind.pop(key, None)


def followed() -> list[Key]:
    return sorted(_followers)


def read_heads(keys: Iterable[Key]) -> dict[Key, tuple[int, str]]:
    """Each stream's last seq and epoch, in one query: streams with no row yet have no events."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    # Row values: exactly the pairs followed, through the (target, stream_id)
    # unique index, rather than every target x id combination to sift.
    table = connection.ops.quote_name(Stream._meta.db_table)
    pairs = ", ".join(["(%s, %s)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT target, stream_id, seq, epoch FROM {table} WHERE (target, stream_id) IN ({pairs})",
                       [part for key in wanted for part in key])
        return {(target, sid): (int(seq), str(epoch)) for target, sid, seq, epoch in cursor.fetchall()}


def read_events(heads: dict[Key, tuple[int, str]]) -> dict[Key, dict[str, Any]]:
    """The channel-layer message of each stream's head event, in one query (the journal keeps the last ones)."""
    if not heads:
        return {}
    # Row values, not an OR of the ORM's Q objects: building and compiling
    # hundreds of those cost three times the CPU of the rest of the pass.
    table = connection.ops.quote_name(Event._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(heads))
    found = Event.objects.raw(
        f"SELECT * FROM {table} WHERE (target, stream_id, seq, epoch) IN ({rows})",
        [part for (target, sid), (seq, epoch) in heads.items() for part in (target, sid, seq, epoch)],
    )
    return {(event.target, event.stream_id): tail_message(event) for event in found}


def tail_message(event: Event) -> dict[str, Any]:
    """The event's message as its broadcast carries it, but for the timestamp.

    Without it the frame does not count in the commit-to-send histogram: a
    late delivery is counted by the tail's own metric, as gap-filled
    events are left out of the histogram.
    """
    message = event_message(event)
    message["timestamp"] = None
    return message


def _in_tail_thread(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:
        # The next pass opens a new connection: a broken one (the database
        # restarted) would fail every pass after it.
        connection.close()
        raise


async def _read(fn: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_thread, _in_tail_thread, fn, *args)


def _lagging(followers: Iterable[Follower], key: Key, seq: int, epoch: str) -> list[Follower]:
    """The followers not yet given event ``seq`` of ``epoch``."""
    lagging = []
    for follower in followers:
        held = follower.subscriptions.get(key)
        if held is not None and (held.epoch != epoch or held.seq < seq):
            lagging.append(follower)
    return lagging


async def tail_pass(grace: float | None = None) -> int:
    """Compare every followed stream's head with its followers; hand the head to those behind for ``grace``.

    Returns the number of sockets handed an event. A stream found behind is
    remembered with its head and the time; a later pass that finds a socket
    still short of that head once ``grace`` seconds passed delivers the head
    as it is then. Costs one query when no socket lags.
    """
    global _failing
    grace = settings.POKERRT_REALTIME["TAIL_GRACE"] if grace is None else grace
    keys = followed()
    try:
        heads = await _read(read_heads, keys)
    except Exception:
        if not _failing:
            logger.warning("journal tail: reading the streams' heads failed", exc_info=True)
        _failing = True
        return 0
    _failing = False
    now = time.monotonic()
    due: dict[Key, list[Follower]] = {}
    for key, (seq, epoch) in heads.items():
        lagging = _lagging(_followers.get(key, ()), key, seq, epoch)
        if not lagging:
            _behind.pop(key, None)
            continue
        seen = _behind.get(key)
        stuck = [] if seen is None else _lagging(lagging, key, seen.seq, seen.epoch)
        if seen is None or not stuck:
            # A new lag: most likely a broadcast still on its way.
            _behind[key] = Behind(seq, epoch, now)
        elif now - seen.seen_at >= grace:
            due[key] = stuck
            del _behind[key]
    if not due:
        return 0
    try:
        messages = await _read(read_events, {key: heads[key] for key in due})
    except Exception:
        logger.warning("journal tail: reading the head events failed", exc_info=True)
        return 0
    handed = 0
    for key, followers in due.items():
        message = messages.get(key)
        if message is None:
            continue
        for follower in followers:
            # One task per socket: one busy with a long command must not hold the others.
            task = asyncio.ensure_future(_deliver(follower, message))
            _deliveries.add(task)
            task.add_done_callback(_deliveries.discard)
            handed += 1
    if handed:
        logger.info("journal tail: %d sockets were behind on %d streams", handed, len(due))
    return handed


async def _deliver(follower: Follower, message: dict[str, Any]) -> None:
    try:
        await follower.tail_send(message)
    except Exception:
        # The gap's read failed (the database went away): the socket is still
        # behind, and a later pass tries again.
        logger.warning("journal tail: delivering %s.%s #%s failed", message["target"], message["id"],
                       message["seq"], exc_info=True)


def next_wake(interval: float, grace: float) -> float:
    """Seconds until the next pass: the interval, or sooner when a lag's grace ends before it."""
    if not _behind:
        return interval
    soonest = min(seen.seen_at for seen in _behind.values()) + grace - time.monotonic()
    return max(0.05, min(interval, soonest))


def ensure_tail_loop() -> None:
    """Start this event loop's pass loop, once, unless ``TAIL_INTERVAL`` is 0."""
    if settings.POKERRT_REALTIME["TAIL_INTERVAL"] > 0:
        passes.ensure()


def _wait() -> float:
    conf = settings.POKERRT_REALTIME
    return next_wake(conf["TAIL_INTERVAL"], conf["TAIL_GRACE"])


passes = PassLoop("journal tail", lambda: tail_pass(settings.POKERRT_REALTIME["TAIL_GRACE"]), _wait)


async def close_connection() -> None:
    """Close the tail thread's database connection (tests, before their database goes)."""
    await asyncio.get_running_loop().run_in_executor(_thread, _close_connection)


def _close_connection() -> None:
    # Looked up here, in the tail's thread: each thread has its own connection.
    connection.close()
