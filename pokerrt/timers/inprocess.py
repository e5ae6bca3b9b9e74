"""In-process timers: the embedded profile's wake-ups, on the server's event loop.

Without a broker, the ASGI server itself keeps the timers. The first
connection or request starts them (:class:`TimerStartupMiddleware` calls
:func:`ensure_started`), which binds this module to the running loop, arms a
timer for every pending deadline (so a restart loses nothing) and starts the
periodic sweep. After that, every committed ``schedule`` arms one
``loop.call_later``; when it is due, ``fire`` runs in the scheduler's own
thread, since the ORM may not run on the loop.

Until a loop is started (a management command, a test without a server)
``wake_up`` does nothing: the row is the record, and the server's first sweep
fires it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.module_loading import import_string

from pokerrt import clock

from .actions import fire, sweep
from .models import Deadline

logger = logging.getLogger(__name__)

T = TypeVar("T")


class InProcessScheduler:
    """The timers of one event loop: at most one armed timer per deadline key."""

    def __init__(self) -> None:
        # The server's loop; None until ensure_started, or after stop.
        self.loop: asyncio.AbstractEventLoop | None = None
        # key -> (version, timer) of the wake-up armed for that key.
        self._armed: dict[str, tuple[int, clock.TimerHandle]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        # One task per POKERRT_HOUSEKEEPING job.
        self._housekeepers: list[asyncio.Task[None]] = []
        # fire() calls in flight, kept so they are not garbage-collected and
        # so stop() can wait for them.
        self._firing: set[asyncio.Task[None]] = set()
        # Calls running in the thread below (fires, sweeps, housekeeping),
        # so that settle() can wait for them.
        self._in_flight: set[asyncio.Future[Any]] = set()
        # The one thread that runs fire() and sweep(), since the ORM may not
        # run on the loop. Not the consumers' shared sync thread, so a due
        # timer does not wait behind their database work; one thread, because
        # firing is a short transaction and writes serialise on SQLite anyway,
        # and so stop() can close its database connection.
        self._thread: ThreadPoolExecutor | None = None
        # The periodic jobs' own thread: a reconciler pass over a busy node
        # takes seconds, and on the timers' thread every due action clock,
        # hand start and lobby update would wait behind it.
        self._housekeeping_thread: ThreadPoolExecutor | None = None

    def ensure_started(self) -> None:
        """Bind to the running loop and start the sweep; cheap when already started."""
        loop = asyncio.get_running_loop()
        if self.loop is loop:
            return
        # A previous loop (tests run one per test) took its timers with it.
        for thread in (self._thread, self._housekeeping_thread):
            if thread is not None:
                thread.shutdown(wait=False)
        self._armed = {}
        self._firing = set()
        self._in_flight = set()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pokerrt-timers",
                                          initializer=_serve_loop, initargs=(loop,))
        self._housekeeping_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pokerrt-housekeeping",
                                                       initializer=_serve_loop, initargs=(loop,))
        self.loop = loop
        self._sweeper = loop.create_task(self._sweep_forever(), name="pokerrt.timers.sweep")
        self._housekeepers = [
            loop.create_task(self._housekeep_forever(path, every), name=f"pokerrt.housekeeping.{path}")
            for path, every in getattr(settings, "POKERRT_HOUSEKEEPING", [])
        ]

    def wake_up(self, key: str, version: int, at: datetime) -> None:
        """Arm a timer for ``fire(key, version)`` at ``at``; callable from any thread."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._arm, key, version, at)
        except RuntimeError:
            pass  # the loop closed meanwhile; the next server's start arms the row

    async def stop(self) -> None:
        """Cancel every timer, the sweep and the queued fires; wait for the fire running."""
        for task in self._housekeepers:
            task.cancel()
        await asyncio.gather(*self._housekeepers, return_exceptions=True)
        self._housekeepers = []
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        for _, timer in self._armed.values():
            timer.cancel()
        # Fires still queued for the thread are dropped (their rows stay
        # pending for the next start or sweep): a loaded node stopping must
        # not first work through them. The one running finishes before the
        # thread closes its connection below.
        for task in self._firing:
            task.cancel()
        await asyncio.gather(*self._firing, return_exceptions=True)
        if self._thread is not None:
            await self._in_thread(connections.close_all)
            self._thread.shutdown(wait=False)
        if self._housekeeping_thread is not None:
            # After the job running there, if any, as for the fires above.
            await self._in_thread(connections.close_all, executor=self._housekeeping_thread)
            self._housekeeping_thread.shutdown(wait=False)
        self.loop = None
        self._thread = None
        self._housekeeping_thread = None
        self._sweeper = None
        self._armed = {}
        self._firing = set()

    def _arm(self, key: str, version: int, at: datetime) -> None:
        if self.loop is None:
            return  # stopped after this wake-up was posted
        armed = self._armed.get(key)
        if armed is not None:
            if armed[0] > version:
                return  # a newer scheduling of the key is already armed
            armed[1].cancel()
        delay = max((at - clock.now()).total_seconds(), 0.0)
        self._armed[key] = (version, clock.call_later(self.loop, delay, self._due, key, version))

    def _due(self, key: str, version: int) -> None:
        assert self.loop is not None
        if self._armed.get(key, (None,))[0] == version:
            del self._armed[key]
        task = self.loop.create_task(self._fire(key, version))
        self._firing.add(task)
        task.add_done_callback(self._firing.discard)

    async def _in_thread(self, fn: Callable[..., T], *args: Any, executor: ThreadPoolExecutor | None = None) -> T:
        assert self.loop is not None and self._thread is not None
        future = self.loop.run_in_executor(executor or self._thread, _with_fresh_connection, fn, *args)
        self._in_flight.add(future)
        future.add_done_callback(self._in_flight.discard)
        return await future

    async def settle(self) -> None:
        """Wait until no fire, sweep or housekeeping job is running or about to.

        For tests that move a :class:`~pokerrt.timers.clock.ManualClock` and
        then look at what fired.
        """
        while self._firing or self._in_flight:
            await asyncio.gather(*self._firing, *self._in_flight, return_exceptions=True)
            # The tasks that awaited them run up to their next wait.
            for _ in range(5):
                await asyncio.sleep(0)

    async def _fire(self, key: str, version: int) -> None:
        try:
            await self._in_thread(fire, key, version)
        except Exception:
            logger.exception("deadline %s v%s failed to fire", key, version)

    async def _housekeep_forever(self, path: str, every: float) -> None:
        """Run a periodic job of POKERRT_HOUSEKEEPING (beat's job when Celery runs)."""
        job = import_string(path)
        while True:
            await clock.sleep(every)
            try:
                await self._in_thread(job, executor=self._housekeeping_thread)
            except Exception:
                logger.exception("housekeeping job %s failed", path)

    async def _sweep_forever(self) -> None:
        try:
            for key, version, due_at in await self._in_thread(_pending):
                self._arm(key, version, due_at)
        except Exception:
            logger.exception("could not arm the pending deadlines; the sweep will fire them")
        while True:
            await clock.sleep(settings.TIMERS_SWEEP_SECONDS)
            try:
                await self._in_thread(sweep)
            except Exception:
                logger.exception("deadline sweep failed")


def _serve_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Mark the timers' thread as working for ``loop``, as asgiref marks the consumers' sync thread.

    Events a handler emits are then handed to the loop on commit
    (``streams.broadcast``) instead of each send spinning up an event loop of
    its own and waiting for it: hand starts fire here, and each emits a dozen
    events.
    """
    SyncToAsync.threadlocal.main_event_loop = loop
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


def _with_fresh_connection(fn: Callable[..., T], *args: Any) -> T:
    # As channels' database_sync_to_async does for the consumers: drop a
    # connection that has expired or broken since this thread last used it.
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


def _pending() -> list[tuple[str, int, datetime]]:
    return list(Deadline.objects.pending().values_list("key", "version", "due_at"))


scheduler = InProcessScheduler()


def ensure_started() -> None:
    """Start the in-process timers on the running loop, if they are the backend."""
    if settings.TIMERS_BACKEND == "inprocess":
        scheduler.ensure_started()


def wake_up(key: str, version: int, at: datetime) -> None:
    scheduler.wake_up(key, version, at)


class TimerStartupMiddleware:
    """ASGI middleware starting the in-process timers on the first connection or request."""

    # asgiref takes a class whose __call__ is no coroutine function for an ASGI 2 application.
    _asgi_single_callable = True

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        # Not a coroutine itself: it hands back the application's, so no frame
        # of this middleware stays with each WebSocket for its whole life.
        ensure_started()
        return self.app(scope, receive, send)
