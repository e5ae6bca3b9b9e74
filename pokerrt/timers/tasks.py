"""Celery tasks of the timers: thin, they take a key and a version and call an action.

Beat runs ``sweep_deadlines`` every ``TIMERS_SWEEP_SECONDS`` (settings'
``CELERY_BEAT_SCHEDULE``). ``wake_up`` is the Celery backend's way of asking
for a wake-up (registered by TimersConfig.ready()).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task

from pokerrt import clock

from . import actions

# RabbitMQ closes a channel whose message stays unacknowledged longer than its
# consumer_timeout (30 minutes by default), and a Celery worker holds an eta
# task unacknowledged until it runs. Wake-ups further away are sent for this
# far ahead instead; ``fire`` finds them early and re-arms for the rest.
MAX_ETA = timedelta(minutes=10)


@shared_task(ignore_result=True)
def fire_deadline(key: str, version: int) -> bool:
    return actions.fire(key, version)


@shared_task(ignore_result=True)
def sweep_deadlines() -> int:
    return actions.sweep()


def wake_up(key: str, version: int, at: datetime) -> None:
    """Send ``fire_deadline`` with an eta, never more than MAX_ETA ahead."""
    eta = min(at, clock.now() + MAX_ETA)
    fire_deadline.apply_async(args=[key, version], eta=eta)
