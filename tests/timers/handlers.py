"""Timer handlers for the timers' tests, importable by a Celery worker (``-I``).

``record`` appends what fired to ``FIRED`` (same-process tests) and, when the
payload names a file, a JSON line to it (a worker process's firings).

They register when this module is imported: it is no app, so has no ``ready()``.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from pokerrt.timers import register_timer_handler, schedule

# (payload, time.time() when the handler ran), in firing order.
FIRED: list[tuple[dict[str, Any], float]] = []
# Calls to the "tests.timers.locked" handler's lock and run, in order.
CALLS: list[str] = []

_file_lock = threading.Lock()


def record(payload: dict[str, Any]) -> None:
    now = time.time()
    FIRED.append((payload, now))
    if "log" in payload:
        from celery import current_task

        line = {"payload": payload, "at": now, "task": current_task.name if current_task else None}
        with _file_lock, open(payload["log"], "a") as log:
            log.write(json.dumps(line) + "\n")


def explode(payload: dict[str, Any]) -> None:
    FIRED.append((payload, time.time()))
    raise RuntimeError("handler failed")


def locked(payload: dict[str, Any]) -> None:
    CALLS.append(f"run {payload['n']}")


def next_turn(payload: dict[str, Any]) -> None:
    """Like an action clock: firing hands the clock to the next player, same key."""
    FIRED.append((payload, time.time()))
    from datetime import timedelta

    from django.utils import timezone

    schedule(
        payload["key"],
        "tests.timers.next_turn",
        timezone.now() + timedelta(seconds=30),
        {"key": payload["key"], "turn": payload["turn"] + 1},
    )


def _lock_user(payload: dict[str, Any]) -> object:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_for_update().get(pk=payload["user_id"])


def user_clock(payload: dict[str, Any]) -> None:
    """A handler whose owner row is a user, locked first like a table would be."""
    FIRED.append((payload, time.time()))


register_timer_handler("tests.timers.record", record)
register_timer_handler("tests.timers.explode", explode)
register_timer_handler("tests.timers.locked", locked, lock=lambda payload: CALLS.append(f"lock {payload['n']}"))
register_timer_handler("tests.timers.next_turn", next_turn)
register_timer_handler("tests.timers.user_clock", user_clock, lock=_lock_user)


HOUSEKEEPING_RUNS: list[float] = []


def housekeeping_job() -> None:
    """A periodic job of POKERRT_HOUSEKEEPING, for the in-process loop test."""
    HOUSEKEEPING_RUNS.append(time.time())


# Set by the job once it runs; the test sets the other to let it end.
SLOW_HOUSEKEEPING_STARTED = threading.Event()
SLOW_HOUSEKEEPING_RELEASE = threading.Event()


def slow_housekeeping_job() -> None:
    """A periodic job that takes as long as the test says, like a reconciler pass over a busy node."""
    SLOW_HOUSEKEEPING_STARTED.set()
    SLOW_HOUSEKEEPING_RELEASE.wait(60)
