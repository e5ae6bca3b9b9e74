"""The ``SYNC`` frames of this node: every ``DIGEST_INTERVAL`` seconds, each watched stream's digest.

Only streams that a socket of this node subscribed to with ``digest: true``
are digested, each once per pass whatever its number of watchers: one
snapshot read per stream, one frame encoded, then one channel-layer message
per watching socket (no query per subscriber). The consumer places the frame
after the event whose seq it names (``RealtimeConsumer.sync_send``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from .digest import StreamDigest, stream_digest
from .envelope import control_frame
from .frames import encode
from .passes import PassLoop

logger = logging.getLogger(__name__)

Key = tuple[str, str]

# (target, stream id) -> channel names of this process's sockets that asked for its digests.
_watchers: dict[Key, set[str]] = {}


def watch(key: Key, channel_name: str) -> None:
    _watchers.setdefault(key, set()).add(channel_name)


def unwatch(key: Key, channel_name: str) -> None:
    channels = _watchers.get(key)
    if channels is not None:
        channels.discard(channel_name)
        if not channels:
            del _watchers[key]


def watched() -> list[Key]:
    return sorted(_watchers)


def sync_message(key: Key, found: StreamDigest) -> dict[str, Any]:
    """The channel-layer message of one stream's SYNC: its frame encoded once for every watcher."""
    target, stream_id = key
    frame = control_frame("SYNC", {"seq": found.seq, "epoch": found.epoch, "digest": found.digest},
                          target, stream_id)
    return {"type": "sync.send", "target": target, "id": stream_id, "seq": found.seq,
            "epoch": found.epoch, "text": encode(frame)}


async def sync_pass(duty: float = 1.0) -> int:
    """Digest every watched stream and send its SYNC to its watchers; the number of messages sent.

    ``duty`` below 1 paces the pass: after each stream it rests so that the
    reads take about that share of the pass's time.
    """
    layer = get_channel_layer()
    sent = 0
    for key in watched():
        started = time.perf_counter()
        sent += await _sync_stream(layer, key)
        if duty < 1.0:
            await asyncio.sleep((time.perf_counter() - started) * (1.0 - duty) / duty)
    return sent


async def _sync_stream(layer: Any, key: Key) -> int:
    # One stream per hop of the consumers' sync thread: each read is one
    # short transaction, as a SUBSCRIBE's is, and commands go on between
    # the streams. In that thread no command is halfway through changing
    # a cached hand (tables.live) while the snapshot reads it; the timers'
    # thread can be, for a SYNC as for a SUBSCRIBE.
    try:
        found = await database_sync_to_async(stream_digest)(*key)
    except Exception:
        logger.exception("digest of %s.%s failed", *key)
        return 0
    if found is None:
        return 0
    message = sync_message(key, found)
    sent = 0
    # The watchers as they are now: a socket gone since the read gets nothing.
    for channel_name in list(_watchers.get(key, ())):
        try:
            await layer.send(channel_name, message)
            sent += 1
        except Exception:
            logger.exception("SYNC of %s.%s to %s failed", *key, channel_name)
    return sent


# The periodic pass's share of its own time, as the reconciler's
# (reconcile.PERIODIC_DUTY): a snapshot read per watched stream, back to back
# on a busy node, would hold the consumers' sync thread and the interpreter
# against the tables' commands for a noticeable stall; spread out, the pass
# still ends well within DIGEST_INTERVAL.
PERIODIC_DUTY = 0.1


def ensure_sync_loop() -> None:
    """Start this event loop's pass loop, once, unless ``DIGEST_INTERVAL`` is 0."""
    if settings.POKERRT_REALTIME["DIGEST_INTERVAL"] > 0:
        passes.ensure()


passes = PassLoop(
    "SYNC", lambda: sync_pass(duty=PERIODIC_DUTY), lambda: settings.POKERRT_REALTIME["DIGEST_INTERVAL"]
)
