"""Frames that are not JSON, and consumers that fail: the socket's groups and presence row never outlive it."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from pokerrt.realtime.consumer import RealtimeConsumer
from pokerrt.realtime.models import Connection
from pokerrt.realtime.routing import websocket_application

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

add = database_sync_to_async(actions.do_add)


def token_socket(token: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        websocket_application(), "/ws/", headers=[(b"authorization", f"Token {token}".encode())]
    )


async def no_rows_left() -> bool:
    return not await database_sync_to_async(Connection.objects.exists)()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 1000 + "]" * 1000,
        '{"type": "PING", "data":' * 2000 + "{}" + "}" * 2000,
        '{"type": "PING", "data": {"t": NaN}}',
        '{"type": "PING", "data": {"t": -Infinity}}',
        "1" * 5000,
    ],
    ids=["nested-arrays", "nested-objects", "nan", "infinity", "huge-integer"],
)
async def test_a_frame_that_does_not_parse_is_a_bad_frame_and_the_socket_stays_open(connect, text):
    client = await connect()
    await client.communicator.send_to(text_data=text)
    assert (await client.receive_type("ERROR"))["data"]["code"] == "BAD_FRAME"
    assert (await client.request("PING", data={"t": 1}, ref="after"))["type"] == "PONG"


async def test_a_deeply_nested_frame_leaves_presence_exact(connect, token, user, presence_calls):
    # given: a logged-in socket
    client = await connect(token=token)
    # when: it sends nesting deep enough to break the JSON parser's recursion, then leaves
    await client.communicator.send_to(text_data="[" * 1000 + "]" * 1000)
    assert (await client.receive_type("ERROR"))["data"]["code"] == "BAD_FRAME"
    await client.close()
    # then: its row went with it and the user was seen leaving
    assert await no_rows_left()
    assert presence_calls == [("first", user.pk), ("last", user.pk)]


async def test_a_consumer_failing_in_connect_releases_its_presence_row(token, user, presence_calls, monkeypatch):
    async def broken_accept(self, *args, **kwargs):
        raise RuntimeError("accept broke")

    monkeypatch.setattr(RealtimeConsumer, "accept", broken_accept)
    communicator = token_socket(token)
    with pytest.raises(RuntimeError, match="accept broke"):
        await communicator.connect()
    assert await no_rows_left()
    assert presence_calls == [("first", user.pk), ("last", user.pk)]


async def failing_receive(self, content, **kwargs):
    raise RuntimeError("receive broke")


async def failing_forward(self, text, timestamp=None):
    raise RuntimeError("forward broke")


@pytest.mark.parametrize(
    "method, replacement, trigger",
    [("receive_json", failing_receive, "frame"), ("forward", failing_forward, "event")],
    ids=["receive", "event"],
)
async def test_a_consumer_whose_handler_raises_releases_groups_and_presence(
    layer, token, user, presence_calls, monkeypatch, method, replacement, trigger
):
    # given: a logged-in socket subscribed to a stream
    communicator = token_socket(token)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "SUBSCRIBE", "target": "TALLY", "id": "t1"})
    assert (await communicator.receive_json_from())["type"] == "SUBSCRIBED"
    # when: its handler raises something nobody expected
    monkeypatch.setattr(RealtimeConsumer, method, replacement)
    if trigger == "frame":
        await communicator.send_json_to({"type": "PING", "data": {"t": 1}})
    else:
        await add("t1", 1)
    with pytest.raises(RuntimeError, match="broke"):
        await communicator.receive_output(3)
    # then: the consumer ended without a websocket.disconnect, and left nothing behind
    assert not layer.groups.get("tally.t1")
    assert await no_rows_left()
    assert presence_calls == [("first", user.pk), ("last", user.pk)]
