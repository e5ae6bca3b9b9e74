"""The inbound consumer: commands from RabbitMQ run once, refused ones are dead-lettered, it carries on."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.authtoken.models import Token

from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import wallet_of
from pokerrt.bus.consumer import CommandConsumer
from pokerrt.bus.models import ProcessedMessage
from tests.services import RABBITMQ_URL
from tournament import actions
from tournament.models import Entry, EntryStatus

from .amqp import unique

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bus(broker):
    """A consumer on its own exchange, queue and dead-letter exchange; all deleted afterwards."""
    consumer = CommandConsumer(RABBITMQ_URL, exchange=unique("pokerrt.commands"), queue=unique("pokerrt.commands"),
                               dead_letter=unique("pokerrt.commands.dead"), prefetch=5)
    broker.exchanges += [consumer.exchange, consumer.dead_letter]
    broker.queues += [consumer.queue, consumer.dead_letter]
    # Declared before anything is sent, as a deployed consumer's would be.
    consumer.connect()
    consumer.disconnect()
    return consumer


@pytest.fixture
def tournament(transactional_db):
    lobby = do_create_lobby("Bus lobby")
    return actions.do_create_tournament(lobby, "Bus Sit & Go", buy_in=100, fee=10, starting_stack=1500,
                                        min_players=2, max_players=6, table_size=6)


def send(broker, bus, frame, *, token=None, message_id=None, **properties):
    headers = {"authorization": f"Token {token}"} if token else {}
    body = frame if isinstance(frame, bytes) else json.dumps(frame).encode()
    broker.publish(bus.exchange, "tournament.command", body, message_id=message_id or uuid.uuid4().hex,
                   headers=headers, **properties)


def consume(bus, messages: int) -> None:
    """Run the consumer until it settled ``messages`` more messages."""
    goal = bus.handled + messages
    bus.run(until=lambda: bus.handled >= goal)


def register(tournament, ref="r1"):
    return {"type": "TOURNAMENT_REGISTER", "target": "TOURNAMENT", "id": str(tournament.pk), "data": {}, "ref": ref}


def unregister(tournament):
    return {"type": "TOURNAMENT_UNREGISTER", "target": "TOURNAMENT", "id": str(tournament.pk), "data": {}}


def test_a_registration_delivered_twice_registers_once(broker, bus, tournament, user, token):
    # given one registration message, delivered twice
    before = wallet_of(user).balance
    send(broker, bus, register(tournament), token=token, message_id="reg-1")
    send(broker, bus, register(tournament), token=token, message_id="reg-1")
    # when the consumer takes both
    consume(bus, 2)
    # then the player holds one entry and paid once, and nothing was refused
    assert Entry.objects.filter(tournament=tournament, user=user).count() == 1
    assert wallet_of(user).balance == before - 110
    assert ProcessedMessage.objects.filter(message_id="reg-1").count() == 1
    assert broker.count(bus.dead_letter) == 0
    assert broker.count(bus.queue) == 0


def test_a_redelivery_after_other_commands_changes_nothing(broker, bus, tournament, user, token):
    # given register, unregister, then the register message again (a redelivery)
    before = wallet_of(user).balance
    send(broker, bus, register(tournament), token=token, message_id="reg-1")
    send(broker, bus, unregister(tournament), token=token, message_id="unreg-1")
    send(broker, bus, register(tournament), token=token, message_id="reg-1")
    consume(bus, 3)
    # then the player stays unregistered with the buy-in back: a new registration would need a new message
    assert not Entry.objects.filter(tournament=tournament, user=user).exclude(
        status=EntryStatus.UNREGISTERED).exists()
    assert wallet_of(user).balance == before
    assert broker.count(bus.dead_letter) == 0


def test_a_poison_message_is_dead_lettered_with_its_error_and_the_consumer_carries_on(
    broker, bus, tournament, user, token, make_user
):
    # given a message that is not JSON, then a good registration
    other = make_user("bob")
    other_token = Token.objects.create(user=other).key
    send(broker, bus, b"{not json", token=token, message_id="poison-1")
    send(broker, bus, register(tournament), token=other_token, message_id="reg-bob")
    # when the consumer takes both
    consume(bus, 2)
    # then the poison sits in the dead-letter queue with why, without the credential
    with broker.connection() as conn:
        method, properties, body = conn.channel().basic_get(bus.dead_letter, auto_ack=True)
    assert body == b"{not json"
    assert properties.message_id == "poison-1"
    assert properties.headers["x-error-code"] == "BAD_FRAME"
    assert "authorization" not in properties.headers
    # and the registration after it went through
    assert Entry.objects.filter(tournament=tournament, user=other).count() == 1


@pytest.mark.parametrize(
    ("frame", "credential", "code"),
    [
        ("register", None, "UNAUTHENTICATED"),
        ("register", "not-a-token", "UNAUTHENTICATED"),
        ("cancel", "token", "FORBIDDEN"),
        ("unknown", "token", "UNKNOWN_TYPE"),
        ("no-id", "token", "VALIDATION"),
    ],
)
def test_refused_commands_are_dead_lettered_and_change_nothing(broker, bus, tournament, token, frame,
                                                               credential, code):
    frames = {
        "register": register(tournament),
        "cancel": {"type": "TOURNAMENT_CANCEL", "target": "TOURNAMENT", "id": str(tournament.pk)},
        "unknown": {"type": "DEAL_ME_ACES", "target": "TOURNAMENT", "id": str(tournament.pk)},
        "no-id": {"type": "TOURNAMENT_REGISTER", "target": "TOURNAMENT"},
    }
    send(broker, bus, frames[frame], token={"token": token, None: None}.get(credential, credential),
         message_id="refused-1")
    consume(bus, 1)
    with broker.connection() as conn:
        _, properties, _ = conn.channel().basic_get(bus.dead_letter, auto_ack=True)
    assert properties.headers["x-error-code"] == code
    assert not ProcessedMessage.objects.exists()
    assert not Entry.objects.exists()


def test_a_message_without_message_id_is_refused(broker, bus, tournament, token):
    broker.publish(bus.exchange, "tournament.command", json.dumps(register(tournament)).encode(),
                   headers={"authorization": f"Token {token}"})
    consume(bus, 1)
    with broker.connection() as conn:
        _, properties, _ = conn.channel().basic_get(bus.dead_letter, auto_ack=True)
    assert properties.headers["x-error-code"] == "VALIDATION"
    assert not Entry.objects.exists()


def test_the_sender_gets_the_ack_or_error_on_its_reply_queue(broker, bus, tournament, token):
    # given a sender with a reply queue of its own
    with broker.connection() as conn:
        replies = conn.channel().queue_declare("", exclusive=False, auto_delete=False).method.queue
    broker.queues.append(replies)
    send(broker, bus, register(tournament, ref="first"), token=token, message_id="reg-1", reply_to=replies)
    send(broker, bus, register(tournament, ref="again"), token=token, message_id="reg-2", reply_to=replies)
    consume(bus, 2)
    with broker.connection() as conn:
        channel = conn.channel()
        frames = []
        for _ in range(2):
            method, properties, body = channel.basic_get(replies, auto_ack=True)
            assert method is not None
            frames.append((properties.correlation_id, json.loads(body)))
    (first_id, ack), (second_id, error) = frames
    assert (first_id, ack["type"], ack["data"]["ref"]) == ("reg-1", "ACK", "first")
    assert (second_id, error["type"], error["data"]["code"], error["data"]["ref"]) == (
        "reg-2", "ERROR", "CONFLICT", "again")


def test_manage_py_consume_events_runs_commands_and_stops_cleanly_on_sigterm(broker, bus, tournament, user, token):
    # given the consumer as deployed: its own process, on this test's queue
    import signal
    import subprocess
    import sys
    import time

    from tests.live import REPO, process_env

    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "consume_events", "--exchange", bus.exchange, "--queue", bus.queue,
         "--dead-letter", bus.dead_letter, "--prefetch", "3"],
        cwd=REPO, env=process_env(EVENT_BUS_URL=RABBITMQ_URL), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        # when a registration is sent
        send(broker, bus, register(tournament), token=token, message_id="reg-cli")
        deadline = time.monotonic() + 120
        while not Entry.objects.filter(tournament=tournament, user=user).exists():
            assert consumer.poll() is None, consumer.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "the consumer did not register the player"
            time.sleep(0.1)
    finally:
        consumer.send_signal(signal.SIGTERM)
        output, _ = consumer.communicate(timeout=60)
    # then it ran once, and the process stopped on its own with a clean exit
    assert ProcessedMessage.objects.filter(message_id="reg-cli").exists()
    assert consumer.returncode == 0, output.decode(errors="replace")
    assert b"consumer stopped after 1 messages" in output
