"""The read path's checks and reads (DESIGN.md, "Read path"): which stream, may this user, from where.

The consumer joins the stream's group, then calls these in its sync thread;
each read happens in one transaction, so a snapshot and its ``seq`` agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from pokerrt import errors

from . import registry
from .digest import digest, is_digested
from .envelope import Command
from .frames import encode
from .streams import (
    STREAM_ID_RE,
    StreamPosition,
    committed_position,
    event_frame,
    events_between,
    replay,
    stream_position,
)


@dataclass
class Subscription:
    """What this connection has forwarded of one stream."""

    # The seq of the last event sent (or the snapshot's); later ones must follow it.
    seq: int
    epoch: str
    # Whether the client asked for the stream's digests (SUBSCRIBE ``digest: true``).
    digest: bool = False
    # A SYNC that names a seq not forwarded yet: (that seq, its frame), sent right after that event.
    pending_sync: tuple[int, str] | None = None


@dataclass(frozen=True)
class SubscribeResult:
    position: StreamPosition
    # The replayed events' frames when recovered, else None and a snapshot.
    replayed: list[str] | None
    state: dict[str, Any] | None
    # The snapshot's digest, when the client asked for it and the target has one.
    digest: str | None = None


def named_stream(command: Command) -> tuple[str, str]:
    """The (target, id) an UNSUBSCRIBE or SUBSCRIBE names; VALIDATION naming what is missing."""
    if command.target is None or command.id is None:
        missing = {name: ["Required."] for name in ("target", "id") if getattr(command, name) is None}
        raise errors.Validation("Which stream?", details=missing)
    return command.target, command.id


def stream_of(command: Command) -> tuple[registry.StreamType, str]:
    target, stream_id = named_stream(command)
    stream_type = registry.stream_type(target)
    if stream_type is None:
        raise errors.Validation(
            f"No stream type {target}.",
            details={"target": [f"One of {', '.join(registry.registered_targets())}."]},
        )
    return stream_type, stream_id


def resume_point(command: Command) -> tuple[int | None, str | None]:
    """SUBSCRIBE's ``since`` and ``epoch``, each None when the client sent none."""
    since = command.data.get("since")
    epoch = command.data.get("epoch")
    problems = {}
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        problems["since"] = ["A whole number, 0 or more."]
    if epoch is not None and not isinstance(epoch, str):
        problems["epoch"] = ["A string."]
    if problems:
        raise errors.Validation(details=problems)
    return since, epoch


def digest_options(command: Command) -> tuple[bool, bool]:
    """SUBSCRIBE's ``digest`` (send the digest and SYNC frames) and ``mismatch`` (why it resubscribes)."""
    problems = {
        name: ["true or false."]
        for name in ("digest", "mismatch")
        if name in command.data and not isinstance(command.data[name], bool)
    }
    if problems:
        raise errors.Validation(details=problems)
    return bool(command.data.get("digest")), bool(command.data.get("mismatch"))


def check_access(target: str, stream_id: str, user: Any) -> registry.StreamType:
    stream_type = registry.stream_type(target)
    assert stream_type is not None
    if not STREAM_ID_RE.match(stream_id) or (
        stream_type.exists is not None and not stream_type.exists(stream_id)
    ):
        raise errors.NotFound(f"No {target} {stream_id}.")
    if not stream_type.can_subscribe(stream_id, user):
        raise errors.Forbidden(f"You may not subscribe to {target} {stream_id}.")
    return stream_type


def read_subscription(
    stream_type: registry.StreamType,
    stream_id: str,
    user: Any,
    since: int | None,
    epoch: str | None,
    with_digest: bool = False,
) -> SubscribeResult:
    """Replay after ``since`` when the journal holds it all, else a snapshot (and its digest); at one seq."""
    with transaction.atomic():
        position = stream_position(stream_type.target, stream_id)
        if since is not None:
            events = replay(stream_type.target, stream_id, position, since, epoch)
            if events is not None:
                return SubscribeResult(position, [encode(event_frame(e)) for e in events], None)
        state = stream_type.snapshot(stream_id, user)
    hashed = digest(state) if with_digest and is_digested(stream_type.target) else None
    return SubscribeResult(position, None, state, hashed)


def read_replay(stream_type: registry.StreamType, stream_id: str, since: int, epoch: str | None) -> SubscribeResult | None:
    """The replay after ``since`` when the journal holds it all, else None (a snapshot is needed).

    Reads rows only, unlocked: safe on a reader thread (pokerrt.realtime.readers),
    unlike a snapshot, which may use the process's cache of live hands.
    """
    position = committed_position(stream_type.target, stream_id)
    events = replay(stream_type.target, stream_id, position, since, epoch) if position is not None else None
    if position is None or events is None:
        return None
    return SubscribeResult(position, [encode(event_frame(e)) for e in events], None)


def missing_events(target: str, stream_id: str, epoch: str, after: int, upto: int) -> list[str] | None:
    """The frames of the events between two a connection received, or None if the journal lost some."""
    events = events_between(target, stream_id, epoch, after, upto)
    return None if events is None else [encode(event_frame(e)) for e in events]
