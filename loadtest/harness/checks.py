"""What every harness client checks on each frame it receives: seq gaps and hole-card leaks.

Both must stay at zero whatever the load (PROTOCOL.md sections 2, 3 and 6):

- :class:`StreamChecker`: per stream, every event's ``seq`` is the one after
  the last applied (the ``SUBSCRIBED`` frame sets it) in the epoch the
  subscription named. A stream's event before its ``SUBSCRIBED``, a skipped or
  repeated ``seq``, a changed epoch without a fresh ``SUBSCRIBED``: a gap.
- :class:`LeakChecker`: a hole card reaching anyone but its owner. A PLAYER
  stream that is not the receiver's own is a leak whatever it holds; on the
  public streams (TABLE, LOBBY, TOURNAMENT: events and snapshots) every
  card-shaped value must be a board card or a card the rules showed (a
  ``SHOWDOWN`` hand), so a hole card anywhere else (a ``DEAL_CARDS`` with
  cards, a snapshot's seat, a deck proof revealing a mucked hand) is one.

No Django here: the checkers are for outside programs (the harness, the drills).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

CARD = re.compile(r"[2-9TJQKA][cdhs]")
# Free text a user or staff chose: "As" is a possible username, not a card.
TEXT_KEYS = frozenset({"username", "name", "description", "message", "memo", "reason"})
# Hands whose shown cards a checker remembers (a hand's SHOWDOWN precedes its HAND_END).
SHOWN_HANDS_KEPT = 256


class StreamChecker:
    """Contiguous ``seq`` per (target, id), from each ``SUBSCRIBED`` on."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], int] = {}
        self.epochs: dict[tuple[str, str], str] = {}
        self.gaps: list[str] = []
        self.events = 0
        # Streams the client unsubscribed from: events still in flight are not checked.
        self.left: set[tuple[str, str]] = set()

    def leave(self, target: str, stream_id: str) -> None:
        stream = (target, str(stream_id))
        self.left.add(stream)
        self.last.pop(stream, None)

    def subscriptions(self) -> list[tuple[str, str, int, str]]:
        """(target, id, last seq, epoch) of every stream followed: what a reconnect resubscribes with ``since``."""
        return [(target, id_, seq, self.epochs.get((target, id_)) or "") for (target, id_), seq in self.last.items()]

    def check(self, frame: dict[str, Any]) -> None:
        stream = (frame.get("target"), str(frame.get("id")))
        if frame.get("type") == "SUBSCRIBED":
            data = frame.get("data") or {}
            self.last[stream] = data.get("seq", 0)
            self.epochs[stream] = data.get("epoch")
            self.left.discard(stream)
            return
        if "seq" not in frame or stream in self.left:
            return
        self.events += 1
        if stream not in self.last:
            self.gaps.append(f"{stream}: seq {frame['seq']} before any SUBSCRIBED")
        else:
            expected = self.last[stream] + 1
            if frame["seq"] != expected:
                self.gaps.append(f"{stream}: got seq {frame['seq']}, expected {expected}")
            if frame.get("epoch") != self.epochs[stream]:
                self.gaps.append(f"{stream}: epoch {frame.get('epoch')} without a new SUBSCRIBED "
                                 f"(subscribed in {self.epochs[stream]})")
        self.last[stream] = frame["seq"]
        self.epochs.setdefault(stream, frame.get("epoch"))


def cards_in(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every card-shaped string in a JSON value, with where it is (free-text fields skipped)."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        if CARD.fullmatch(value):
            found.append((path, value))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in TEXT_KEYS:
                found.extend(cards_in(item, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(cards_in(item, f"{path}[{i}]"))
    return found


class LeakChecker:
    """Hole cards seen by someone who does not own them. ``owner`` is the receiver's user id (None: anonymous)."""

    def __init__(self, owner: str | None) -> None:
        self.owner = owner
        self.leaks: list[str] = []
        # hand_id -> cards the rules showed in it (SHOWDOWN), oldest hands dropped first
        self._shown: OrderedDict[str, set[str]] = OrderedDict()

    def check(self, frame: dict[str, Any]) -> None:
        kind, target = frame.get("type"), frame.get("target")
        if kind in ("PING", "PONG", "ACK", "ERROR") or target is None:
            return
        if target == "PLAYER":
            if self.owner is None or str(frame.get("id")) != self.owner:
                self.leaks.append(f"{kind} of PLAYER {frame.get('id')} reached {self.owner or 'an anonymous client'}")
            return
        data = frame.get("data") or {}
        if kind == "SUBSCRIBED":
            data = data.get("state") or {}
        allowed = self._allowed(kind, data)
        for path, card in cards_in(data):
            if card not in allowed:
                self.leaks.append(f"{target} {frame.get('id')} {kind}: {card} at {path} "
                                  f"(neither board nor shown) reached {self.owner or 'an anonymous client'}")

    def _allowed(self, kind: str, data: dict[str, Any]) -> set[str]:
        """The cards this frame may carry: its board, its new street's cards, what was shown."""
        allowed: set[str] = set()
        for board in _boards(data):
            allowed.update(c for c in board if isinstance(c, str))
        hand_id = str(data.get("hand_id")) if "hand_id" in data else None
        if kind in ("FLOP", "TURN", "RIVER"):
            allowed.update(data.get("cards") or ())
        if kind == "SHOWDOWN" and hand_id is not None:
            shown = self._shown.setdefault(hand_id, set())
            for hand in data.get("hands") or ():
                shown.update(hand.get("cards") or ())
                shown.update(hand.get("best") or ())
            while len(self._shown) > SHOWN_HANDS_KEPT:
                self._shown.popitem(last=False)
        if hand_id is not None:
            allowed |= self._shown.get(hand_id, set())
        return allowed


def _boards(value: Any) -> list[list[Any]]:
    """Every list under a ``board`` key, at any depth (an event's, a snapshot hand's)."""
    found: list[list[Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "board" and isinstance(item, list):
                found.append(item)
            else:
                found.extend(_boards(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_boards(item))
    return found
