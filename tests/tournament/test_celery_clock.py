"""The tournament clock through a real Celery worker on the machine's RabbitMQ.

The worker and its queue are tests/timers' (``celery_processes``): it runs
on the test database, so a LEVEL_UP it fires lands in the journal here.
How late the level fires depends on the machine: measured and printed, not
asserted (docs/timers.md has the measured lateness).
"""

from __future__ import annotations

import time

import pytest

from lobby.actions import do_create_lobby
from pokerrt.realtime.models import Event
from tests.timers import test_celery_worker as celery_worker
from tournament import actions
from tournament.models import Tournament

pytestmark = [pytest.mark.rabbitmq, pytest.mark.live, pytest.mark.django_db(transaction=True)]

# tests/timers' worker and its queue, as this module's fixtures.
celery_processes = celery_worker.celery_processes
worker = celery_worker.worker
PATIENCE = celery_worker.PATIENCE


def _running_with_level_due_in(seconds: float, make_user) -> Tournament:
    """A started sit-and-go whose level 1 has ``seconds`` left (paused, its time left set, resumed)."""
    lobby = do_create_lobby("Clock")
    sng = actions.do_create_tournament(lobby, "Clock SNG", buy_in=0, min_players=2, max_players=2, table_size=2)
    for name in ("c1", "c2"):
        actions.do_register(make_user(name), sng.pk)
    actions.do_pause(sng.pk)
    Tournament.objects.filter(pk=sng.pk).update(paused_seconds_left=seconds)  # arrange: a short level
    return actions.do_resume(sng.pk)


def _level_ups(tournament: Tournament) -> list[Event]:
    return list(Event.objects.filter(target="TOURNAMENT", stream_id=str(tournament.pk), type="LEVEL_UP"))


def _wait_for_level_up(tournament: Tournament) -> None:
    deadline = time.monotonic() + PATIENCE
    while not _level_ups(tournament):
        assert time.monotonic() < deadline, "LEVEL_UP never fired"
        time.sleep(0.05)


def test_level_up_fires_at_its_deadline_through_the_worker(worker, make_user):
    sng = _running_with_level_due_in(2, make_user)
    due = sng.period_ends_at
    _wait_for_level_up(sng)
    [event] = _level_ups(sng)
    assert event.data["level"] == 2
    # The event's timestamp is when the worker's firing emitted it.
    lateness = (event.timestamp - due).total_seconds()
    print(f"\nLEVEL_UP lateness: {lateness:.3f} s")
    assert lateness >= 0


def test_a_worker_restart_neither_loses_nor_doubles_a_level(worker, make_user):
    sng = _running_with_level_due_in(3, make_user)
    # The worker holds the level's eta message; it dies before the level ends.
    worker.worker.kill()
    worker.worker.wait()
    worker.worker = None
    worker.start_worker()
    _wait_for_level_up(sng)
    time.sleep(1)  # failure bound only: a second firing would land within it
    sng.refresh_from_db()
    assert sng.level == 2 and len(_level_ups(sng)) == 1
