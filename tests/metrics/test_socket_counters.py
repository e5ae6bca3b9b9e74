"""After a real socket session the metrics moved by exactly what happened on it."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from lobby.actions import do_create_lobby, do_update_lobby
from pokerrt.realtime.routing import websocket_application
from tests.realtime.helpers import PausedFlow

from .helpers import Moved, value

db = database_sync_to_async


@pytest.mark.django_db(transaction=True)
async def test_one_session_moves_each_counter_by_what_it_did(open_socket, make_user):
    # given: a lobby and the counters as they stand
    lobby = await db(do_create_lobby)("Low stakes")
    moved = Moved(
        ("pokerrt_subscriptions_total", {"result": "snapshot"}),
        ("pokerrt_subscriptions_total", {"result": "recovered"}),
        ("pokerrt_replayed_events_total", {}),
        ("pokerrt_commands_total", {"type": "SUBSCRIBE", "result": "ok"}),
        ("pokerrt_commands_total", {"type": "SUBSCRIBE", "result": "VALIDATION"}),
        ("pokerrt_commands_total", {"type": "OTHER", "result": "UNKNOWN_TYPE"}),
        ("pokerrt_commands_total", {"type": "PING", "result": "ok"}),
        ("pokerrt_errors_total", {"code": "VALIDATION"}),
        ("pokerrt_errors_total", {"code": "UNKNOWN_TYPE"}),
        ("pokerrt_events_total", {"target": "LOBBY", "type": "LOBBY_UPDATE"}),
        ("pokerrt_delivery_seconds_count", {}),
        ("pokerrt_command_seconds_count", {}),
        ("pokerrt_heartbeat_rtt_seconds_count", {}),
        ("pokerrt_message_bytes_count", {"direction": "in"}),
        ("pokerrt_message_bytes_sum", {"direction": "in"}),
    )
    connections = value("pokerrt_connections")

    # when: a player connects, subscribes, sends one bad and one unknown command,
    # pings, answers a heartbeat, gets one event, reconnects and recovers
    client = await open_socket(await db(make_user)("ann"))
    assert value("pokerrt_connections") == connections + 1
    subscribed = await client.request("SUBSCRIBE", "LOBBY", str(lobby.pk))
    assert subscribed["type"] == "SUBSCRIBED"
    sent = [json.dumps({"type": "SUBSCRIBE", "target": "LOBBY", "id": str(lobby.pk), "data": {"since": -1}}),
            json.dumps({"type": "SHUFFLE_UP_AND_DEAL", "target": "TABLE", "id": "1"}),
            json.dumps({"type": "PING", "data": {"t": 5}}),
            json.dumps({"type": "PONG", "data": {"t": int(time.time() * 1000)}})]
    for text in sent:
        await client.send_text(text)
    assert (await client.receive_type("ERROR"))["data"]["code"] == "VALIDATION"
    assert (await client.receive_type("ERROR"))["data"]["code"] == "UNKNOWN_TYPE"
    assert (await client.receive_type("PONG"))["data"]["t"] == 5
    await db(do_update_lobby)(lobby.pk, description="Late games")
    update = await client.receive_type("LOBBY_UPDATE")
    again = await client.request("SUBSCRIBE", "LOBBY", str(lobby.pk),
                                 data={"since": subscribed["data"]["seq"], "epoch": update["epoch"]})
    assert again["data"]["recovered"] is True
    assert (await client.receive_type("LOBBY_UPDATE"))["seq"] == update["seq"]
    await client.close()

    # then: each counter moved by exactly that
    assert moved("pokerrt_subscriptions_total", result="snapshot") == 1
    assert moved("pokerrt_subscriptions_total", result="recovered") == 1
    assert moved("pokerrt_replayed_events_total") == 1
    assert moved("pokerrt_commands_total", type="SUBSCRIBE", result="ok") == 2
    assert moved("pokerrt_commands_total", type="SUBSCRIBE", result="VALIDATION") == 1
    assert moved("pokerrt_commands_total", type="OTHER", result="UNKNOWN_TYPE") == 1
    assert moved("pokerrt_commands_total", type="PING", result="ok") == 1
    assert moved("pokerrt_errors_total", code="VALIDATION") == 1
    assert moved("pokerrt_errors_total", code="UNKNOWN_TYPE") == 1
    assert moved("pokerrt_events_total", target="LOBBY", type="LOBBY_UPDATE") == 1
    # One live event handed to the socket; the replayed one is not a commit-to-send delivery.
    assert moved("pokerrt_delivery_seconds_count") == 1
    assert moved("pokerrt_command_seconds_count") == 5
    assert moved("pokerrt_heartbeat_rtt_seconds_count") == 1
    frames_in = 2 + len(sent)
    assert moved("pokerrt_message_bytes_count", direction="in") == frames_in
    assert moved("pokerrt_message_bytes_sum", direction="in") >= sum(len(text) for text in sent)
    assert value("pokerrt_connections") == connections


@pytest.mark.django_db(transaction=True)
async def test_a_pong_with_a_t_no_ping_of_ours_could_carry_is_not_a_round_trip(open_socket, make_user):
    client = await open_socket(await db(make_user)("bob"))
    moved = Moved(("pokerrt_heartbeat_rtt_seconds_count", {}))
    for t in (0, int(time.time() * 1000) + 60_000, "soon", True):
        await client.send_text(json.dumps({"type": "PONG", "data": {"t": t}}))
    await client.send_text(json.dumps({"type": "PING", "data": {"t": 1}}))
    await client.receive_type("PONG")
    assert moved("pokerrt_heartbeat_rtt_seconds_count") == 0


@pytest.mark.django_db(transaction=True)
async def test_a_slow_consumer_close_is_counted_by_its_code(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "OUTGOING_QUEUE_LIMIT": 2}
    moved = Moved(("pokerrt_closes_total", {"code": "4503"}))
    app = websocket_application()
    flow = PausedFlow()

    async def paused(scope, receive, send):
        return await app({**scope, "extensions": {"pokerrt.flow": flow}}, receive, send)

    communicator = WebsocketCommunicator(paused, "/ws/")
    assert (await communicator.connect())[0]
    await communicator.send_to(text_data=json.dumps({"type": "PING", "data": {"t": 0}}))
    await asyncio.wait_for(flow.stalled.wait(), 10)
    for t in range(1, 5):
        await communicator.send_to(text_data=json.dumps({"type": "PING", "data": {"t": t}}))
    assert await communicator.receive_output(5) == {"type": "websocket.close", "code": 4503}
    await communicator.disconnect()
    assert moved("pokerrt_closes_total", code="4503") == 1
