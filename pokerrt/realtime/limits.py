"""Per-connection command rate limit (PROTOCOL.md section 4): a token bucket."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; each command takes one.

    ``excess`` counts the commands refused since the bucket was last full: it
    measures sustained abuse, and a client that backs off until its bucket
    refills starts again from zero.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        # Tokens left, as of ``updated``.
        self.tokens = float(burst)
        self.updated = clock()
        self.excess = 0

    def take(self) -> bool:
        """Take a token; False (and one more excess) when the bucket is empty."""
        self._refill()
        if self.tokens >= self.burst:
            self.excess = 0
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.excess += 1
        return False

    def credit(self) -> None:
        """Give one token back, up to ``burst``: the server asked this client for a command."""
        self._refill()
        self.tokens = min(float(self.burst), self.tokens + 1)

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
