"""schedule, cancel, fire and sweep against the database, wake-ups captured."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from pokerrt.timers import UnknownTimerHandler, actions, cancel, fire, schedule, sweep
from pokerrt.timers.models import Deadline
from tests.timers import handlers

pytestmark = pytest.mark.django_db

RECORD = "tests.timers.record"


@pytest.fixture
def wake_ups(monkeypatch):
    """The wake-ups asked for, as (key, version, at), instead of asking a backend."""
    asked: list[tuple[str, int, object]] = []
    monkeypatch.setattr(actions, "request_wake_up", lambda *wake_up: asked.append(wake_up))
    return asked


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def ahead(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_schedule_writes_the_row_and_asks_for_a_wake_up_only_on_commit(
    wake_ups, django_capture_on_commit_callbacks
):
    at = ahead(5)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            version = schedule("table:1:action", RECORD, at, {"table_id": "1"})
            assert wake_ups == []
    # then
    assert version == 1
    assert len(callbacks) == 1
    assert wake_ups == [("table:1:action", 1, at)]
    deadline = Deadline.objects.get(key="table:1:action")
    assert (deadline.handler, deadline.due_at, deadline.payload) == (RECORD, at, {"table_id": "1"})
    assert deadline.is_pending


def test_a_rolled_back_action_leaves_no_deadline_and_no_wake_up(
    wake_ups, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                schedule("table:1:action", RECORD, ahead(5))
                raise RuntimeError("the action failed")
    assert wake_ups == []
    assert not Deadline.objects.exists()


def test_rescheduling_bumps_the_version_and_replaces_the_deadline(wake_ups):
    schedule("table:1:action", RECORD, ahead(5), {"seat": 1})
    at = ago(1)
    # when
    version = schedule("table:1:action", RECORD, at, {"seat": 2})
    # then
    assert version == 2
    deadline = Deadline.objects.get(key="table:1:action")
    assert (deadline.version, deadline.due_at, deadline.payload) == (2, at, {"seat": 2})


def test_a_due_deadline_fires_once_with_its_payload(wake_ups):
    version = schedule("table:1:action", RECORD, ago(0.1), {"table_id": "1"})
    # when
    fired = fire("table:1:action", version)
    # then
    assert fired is True
    assert [payload for payload, _ in handlers.FIRED] == [{"table_id": "1"}]
    deadline = Deadline.objects.get(key="table:1:action")
    assert deadline.fired_at is not None and not deadline.is_pending


def test_a_duplicate_wake_up_does_nothing(wake_ups):
    version = schedule("table:1:action", RECORD, ago(0.1))
    assert fire("table:1:action", version)
    # when
    again = fire("table:1:action", version)
    # then
    assert again is False
    assert len(handlers.FIRED) == 1


def test_a_stale_wake_up_does_nothing(wake_ups):
    stale = schedule("table:1:action", RECORD, ago(1), {"seat": 1})
    current = schedule("table:1:action", RECORD, ahead(30), {"seat": 2})
    # when
    fired = fire("table:1:action", stale)
    # then
    assert fired is False
    assert handlers.FIRED == []
    deadline = Deadline.objects.get(key="table:1:action")
    assert deadline.version == current and deadline.is_pending


def test_a_wake_up_for_an_unknown_key_does_nothing(wake_ups):
    assert fire("table:404:action", 1) is False


def test_an_early_wake_up_rearms_for_the_due_time(wake_ups, django_capture_on_commit_callbacks):
    at = ahead(30)
    version = schedule("table:1:action", RECORD, at)
    wake_ups.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        fired = fire("table:1:action", version)
    # then
    assert fired is False
    assert handlers.FIRED == []
    assert wake_ups == [("table:1:action", version, at)]
    assert Deadline.objects.get(key="table:1:action").is_pending


def test_a_cancelled_deadline_never_fires(wake_ups):
    version = schedule("table:1:action", RECORD, ago(1))
    # when
    cancelled = cancel("table:1:action")
    # then
    assert cancelled is True
    assert fire("table:1:action", version) is False
    assert sweep() == 0
    assert handlers.FIRED == []
    assert Deadline.objects.get(key="table:1:action").version == version + 1


def test_cancel_without_a_pending_deadline_says_so(wake_ups):
    assert cancel("table:1:action") is False
    version = schedule("table:1:action", RECORD, ago(1))
    fire("table:1:action", version)
    assert cancel("table:1:action") is False


def test_a_cancelled_key_can_be_scheduled_again(wake_ups):
    schedule("table:1:action", RECORD, ago(1))
    cancel("table:1:action")
    # when
    version = schedule("table:1:action", RECORD, ago(1))
    # then
    assert version == 3
    assert fire("table:1:action", version)


def test_the_sweep_fires_overdue_deadlines_only(wake_ups):
    schedule("table:1:action", RECORD, ago(10), {"n": 1})
    schedule("table:2:action", RECORD, ago(1), {"n": 2})
    schedule("table:3:action", RECORD, ahead(30), {"n": 3})
    # when
    fired = sweep()
    # then
    assert fired == 2
    assert [payload for payload, _ in handlers.FIRED] == [{"n": 1}, {"n": 2}]
    assert sweep() == 0
    assert Deadline.objects.get(key="table:3:action").is_pending


def test_a_failing_handler_rolls_back_and_its_deadline_stays_pending(wake_ups, caplog):
    schedule("table:1:action", "tests.timers.explode", ago(2), {"n": 1})
    schedule("table:2:action", RECORD, ago(1), {"n": 2})
    # when
    with caplog.at_level(logging.ERROR, logger="pokerrt.timers.actions"):
        fired = sweep()
    # then
    assert fired == 1
    assert [payload for payload, _ in handlers.FIRED] == [{"n": 1}, {"n": 2}]
    assert Deadline.objects.get(key="table:1:action").is_pending
    assert "table:1:action v1 failed to fire" in caplog.text


def test_a_handler_may_schedule_its_own_key_again(wake_ups):
    key = "table:1:action"
    version = schedule(key, "tests.timers.next_turn", ago(1), {"key": key, "turn": 1})
    # when
    fired = fire(key, version)
    # then
    assert fired is True
    deadline = Deadline.objects.get(key=key)
    assert deadline.version == version + 1 and deadline.is_pending
    assert deadline.payload == {"key": key, "turn": 2}
    assert fire(key, version) is False


def test_the_handlers_lock_is_taken_before_it_runs_and_not_for_stale_wake_ups(wake_ups):
    stale = schedule("table:1:action", "tests.timers.locked", ago(1), {"n": 1})
    current = schedule("table:1:action", "tests.timers.locked", ago(1), {"n": 2})
    # when
    fire("table:1:action", stale)
    fire("table:1:action", current)
    # then
    assert handlers.CALLS == ["lock 2", "run 2"]


def test_scheduling_an_unknown_handler_fails_in_the_action(wake_ups):
    with pytest.raises(UnknownTimerHandler):
        schedule("table:1:action", "tables.no_such_handler", ahead(5))
    assert not Deadline.objects.exists()


def test_deadlines_are_aware_datetimes(wake_ups):
    with pytest.raises(ValueError):
        schedule("table:1:action", RECORD, timezone.now().replace(tzinfo=None))


def test_the_celery_backend_sends_the_key_and_version_with_an_eta(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from pokerrt.timers.tasks import MAX_ETA, fire_deadline

    sent = []
    monkeypatch.setattr(fire_deadline, "apply_async", lambda **options: sent.append(options))
    settings.TIMERS_BACKEND = "celery"
    soon, far = ahead(2), ahead(3600)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        schedule("table:1:action", RECORD, soon)
        schedule("tournament:1:level", RECORD, far)
    # then
    assert sent[0] == {"args": ["table:1:action", 1], "eta": soon}
    # Far deadlines are woken early, within RabbitMQ's consumer timeout, and re-armed.
    assert sent[1]["args"] == ["tournament:1:level", 1]
    assert sent[1]["eta"] <= timezone.now() + MAX_ETA


def test_a_wake_up_the_backend_cannot_send_is_logged_and_the_action_still_commits(
    settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from pokerrt.timers.tasks import fire_deadline

    def broker_down(**options):
        raise ConnectionError("broker down")

    monkeypatch.setattr(fire_deadline, "apply_async", broker_down)
    settings.TIMERS_BACKEND = "celery"
    with caplog.at_level(logging.ERROR):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                schedule("table:1:action", RECORD, ago(1))
    assert Deadline.objects.get(key="table:1:action").is_pending
    assert "broker down" in caplog.text
    assert sweep() == 1
