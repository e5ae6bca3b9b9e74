"""The hand-cranked clock the timer tests move time with."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pokerrt.clock import ManualClock


async def test_timers_run_in_due_order_each_seeing_its_own_time():
    clock = ManualClock()
    start = clock.now()
    seen = []
    loop = asyncio.get_running_loop()
    clock.call_later(loop, 2, lambda: seen.append(("b", clock.now() - start)))
    clock.call_later(loop, 1, lambda: seen.append(("a", clock.now() - start)))
    # when
    await clock.advance(5)
    # then
    assert seen == [("a", timedelta(seconds=1)), ("b", timedelta(seconds=2))]
    assert clock.now() - start == timedelta(seconds=5)


async def test_a_cancelled_timer_never_runs_and_time_does_not_move_by_itself():
    clock = ManualClock()
    seen = []
    handle = clock.call_later(asyncio.get_running_loop(), 1, seen.append, "x")
    handle.cancel()
    await clock.advance(10)
    assert seen == []
    before = clock.now()
    await asyncio.sleep(0.01)
    assert clock.now() == before


async def test_sleep_returns_once_the_clock_reaches_its_end():
    clock = ManualClock()
    sleeper = asyncio.ensure_future(clock.sleep(3))
    await clock.advance(2.5)
    assert not sleeper.done()
    await clock.advance(0.5)
    assert sleeper.done()


async def test_monotonic_counts_the_seconds_advanced():
    clock = ManualClock()
    before = clock.monotonic()
    await clock.advance(2.5)
    assert clock.monotonic() - before == 2.5
