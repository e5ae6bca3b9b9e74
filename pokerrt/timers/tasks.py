"""Celery tasks of the timers: thin, they take a key and a version and call an action.

Beat runs ``sweep_deadlines`` every ``TIMERS_SWEEP_SECONDS`` (settings'
``CELERY_BEAT_SCHEDULE``).
"""

from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task(ignore_result=True)
def fire_deadline(key: str, version: int) -> bool:
    return actions.fire(key, version)


@shared_task(ignore_result=True)
def sweep_deadlines() -> int:
    return actions.sweep()
