"""Edges of delivery and of refusals that mutation testing found untested.

Each test names the behaviour a client relies on: an event seen once, a gap
of one filled from the journal, nothing after UNSUBSCRIBE, and ERROR frames
that echo exactly what the client sent (PROTOCOL.md sections 3 and 5).
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from pokerrt.realtime import streams

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

add = database_sync_to_async(actions.do_add)


async def _held_events(monkeypatch, stream_id: str, times: int) -> list:
    """``times`` committed ADD events of ``stream_id`` that no subscriber has been sent yet."""
    held: list = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await add(stream_id, 1, times=times)
    monkeypatch.undo()
    return held


async def test_an_event_delivered_twice_reaches_the_client_once(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d1")
    (event,) = await _held_events(monkeypatch, "d1", 1)
    message = streams.event_message(event)
    # when: the layer delivers the same event twice (a retry, or two paths)
    await layer.group_send("tally.d1", message)
    await layer.group_send("tally.d1", message)
    # then
    assert (await client.receive_type("ADD"))["seq"] == 1
    assert await client.nothing()


async def test_a_gap_of_one_event_is_filled_from_the_journal(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d2")
    first, second = await _held_events(monkeypatch, "d2", 2)
    # when: seq 2 overtakes seq 1
    await layer.group_send("tally.d2", streams.event_message(second))
    # then: 1 is read from the journal and sent before 2
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(2)] == [1, 2]
    # and the late seq 1 is not sent again
    await layer.group_send("tally.d2", streams.event_message(first))
    assert await client.nothing()


async def test_an_event_reaching_a_connection_after_unsubscribe_is_dropped(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "d3")
    (channel,) = layer.groups["tally.d3"]
    (event,) = await _held_events(monkeypatch, "d3", 1)
    await client.request("UNSUBSCRIBE", "TALLY", "d3")
    # when: an event sent before the group was left arrives after
    await layer.send(channel, streams.event_message(event))
    # then
    assert await client.nothing()
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"


# --- UNSUBSCRIBE ------------------------------------------------------------------------------


async def test_unsubscribe_acks_with_the_stream_it_names(connect):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "u2")
    ack = await client.request("UNSUBSCRIBE", "TALLY", "u2", ref="un")
    assert ack == {**ack, "type": "ACK", "target": "TALLY", "id": "u2", "data": {"ref": "un"}}


async def test_unsubscribe_from_a_stream_not_joined_is_acked(connect, layer):
    client = await connect()
    ack = await client.request("UNSUBSCRIBE", "TALLY", "never", ref="n1")
    assert ack["type"] == "ACK" and ack["data"] == {"ref": "n1"}
    assert not layer.groups.get("tally.never")


async def test_unsubscribe_without_ref_is_not_acked(connect, layer):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "u3")
    await client.communicator.send_to(text_data=json.dumps({"type": "UNSUBSCRIBE", "target": "TALLY", "id": "u3"}))
    assert await client.nothing()
    assert not layer.groups.get("tally.u3")


async def test_unsubscribe_keeps_the_other_subscriptions(connect, layer, monkeypatch):
    client = await connect()
    await client.request("SUBSCRIBE", "TALLY", "keep")
    await client.request("SUBSCRIBE", "TALLY", "drop")
    await client.request("UNSUBSCRIBE", "TALLY", "drop")
    await add("keep", 1)
    assert (await client.receive_type("ADD"))["id"] == "keep"
    assert layer.groups.get("tally.keep") and not layer.groups.get("tally.drop")


@pytest.mark.parametrize(
    ("frame", "missing"),
    [
        ({"type": "UNSUBSCRIBE", "ref": "v1"}, {"target", "id"}),
        ({"type": "UNSUBSCRIBE", "target": "TALLY", "ref": "v1"}, {"id"}),
    ],
)
async def test_unsubscribe_names_the_missing_fields(connect, frame, missing):
    client = await connect()
    await client.communicator.send_to(text_data=json.dumps(frame))
    error = (await client.receive_type("ERROR"))["data"]
    assert error == {"code": "VALIDATION", "message": "Which stream?", "ref": "v1",
                     "details": {name: ["Required."] for name in missing}}


# --- What an ERROR echoes ------------------------------------------------------------------------


async def test_an_error_echoes_the_target_and_the_id_as_a_string(connect):
    client = await connect()
    await client.communicator.send_to(text_data=json.dumps(
        {"type": "NOPE", "target": "TALLY", "id": 7, "ref": "e1"}
    ))
    frame = await client.receive_type("ERROR")
    assert frame["target"] == "TALLY" and frame["id"] == "7"
    assert frame["data"]["message"] == "NOPE is not a command clients may send."


@pytest.mark.parametrize("frame", [
    {"type": "NOPE", "target": 5, "id": True, "ref": "e2"},
    {"type": "NOPE", "target": ["TALLY"], "id": {"n": 1}, "ref": "e2"},
])
async def test_an_error_echoes_no_target_or_id_that_is_not_one(connect, frame):
    client = await connect()
    await client.communicator.send_to(text_data=json.dumps(frame))
    error = await client.receive_type("ERROR")
    assert error["target"] is None and error["id"] is None
    assert error["data"]["ref"] == "e2" and error["data"]["message"]


async def test_an_error_for_a_frame_that_is_no_object_echoes_nothing(connect):
    client = await connect()
    await client.communicator.send_to(text_data="[1, 2]")
    error = await client.receive_type("ERROR")
    assert error["target"] is None and error["id"] is None
    assert error["data"] == {"code": "BAD_FRAME", "message": error["data"]["message"]}
    assert error["data"]["message"]


# --- SUBSCRIBE's refusals, and what an ACK names ------------------------------------------------


@pytest.mark.parametrize(("data", "details"), [
    ({"since": -1}, {"since": ["A whole number, 0 or more."]}),
    ({"since": "3"}, {"since": ["A whole number, 0 or more."]}),
    ({"since": True}, {"since": ["A whole number, 0 or more."]}),
    ({"since": 2.5}, {"since": ["A whole number, 0 or more."]}),
    ({"epoch": 5}, {"epoch": ["A string."]}),
    ({"since": -1, "epoch": []}, {"since": ["A whole number, 0 or more."], "epoch": ["A string."]}),
])
async def test_subscribe_names_a_bad_resume_point(connect, data, details):
    client = await connect()
    error = await client.request("SUBSCRIBE", "TALLY", "r1", data, ref="s1")
    assert error["type"] == "ERROR"
    assert error["data"] == {"code": "VALIDATION", "message": error["data"]["message"], "ref": "s1",
                             "details": details}


async def test_subscribe_to_an_unknown_stream_type_lists_the_known_ones(connect):
    from pokerrt.realtime import registry

    client = await connect()
    error = (await client.request("SUBSCRIBE", "NOPE", "1", ref="s2"))["data"]
    assert error["code"] == "VALIDATION" and error["message"] == "No stream type NOPE."
    assert error["details"] == {"target": [f"One of {', '.join(registry.registered_targets())}."]}
    assert "TALLY" in error["details"]["target"][0] and "TABLE" in error["details"]["target"][0]


async def test_subscribe_refusals_say_which_stream(connect):
    client = await connect()
    missing = (await client.request("SUBSCRIBE", "TALLY", "missing-1"))["data"]
    assert missing["code"] == "NOT_FOUND" and missing["message"] == "No TALLY missing-1."
    secret = (await client.request("SUBSCRIBE", "TALLY", "secret-1"))["data"]
    assert secret["code"] == "FORBIDDEN" and secret["message"] == "You may not subscribe to TALLY secret-1."


async def test_a_server_only_type_is_refused_by_name(connect):
    client = await connect()
    error = (await client.request("ACK", "TALLY", "1", ref="a1"))["data"]
    assert error["code"] == "UNKNOWN_TYPE" and error["message"] == "ACK is sent by the server only."


async def test_a_commands_ack_names_its_stream(connect, token):
    client = await connect(token=token)
    ack = await client.request("ADD", "TALLY", "k1", {"n": 2}, ref="c1")
    assert ack["type"] == "ACK" and ack["target"] == "TALLY" and ack["id"] == "k1"


async def test_a_rate_limited_error_names_the_command_it_refuses(connect, realtime_conf):
    realtime_conf(RATE_PER_SECOND=0.01, RATE_BURST=1, RATE_ABUSE_LIMIT=5)
    client = await connect()
    assert (await client.request("SUBSCRIBE", "TALLY", "rl"))["type"] == "SUBSCRIBED"
    refused = await client.request("UNSUBSCRIBE", "TALLY", "rl", ref="u9")
    assert refused["data"]["code"] == "RATE_LIMITED" and refused["data"]["ref"] == "u9"
    assert refused["target"] == "TALLY" and refused["id"] == "rl"
