"""Exponential backoff with jitter, for the bridge's retries while RabbitMQ (or the database) is away."""

from __future__ import annotations

import random


class Backoff:
    """Delays that double from ``base`` up to ``cap``, each drawn between half and all of it.

    The jitter spreads the reconnects of many relays and consumers that lost
    the same broker at the same moment, so they do not all knock at once.
    """

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()
        # Failures since the last success.
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0
