"""Settings of the Celery worker and beat that the live timers test starts.

The test settings, plus a queue of the test run's own, so that no other
worker on the shared RabbitMQ takes its messages and no stale message from an
earlier run reaches it, and the sweep's beat entry (the same entry settings.py
is meant to carry; see docs/timers.md).
"""

import os

from tests.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["POKERRT_TEST_TIMERS_QUEUE"]
CELERY_BEAT_SCHEDULE = {
    "timers-sweep": {
        "task": "pokerrt.timers.tasks.sweep_deadlines",
        "schedule": float(TIMERS_SWEEP_SECONDS),  # noqa: F405
        "options": {"expires": float(TIMERS_SWEEP_SECONDS)},  # noqa: F405
    }
}
