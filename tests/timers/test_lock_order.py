"""Firing takes the owner's lock before the deadline's, as actions do: no deadlock.

An action locks its aggregate and then reschedules its deadline; a wake-up
arriving at that moment must wait on the aggregate, not hold the deadline row
while it waits (PostgreSQL would abort one of the two after deadlock_timeout).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from pokerrt.timers import fire, schedule
from pokerrt.timers.models import Deadline
from tests.timers import handlers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only real on PostgreSQL (run with DATABASE_URL)")


# A failure bound only: each wait ends with what it waits for.
PATIENCE = 60


def wait_for_a_lock_waiter(woke: threading.Event) -> None:
    """Return once another session of this database waits for a lock, or ``woke`` is set."""
    deadline = time.monotonic() + PATIENCE
    with connection.cursor() as cursor:
        while not woke.is_set():
            # Activity is a snapshot per transaction: clear it to see the present.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, f"no session waited for a lock within {PATIENCE} s"
            time.sleep(0.01)


def test_a_wake_up_during_a_rescheduling_action_waits_for_it_and_finds_itself_stale(make_user):
    user = make_user("alice")
    key = f"user:{user.pk}:clock"
    with transaction.atomic():
        stale = schedule(key, "tests.timers.user_clock", timezone.now(), {"user_id": user.pk})
    action_has_lock = threading.Event()
    woke = threading.Event()
    outcome: dict[str, object] = {}

    def action() -> None:
        try:
            with transaction.atomic():
                get_user_model().objects.select_for_update().get(pk=user.pk)
                action_has_lock.set()
                wait_for_a_lock_waiter(woke)  # the wake-up arrives and blocks meanwhile
                outcome["version"] = schedule(
                    key, "tests.timers.user_clock", timezone.now() + timedelta(seconds=30),
                    {"user_id": user.pk},
                )
        except Exception as error:
            outcome["action error"] = error
        finally:
            connection.close()

    def wake_up() -> None:
        action_has_lock.wait(PATIENCE)
        try:
            outcome["fired"] = fire(key, stale)
        except Exception as error:  # a deadlock (PostgreSQL aborts one side) surfaces here or in action()
            outcome["error"] = error
        finally:
            woke.set()
            connection.close()

    threads = [threading.Thread(target=action), threading.Thread(target=wake_up)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    # then
    assert not any(thread.is_alive() for thread in threads)
    assert outcome == {"version": stale + 1, "fired": False}
    assert handlers.FIRED == []
    assert Deadline.objects.get(key=key).is_pending
