"""The consumer over the services profile's Redis layers (pokerrt.realtime.redis_layers: core and Pub/Sub)."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async

from tests.services import REDIS_URL

from . import tally_actions as actions

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LAYERS = {
    "core": {
        "default": {"BACKEND": "pokerrt.realtime.redis_layers.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    },
    "pubsub": {
        "default": {
            "BACKEND": "pokerrt.realtime.redis_layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    },
}


@pytest.fixture(params=sorted(LAYERS))
def layer_settings(request):
    return LAYERS[request.param]


async def test_subscribers_get_contiguous_events_over_redis(connect, token, layer):
    stream = f"x{uuid.uuid4().hex[:10]}"
    watchers = [await connect() for _ in range(3)]
    for watcher in watchers:
        assert (await watcher.request("SUBSCRIBE", "TALLY", stream))["data"]["seq"] == 0
    commander = await connect(token=token)
    for _ in range(4):
        assert (await commander.request("ADD", "TALLY", stream, {"n": 1, "times": 5}))["type"] == "ACK"
    await database_sync_to_async(actions.do_add)(stream, 1)
    for watcher in watchers:
        seqs = [(await watcher.receive_type("ADD", timeout=5))["seq"] for _ in range(21)]
        assert seqs == list(range(1, 22))
    await watchers[0].close()
    await database_sync_to_async(actions.do_add)(stream, 1)
    assert (await watchers[1].receive_type("ADD", timeout=5))["seq"] == 22


@pytest.mark.parametrize("layer_settings", [LAYERS["pubsub"]])
async def test_each_socket_waits_on_a_mailbox_over_pubsub(connect, layer, layer_settings):
    # An asyncio.Queue per socket was about 3 KiB of an idle socket (pokerrt/realtime/mailbox.py).
    from pokerrt.realtime.mailbox import Mailbox

    client = await connect()
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"
    queues = layer._get_layer().channels
    assert queues and all(isinstance(queue, Mailbox) for queue in queues.values())


async def test_an_idle_member_takes_its_event_directly_over_pubsub_only(connect, layer, layer_settings, monkeypatch):
    # The Pub/Sub layer hands an idle member a group's event, decoded once
    # (local_delivery.py); the core layer's members read it from Redis.
    from pokerrt.realtime import local_delivery

    real = local_delivery.hand_over
    handed: list[int] = []

    def counted(channel, message):
        took = real(channel, message)
        if took:
            handed.append(message["seq"])
        return took

    monkeypatch.setattr(local_delivery, "hand_over", counted)
    stream = f"h{uuid.uuid4().hex[:10]}"
    watchers = [await connect() for _ in range(2)]
    for watcher in watchers:
        await watcher.request("SUBSCRIBE", "TALLY", stream)
    await database_sync_to_async(actions.do_add)(stream, 1, times=4)
    for watcher in watchers:
        assert [(await watcher.receive_type("ADD", timeout=5))["seq"] for _ in range(4)] == [1, 2, 3, 4]
        await watcher.close()  # left open, a Pub/Sub consumer holds up the fixtures' teardown
    if "PubSub" in layer_settings["default"]["BACKEND"]:
        assert handed and set(handed) <= {1, 2, 3, 4}
    else:
        assert handed == []
