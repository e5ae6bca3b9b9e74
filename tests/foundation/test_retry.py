"""The retry policy: what is transient, how long it waits (injected random and sleep, never real time), when it stops."""

from __future__ import annotations

import asyncio
import random
import sqlite3

import pika.exceptions
import psycopg.errors
import pytest
import redis.exceptions
from channels.exceptions import ChannelFull
from django.db import IntegrityError, OperationalError, transaction

from pokerrt import errors, retry
from tests.metrics.helpers import value


def wrapped(driver_error: Exception) -> OperationalError:
    """The driver's error as Django raises it: its own class, the driver's as ``__cause__``."""
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as error:
        return error


def sqlite_busy() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    "error, kind",
    [
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), retry.DEADLOCK),
        (wrapped(psycopg.errors.SerializationFailure("could not serialize access")), retry.SERIALIZATION),
        (wrapped(sqlite_busy()), retry.DATABASE_LOCKED),
        (redis.exceptions.ConnectionError("Connection refused"), retry.CHANNEL_LAYER),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), retry.CHANNEL_LAYER),
        (pika.exceptions.AMQPConnectionError("refused"), retry.BROKER),
        (pika.exceptions.StreamLostError("lost"), retry.BROKER),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_transient_faults_are_known_by_kind(error, kind):
    assert retry.transient_kind(error) == kind


@pytest.mark.parametrize(
    "error",
    [
        errors.Validation(details={"buy_in": ["Too small."]}),
        errors.Conflict("Seat 3 is taken."),
        errors.Forbidden(),
        errors.NotYourTurn(),
        IntegrityError("duplicate key value violates unique constraint"),
        # The connection died: whether the COMMIT landed is unknown, so no retry.
        wrapped(psycopg.errors.AdminShutdown("terminating connection")),
        OperationalError("server closed the connection unexpectedly"),
        ChannelFull("a slow consumer's channel"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_everything_else_is_permanent(error):
    assert retry.transient_kind(error) is None


def test_a_protocol_error_raised_from_a_deadlock_is_permanent_and_a_bug_raised_while_handling_one_too():
    try:
        raise errors.Conflict("Taken.") from wrapped(psycopg.errors.DeadlockDetected("deadlock"))
    except errors.Conflict as refusal:
        assert retry.transient_kind(refusal) is None
    try:
        try:
            raise wrapped(psycopg.errors.DeadlockDetected("deadlock"))
        except OperationalError:
            raise KeyError("a bug in the except clause")  # noqa: B904
    except KeyError as bug:
        assert retry.transient_kind(bug) is None


class Script:
    """A function failing with the given errors in turn, then returning "done"; a fake sleep and clock beside it."""

    def __init__(self, *failures: Exception, seconds_per_try: float = 0.0) -> None:
        self.failures = list(failures)
        self.calls = 0
        self.slept: list[float] = []
        self.now = 0.0
        self.seconds_per_try = seconds_per_try

    def __call__(self) -> str:
        self.calls += 1
        self.now += self.seconds_per_try
        if self.failures:
            raise self.failures.pop(0)
        return "done"

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def run(self, policy: retry.RetryPolicy = retry.TRANSACTION, rng: random.Random | None = None) -> str:
        return retry.call(self, what="test", policy=policy, transactional=False, sleep=self.sleep,
                          clock=self.clock, rng=rng or random.Random(3))


def deadlock() -> OperationalError:
    return wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))


def count(kind: str, outcome: str) -> float:
    return value("pokerrt_retries_total", kind=kind, outcome=outcome)


def test_a_transient_fault_is_retried_and_the_call_succeeds_once():
    script = Script(deadlock())
    retried, recovered = count(retry.DEADLOCK, retry.RETRIED), count(retry.DEADLOCK, retry.RECOVERED)
    assert script.run() == "done"
    assert script.calls == 2 and len(script.slept) == 1
    assert count(retry.DEADLOCK, retry.RETRIED) == retried + 1
    assert count(retry.DEADLOCK, retry.RECOVERED) == recovered + 1


def test_a_validation_error_is_never_retried():
    script = Script(errors.Validation(details={"buy_in": ["Too small."]}))
    with pytest.raises(errors.Validation):
        script.run()
    assert (script.calls, script.slept) == (1, [])


def test_the_attempt_budget_stops_a_fault_that_does_not_pass_and_raises_the_last_one(caplog):
    policy = retry.RetryPolicy(attempts=3, base=0.01, cap=0.1, time_budget=60)
    last = deadlock()
    script = Script(deadlock(), deadlock(), last, deadlock())
    gave_up = count(retry.DEADLOCK, retry.GAVE_UP)
    with pytest.raises(OperationalError) as raised:
        script.run(policy)
    assert raised.value is last
    assert script.calls == 3 and len(script.slept) == 2
    assert count(retry.DEADLOCK, retry.GAVE_UP) == gave_up + 1
    levels = [record.levelname for record in caplog.records if record.name == "pokerrt.retry"]
    assert levels == ["WARNING", "WARNING", "ERROR"]


def test_the_time_budget_stops_retries_that_would_start_past_it():
    # Each try takes 0.6 s of the fake clock: a third would begin after 1 s.
    policy = retry.RetryPolicy(attempts=10, base=0.01, cap=0.01, time_budget=1.0)
    script = Script(*[deadlock() for _ in range(10)], seconds_per_try=0.6)
    with pytest.raises(OperationalError):
        script.run(policy)
    assert script.calls == 2


@pytest.mark.parametrize("jitter", ["full", "equal"])
def test_each_wait_lies_under_its_doubling_ceiling(jitter):
    policy = retry.RetryPolicy(attempts=8, base=0.01, cap=0.05, time_budget=60, jitter=jitter)
    for seed in range(30):
        script = Script(*[deadlock() for _ in range(7)])
        assert script.run(policy, random.Random(seed)) == "done"
        for retry_number, waited in enumerate(script.slept, start=1):
            ceiling = min(0.05, 0.01 * 2 ** (retry_number - 1))
            floor = ceiling / 2 if jitter == "equal" else 0.0
            assert floor <= waited <= ceiling


def test_the_waits_span_the_jitter_range_with_the_random_at_its_ends():
    class Ends(random.Random):
        def __init__(self, at: float) -> None:
            super().__init__()
            self.at = at

        def uniform(self, a: float, b: float) -> float:
            return a + (b - a) * self.at

    policy = retry.RetryPolicy(attempts=4, base=0.1, cap=0.3, time_budget=60)
    assert [policy.delay(n, Ends(1.0)) for n in (1, 2, 3)] == [0.1, 0.2, 0.3]
    assert [policy.delay(n, Ends(0.0)) for n in (1, 2, 3)] == [0.0, 0.0, 0.0]
    equal = retry.RetryPolicy(attempts=4, base=0.1, cap=0.3, time_budget=60, jitter="equal")
    assert [equal.delay(n, Ends(0.0)) for n in (1, 2, 3)] == [0.05, 0.1, 0.15]


def test_jitter_parts_two_losers_of_the_same_deadlock():
    delays = {retry.TRANSACTION.delay(1, random.Random(seed)) for seed in range(20)}
    assert len(delays) == 20


@pytest.mark.parametrize("bad", [dict(attempts=0), dict(base=0), dict(cap=0.001), dict(jitter="none")])
def test_a_policy_that_could_not_work_is_refused(bad):
    with pytest.raises(ValueError):
        retry.RetryPolicy(**{"attempts": 3, "base": 0.01, "cap": 0.1, "time_budget": 1.0, **bad})


@pytest.mark.django_db
def test_inside_a_transaction_it_refuses_to_retry_and_leaves_the_fault_to_the_caller():
    script = Script(deadlock())
    with transaction.atomic():
        with pytest.raises(OperationalError):
            retry.call(script, what="test", sleep=script.sleep, clock=script.clock)
    assert (script.calls, script.slept) == (1, [])


def test_a_channel_layer_send_whose_first_try_fails_is_retried():
    class FlakyLayer:
        def __init__(self) -> None:
            self.sent: list[tuple[str, dict]] = []
            self.failures = [redis.exceptions.ConnectionError("Connection reset by peer")]

        async def group_send(self, group: str, message: dict) -> None:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((group, message))

    layer, slept = FlakyLayer(), []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    asyncio.run(retry.call_async(layer.group_send, "table.1", {"seq": 1}, what="test", sleep=sleep,
                                 rng=random.Random(1)))
    assert layer.sent == [("table.1", {"seq": 1})]
    assert len(slept) == 1 and 0 <= slept[0] <= retry.CHANNEL_SEND.base


def test_the_bridges_backoff_counts_each_wait_as_a_retry():
    backoff = retry.Backoff(base=0.5, cap=4, rng=random.Random(2))
    before = count(retry.BROKER, retry.RETRIED)
    assert 0.25 <= backoff.next_delay(retry.BROKER) <= 0.5
    assert count(retry.BROKER, retry.RETRIED) == before + 1
