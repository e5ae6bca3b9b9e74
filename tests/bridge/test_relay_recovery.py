"""The relay loses nothing: killed mid-run, crashed between confirm and mark, or with RabbitMQ stopped.

Each test ends with every public event on the queue; a message that went
out twice carries the same ``message_id`` and the same body both times.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pytest

from pokerrt.bus import relay as relay_module
from pokerrt.bus.models import RelayLease
from pokerrt.bus.relay import Relay
from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import awaiting_bus
from tests.live import REPO, process_env
from tests.services import RABBITMQ_URL

from .amqp import Received
from .hands import first_arrivals, play_hands, public_events

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True), pytest.mark.slow]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 180.0) -> None:
    """Wait until ``condition()``; the bound only turns a hang into a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_relay(exchange: str, name: str, log, lease_seconds: float = 3) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "relay_events", "--exchange", exchange, "--name", name, "--batch", "5",
         "--lease-seconds", str(lease_seconds)],
        cwd=REPO, env=process_env(EVENT_BUS_URL=RABBITMQ_URL, EVENT_BUS_RETRY_CAP_SECONDS="2"),
        stdout=log, stderr=log,
    )


def stop(relay: subprocess.Popen) -> None:
    if relay.poll() is None:
        relay.send_signal(signal.SIGTERM)
        try:
            relay.wait(timeout=60)
        except subprocess.TimeoutExpired:
            relay.kill()
            relay.wait()


def assert_nothing_lost(received: list[Received]) -> None:
    expected = {str(event.event_id): event for event in public_events()}
    assert {m.message_id for m in received} == set(expected)
    first: dict[str, Received] = {}
    for message in received:
        earlier = first.setdefault(message.message_id, message)
        assert earlier.body == message.body, "a duplicate must be the same message"
    for stream, seqs in first_arrivals(received).items():
        assert seqs == sorted(seqs), f"{stream} out of order"


def all_arrived(received: list[Received]) -> bool:
    return {m.message_id for m in received} >= {str(e.event_id) for e in public_events()}


def test_a_crash_between_confirm_and_mark_republishes_with_the_same_message_ids(
    broker, seated, table, monkeypatch
):
    # given a relay whose process dies after the broker confirmed a batch, before marking it
    exchange = broker.exchange()
    queue = broker.queue(exchange)
    play_hands(table, 1)
    crashing = Relay(RABBITMQ_URL, exchange, batch_size=10)

    class Killed(BaseException):
        pass

    def die(events):
        raise Killed

    monkeypatch.setattr(relay_module, "mark_published", die)
    with pytest.raises(Killed):
        crashing.relay_once()
    monkeypatch.undo()
    crashing.disconnect()
    assert not Event.objects.exclude(target="PLAYER").filter(published_at__isnull=False).exists()
    # when a relay under the same name starts over
    survivor = Relay(RABBITMQ_URL, exchange, holder=crashing.holder, batch_size=10)
    try:
        while survivor.relay_once():
            pass
    finally:
        survivor.disconnect()
    # then the first batch arrived twice, identical, and nothing is missing
    received = broker.drain(queue, lambda got: len(got) >= len(public_events()) + 10)
    assert len(received) == len(public_events()) + 10
    assert_nothing_lost(received)


def test_a_relay_killed_while_hands_are_played_loses_nothing(broker, seated, table):
    # given a relay process publishing while hands are played
    exchange = broker.exchange()
    queue = broker.queue(exchange)
    log = tempfile.TemporaryFile()
    relay = start_relay(exchange, "relay-killed", log)
    try:
        play_hands(table, 2)
        wait_for(lambda: Event.objects.filter(published_at__isnull=False).exists(), "the first batch")
        # when it is killed without warning, more hands are played, and another relay starts
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        play_hands(table, 2)
        relay = start_relay(exchange, "relay-next", log)
        wait_for(lambda: not awaiting_bus().exists(), "the journal to be published")
    finally:
        stop(relay)
    # then every event arrived; any duplicate is the same message
    received = broker.drain(queue, all_arrived)
    if not all_arrived(received):
        log.seek(0)
        pytest.fail(log.read().decode(errors="replace")[-3000:])
    assert_nothing_lost(received)


def test_two_relays_share_the_journal_without_loss_or_disorder(broker, seated, table, make_user):
    # given two relays running side by side, and two tables playing
    from tables import actions

    exchange = broker.exchange()
    queue = broker.queue(exchange)
    second = actions.do_create_table(table.lobby, "Second", small_blind=5, big_blind=10, max_seats=6,
                                     min_buy_in=100, max_buy_in=2000, action_seconds=20, time_bank_seconds=30)
    for name in ("dan", "eve"):
        actions.do_join_table(make_user(name), second.pk, 1000)
    log = tempfile.TemporaryFile()
    relays = [start_relay(exchange, name, log, lease_seconds=60) for name in ("relay-1", "relay-2")]
    try:
        play_hands(table, 2)
        play_hands(second, 2)
        wait_for(lambda: not awaiting_bus().exists(), "the journal to be published")
    finally:
        for relay in relays:
            stop(relay)
    # then every event arrived, each stream's in seq order, and no lease is left behind
    received = broker.drain(queue, all_arrived)
    if not all_arrived(received):
        log.seek(0)
        pytest.fail(log.read().decode(errors="replace")[-3000:])
    assert_nothing_lost(received)
    assert not RelayLease.objects.exists()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=300)


@pytest.mark.skipif(not os.path.exists("/usr/sbin/rabbitmqctl") and not os.environ.get("CI"),
                    reason="rabbitmqctl is not installed here: the broker cannot be stopped")
def test_events_written_while_rabbitmq_is_stopped_go_out_once_it_is_back(broker, seated, table):
    # given a relay running, and RabbitMQ stopped under it
    exchange = broker.exchange()
    queue = broker.queue(exchange)
    log = tempfile.TemporaryFile()
    relay = start_relay(exchange, "relay-outage", log)
    try:
        play_hands(table, 1)
        wait_for(lambda: not awaiting_bus().exists(), "the first hand to be published")
        try:
            rabbitmqctl("stop_app")
            # when hands are played while it is away
            play_hands(table, 2)
            assert awaiting_bus().exists()
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        # then the relay reconnects by itself and publishes the backlog
        wait_for(lambda: not awaiting_bus().exists(), "the backlog to be published")
    finally:
        stop(relay)
    received = broker.drain(queue, all_arrived)
    if not all_arrived(received):
        log.seek(0)
        pytest.fail(log.read().decode(errors="replace")[-3000:])
    assert_nothing_lost(received)
