"""The journal: ``emit`` writes the next event of a stream, commit broadcasts it.

Only actions call :func:`emit`: functions of an ``actions.py`` or of a module
in an ``actions/`` package (tests/realtime/test_streams.py holds everyone to it), always inside the transaction that changes the state
the event describes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import re
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from pokerrt import event_ids, metrics, retry
from pokerrt.hotpath import insert

from .envelope import format_timestamp
from .models import Event, Stream
from .registry import is_known_target, stream_type

logger = logging.getLogger(__name__)

# Channel-layer group names allow these characters only (and fewer than 100).
STREAM_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class NotInTransaction(RuntimeError):
    """``emit`` was called outside ``transaction.atomic``."""


def group_name(target: str, stream_id: str | int) -> str:
    """The channel-layer group of a stream: ``table.17``."""
    return f"{target.lower()}.{stream_id}"


def check_stream(target: str, stream_id: str | int) -> str:
    """The stream id as a string; raises ValueError for an id no group can carry."""
    sid = str(stream_id)
    if not STREAM_ID_RE.match(sid):
        raise ValueError(f"bad stream id {sid!r} for {target}")
    return sid


def event_frame(event: Event) -> dict[str, Any]:
    """The envelope of one journaled event (PROTOCOL.md section 2)."""
    return {
        "type": event.type,
        "target": event.target,
        "id": event.stream_id,
        "data": event.data,
        "timestamp": format_timestamp(event.timestamp),
        "seq": event.seq,
        "epoch": event.epoch,
        "event_id": str(event.event_id),
    }


def event_text(event: Event) -> str:
    """The JSON text of :func:`event_frame`, as ``json.dumps`` writes it.

    An event just emitted carries its data's JSON (``data_json``, encoded
    once by :func:`emit_many` for the journal): the frame is written around
    it instead of encoding the data a second time.
    """
    data_json = getattr(event, "data_json", None)
    if data_json is None:
        return json.dumps(event_frame(event), cls=DjangoJSONEncoder)
    # The keys and separators of json.dumps(event_frame(event)), byte for byte
    # (tests/realtime/test_event_text.py holds it to that).
    return (f'{{"type": {_quote(event.type)}, "target": {_quote(event.target)}, "id": {_quote(event.stream_id)}, '
            f'"data": {data_json}, "timestamp": "{format_timestamp(event.timestamp)}", "seq": {int(event.seq)}, '
            f'"epoch": {_quote(event.epoch)}, "event_id": "{event.event_id}"}}')


def event_message(event: Event) -> dict[str, Any]:
    """The channel-layer message for an event: encoded once, whatever the fan-out.

    ``awaited_user`` is the user the event asks to act (the stream type's
    hook), worked out here once rather than by every subscriber.
    """
    declared = stream_type(event.target)
    hook = declared.awaited_user if declared is not None else None
    return {
        "type": "event.send",
        "target": event.target,
        "id": event.stream_id,
        "seq": event.seq,
        "epoch": event.epoch,
        "text": event_text(event),
        # For the commit-to-send latency (pokerrt_delivery_seconds), as epoch seconds.
        "timestamp": event.timestamp.timestamp(),
        "awaited_user": hook(event.type, event.data) if hook is not None else None,
    }


# One event to journal: (target, stream id, type, data).
Emission = tuple[str, "str | int", str, dict[str, Any]]


def emit(target: str, stream_id: str | int, type: str, data: dict[str, Any]) -> Event:
    """Journal the next event of stream (target, stream_id); broadcast it on commit.

    Must run inside ``transaction.atomic``: the event commits (or rolls back)
    with the state change it describes. The stream row is locked to take the
    next seq, so seqs are gap-free and in commit order.
    """
    return emit_many([(target, stream_id, type, data)])[0]


def emit_many(emissions: list[Emission]) -> list[Event]:
    """Journal several events at once, in order; broadcast them in that order on commit.

    What one action causes (a betting action, the street it deals, the hand's
    end) costs one seq update for all the streams it touches (:func:`next_seqs`)
    and one insert for all events, instead of a round trip pair per event.
    """
    if not connection.in_atomic_block:
        raise NotInTransaction("emit() must be called inside transaction.atomic()")
    if not emissions:
        return []
    checked = []
    counts: dict[tuple[str, str], int] = {}
    for target, stream_id, type, data in emissions:
        if not is_known_target(target):
            raise ValueError(f"unknown target {target!r}")
        sid = check_stream(target, stream_id)
        counts[(target, sid)] = counts.get((target, sid), 0) + 1
        # Encoded once, now, so a value JSON cannot hold fails here, not after
        # commit: the journal stores this text and the frames carry it; the
        # event's data is the value read back from it.
        text = _encode(data)
        checked.append((target, sid, type, json.loads(text), text))
    # The first seq each stream gives this batch, taken under the stream's lock.
    next_of = {}
    for (target, sid), (last, epoch) in next_seqs(counts).items():
        next_of[(target, sid)] = [last - counts[(target, sid)] + 1, epoch]
    stamp = timezone.now()
    events = []
    for target, sid, type, data, text in checked:
        taken = next_of[(target, sid)]
        event = Event(target=target, stream_id=sid, seq=taken[0], epoch=taken[1], type=type, data=data,
                      timestamp=stamp, event_id=event_ids.uuid4())
        event.data_json = text
        events.append(event)
        taken[0] += 1
    insert(events, prepared=_stored_json(events))
    transaction.on_commit(lambda: broadcast_all(events))
    return events


# One encoder for every event: json.dumps(cls=...) builds one per call. Its
# encode() keeps no state between calls, so the threads may share it.
_encode = DjangoJSONEncoder().encode


def _stored_json(events: list[Event]) -> dict[str, list[Any]] | None:
    """The events' ``data`` as the insert binds it, from the JSON :func:`emit_many` encoded (no second encoding).

    The text is what ``JSONField`` would bind on SQLite (``json.dumps``, no
    encoder: the data read back from DjangoJSONEncoder's text holds only JSON
    values, which encode to that same text); on PostgreSQL the ``Jsonb`` it
    binds writes that text. Other databases encode again.
    """
    vendor = connection.vendor
    if vendor == "sqlite":
        return {"data": [event.data_json for event in events]}
    if vendor == "postgresql":
        from django.db.backends.postgresql.psycopg_any import Jsonb

        return {"data": [Jsonb(event.data, dumps=lambda _data, text=event.data_json: text) for event in events]}
    return None


def broadcast_all(events: list[Event]) -> None:
    """Send committed events to their groups, in order: :func:`broadcast` each.

    On a server's sync thread the sends of the whole batch are handed to the
    event loop at once: each hand-over wakes the loop through its self-pipe,
    and the sync thread then waits for the GIL.
    """
    batch = _batch.sends = []
    try:
        for event in events:
            metrics.EVENTS.labels(event.target, event.type).inc()
            broadcast(event)
    finally:
        _batch.sends = None
        if batch:
            loop = batch[0][0]
            loop.call_soon_threadsafe(_queue_sends, loop, [send[1:] for send in batch])


# The sends broadcast_all is gathering on this thread, or None.
_batch = threading.local()


def next_seq(target: str, stream_id: str, count: int = 1) -> tuple[int, str]:
    """Take the stream's next ``count`` seqs; return the last and the epoch. The row stays locked.

    One UPDATE ... RETURNING (PostgreSQL, SQLite >= 3.35) both locks the row
    and counts: emit sits on every hot path, so it costs one round trip.
    """
    table = connection.ops.quote_name(Stream._meta.db_table)
    sql = f"UPDATE {table} SET seq = seq + %s WHERE target = %s AND stream_id = %s RETURNING seq, epoch"
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, target, stream_id])
        row = cursor.fetchone()
        if row is None:
            lock_stream(target, stream_id)
            cursor.execute(sql, [count, target, stream_id])
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


def next_seqs(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], tuple[int, str]]:
    """:func:`next_seq` for several streams at once: (target, id) -> (its last seq, its epoch). The rows stay locked.

    A deal or a hand's end takes seqs on the TABLE stream and on every dealt
    player's PLAYER stream: one UPDATE ... RETURNING for all of them, its SQL
    written once per number of streams. A stream with no row yet gets one
    (``lock_stream``) and its seqs on its own, after.
    """
    if len(counts) == 1:
        [((target, sid), count)] = counts.items()
        return {(target, sid): next_seq(target, sid, count)}
    keys = list(counts)
    sql = _next_seqs_sql.get((len(keys), connection.vendor))
    if sql is None:
        q = connection.ops.quote_name
        match = f"({q('target')} = %s AND {q('stream_id')} = %s)"
        sql = _next_seqs_sql[(len(keys), connection.vendor)] = (
            f"UPDATE {q(Stream._meta.db_table)} SET {q('seq')} = {q('seq')} + CASE "
            + " ".join([f"WHEN {match} THEN %s"] * len(keys))
            + f" END WHERE {' OR '.join([match] * len(keys))} RETURNING {q('target')}, {q('stream_id')}, "
            f"{q('seq')}, {q('epoch')}"
        )
    params: list[Any] = []
    for target, sid in keys:
        params += [target, sid, counts[(target, sid)]]
    for target, sid in keys:
        params += [target, sid]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        taken = {(str(row[0]), str(row[1])): (int(row[2]), str(row[3])) for row in cursor.fetchall()}
    for target, sid in keys:
        if (target, sid) not in taken:
            taken[(target, sid)] = next_seq(target, sid, counts[(target, sid)])
    return taken


# (number of streams, database vendor) -> the UPDATE of next_seqs.
_next_seqs_sql: dict[tuple[int, str], str] = {}


def lock_stream(target: str, stream_id: str) -> Stream:
    """The stream's row, created on first use, locked until the transaction ends."""
    stream, _ = Stream.objects.select_for_update().get_or_create(target=target, stream_id=stream_id)
    return stream


def broadcast(event: Event) -> None:
    """Send a committed event to its stream's group (every node's subscribers).

    From a consumer's sync thread the send is handed to the server's event
    loop without waiting for it: the thread goes back to the next command
    while one task per loop sends events in commit order. Elsewhere
    (management commands, Celery) it waits for the send.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = group_name(event.target, event.stream_id), event_message(event)
    loop = _server_loop()
    if loop is None:
        _send_now(layer, group, message, event)
    elif getattr(_batch, "sends", None) is not None:
        _batch.sends.append((loop, layer, group, message))
    else:
        loop.call_soon_threadsafe(_queue_sends, loop, [(layer, group, message)])


def _send_now(layer: Any, group: str, message: dict[str, Any], event: Event) -> None:
    if _called_from_stopped_server():
        # The server is shutting down (a consumer's disconnect wrote this):
        # async_to_sync would wait for its stopped loop for ever. Send from a
        # loop of our own, bounded, so other nodes still get the event.
        sender = threading.Thread(target=lambda: asyncio.run(layer.group_send(group, message)), daemon=True)
        sender.start()
        sender.join(timeout=2)
        return
    try:
        retry.call(async_to_sync(layer.group_send), group, message, what=f"broadcast to {group}",
                   policy=retry.CHANNEL_SEND, transactional=False)
    except Exception:
        # The event is committed: subscribers that miss it see the gap and
        # recover from the journal, so a broken layer must not fail the action.
        logger.exception("broadcast of %s.%s #%s failed", event.target, event.stream_id, event.seq)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that called this sync thread (database_sync_to_async), if any."""
    threadlocal = SyncToAsync.threadlocal
    if getattr(threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def _called_from_stopped_server() -> bool:
    """Whether this is a server's sync thread whose event loop no longer runs."""
    threadlocal = SyncToAsync.threadlocal
    loop = getattr(threadlocal, "main_event_loop", None)
    return getattr(threadlocal, "main_event_loop_pid", None) == os.getpid() and loop is not None


# Per event loop: the sends waiting, drained in order by one task at a time.
_outbox: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, deque[tuple[Any, str, dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)
_draining: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _queue_sends(loop: asyncio.AbstractEventLoop, sends: list[tuple[Any, str, dict[str, Any]]]) -> None:
    _outbox.setdefault(loop, deque()).extend(sends)
    if loop not in _draining:
        _draining.add(loop)
        loop.create_task(_drain(loop))


async def _drain(loop: asyncio.AbstractEventLoop) -> None:
    pending = _outbox[loop]
    try:
        while pending:
            layer, group, message = pending.popleft()
            try:
                # The sends after it wait: a stream's events leave in commit order.
                await retry.call_async(layer.group_send, group, message, what=f"broadcast to {group}",
                                       policy=retry.CHANNEL_SEND)
            except Exception:
                logger.exception("broadcast to %s of #%s failed", group, message.get("seq"))
    finally:
        _draining.discard(loop)


@dataclass(frozen=True)
class StreamPosition:
    """Where a stream stands: the seq of its last event and its epoch."""

    seq: int
    epoch: str


def stream_position(target: str, stream_id: str) -> StreamPosition:
    """The stream's seq and epoch, its row locked: call inside the snapshot's transaction.

    The lock waits for any writer of the stream to commit and keeps the next
    one out until the snapshot is read, so snapshot and seq agree.
    """
    stream = lock_stream(target, stream_id)
    return StreamPosition(stream.seq, stream.epoch)


def committed_position(target: str, stream_id: str) -> StreamPosition | None:
    """The stream's last committed seq and epoch, unlocked; None for a stream never written.

    Enough for a replay (not a snapshot): a stream's seq and its events
    commit together, so every event up to the seq read is there to read.
    Thousands of clients replaying one table at once then do not queue on
    its row's lock, nor keep its next action waiting.
    """
    row = Stream.objects.filter(target=target, stream_id=stream_id).values_list("seq", "epoch").first()
    return StreamPosition(*row) if row is not None else None


def replay(
    target: str, stream_id: str, position: StreamPosition, since: int, epoch: str | None
) -> list[Event] | None:
    """Every journaled event after ``since`` up to ``position``, or None when any is missing.

    None also when ``epoch`` is not the stream's (the client's seqs mean
    nothing) or ``since`` is ahead of the stream: never a partial replay.
    """
    if epoch != position.epoch or not 0 <= since <= position.seq:
        return None
    return events_between(target, stream_id, position.epoch, since, position.seq + 1)


def events_between(target: str, stream_id: str, epoch: str, after: int, upto: int) -> list[Event] | None:
    """Events ``after < seq < upto`` of one epoch, or None when any is missing."""
    events = list(
        Event.objects.filter(
            target=target, stream_id=stream_id, epoch=epoch, seq__gt=after, seq__lt=upto
        ).order_by("seq")
    )
    if [e.seq for e in events] != list(range(after + 1, upto)):
        return None
    return events


# Streams whose events are one user's private view (hole cards, balance): the
# RabbitMQ bridge carries them only when EVENT_BUS_PUBLISH_PRIVATE is on.
PRIVATE_TARGETS = ("PLAYER",)


def awaiting_bus() -> QuerySet[Event]:
    """Journal rows the RabbitMQ relay has yet to publish: every unpublished one its streams carry."""
    unpublished = Event.objects.filter(published_at__isnull=True)
    if settings.EVENT_BUS_PUBLISH_PRIVATE:
        return unpublished
    return unpublished.exclude(target__in=PRIVATE_TARGETS)


def prune_journal(
    keep_events: int | None = None, keep_hours: float | None = None, now: dt.datetime | None = None
) -> int:
    """Delete journal rows past retention; returns how many went.

    An event is kept while it is among its stream's last ``keep_events`` or
    younger than ``keep_hours`` (whichever keeps more), and while the RabbitMQ
    relay has not published it (when the bus is on and carries its stream),
    but never past EVENT_BUS_RETENTION_HARD_HOURS: a relay down that long
    must not grow the journal for ever, so those go too, logged as an error.
    """
    conf = settings.POKERRT_REALTIME
    keep_events = conf["RETENTION_EVENTS"] if keep_events is None else keep_events
    keep_hours = conf["RETENTION_HOURS"] if keep_hours is None else keep_hours
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=keep_hours)
    hard_cutoff = now - dt.timedelta(hours=getattr(settings, "EVENT_BUS_RETENTION_HARD_HOURS", 168))
    bridged = bool(getattr(settings, "EVENT_BUS_URL", ""))
    waiting = (awaiting_bus() if bridged else Event.objects.none()).values("pk")
    deleted = lost = 0
    streams = Event.objects.filter(timestamp__lt=cutoff).order_by().values("target", "stream_id").distinct()
    for row in streams.iterator():
        last = (
            Stream.objects.filter(target=row["target"], stream_id=row["stream_id"])
            .values_list("seq", flat=True)
            .first()
        )
        if last is None:
            continue
        doomed = Event.objects.filter(
            target=row["target"],
            stream_id=row["stream_id"],
            timestamp__lt=cutoff,
            seq__lte=last - keep_events,
        )
        unpublished = doomed.filter(pk__in=waiting)
        overdue, _ = unpublished.filter(timestamp__lt=hard_cutoff).delete()
        if overdue:
            lost += overdue
            logger.error(
                "retention deleted %d events of %s.%s that the RabbitMQ relay never published "
                "(older than EVENT_BUS_RETENTION_HARD_HOURS): is manage.py relay_events running?",
                overdue, row["target"], row["stream_id"],
            )
        count, _ = doomed.exclude(pk__in=waiting).delete()
        deleted += count + overdue
    return deleted
