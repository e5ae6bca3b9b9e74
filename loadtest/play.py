"""Bots at their tables from buy-in to stop: the warm-up and the measured window the benches share.

The window opens once ``warmup`` seconds have passed *and* every table has seen
an action: a slow machine's buy-in burst then delays the window instead of
eating into it. It closes once ``seconds`` have passed *and* ``min_actions``
actions have come back: a percentile over a handful of samples says nothing,
and a smoke test on a busy machine still measures something. Both waits are
bounded (``PATIENCE``): a node that never gets there (a saturated old tree
under ``--ref``) is reported with a warning and measured as it is, not hung on.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import Any

# How long past its nominal length the warm-up or the window may wait for play.
PATIENCE = 300.0


class Play:
    """Every bot buys in and plays in its own task until ``stop``."""

    def __init__(self, bots: list[Any]) -> None:
        self.bots = bots
        self.tasks: list[asyncio.Task] = []
        self._stopping = False

    async def start(self) -> None:
        for bot in self.bots:
            await bot.send("TABLE_JOIN", "TABLE", bot.table_id, {"buy_in": 1000})
        self.tasks = [asyncio.create_task(self._play(bot)) for bot in self.bots]

    async def _play(self, bot: Any) -> None:
        # Ended by ``stop`` (cancelled); the timeout only bounds a run nobody stops.
        try:
            await bot.run(lambda b: self._stopping, timeout=24 * 3600)
        except TimeoutError:
            return

    def tables_waiting(self) -> int:
        """Tables none of whose bots has acted yet."""
        acted: dict[str, bool] = {}
        for bot in self.bots:
            acted[bot.table_id] = acted.get(bot.table_id, False) or bot.actions_sent > 0
        return sum(not a for a in acted.values())

    def measured(self) -> int:
        return sum(len(bot.latencies) for bot in self.bots)

    async def warm_up(self, seconds: float, label: str) -> None:
        await self._bar(seconds, f"warm-up ({label})", done=lambda: self.tables_waiting() == 0,
                        postfix=lambda: {"tables waiting": self.tables_waiting()},
                        why="some table has not dealt")

    def open_window(self) -> int:
        """Start counting; the number of actions in flight (sent, not back) at the opening."""
        in_flight = sum(1 for bot in self.bots if bot.action_in_flight)
        for bot in self.bots:
            bot.latencies.clear()
            bot.frames.clear()
            bot.actions_sent_before = bot.actions_sent
        # The bots' sockets and state live to the end: out of the collector's
        # sight, its full passes over this process stay short. Each such pass
        # stalls every bot, and the stall would count as the server's latency.
        gc.collect()
        gc.freeze()
        return in_flight

    async def window(self, seconds: float, label: str, min_actions: int = 0, players: int = 1) -> None:
        await self._bar(seconds, f"playing ({label})", done=lambda: self.measured() >= min_actions,
                        postfix=lambda: {"hands": sum(b.hands_ended for b in self.bots) // max(1, players)},
                        why=f"fewer than {min_actions} actions came back")

    async def _bar(self, seconds: float, desc: str, done: Callable[[], bool],
                   postfix: Callable[[], dict[str, Any]], why: str) -> None:
        from tqdm import tqdm

        started = time.monotonic()
        with tqdm(total=int(seconds), desc=desc, unit="s") as bar:
            while True:
                elapsed = time.monotonic() - started
                if elapsed >= seconds and done():
                    break
                if elapsed >= seconds + PATIENCE:
                    print(f"{desc}: {why} after {elapsed:.0f} s; going on as it is")
                    break
                left = seconds - elapsed
                await asyncio.sleep(min(1.0, left) if left > 0 else 0.1)
                bar.update(min(int(seconds), int(time.monotonic() - started)) - bar.n)
                bar.set_postfix(postfix())

    async def stop(self) -> None:
        self._stopping = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        # No answer still thinking may end a hand now (a closed socket changes no row).
        for bot in self.bots:
            await bot.close()
        gc.unfreeze()  # a --ref run's second round starts from a clean slate


def percentile_ms(sorted_seconds: list[float], p: float) -> float | None:
    """The ``p`` quantile (nearest rank, 0 < p < 1) of sorted durations in seconds, in milliseconds; None when empty."""
    if not sorted_seconds:
        return None
    return round(sorted_seconds[min(len(sorted_seconds) - 1, int(p * len(sorted_seconds)))] * 1000, 1)
