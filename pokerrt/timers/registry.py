"""The handlers that deadlines name: ``@timer_handler("tables.action_clock")``.

A deadline row stores its handler's name, not a function, so that a Celery
worker in another process can run it. Apps register their handlers in their
``tasks.py`` (thin: take the payload's ids, call an ``actions.py`` function);
the registry imports every installed app's ``tasks`` module the first time it
is asked for a name it does not know, so the web server finds them as the
worker does.
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


def timer_handler(
    name: str, *, lock: Callable[[Payload], object] | None = None
) -> Callable[[Callable[[Payload], None]], Callable[[Payload], None]]:
    """Register ``fn(payload) -> None`` as the handler called ``name``."""

    def register(fn: Callable[[Payload], None]) -> Callable[[Payload], None]:
        existing = _handlers.get(name)
        if existing is not None and _origin(existing.run) != _origin(fn):
            raise ValueError(f"timer handler {name!r} is already registered by {_origin(existing.run)}")
        _handlers[name] = TimerHandler(name=name, run=fn, lock=lock)
        return fn

    return register


def handler_for(name: str) -> TimerHandler:
    """The handler registered as ``name``; raises :class:`UnknownTimerHandler`."""
    if name not in _handlers:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
    try:
        return _handlers[name]
    except KeyError:
        raise UnknownTimerHandler(
            f"no timer handler named {name!r}; register it with "
            f"@timer_handler({name!r}) in an installed app's tasks.py"
        ) from None


def _origin(fn: Callable[..., object]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
