"""The token bucket of PROTOCOL.md section 4, on a clock the test moves."""

from __future__ import annotations

from pokerrt.realtime.limits import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_token_per_period():
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5
    assert [bucket.take() for _ in range(2)] == [True, False]
    assert bucket.excess == 2


def test_a_credit_gives_one_token_back():
    bucket = TokenBucket(rate=0, burst=2, clock=Clock())
    bucket.take()
    bucket.take()
    # when
    bucket.credit()
    # then
    assert [bucket.take() for _ in range(2)] == [True, False]


def test_credits_never_fill_the_bucket_past_its_burst():
    clock = Clock()
    bucket = TokenBucket(rate=1, burst=2, clock=clock)
    bucket.take()
    clock.now += 10  # refilled to the burst meanwhile
    # when
    for _ in range(5):
        bucket.credit()
    # then
    assert [bucket.take() for _ in range(3)] == [True, True, False]
