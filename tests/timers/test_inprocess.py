"""The in-process scheduler on a real event loop, firing into the test database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections, transaction

from pokerrt import clock
from pokerrt.timers import schedule
from pokerrt.timers.inprocess import TimerStartupMiddleware, ensure_started, scheduler
from pokerrt.timers.models import Deadline
from tests.timers import handlers

# Firing happens in worker threads, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

RECORD = "tests.timers.record"


@pytest.fixture(autouse=True)
async def sync_thread_connection_closed():
    """Close the connection of asgiref's sync thread, which the test's ORM calls used.

    Otherwise it outlives the test database on PostgreSQL, which then cannot be dropped.
    """
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def started(manual_clock):
    ensure_started()
    await crank(manual_clock, 0)
    yield scheduler
    await scheduler.stop()


async def crank(manual: clock.ManualClock, seconds: float) -> None:
    """Let ``seconds`` of timer time pass, and everything they set off finish."""
    await scheduler.settle()
    await manual.advance(seconds, between=scheduler.settle)
    await scheduler.settle()
    # What was found due meanwhile (the pending rows a start arms) runs now.
    await manual.advance(0, between=scheduler.settle)
    await scheduler.settle()


@sync_to_async
def schedule_committed(key: str, seconds: float, payload: dict | None = None):
    """An action in the consumers' sync thread, as database_sync_to_async runs it."""
    at = clock.now() + timedelta(seconds=seconds)
    with transaction.atomic():
        schedule(key, RECORD, at, payload or {"key": key})
    return at


def fired() -> list[str]:
    return [payload["key"] for payload, _ in handlers.FIRED]


async def test_a_deadline_fires_at_its_time_and_not_before(started, manual_clock):
    # given
    at = await schedule_committed("table:1:action", 30)
    # when: one tick short
    await crank(manual_clock, 29.99)
    # then
    assert fired() == []
    # when
    await crank(manual_clock, 0.01)
    # then
    assert fired() == ["table:1:action"]
    row = await Deadline.objects.aget(key="table:1:action")
    assert row.fired_at == at


async def test_rescheduling_replaces_the_armed_timer(started, manual_clock):
    await schedule_committed("table:1:action", 20, {"key": "table:1:action", "turn": 1})
    await schedule_committed("table:1:action", 40, {"key": "table:1:action", "turn": 2})
    # when: past the first time
    await crank(manual_clock, 30)
    # then: the replaced scheduling is gone
    assert handlers.FIRED == []
    # when
    await crank(manual_clock, 10)
    # then
    assert [payload["turn"] for payload, _ in handlers.FIRED] == [2]


async def test_starting_arms_the_deadlines_left_by_a_previous_process(manual_clock):
    # given: rows committed while no server loop ran (a restart, a management command)
    await schedule_committed("table:1:action", -5)
    await schedule_committed("table:2:action", 30)
    assert scheduler.loop is None
    # when
    ensure_started()
    try:
        await crank(manual_clock, 0)
        # then: the overdue one at once, the other at its time
        assert fired() == ["table:1:action"]
        await crank(manual_clock, 30)
        assert fired() == ["table:1:action", "table:2:action"]
    finally:
        await scheduler.stop()


async def test_the_periodic_sweep_fires_what_no_wake_up_was_asked_for(settings, manual_clock):
    settings.TIMERS_SWEEP_SECONDS = 5
    ensure_started()
    try:
        await crank(manual_clock, 0)  # past the start's arming of pending rows
        # given: a row another process committed, so no timer is armed here
        await Deadline.objects.acreate(
            key="table:1:action", handler=RECORD, due_at=clock.now(), version=1,
            payload={"key": "table:1:action"},
        )
        # when: not yet a sweep's interval
        await crank(manual_clock, 4.9)
        # then
        assert fired() == []
        # when
        await crank(manual_clock, 0.1)
        # then
        assert fired() == ["table:1:action"]
    finally:
        await scheduler.stop()


async def test_the_middleware_starts_the_timers_on_the_first_scope():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    # when
    await TimerStartupMiddleware(app)({"type": "websocket"}, None, None)
    # then
    try:
        assert seen == ["websocket"]
        assert scheduler.loop is asyncio.get_running_loop()
    finally:
        await scheduler.stop()


async def test_with_the_celery_backend_the_middleware_starts_nothing(settings):
    settings.TIMERS_BACKEND = "celery"

    async def app(scope, receive, send):
        pass

    await TimerStartupMiddleware(app)({"type": "http"}, None, None)
    assert scheduler.loop is None


async def test_housekeeping_jobs_run_periodically_in_the_server_loop(settings, manual_clock):
    # given: a job every 10 s (the journal's retention runs this way, hourly)
    settings.POKERRT_HOUSEKEEPING = [("tests.timers.handlers.housekeeping_job", 10)]
    handlers.HOUSEKEEPING_RUNS.clear()
    # when
    ensure_started()
    try:
        await crank(manual_clock, 9.9)
        runs_before_the_first_interval = len(handlers.HOUSEKEEPING_RUNS)
        await crank(manual_clock, 25.1)
    finally:
        await scheduler.stop()
    # then
    assert runs_before_the_first_interval == 0
    assert len(handlers.HOUSEKEEPING_RUNS) == 3


async def test_a_due_deadline_fires_while_a_housekeeping_job_is_still_running(settings, manual_clock):
    # given: a periodic job that runs until the test lets it end
    settings.POKERRT_HOUSEKEEPING = [("tests.timers.handlers.slow_housekeeping_job", 10)]
    handlers.SLOW_HOUSEKEEPING_STARTED.clear()
    handlers.SLOW_HOUSEKEEPING_RELEASE.clear()
    ensure_started()
    try:
        await manual_clock.advance(10)
        assert await asyncio.to_thread(handlers.SLOW_HOUSEKEEPING_STARTED.wait, 30)
        # when: an action clock falls due meanwhile
        await schedule_committed("table:1:action", 5)
        await manual_clock.advance(5)
        # then: it fires without waiting for the job (on the old single thread it waited for it)
        for _ in range(3000):
            if fired():
                break
            await asyncio.sleep(0.01)
        assert fired() == ["table:1:action"]
    finally:
        handlers.SLOW_HOUSEKEEPING_RELEASE.set()
        await scheduler.stop()


async def test_stopping_drops_queued_fires_and_the_next_start_fires_them(manual_clock):
    # given: many deadlines due at once, their fires queued behind each other
    for n in range(20):
        await schedule_committed(f"table:{n}:action", 10)
    ensure_started()
    await crank(manual_clock, 0)
    await manual_clock.advance(10)
    # when: the node stops before working through them
    await scheduler.stop()
    # then: whatever did not fire is still pending, and the next start fires it
    pending = await Deadline.objects.filter(fired_at__isnull=True).acount()
    assert len(fired()) + pending == 20
    ensure_started()
    try:
        await crank(manual_clock, 0)
    finally:
        await scheduler.stop()
    assert sorted(fired()) == sorted(f"table:{n}:action" for n in range(20))
