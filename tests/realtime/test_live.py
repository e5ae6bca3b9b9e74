"""The protocol over real sockets: websockets clients against a live node."""

from __future__ import annotations

import asyncio
import json
import math
import signal
import socket
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from rest_framework.authtoken.models import Token
from websockets.exceptions import ConnectionClosed, InvalidStatus

from pokerrt.realtime import streams

from .livenode import start_node, stop

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def node(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # A small send buffer and queue, so a client that does not read overflows soon.
        started = start_node(POKERRT_OUTGOING_QUEUE_LIMIT="50", POKERRT_SEND_BUFFER_HIGH="16384")
    yield started
    stop(started.proc)


HEARTBEAT_INTERVAL = 0.25
# Long enough that a client answering every ping never misses it on a busy machine.
HEARTBEAT_TIMEOUT = 5


@pytest.fixture(scope="module")
def tight_node(django_db_setup, django_db_blocker):
    """A node with small limits, for the heartbeat and limit closes."""
    with django_db_blocker.unblock():
        started = start_node(
            POKERRT_HEARTBEAT_INTERVAL=str(HEARTBEAT_INTERVAL),
            POKERRT_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            POKERRT_MAX_FRAME_BYTES="4096",
            # A burst of 5 and no refill while a test runs, however slowly it sends.
            POKERRT_RATE_PER_SECOND="0.001",
            POKERRT_RATE_BURST="5",
            POKERRT_RATE_ABUSE_LIMIT="3",
        )
    yield started
    stop(started.proc)


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


async def test_subscribe_snapshot_then_contiguous_seq(node, user):
    key = await database_sync_to_async(token_for)(user)
    writer = await node.open(key)
    assert (await writer.request("ADD", "TALLY", "l1", {"n": 3}))["type"] == "ACK"
    reader = await node.open()
    subscribed = await reader.request("SUBSCRIBE", "TALLY", "l1")
    assert subscribed["data"]["seq"] == 1 and subscribed["data"]["state"] == {"total": 3}
    for _ in range(3):
        await writer.request("ADD", "TALLY", "l1", {"n": 2, "times": 4})
    events = [await reader.receive_type("ADD") for _ in range(12)]
    assert [e["seq"] for e in events] == list(range(2, 14))
    assert events[-1]["data"]["total"] == 27
    await writer.close()
    await reader.close()


async def test_recovery_with_since_and_past_retention(node, user):
    key = await database_sync_to_async(token_for)(user)
    client = await node.open(key)
    await client.request("ADD", "TALLY", "l2", {"n": 1, "times": 5})
    epoch = (await client.request("SUBSCRIBE", "TALLY", "l2"))["data"]["epoch"]
    await client.close()
    # The client was away while three more events happened.
    other = await node.open(key)
    await other.request("ADD", "TALLY", "l2", {"n": 1, "times": 3})
    back = await node.open()
    frame = await back.request("SUBSCRIBE", "TALLY", "l2", {"since": 5, "epoch": epoch})
    assert frame["data"] == {"seq": 5, "epoch": epoch, "recovered": True, "ref": "r"}
    assert [(await back.receive_type("ADD"))["seq"] for _ in range(3)] == [6, 7, 8]
    await database_sync_to_async(streams.prune_journal)(keep_events=1, keep_hours=0)
    late = await node.open()
    frame = await late.request("SUBSCRIBE", "TALLY", "l2", {"since": 5, "epoch": epoch})
    assert frame["data"]["recovered"] is False
    assert frame["data"]["seq"] == 8 and frame["data"]["state"] == {"total": 8}
    for s in (other, back, late):
        await s.close()


async def test_bad_token_is_refused_with_403(node, db):
    with pytest.raises(InvalidStatus) as refused:
        await node.open("nonsense")
    assert refused.value.response.status_code == 403


async def test_foreign_origin_is_refused_with_403(node):
    with pytest.raises(InvalidStatus):
        await node.open(origin="http://evil.example")


@pytest.mark.parametrize(
    "frame, code",
    [
        ("not json", "BAD_FRAME"),
        ('{"type": "NOPE", "ref": "r"}', "UNKNOWN_TYPE"),
        ('{"type": "ADD", "target": "TALLY", "id": "1", "data": {}, "ref": "r"}', "UNAUTHENTICATED"),
        ('{"type": "SUBSCRIBE", "target": "TALLY", "id": "missing", "ref": "r"}', "NOT_FOUND"),
        ('{"type": "SUBSCRIBE", "target": "TALLY", "id": "secret", "ref": "r"}', "FORBIDDEN"),
        (
            '{"type": "SUBSCRIBE", "target": "TALLY", "id": "1", "data": {"since": "x"}, "ref": "r"}',
            "VALIDATION",
        ),
        (
            '{"type": "FAIL", "target": "TALLY", "id": "1", "data": {"code": "CONFLICT"}, "ref": "r"}',
            "CONFLICT",
        ),
        (
            '{"type": "FAIL", "target": "TALLY", "id": "1", "data": {"code": "NOT_YOUR_TURN"}, "ref": "r"}',
            "NOT_YOUR_TURN",
        ),
        (
            '{"type": "FAIL", "target": "TALLY", "id": "1", "data": {"code": "ILLEGAL_ACTION"}, "ref": "r"}',
            "ILLEGAL_ACTION",
        ),
        (
            '{"type": "FAIL", "target": "TALLY", "id": "1", "data": {"code": "ACCOUNTS_FUNDS"}, "ref": "r"}',
            "INSUFFICIENT_FUNDS",
        ),
        ('{"type": "FAIL", "target": "TALLY", "id": "1", "data": {"code": "?"}, "ref": "r"}', "INTERNAL"),
    ],
)
async def test_error_codes(node, frame, code):
    client = await node.open()
    await client.ws.send(frame)
    error = await client.receive_type("ERROR")
    assert error["data"]["code"] == code
    # The connection stays open after an error.
    assert (await client.request("PING", data={"t": 1}, ref="after"))["type"] == "PONG"
    await client.close()


async def test_ping_pong_both_ways(tight_node):
    client = await tight_node.open()
    pong = await client.request("PING", data={"t": 99}, ref="p")
    assert pong["data"] == {"t": 99, "ref": "p"}
    # The server's pings come at least an interval apart: this many span the timeout.
    for _ in range(math.ceil(HEARTBEAT_TIMEOUT / HEARTBEAT_INTERVAL) + 1):
        ping = await client.receive()
        assert ping["type"] == "PING"
        await client.send("PONG", data=ping["data"])
    # Answering pings kept it open past the timeout.
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"
    await client.close()


async def test_silent_client_is_closed_4408(tight_node):
    client = await tight_node.open()
    assert await client.close_code() == 4408


async def test_frame_over_the_limit_is_closed_1009(tight_node):
    client = await tight_node.open()
    await client.ws.send(json.dumps({"type": "PING", "data": {"t": 1, "pad": "x" * 5000}}))
    assert await client.close_code() == 1009


async def test_rate_limit_then_abuse_is_closed_4429(tight_node):
    client = await tight_node.open()
    for i in range(9):
        await client.send("PING", data={"t": i}, ref=f"p{i}")
    frames = []
    with pytest.raises(ConnectionClosed):
        while True:
            frames.append(await client.receive())
    answers = [(f["type"], f["data"].get("code"), f["data"].get("ref")) for f in frames if "ref" in f["data"]]
    assert answers == [("PONG", None, f"p{i}") for i in range(5)] + [
        ("ERROR", "RATE_LIMITED", f"p{i}") for i in range(5, 8)
    ]
    assert client.ws.close_code == 4429


RECEIVE_BUFFER = 256 * 1024


def socket_backlog_bytes() -> int:
    """What the kernel may hold for a loopback client whose receive buffer is capped."""
    try:
        send_max = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        send_max = 16 * 1024 * 1024
    # Linux doubles SO_RCVBUF for its bookkeeping.
    return send_max + 2 * RECEIVE_BUFFER


async def test_client_that_does_not_read_is_closed_4503(node, user):
    key = await database_sync_to_async(token_for)(user)
    writer = await node.open(key)
    # No reading: the kernel's buffers fill, then the server's send buffer,
    # then the consumer's queue (50 frames); send more than all of them hold.
    # The receive buffer is capped before connecting (no autotuning, a sane window).
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.connect(("127.0.0.1", node.port))
    slow = await node.open(sock=sock, max_queue=1, max_size=None)
    assert (await slow.request("SUBSCRIBE", "TALLY", "l5"))["type"] == "SUBSCRIBED"
    per_command = 500 * 5000
    for _ in range(socket_backlog_bytes() // per_command + 2):
        await writer.request("ADD", "TALLY", "l5", {"n": 1, "times": 500, "pad": 5000})
    # Reading now, it gets the backlog the kernel held, then the close.
    assert await slow.close_code() == 4503
    await writer.close()


async def test_player_stream_is_private(node, make_user, staff_user):
    alice, bob = await database_sync_to_async(lambda: (make_user("alice"), make_user("bob")))()
    keys = [await database_sync_to_async(token_for)(u) for u in (alice, bob, staff_user)]
    own, other, staff = [await node.open(k) for k in keys]
    anonymous = await node.open()
    frame = await own.request("SUBSCRIBE", "PLAYER", alice.pk)
    state = frame["data"]["state"]
    assert state == {
        "user": {"id": str(alice.pk), "username": "alice"},
        "balance": state["balance"],
        "seats": [],
        "registrations": [],
    }
    assert (await other.request("SUBSCRIBE", "PLAYER", alice.pk))["data"]["code"] == "FORBIDDEN"
    assert (await anonymous.request("SUBSCRIBE", "PLAYER", alice.pk))["data"]["code"] == "FORBIDDEN"
    assert (await staff.request("SUBSCRIBE", "PLAYER", alice.pk))["type"] == "SUBSCRIBED"
    await own.request("GRANT", "PLAYER", alice.pk, {"amount": 50})
    for client in (own, staff):
        event = await client.receive_type("BALANCE_UPDATE")
        assert event["data"]["balance"] == state["balance"] + 50 and event["seq"] == frame["data"]["seq"] + 1
    for client in (own, other, staff, anonymous):
        await client.close()


async def test_shutdown_closes_clients_with_1012(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        node = start_node()
    try:
        client = await node.open()
        await client.request("SUBSCRIBE", "TALLY", "l9")
        node.proc.send_signal(signal.SIGTERM)
        assert await client.close_code() == 1012
        assert await asyncio.to_thread(node.proc.wait, 10) == 0
    finally:
        stop(node.proc)
