"""The outbound relay: every event of played hands reaches a bound queue once, in seq order per stream."""

from __future__ import annotations

import pytest

from pokerrt.bus.relay import Relay
from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame
from tests.services import RABBITMQ_URL

from .hands import first_arrivals, play_hands, public_events

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def relay_all(relay: Relay) -> None:
    try:
        while relay.relay_once():
            pass
    finally:
        relay.disconnect()


def test_every_event_of_played_hands_arrives_once_in_seq_order_per_stream(broker, seated, table):
    # given two played hands and a queue bound to every routing key
    exchange = broker.exchange()
    queue = broker.queue(exchange)
    play_hands(table, 2)
    expected = public_events()
    assert len(expected) > 20
    # when a relay publishes the journal in small batches
    relay_all(Relay(RABBITMQ_URL, exchange, batch_size=7))
    # then each public event arrived exactly once, as the socket's envelope
    received = broker.drain(queue, lambda got: len(got) >= len(expected))
    assert sorted(m.message_id for m in received) == sorted(str(e.event_id) for e in expected)
    by_id = {str(event.event_id): event for event in expected}
    for message in received:
        event = by_id[message.message_id]
        assert message.body == event_frame(event) | {"timestamp": message.body["timestamp"]}
        assert message.routing_key == f"{event.target}.{event.stream_id}.{event.type}".lower()
        assert message.headers["seq"] == event.seq and message.headers["epoch"] == event.epoch
        assert message.delivery_mode == 2
    for (target, stream_id), seqs in first_arrivals(received).items():
        assert seqs == sorted(seqs), f"{target}.{stream_id} out of order"
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{target}.{stream_id} has a gap"
    # and every row is marked done, the private PLAYER rows too, though none went out
    assert not Event.objects.filter(published_at__isnull=True).exists()
    assert Event.objects.filter(target="PLAYER").exists()
    assert broker.count(queue) == 0


def test_private_player_streams_go_out_only_when_configured(broker, seated, table, settings):
    # given a played hand, and the bridge told to publish private streams
    settings.EVENT_BUS_PUBLISH_PRIVATE = True
    exchange = broker.exchange()
    queue = broker.queue(exchange, binding="player.#")
    play_hands(table, 1)
    private = Event.objects.filter(target="PLAYER").count()
    assert private > 0
    # when the relay runs
    relay_all(Relay(RABBITMQ_URL, exchange))
    # then the hole cards went out on the players' routing keys
    received = broker.drain(queue, lambda got: len(got) >= private)
    assert len(received) == private
    assert "DEAL_CARDS" in {m.body["type"] for m in received}
    assert all(m.routing_key.startswith("player.") for m in received)


def test_a_routing_key_binding_selects_one_event_type(broker, seated, table):
    exchange = broker.exchange()
    queue = broker.queue(exchange, binding=f"table.{table.pk}.hand_end")
    play_hands(table, 2)
    relay_all(Relay(RABBITMQ_URL, exchange))
    ended = Event.objects.filter(target="TABLE", stream_id=str(table.pk), type="HAND_END").count()
    assert ended == 2
    received = broker.drain(queue, lambda got: len(got) >= ended)
    assert [m.body["type"] for m in received] == ["HAND_END", "HAND_END"]
