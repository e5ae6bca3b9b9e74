"""The /ws/ consumer's machinery, driven in-process with WebsocketCommunicator."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client as HttpClient

from pokerrt.realtime import presence, streams
from pokerrt.realtime.models import Connection, Event
from pokerrt.realtime.routing import websocket_application

from . import tally_actions as actions
from .helpers import PausedFlow

pytestmark = pytest.mark.django_db(transaction=True)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

add = database_sync_to_async(actions.do_add)


# --- Connection and authentication ----------------------------------------------------------


async def test_anonymous_client_may_ping_and_gets_pong_with_same_t(connect):
    client = await connect()
    pong = await client.request("PING", data={"t": 12345}, ref="p1")
    assert pong["type"] == "PONG"
    assert pong["data"] == {"t": 12345, "ref": "p1"}
    assert TIMESTAMP.match(pong["timestamp"])
    assert "seq" not in pong and "event_id" not in pong


async def test_bad_token_refuses_the_handshake(connect, db):
    await connect(token="not-a-token", expect=False)


async def test_malformed_authorization_header_refuses_the_handshake(connect):
    await connect(headers=[(b"authorization", b"Bearer abc")], expect=False)


async def test_token_authenticates_commands(connect, token):
    client = await connect(token=token)
    ack = await client.request("ADD", "TALLY", "t1", {"n": 5}, ref="c-1")
    assert ack["type"] == "ACK"
    assert ack["data"] == {"ref": "c-1", "result": {"total": 5}}


async def test_session_cookie_authenticates(connect, user):
    http = HttpClient()
    await database_sync_to_async(http.force_login)(user)
    cookie = f"sessionid={http.cookies['sessionid'].value}".encode()
    client = await connect(headers=[(b"cookie", cookie)])
    ack = await client.request("ADD", "TALLY", "t1", {"n": 1})
    assert ack["type"] == "ACK"


async def test_a_socket_without_a_session_is_anonymous_without_a_trip_to_the_sync_thread(connect, monkeypatch):
    # given: the session lookup, which runs on the node's one sync thread, counted
    looked_up = []
    monkeypatch.setattr("channels.auth.get_user", lambda scope: looked_up.append(scope) or None)

    # when: a cookieless client opens a socket (a spectator, an API client)
    client = await connect()

    # then: it is anonymous, and the thread never saw it
    refused = await client.request("ADD", "TALLY", "t1", {"n": 1})
    assert refused["type"] == "ERROR" and refused["data"]["code"] == "UNAUTHENTICATED"
    assert looked_up == []


async def test_foreign_browser_origin_is_refused(connect):
    await connect(headers=[(b"origin", b"http://evil.example")], expect=False)


async def test_allowed_origin_is_accepted(connect):
    await connect(headers=[(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")])


# --- Errors (PROTOCOL.md section 5) ------------------------------------------------------------


async def error_of(client, frame_text: str | None = None, bytes_data: bytes | None = None) -> dict:
    if bytes_data is not None:
        await client.communicator.send_to(bytes_data=bytes_data)
    else:
        await client.communicator.send_to(text_data=frame_text)
    frame = await client.receive_type("ERROR")
    return frame["data"]


@pytest.mark.parametrize(
    "text",
    ["not json", "[1, 2]", '"PING"', '{"data": {}}', '{"type": 7}', '{"type": ""}'],
)
async def test_bad_frames(connect, text):
    client = await connect()
    assert (await error_of(client, text))["code"] == "BAD_FRAME"


async def test_binary_frame_is_a_bad_frame(connect):
    client = await connect()
    assert (await error_of(client, bytes_data=b"\x00\x01"))["code"] == "BAD_FRAME"


async def test_bad_frame_keeps_its_ref_and_the_connection_open(connect):
    client = await connect()
    data = await error_of(client, '{"ref": "x1"}')
    assert data == {"code": "BAD_FRAME", "message": data["message"], "ref": "x1"}
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"


@pytest.mark.parametrize("type_", ["NOPE", "ACK", "SUBSCRIBED", "ERROR"])
async def test_unknown_and_server_only_types(connect, type_):
    client = await connect()
    frame = await client.request(type_, "TALLY", "1", ref="u1")
    assert frame["type"] == "ERROR"
    assert frame["data"]["code"] == "UNKNOWN_TYPE"
    assert frame["data"]["ref"] == "u1"


async def test_validation_names_the_fields(connect, token):
    client = await connect(token=token)
    frame = await client.request("ADD", "TALLY", "1", {"n": "many"})
    assert frame["data"]["code"] == "VALIDATION"
    assert set(frame["data"]["details"]) == {"n"}


async def test_validation_of_the_envelope(connect):
    client = await connect()
    await client.communicator.send_to(text_data=json.dumps({"type": "PING", "ref": "r" * 65}))
    frame = await client.receive_type("ERROR")
    assert frame["data"]["code"] == "VALIDATION"
    assert "ref" in frame["data"]["details"]
    frame = await client.request("ADD", "LOBBY", "1", {"n": 1})
    assert frame["data"]["code"] == "VALIDATION"
    assert "target" in frame["data"]["details"]


async def test_command_needs_a_user(connect):
    client = await connect()
    frame = await client.request("ADD", "TALLY", "1", {"n": 1}, ref="a")
    assert frame["data"] == {"code": "UNAUTHENTICATED", "message": frame["data"]["message"], "ref": "a"}
    assert frame["target"] == "TALLY" and frame["id"] == "1"


async def test_permission_refused_is_forbidden(connect, token):
    client = await connect(token=token)
    frame = await client.request("ADD", "TALLY", "locked-1", {"n": 1})
    assert frame["data"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    "raised, code",
    [
        ("VALIDATION", "VALIDATION"),
        ("UNAUTHENTICATED", "UNAUTHENTICATED"),
        ("FORBIDDEN", "FORBIDDEN"),
        ("NOT_FOUND", "NOT_FOUND"),
        ("CONFLICT", "CONFLICT"),
        ("NOT_YOUR_TURN", "NOT_YOUR_TURN"),
        ("ILLEGAL_ACTION", "ILLEGAL_ACTION"),
        ("INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS"),
        ("ACCOUNTS_FUNDS", "INSUFFICIENT_FUNDS"),
    ],
)
async def test_handler_errors_become_error_frames(connect, raised, code):
    client = await connect()
    frame = await client.request("FAIL", "TALLY", "1", {"code": raised})
    assert frame["type"] == "ERROR"
    assert frame["data"]["code"] == code


async def test_unexpected_exception_is_internal_without_internals(connect, caplog):
    client = await connect()
    frame = await client.request("FAIL", "TALLY", "1", {"code": "?"}, ref="i1")
    assert frame["data"]["code"] == "INTERNAL"
    assert "hunter2" not in json.dumps(frame)
    assert "hunter2" in caplog.text
    assert (await client.request("PING", data={"t": 2}))["type"] == "PONG"


async def test_each_ref_gets_exactly_one_answer(connect, token):
    client = await connect(token=token)
    for i in range(5):
        await client.send("ADD", "TALLY", "1", {"n": 1}, ref=f"c{i}")
    await client.send("ADD", "TALLY", "1", {"n": "x"}, ref="bad")
    answers = [await client.receive() for _ in range(6)]
    assert [a["data"]["ref"] for a in answers] == ["c0", "c1", "c2", "c3", "c4", "bad"]
    assert [a["type"] for a in answers] == ["ACK"] * 5 + ["ERROR"]
    assert await client.nothing()


async def test_command_without_ref_gets_no_ack(connect, token):
    client = await connect(token=token)
    await client.send("ADD", "TALLY", "1", {"n": 1})
    assert await client.nothing()


# --- Subscriptions (PROTOCOL.md section 3) ---------------------------------------------------------


async def test_subscribe_answers_snapshot_then_contiguous_events(connect):
    await add("s1", 2, times=3)
    client = await connect()
    subscribed = await client.request("SUBSCRIBE", "TALLY", "s1", ref="s")
    assert subscribed["type"] == "SUBSCRIBED"
    assert subscribed["target"] == "TALLY" and subscribed["id"] == "s1"
    data = subscribed["data"]
    assert data["seq"] == 3 and data["recovered"] is False and data["ref"] == "s"
    assert data["state"] == {"total": 6}
    await add("s1", 1, times=4)
    events = [await client.receive_type("ADD") for _ in range(4)]
    assert [e["seq"] for e in events] == [4, 5, 6, 7]
    assert events[-1]["data"]["total"] == 10
    first = events[0]
    assert first["epoch"] == data["epoch"] and first["target"] == "TALLY" and first["id"] == "s1"
    assert TIMESTAMP.match(first["timestamp"])
    assert first["event_id"] == str(
        (await database_sync_to_async(Event.objects.get)(seq=4, stream_id="s1")).event_id
    )


async def test_recovery_with_since_replays_the_journal(connect):
    await add("r1", 1, times=5)
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "r1"))["data"]["epoch"]
    again = await client.request("SUBSCRIBE", "TALLY", "r1", {"since": 2, "epoch": epoch})
    assert again["data"] == {"seq": 2, "epoch": epoch, "recovered": True, "ref": "r1"}
    replayed = [await client.receive_type("ADD") for _ in range(3)]
    assert [e["seq"] for e in replayed] == [3, 4, 5]
    await add("r1", 1)
    assert (await client.receive_type("ADD"))["seq"] == 6
    assert await client.nothing()


async def test_recovery_with_another_epoch_gets_a_snapshot(connect):
    await add("r2", 1, times=2)
    client = await connect()
    frame = await client.request("SUBSCRIBE", "TALLY", "r2", {"since": 1, "epoch": "stale"})
    assert frame["data"]["recovered"] is False
    assert frame["data"]["state"] == {"total": 2} and frame["data"]["seq"] == 2


async def test_recovery_past_retention_gets_a_snapshot(connect):
    await add("r3", 1, times=6)
    await database_sync_to_async(streams.prune_journal)(keep_events=2, keep_hours=0)
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "r3"))["data"]["epoch"]
    frame = await client.request("SUBSCRIBE", "TALLY", "r3", {"since": 1, "epoch": epoch})
    assert frame["data"]["recovered"] is False and frame["data"]["state"] == {"total": 6}
    frame = await client.request("SUBSCRIBE", "TALLY", "r3", {"since": 4, "epoch": epoch})
    assert frame["data"]["recovered"] is True
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(2)] == [5, 6]


async def test_since_ahead_of_the_stream_gets_a_snapshot(connect):
    await add("r4", 1)
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "r4"))["data"]["epoch"]
    frame = await client.request("SUBSCRIBE", "TALLY", "r4", {"since": 9, "epoch": epoch})
    assert frame["data"]["recovered"] is False and frame["data"]["seq"] == 1


@pytest.mark.parametrize(
    "target, id_, data, code",
    [
        ("TALLY", "missing-1", None, "NOT_FOUND"),
        ("TALLY", "bad id!", None, "NOT_FOUND"),
        ("TALLY", "secret-1", None, "FORBIDDEN"),
        ("NOWHERE", "1", None, "VALIDATION"),
        (None, "1", None, "VALIDATION"),
        ("TALLY", None, None, "VALIDATION"),
        ("TALLY", "1", {"since": -1}, "VALIDATION"),
        ("TALLY", "1", {"since": 1, "epoch": 5}, "VALIDATION"),
    ],
)
async def test_refused_subscriptions(connect, target, id_, data, code):
    client = await connect()
    frame = await client.request("SUBSCRIBE", target, id_, data, ref="q")
    assert frame["type"] == "ERROR"
    assert frame["data"]["code"] == code and frame["data"]["ref"] == "q"
    assert await client.nothing()


async def test_unsubscribe_stops_the_stream(connect, layer):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "u1")
    ack = await client.request("UNSUBSCRIBE", "TALLY", "u1", ref="un")
    assert ack["type"] == "ACK" and ack["data"] == {"ref": "un"}
    await add("u1", 1)
    assert await client.nothing()
    assert not layer.groups.get("tally.u1")


async def test_events_arriving_out_of_order_are_delivered_in_order(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "o1")
    held = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await add("o1", 1, times=3)
    monkeypatch.undo()
    # Another node's events overtaking: 3 first, then 1 and 2.
    for event in reversed(held):
        await layer.group_send("tally.o1", streams.event_message(event))
    seqs = [(await client.receive_type("ADD"))["seq"] for _ in range(3)]
    assert seqs == [1, 2, 3]
    assert await client.nothing()


async def test_groups_are_left_empty_after_disconnect(connect, layer):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "g1")
    await client.request("SUBSCRIBE", "TALLY", "g2")
    assert layer.groups.get("tally.g1")
    await client.close()
    assert not layer.groups.get("tally.g1") and not layer.groups.get("tally.g2")


# --- Heartbeat and limits (PROTOCOL.md section 4) ---------------------------------------------------


async def test_server_pings_every_interval(manual_clock, connect, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=25, HEARTBEAT_TIMEOUT=60)
    client = await connect()
    # when: not yet an interval
    await manual_clock.advance(24.9)
    # then
    assert await client.communicator.receive_nothing(0.05)
    # when
    await manual_clock.advance(0.1)
    # then
    ping = await client.receive()
    assert ping["type"] == "PING"
    assert ping["data"]["t"] == int(manual_clock.now().timestamp() * 1000)
    await client.send("PONG", data=ping["data"])
    await manual_clock.advance(25)
    assert (await client.receive())["type"] == "PING"


async def test_silence_closes_4408(manual_clock, connect, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=25, HEARTBEAT_TIMEOUT=60)
    client = await connect()
    # when: a tick short of the timeout, the client having answered nothing
    await manual_clock.advance(59.9)
    # then: pinged twice, still open
    assert [(await client.receive())["type"] for _ in range(2)] == ["PING", "PING"]
    assert await client.communicator.receive_nothing(0.05)
    # when
    await manual_clock.advance(0.1)
    # then
    assert await client.communicator.receive_output(5) == {"type": "websocket.close", "code": 4408}


async def test_frames_keep_the_connection_alive(manual_clock, connect, realtime_conf):
    realtime_conf(HEARTBEAT_INTERVAL=1000, HEARTBEAT_TIMEOUT=60)
    client = await connect()
    # 160 s in all, never 60 s without a frame
    for _ in range(4):
        await manual_clock.advance(40)
        assert (await client.request("PING", data={"t": 0}))["type"] == "PONG"


async def test_the_rate_limit_refills_with_time(manual_clock, connect, realtime_conf):
    realtime_conf(RATE_PER_SECOND=1, RATE_BURST=2, RATE_ABUSE_LIMIT=100)
    client = await connect()
    pongs = [await client.request("PING", data={"t": i}) for i in range(3)]
    assert [f["type"] for f in pongs] == ["PONG", "PONG", "ERROR"]
    # when: one second refills one token
    await manual_clock.advance(1)
    # then
    assert (await client.request("PING", data={"t": 3}))["type"] == "PONG"
    assert (await client.request("PING", data={"t": 4}))["data"]["code"] == "RATE_LIMITED"


async def test_frame_over_the_limit_closes_1009(connect, realtime_conf):
    realtime_conf(MAX_FRAME_BYTES=1000)
    client = await connect()
    # 2-byte characters: the limit is in UTF-8 bytes, not characters.
    frame = {"type": "PING", "data": {"t": 1, "pad": "é" * 450}}
    await client.communicator.send_to(text_data=json.dumps(frame, ensure_ascii=False))
    assert (await client.receive())["type"] == "PONG"
    frame["data"]["pad"] = "é" * 500
    await client.communicator.send_to(text_data=json.dumps(frame, ensure_ascii=False))
    assert await client.communicator.receive_output(2) == {"type": "websocket.close", "code": 1009}


async def test_rate_limit_refuses_excess_then_closes_4429(connect, realtime_conf):
    realtime_conf(RATE_PER_SECOND=0.01, RATE_BURST=3, RATE_ABUSE_LIMIT=2)
    client = await connect()
    for i in range(6):
        await client.send("PING", data={"t": i}, ref=f"p{i}")
    frames = [await client.receive() for _ in range(5)]
    assert [f["type"] for f in frames] == ["PONG"] * 3 + ["ERROR"] * 2
    assert [f["data"]["code"] for f in frames[3:]] == ["RATE_LIMITED"] * 2
    assert frames[4]["data"]["ref"] == "p4"
    assert await client.communicator.receive_output(2) == {"type": "websocket.close", "code": 4429}


async def test_pong_is_not_rate_limited(connect, realtime_conf):
    realtime_conf(RATE_PER_SECOND=0.01, RATE_BURST=1, RATE_ABUSE_LIMIT=0)
    client = await connect()
    for _ in range(5):
        await client.send("PONG", data={"t": 1})
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"


async def test_slow_consumer_is_closed_4503(layer, realtime_conf):
    realtime_conf(OUTGOING_QUEUE_LIMIT=5)
    app = websocket_application()

    flow = PausedFlow()

    async def paused(scope, receive, send):
        return await app({**scope, "extensions": {"pokerrt.flow": flow}}, receive, send)

    communicator = WebsocketCommunicator(paused, "/ws/")
    assert (await communicator.connect())[0]
    await communicator.send_to(text_data=json.dumps({"type": "SUBSCRIBE", "target": "TALLY", "id": "f1"}))
    await asyncio.wait_for(flow.stalled.wait(), 10)  # SUBSCRIBED is queued: subscribed
    await add("f1", 1, times=10)
    assert await communicator.receive_output(3) == {"type": "websocket.close", "code": 4503}
    await communicator.disconnect()


# --- Presence ---------------------------------------------------------------------------------------


async def test_connection_hooks_count_live_connections(connect, token, user):
    calls = []
    hook = presence.register_connection_hook(
        on_first_connect=lambda u: calls.append(("first", u.pk)),
        on_last_disconnect=lambda u: calls.append(("last", u.pk)),
    )
    try:
        one = await connect(token=token)
        two = await connect(token=token)
        assert await database_sync_to_async(presence.live_connections)(user) == 2
        await one.close()
        assert calls == [("first", user.pk)]
        await two.close()
        assert calls == [("first", user.pk), ("last", user.pk)]
        assert not await database_sync_to_async(Connection.objects.exists)()
    finally:
        presence.unregister_connection_hook(hook)


async def test_rows_of_a_previous_run_of_the_node_are_forgotten(user):
    calls = []
    hook = presence.register_connection_hook(on_last_disconnect=lambda u: calls.append(u.pk))
    try:
        await database_sync_to_async(Connection.objects.create)(
            channel_name="gone", user=user, node=presence.node_name()
        )
        await database_sync_to_async(presence.forget_node)()
        assert calls == [user.pk]
        assert not await database_sync_to_async(Connection.objects.exists)()
    finally:
        presence.unregister_connection_hook(hook)


async def test_bad_frames_count_against_the_rate_limit(connect, realtime_conf):
    realtime_conf(RATE_PER_SECOND=0.01, RATE_BURST=2, RATE_ABUSE_LIMIT=5)
    client = await connect()
    for _ in range(3):
        await client.communicator.send_to(text_data="not json")
    codes = [(await client.receive())["data"]["code"] for _ in range(3)]
    assert codes == ["BAD_FRAME", "BAD_FRAME", "RATE_LIMITED"]


async def test_binary_frame_over_the_limit_closes_1009(connect, realtime_conf):
    realtime_conf(MAX_FRAME_BYTES=100)
    client = await connect()
    await client.communicator.send_to(bytes_data=b"x" * 101)
    assert await client.communicator.receive_output(2) == {"type": "websocket.close", "code": 1009}


async def test_failed_snapshot_leaves_no_group_behind(connect, layer, monkeypatch):
    from . import tally_streams as tally

    def broken(stream_id, user):
        raise RuntimeError("snapshot broke")

    monkeypatch.setattr(tally.tally_actions, "tally_total", broken)
    client = await connect()
    frame = await client.request("SUBSCRIBE", "TALLY", "broken")
    assert frame["data"]["code"] == "INTERNAL"
    assert not layer.groups.get("tally.broken")
