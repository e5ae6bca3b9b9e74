"""Retry delays: doubling from the base up to the cap, each jittered, back to the base after a success."""

from __future__ import annotations

import random

from pokerrt.retry import Backoff


def test_delays_double_up_to_the_cap_each_between_half_and_all_of_it():
    backoff = Backoff(base=0.5, cap=8, rng=random.Random(7))
    ceilings = [0.5, 1, 2, 4, 8, 8, 8]
    for ceiling in ceilings:
        assert ceiling / 2 <= backoff.next_delay() <= ceiling


def test_jitter_spreads_relays_that_failed_together():
    delays = {Backoff(rng=random.Random(seed)).next_delay() for seed in range(20)}
    assert len(delays) == 20


def test_a_success_starts_again_from_the_base():
    backoff = Backoff(base=1, cap=30, rng=random.Random(1))
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 1
