"""The state digest: a short hash of a stream's public snapshot that server and clients compute alike.

``SUBSCRIBED`` and the periodic ``SYNC`` frame carry it (docs/realtime.md,
"Version-1 additions"); a client whose own state hashes differently takes a
fresh snapshot. The canonical form is plain enough for any language: JSON
with keys sorted, no whitespace, non-ASCII characters as themselves, encoded
as UTF-8; the digest is the first 16 hex digits of its SHA-256.
``static/js/digest.mjs`` is the browser's copy, held to this one by
tests/web/test_client_logic.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from . import registry
from .streams import stream_position

# Hex digits kept of the SHA-256: 64 bits tell two states apart well enough
# for a check that only decides whether to fetch a snapshot.
DIGEST_LENGTH = 16

# stream id -> whether the snapshot read now equals what the stream's events
# have told its subscribers (a lobby's coalesced rows may be on their way).
Settled = Callable[[str], bool]


@dataclass(frozen=True)
class DigestedTarget:
    target: str
    # None: every snapshot is what the events built.
    settled: Settled | None = None


# The targets whose streams are digested: their snapshot is the same for every
# subscriber and events rebuild all of it (the consistency tests prove it).
_digested: dict[str, DigestedTarget] = {}


def register_digest(target: str, settled: Settled | None = None) -> None:
    """Digest ``target``'s snapshots (from the owning app's ``AppConfig.ready()``)."""
    _digested[target.upper()] = DigestedTarget(target.upper(), settled)


def is_digested(target: str) -> bool:
    return target.upper() in _digested


def canonical(state: Any) -> bytes:
    """The bytes the digest hashes: sorted keys, no whitespace, UTF-8.

    Snapshots hold only strings, integers, booleans, null, lists and objects
    with ASCII keys, so every JSON encoder that sorts keys writes the same text.
    """
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def digest(state: Any) -> str:
    """The first 16 hex digits of the SHA-256 of ``canonical(state)``."""
    return hashlib.sha256(canonical(state)).hexdigest()[:DIGEST_LENGTH]


@dataclass(frozen=True)
class StreamDigest:
    """A stream's digest and the position it was taken at."""

    seq: int
    epoch: str
    digest: str


def stream_digest(target: str, stream_id: str) -> StreamDigest | None:
    """The digest of the stream's snapshot at its current seq, read as a subscriber reads them.

    None when the target is not digested, the stream is gone, or its snapshot
    is ahead of its events for now (nothing to compare against).
    """
    declared, stream_type = _digested.get(target), registry.stream_type(target)
    if declared is None or stream_type is None:
        return None
    if stream_type.exists is not None and not stream_type.exists(stream_id):
        return None
    with transaction.atomic():
        # The stream's row lock keeps writers out until the snapshot is read, so
        # the digest is the state at exactly this seq.
        position = stream_position(target, stream_id)
        state = stream_type.snapshot(stream_id, None)
        # Asked after the snapshot: a change that commits in between is then seen as unsettled.
        if declared.settled is not None and not declared.settled(stream_id):
            return None
    return StreamDigest(position.seq, position.epoch, digest(state))
