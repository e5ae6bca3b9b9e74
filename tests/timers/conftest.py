from __future__ import annotations

import pytest

from tests.timers import handlers


@pytest.fixture(autouse=True)
def timers_isolated(settings):
    """Each test starts with no recorded firings and no scheduler bound to a loop.

    The backend is "inprocess" unless a test says otherwise, whatever the
    environment's CELERY_BROKER_URL: with no loop started, a wake-up is then
    only the row, as in a management command.
    """
    from pokerrt.timers.inprocess import scheduler

    settings.TIMERS_BACKEND = "inprocess"
    handlers.FIRED.clear()
    handlers.CALLS.clear()
    scheduler.loop = None
    yield
    scheduler.loop = None
