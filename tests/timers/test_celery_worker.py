"""Timers through a real Celery worker (and beat) on the machine's RabbitMQ.

The worker runs on the test database and a queue of this run's own
(tests/timers/worker_settings.py); its handlers write JSON lines to a file,
since they run in another process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from pokerrt.celery import app as celery_app
from pokerrt.timers import schedule
from pokerrt.timers.models import Deadline
from pokerrt.timers.tasks import fire_deadline
from tests.live import REPO, process_env
from tests.services import RABBITMQ_URL

pytestmark = [
    pytest.mark.rabbitmq,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]

RECORD = "tests.timers.record"
# Failure bounds only: each wait ends with the line or row it waits for.
PATIENCE = 120


class CeleryProcesses:
    """The worker of this module, and how to start a beat beside it."""

    def __init__(self, queue: str, workdir: Path, env: dict[str, str]) -> None:
        self.queue = queue
        self.workdir = workdir
        self.env = env
        self.worker_log = workdir / "worker.log"
        self.worker: subprocess.Popen | None = None

    def start(self, command: list[str], log: Path) -> subprocess.Popen:
        with open(log, "w") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pokerrt", *command, "-l", "info"],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )

    def start_worker(self) -> None:
        self.worker = self.start(
            ["worker", "--pool=threads", "--concurrency=2", "-I", "tests.timers.handlers",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            self.worker_log,
        )
        self.wait_for_log(self.worker_log, " ready.", timeout=PATIENCE, proc=self.worker)

    def wait_for_log(self, log: Path, text: str, timeout: float, proc=None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in log.read_text(errors="replace"):
                return
            if proc is not None and proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in {log.name} after {timeout}s:\n{log.read_text()[-3000:]}")

    def wait_for_task(self, task_id: str, timeout: float = PATIENCE) -> str:
        """The worker's "succeeded" line of the task (its return value is at the end)."""
        self.wait_for_log(self.worker_log, f"[{task_id}] succeeded", timeout)
        return next(line for line in self.worker_log.read_text().splitlines()
                    if f"[{task_id}] succeeded" in line)


@pytest.fixture(scope="module")
def celery_processes(django_db_setup, tmp_path_factory):
    queue = f"pokerrt-tests-timers-{uuid.uuid4().hex[:12]}"
    env = process_env(
        CELERY_BROKER_URL=RABBITMQ_URL,
        DJANGO_SETTINGS_MODULE="tests.timers.worker_settings",
        POKERRT_TEST_TIMERS_QUEUE=queue,
        POKERRT_TIMERS_SWEEP_SECONDS="1",
    )
    processes = CeleryProcesses(queue, tmp_path_factory.mktemp("celery"), env)
    conf = celery_app.conf
    previous = {"broker_url": conf.broker_url, "task_default_queue": conf.task_default_queue}
    conf.update(broker_url=RABBITMQ_URL, task_default_queue=queue)
    try:
        processes.start_worker()
        yield processes
    finally:
        if processes.worker is not None:
            # Killed, not stopped: a Celery 5.7 warm shutdown takes 6-9 s even
            # idle, and this worker's queue is deleted just below anyway.
            processes.worker.kill()
            processes.worker.wait()
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
            connection.default_channel.exchange_delete(queue)
        conf.update(previous)


@pytest.fixture
def worker(celery_processes, settings):
    settings.TIMERS_BACKEND = "celery"
    return celery_processes


def schedule_committed(key: str, at, **payload) -> int:
    with transaction.atomic():
        return schedule(key, RECORD, at, {"key": key, **payload})


def firings(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def wait_fired(key: str, timeout: float = PATIENCE) -> Deadline:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = Deadline.objects.get(key=key)
        if row.fired_at is not None:
            return row
        time.sleep(0.02)
    raise AssertionError(f"{key} did not fire within {timeout}s")


def test_each_deadline_fires_at_its_time_by_its_own_wake_up(worker, tmp_path):
    log = tmp_path / "fired.jsonl"
    # given: five tables whose players must act about 2 s from now
    due = {
        f"table:{n}:action": timezone.now() + timedelta(seconds=2 + n / 10) for n in range(5)
    }
    for key, at in due.items():
        schedule_committed(key, at, log=str(log))
    # when
    for key in due:
        wait_fired(key)
    # then: none early, each by its own wake-up (no beat runs here to sweep them)
    lateness = {line["payload"]["key"]: line["at"] - due[line["payload"]["key"]].timestamp()
                for line in firings(log)}
    assert sorted(lateness) == sorted(due)
    # How late depends on the machine: measured, not asserted.
    print(f"\nfiring lateness (s): p50 {statistics.median(lateness.values()):.3f} "
          f"max {max(lateness.values()):.3f}")
    assert all(late >= 0 for late in lateness.values()), lateness
    assert {line["task"] for line in firings(log)} == {"pokerrt.timers.tasks.fire_deadline"}


def test_a_duplicate_or_stale_wake_up_does_nothing(worker, tmp_path):
    log = tmp_path / "fired.jsonl"
    key = "table:1:action"
    # given: the clock moved on to the next player long before the first one would run out
    stale = schedule_committed(key, timezone.now() + timedelta(seconds=60), turn=1, log=str(log))
    current = schedule_committed(key, timezone.now() + timedelta(seconds=0.5), turn=2, log=str(log))
    wait_fired(key)
    # when: the wake-up of the current clock is delivered again, and the stale one again
    duplicate = fire_deadline.apply_async(args=[key, current])
    late = fire_deadline.apply_async(args=[key, stale])
    # then
    assert worker.wait_for_task(duplicate.id).endswith(": False")
    assert worker.wait_for_task(late.id).endswith(": False")
    assert [line["payload"]["turn"] for line in firings(log)] == [2]
    assert Deadline.objects.get(key=key).version == current


def test_the_beat_sweep_fires_a_deadline_whose_wake_up_was_lost(worker, tmp_path, settings):
    log = tmp_path / "fired.jsonl"
    # given: a deadline committed with no wake-up sent (as if lost with a crashed node)
    settings.TIMERS_BACKEND = "inprocess"
    schedule_committed("tournament:1:level", timezone.now(), log=str(log))
    # when
    beat_log = tmp_path / "beat.log"
    beat = worker.start(["beat", "-s", str(tmp_path / "beat-schedule"), "--pidfile="], beat_log)
    try:
        wait_fired("tournament:1:level")
    finally:
        beat.kill()
        beat.wait()
    # then
    assert [line["task"] for line in firings(log)] == ["pokerrt.timers.tasks.sweep_deadlines"]
