"""What a harness run counts: deliveries, errors by code, and action-to-every-player latency.

Action to every player: a bot's ``PLAYER_ACTION`` command is sent at ``t0``
(:meth:`ActionClock.sent`); each client subscribed to that table (the bots
seated there, the sender included, and the spectators) takes one sample when
the broadcast of that action reaches it. The broadcast carries no ``turn``, so
an action is named by (table, hand, user) and its rank among that user's
actions in the hand: each receiver counts the broadcasts it saw, and the n-th
one is the n-th action sent (a refused one, answered ``ERROR``, is struck out
and never broadcast). Blinds and the server's own actions for a player
(``auto``) were sent by nobody and are not samples. All clients of a run share
one process and its clock.

Only what happens inside the measured window counts (``open_window``).
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from typing import Any

# Hands an ActionClock remembers sends for (older ones are dropped: every receiver is long past them).
HANDS_KEPT = 20_000

ActionKey = tuple[str, str, str]  # (table id, hand id, user id)


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when there are none)."""
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


class ActionClock:
    """When each action was sent, for every receiver of its broadcast to time itself against."""

    def __init__(self) -> None:
        # (table, hand) -> user -> send times in order (None: refused, never broadcast)
        self._sent: OrderedDict[tuple[str, str], dict[str, list[float | None]]] = OrderedDict()

    def sent(self, table_id: str, hand_id: str, user_id: str) -> tuple[ActionKey, int]:
        """Record a send now; the returned token strikes it out if the server refuses it."""
        hand = (table_id, hand_id)
        users = self._sent.get(hand)
        if users is None:
            users = self._sent[hand] = {}
            while len(self._sent) > HANDS_KEPT:
                self._sent.popitem(last=False)
        times = users.setdefault(user_id, [])
        times.append(time.perf_counter())
        return (table_id, hand_id, user_id), len(times) - 1

    def refused(self, token: tuple[ActionKey, int]) -> None:
        (table_id, hand_id, user_id), index = token
        times = self._sent.get((table_id, hand_id), {}).get(user_id)
        if times is not None and index < len(times):
            times[index] = None

    def sent_at(self, key: ActionKey, rank: int) -> float | None:
        """The send time of the ``rank``-th (from 0) broadcast action of ``key``, if a harness bot sent it."""
        table_id, hand_id, user_id = key
        times = [t for t in self._sent.get((table_id, hand_id), {}).get(user_id, ()) if t is not None]
        return times[rank] if rank < len(times) else None


class Stats:
    """The run's counters, shared by every client. Counting starts at ``open_window``."""

    def __init__(self) -> None:
        self.clock = ActionClock()
        self.started = time.perf_counter()
        self.window_opened: float | None = None
        self.window_closed: float | None = None
        self.deliveries = 0
        self.errors: Counter[str] = Counter()
        # (seconds since the window opened, latency in seconds), one per receiver of an action
        self.samples: list[tuple[float, float]] = []
        # Actions whose broadcast some receiver timed (each counted once, by its sender's own receipt).
        self.actions_timed = 0

    @property
    def counting(self) -> bool:
        return self.window_opened is not None and self.window_closed is None

    def open_window(self) -> None:
        self.window_opened = time.perf_counter()
        self.deliveries = 0
        self.errors.clear()
        self.samples.clear()
        self.actions_timed = 0

    def close_window(self) -> float:
        """Stop counting; the window's length in seconds."""
        self.window_closed = time.perf_counter()
        return self.window_closed - (self.window_opened or self.window_closed)

    def delivered(self) -> None:
        if self.counting:
            self.deliveries += 1

    def error(self, data: dict[str, Any]) -> None:
        if self.counting:
            self.errors[str(data.get("code"))] += 1

    def broadcast(self, key: ActionKey, rank: int, own: bool) -> None:
        """A receiver got the ``rank``-th broadcast action of ``key``; ``own``: the receiver sent it."""
        if not self.counting:
            return
        t0 = self.clock.sent_at(key, rank)
        if t0 is None or t0 < (self.window_opened or 0.0):
            return
        now = time.perf_counter()
        self.samples.append((now - (self.window_opened or now), now - t0))
        if own:
            self.actions_timed += 1

    def latency_ms(self) -> dict[str, float | None]:
        values = sorted(latency for _, latency in self.samples)
        return {name: (round(v * 1000, 1) if (v := percentile(values, p)) is not None else None)
                for name, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))}
