"""Which streams exist and who may see them: each target declares its rules here.

This is the one list of targets. The protocol's own (LOBBY, TOURNAMENT,
TABLE, PLAYER) are registered by the app that owns each, from its
``AppConfig.ready()``; the core registers PLAYER.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (stream id, user) -> may this user subscribe?
CanSubscribe = Callable[[str, Any], bool]
# (stream id, user) -> the stream's whole state, JSON-ready.
Snapshot = Callable[[str, Any], dict[str, Any]]
# stream id -> is there such a lobby, table, ...?
Exists = Callable[[str], bool]
# (event type, event data) -> id of the user the event asks for a command, or None.
AwaitedUser = Callable[[str, dict[str, Any]], str | None]


@dataclass(frozen=True)
class StreamType:
    """How one target's streams are subscribed to."""

    target: str
    can_subscribe: CanSubscribe
    snapshot: Snapshot
    # None: every id exists (the snapshot function decides what it shows).
    exists: Exists | None = None
    # None: no event of this stream asks anyone for a command.
    awaited_user: AwaitedUser | None = None


# The protocol's targets (PROTOCOL.md section 2): events may be emitted on
# their streams, and their ids have one spelling (section 1).
_targets: set[str] = set()
# The targets a client may subscribe to, with their rules: the protocol's
# targets once their owner declares them, and stream types beyond the
# protocol's (the tests' TALLY, the benchmarks'), whose ids are any string.
_streams: dict[str, StreamType] = {}


def register_target(target: str) -> None:
    """Declare one of the protocol's targets: emit may write to it, and its ids are canonical.

    Subscribing to it takes :func:`register_stream` as well.
    """
    _targets.add(target.upper())


def register_stream(
    target: str,
    *,
    can_subscribe: CanSubscribe,
    snapshot: Snapshot,
    exists: Exists | None = None,
    awaited_user: AwaitedUser | None = None,
) -> StreamType:
    """Declare a target's streams; registering a target again replaces it.

    ``awaited_user`` names the user an event asks to act (a player's turn):
    that user's connections get a rate-limit token back, so answering the
    server's own requests never costs a client its command budget.
    """
    stream_type = StreamType(target.upper(), can_subscribe, snapshot, exists, awaited_user)
    _streams[stream_type.target] = stream_type
    return stream_type


def unregister_stream(target: str) -> None:
    _streams.pop(target.upper(), None)


def stream_type(target: str) -> StreamType | None:
    return _streams.get(target.upper())


def is_known_target(target: str) -> bool:
    return target in _targets or target in _streams


def has_canonical_ids(target: str) -> bool:
    """Whether ``target``'s streams answer to one spelling of each id (the protocol's do)."""
    return target in _targets


def registered_targets() -> list[str]:
    return sorted(_streams)


# PLAYER snapshot sections other apps fill: name -> fn(user) -> list.
_player_sections: dict[str, Callable[[Any], list[Any]]] = {}
PLAYER_SECTIONS = ("seats", "registrations")


def register_player_section(name: str, fn: Callable[[Any], list[Any]]) -> None:
    """Let another app fill a section of the PLAYER snapshot (``seats``, ``registrations``)."""
    _player_sections[name] = fn


def player_section_names() -> list[str]:
    """The default sections, then any other an app registered."""
    return list(dict.fromkeys((*PLAYER_SECTIONS, *_player_sections)))


def player_section(name: str, user: Any) -> list[Any]:
    fn = _player_sections.get(name)
    return fn(user) if fn else []
