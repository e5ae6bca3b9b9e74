"""Deadlines on rows, wake-ups through Celery or the server's event loop.

Every timed thing is a :class:`~pokerrt.timers.models.Deadline` row. An action
calls ``schedule(key, handler, at, payload)`` inside its transaction; after
commit a wake-up is asked for (a Celery ``eta`` task when a broker is set, an
asyncio timer in the server otherwise), and when it comes ``fire`` runs the
registered handler only if the row still holds that scheduling and is due. A
periodic ``sweep`` fires what a lost wake-up missed. docs/timers.md has the
whole story.

The public API is importable from here::

    from pokerrt.timers import cancel, register_timer_handler, schedule

The actions are imported on first use: this package is an installed app, and
its models cannot load while Django is still importing the apps.
"""

from __future__ import annotations

from typing import Any

from .registry import UnknownTimerHandler, register_timer_handler

__all__ = ["cancel", "fire", "register_timer_handler", "schedule", "sweep", "UnknownTimerHandler"]

_ACTIONS = {"cancel", "fire", "schedule", "sweep"}


def __getattr__(name: str) -> Any:
    if name in _ACTIONS:
        from . import actions

        return getattr(actions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
