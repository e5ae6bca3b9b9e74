"""The in-process scheduler on a real event loop, firing into the test database."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections, transaction
from django.utils import timezone

from pokerrt.timers import inprocess, schedule
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
async def started():
    ensure_started()
    yield scheduler
    await scheduler.stop()


@sync_to_async
def schedule_committed(key: str, seconds: float, payload: dict | None = None):
    """An action in the consumers' sync thread, as database_sync_to_async runs it."""
    at = timezone.now() + timedelta(seconds=seconds)
    with transaction.atomic():
        schedule(key, RECORD, at, payload or {"key": key})
    return at


# A failure bound only: each wait ends with the firing it waits for.
PATIENCE = 60


async def fired_keys(count: int) -> dict[str, float]:
    """Wait until ``count`` firings are recorded; their keys -> time.time()."""
    deadline = time.monotonic() + PATIENCE
    while len(handlers.FIRED) < count:
        assert time.monotonic() < deadline, f"{len(handlers.FIRED)} of {count} fired after {PATIENCE} s"
        await asyncio.sleep(0.01)
    return {payload["key"]: at for payload, at in handlers.FIRED}


async def test_a_deadline_fires_at_its_time_by_its_own_timer(settings):
    settings.TIMERS_SWEEP_SECONDS = 3600  # so no sweep can be what fires it
    ensure_started()
    try:
        # when
        at = await schedule_committed("table:1:action", 0.3)
        # then
        fired = await fired_keys(1)
    finally:
        await scheduler.stop()  # waits for the firing transaction to commit
    assert fired["table:1:action"] >= at.timestamp()
    row = await Deadline.objects.aget(key="table:1:action")
    assert row.fired_at is not None


async def test_rescheduling_replaces_the_armed_timer(started):
    await schedule_committed("table:1:action", 0.2, {"key": "table:1:action", "turn": 1})
    at = await schedule_committed("table:1:action", 0.4, {"key": "table:1:action", "turn": 2})
    # then: the first firing is the second scheduling's, and nothing else fires
    await fired_keys(1)
    await scheduler.stop()  # cancels what is armed, waits for what fires
    assert [payload["turn"] for payload, _ in handlers.FIRED] == [2]
    assert handlers.FIRED[0][1] >= at.timestamp()


async def test_starting_arms_the_deadlines_left_by_a_previous_process():
    # given: rows committed while no server loop ran (a restart, a management command)
    await schedule_committed("table:1:action", -5)
    await schedule_committed("table:2:action", 0.3)
    assert scheduler.loop is None
    # when
    ensure_started()
    try:
        fired = await fired_keys(2)
    finally:
        await scheduler.stop()
    # then
    assert set(fired) == {"table:1:action", "table:2:action"}


async def test_the_periodic_sweep_fires_what_no_wake_up_was_asked_for(settings, monkeypatch):
    settings.TIMERS_SWEEP_SECONDS = 0.2
    # given: a row another process commits after this one armed what was pending
    monkeypatch.setattr(inprocess, "_pending", lambda: [])
    await Deadline.objects.acreate(
        key="table:1:action", handler=RECORD, due_at=timezone.now(), version=1,
        payload={"key": "table:1:action"},
    )
    # when
    ensure_started()
    # then
    try:
        fired = await fired_keys(1)
    finally:
        await scheduler.stop()
    assert "table:1:action" in fired


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


async def test_housekeeping_jobs_run_periodically_in_the_server_loop(settings):
    # given: a job every 0.1 s (the journal's retention runs this way, hourly)
    settings.POKERRT_HOUSEKEEPING = [("tests.timers.handlers.housekeeping_job", 0.1)]
    handlers.HOUSEKEEPING_RUNS.clear()
    # when
    ensure_started()
    deadline = time.monotonic() + PATIENCE
    try:
        while len(handlers.HOUSEKEEPING_RUNS) < 3:
            assert time.monotonic() < deadline, f"{len(handlers.HOUSEKEEPING_RUNS)} runs after {PATIENCE} s"
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    # then: again and again, a period apart at least (a busy machine only spaces them more)
    runs = handlers.HOUSEKEEPING_RUNS
    assert all(later - earlier >= 0.09 for earlier, later in itertools.pairwise(runs))
