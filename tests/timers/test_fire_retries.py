"""A deadline whose firing transaction loses a deadlock fires on the retry, once; a failing handler is not retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg.errors
import pytest
from django.db import OperationalError
from django.utils import timezone

from pokerrt import retry
from pokerrt.timers import actions, fire, register_timer_handler, schedule
from pokerrt.timers.models import Deadline
from tests.timers import handlers

pytestmark = pytest.mark.django_db(transaction=True)

# The payloads run, and the tries made, by the handler below.
RUNS: list[dict[str, Any]] = []
TRIES: list[int] = []


def loses_one_deadlock(payload: dict[str, Any]) -> None:
    TRIES.append(1)
    if len(TRIES) == 1:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.errors.DeadlockDetected as driver:
            raise OperationalError("deadlock detected") from driver
    RUNS.append(payload)


register_timer_handler("tests.timers.loses_one_deadlock", loses_one_deadlock)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    RUNS.clear()
    TRIES.clear()
    monkeypatch.setattr(retry, "TRANSACTION", retry.RetryPolicy(attempts=3, base=1e-6, cap=1e-6, time_budget=60))
    monkeypatch.setattr(actions, "request_wake_up", lambda *wake_up: None)


def test_a_deadline_that_loses_a_deadlock_fires_on_the_retry_once():
    version = schedule("table:1:action", "tests.timers.loses_one_deadlock",
                       timezone.now() - timedelta(seconds=1), {"n": 1})
    # when
    fired = fire("table:1:action", version)
    # then
    assert fired is True
    assert (len(TRIES), RUNS) == (2, [{"n": 1}])
    assert Deadline.objects.get(key="table:1:action").fired_at is not None
    assert fire("table:1:action", version) is False


def test_a_handler_that_fails_for_good_is_tried_once_and_stays_pending():
    version = schedule("table:2:action", "tests.timers.explode", timezone.now() - timedelta(seconds=1), {"n": 2})
    # when
    with pytest.raises(RuntimeError):
        fire("table:2:action", version)
    # then
    assert len(handlers.FIRED) == 1
    assert Deadline.objects.get(key="table:2:action").is_pending

