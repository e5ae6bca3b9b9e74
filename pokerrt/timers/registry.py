"""The handlers that deadlines name, such as ``"tables.action_clock"``.

A deadline row stores its handler's name, not a function, so that a Celery
worker in another process can run it. Each app registers its handlers (thin
functions in its ``tasks.py``: take the payload's ids, call an ``actions.py``
function) in its ``AppConfig.ready()``, which the web server and the Celery
worker both run at start-up, so both know the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]


class UnknownTimerHandler(LookupError):
    """A deadline names a handler that no installed app registers."""


@dataclass(frozen=True)
class TimerHandler:
    """What runs when a deadline fires."""

    name: str
    # Called inside the firing transaction, after the deadline was claimed.
    run: Callable[[Payload], None]
    # Takes the owner's row lock (``lock_table(payload["table_id"])``) before
    # the deadline row is locked: actions lock their aggregate first and then
    # (re)schedule, so firing must take the locks in that same order or the
    # two can deadlock on PostgreSQL.
    lock: Callable[[Payload], object] | None = None


_handlers: dict[str, TimerHandler] = {}


def register_timer_handler(
    name: str, run: Callable[[Payload], None], *, lock: Callable[[Payload], object] | None = None
) -> TimerHandler:
    """Let deadlines name ``run(payload)`` as ``name``; apps call it from their ``ready()``.

    Registering the same function again is harmless; another function under
    a taken name is a mistake that would make one app's deadlines run another's.
    """
    existing = _handlers.get(name)
    if existing is not None and _origin(existing.run) != _origin(run):
        raise ValueError(f"timer handler {name!r} is already registered by {_origin(existing.run)}")
    _handlers[name] = TimerHandler(name=name, run=run, lock=lock)
    return _handlers[name]


def handler_for(name: str) -> TimerHandler:
    """The handler registered as ``name``; raises :class:`UnknownTimerHandler`."""
    try:
        return _handlers[name]
    except KeyError:
        raise UnknownTimerHandler(
            f"no timer handler named {name!r}; register it with "
            f"register_timer_handler({name!r}, ...) in an installed app's AppConfig.ready()"
        ) from None


def _origin(fn: Callable[..., object]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
