"""Lobby presence is by user, not by socket: two tabs are one member, and no member outlives their sockets.

Sockets are driven in-process through the consumer (WebsocketCommunicator);
a node that disappears is played with presence rows of a node not seen for
longer than the expiry, as the survivors' heartbeat finds them.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from lobby.actions import do_join_lobby
from lobby.models import Member
from lobby.snapshots import lobby_snapshot
from pokerrt.accounts.models import user_ref
from pokerrt.realtime import presence
from pokerrt.realtime.models import Connection, Node
from tests.realtime.consistency import assert_events_replay

from .reducer import apply_lobby_event

db = database_sync_to_async


class Watcher:
    """An anonymous subscriber keeping the lobby's state as a client does."""

    def __init__(self, client, lobby_id: str):
        self.client, self.lobby_id = client, lobby_id

    async def subscribe(self) -> None:
        frame = await self.client.request("SUBSCRIBE", "LOBBY", self.lobby_id)
        assert frame["type"] == "SUBSCRIBED", frame
        self.state, self.seq = frame["data"]["state"], frame["data"]["seq"]

    async def next_event(self) -> dict:
        frame = await self.client.receive()
        while frame["type"] == "PING":
            frame = await self.client.receive()
        assert frame["seq"] == self.seq + 1, frame
        self.seq = frame["seq"]
        self.state = apply_lobby_event(copy.deepcopy(self.state), frame)
        return frame

    async def is_current(self) -> bool:
        return self.state == await db(lobby_snapshot)(self.lobby_id)


async def answer(client, type: str, lobby_id: str, ref: str) -> dict:
    """Send a command; its ACK or ERROR, past the events the socket receives meanwhile."""
    await client.send(type, "LOBBY", lobby_id, ref=ref)
    while True:
        frame = await client.receive()
        if frame["type"] in ("ACK", "ERROR") and frame["data"].get("ref") == ref:
            return frame


async def join(client, lobby_id: str) -> dict:
    """LOBBY_JOIN: the socket is subscribed (SUBSCRIBED with the snapshot), then the ACK."""
    await client.send("LOBBY_JOIN", "LOBBY", lobby_id, ref="join")
    subscribed = await client.receive_type("SUBSCRIBED")
    ack = await client.receive_type("ACK")
    assert ack["data"] == {"ref": "join"}
    return subscribed


@pytest.mark.django_db(transaction=True)
async def test_two_tabs_of_one_user_are_one_member(open_socket, lobby, make_user):
    ann, ben = await db(make_user)("ann"), await db(make_user)("ben")
    lobby_id = str(lobby.pk)
    watcher = Watcher(await open_socket(), lobby_id)
    await watcher.subscribe()
    first, second = await open_socket(ann), await open_socket(ann)

    # the first tab joins: ann is a member, and the tab has the lobby's snapshot with her in it
    subscribed = await join(first, lobby_id)
    assert subscribed["data"]["state"]["members"] == [user_ref(ann)]
    assert (await watcher.next_event())["data"] == {"user": user_ref(ann), "members": 1}

    # the second tab joins: nothing changes for anyone else
    await join(second, lobby_id)
    # the first tab leaves: ann stays, through the second
    assert (await answer(first, "LOBBY_LEAVE", lobby_id, "out"))["type"] == "ACK"
    # ben's join is the next event: neither of ann's tabs sent one
    ben_socket = await open_socket(ben)
    await join(ben_socket, lobby_id)
    assert (await watcher.next_event())["data"] == {"user": user_ref(ben), "members": 2}

    # the second tab closes: ann's last joined socket is gone
    await second.close()
    left = await watcher.next_event()
    assert (left["type"], left["data"]) == ("LOBBY_LEAVE", {"user": user_ref(ann), "members": 1})
    assert await watcher.is_current()
    assert await db(lambda: sorted(Member.objects.values_list("user_id", flat=True)))() == [ben.pk]


@pytest.mark.django_db(transaction=True)
async def test_leaving_twice_or_without_joining_changes_nothing(open_socket, lobby, make_user):
    ann, ben = await db(make_user)("ann"), await db(make_user)("ben")
    lobby_id = str(lobby.pk)
    watcher = Watcher(await open_socket(), lobby_id)
    await watcher.subscribe()
    socket = await open_socket(ann)
    assert (await answer(socket, "LOBBY_LEAVE", lobby_id, "l1"))["type"] == "ACK"
    await join(socket, lobby_id)
    assert (await answer(socket, "LOBBY_LEAVE", lobby_id, "l2"))["type"] == "ACK"
    assert (await answer(socket, "LOBBY_LEAVE", lobby_id, "l3"))["type"] == "ACK"
    await join(await open_socket(ben), lobby_id)
    kinds = [(await watcher.next_event())["type"] for _ in range(3)]
    assert kinds == ["LOBBY_JOIN", "LOBBY_LEAVE", "LOBBY_JOIN"]
    assert await watcher.is_current()


@pytest.mark.django_db(transaction=True)
async def test_joining_needs_a_login_and_a_lobby(open_socket, lobby, make_user):
    anonymous = await open_socket()
    refused = await anonymous.request("LOBBY_JOIN", "LOBBY", str(lobby.pk))
    assert refused["data"]["code"] == "UNAUTHENTICATED"
    player = await open_socket(await db(make_user)("ann"))
    refused = await player.request("LOBBY_JOIN", "LOBBY", str(lobby.pk + 100))
    assert refused["data"]["code"] == "NOT_FOUND"
    assert not await db(Member.objects.exists)()


# --- Nodes ------------------------------------------------------------------------------------------------


def node_seen(name: str, ago: dt.timedelta = dt.timedelta(0)) -> None:
    Node.objects.update_or_create(name=name, defaults={"last_seen": timezone.now() - ago})


def socket_on(user, node: str, channel: str) -> str:
    Connection.objects.create(user=user, node=node, channel_name=channel)
    return channel


@pytest.mark.django_db
def test_a_node_that_disappears_leaves_no_ghost_members(lobby, make_user):
    # given: ann joined from a dead node and from a live one; ben and cat only from the dead node,
    # and cat also has a socket on the live node that never joined
    ann, ben, cat = make_user("ann"), make_user("ben"), make_user("cat")
    node_seen("dead", ago=dt.timedelta(hours=1))
    node_seen("alive")
    do_join_lobby(ann, lobby.pk, socket_on(ann, "dead", "ann-dead"))
    do_join_lobby(ann, lobby.pk, socket_on(ann, "alive", "ann-alive"))
    do_join_lobby(ben, lobby.pk, socket_on(ben, "dead", "ben-dead"))
    do_join_lobby(cat, lobby.pk, socket_on(cat, "dead", "cat-dead"))
    socket_on(cat, "alive", "cat-alive")
    # when: a live node's heartbeat expires the dead one
    events = assert_events_replay("LOBBY", lobby.pk, None, presence.expire_dead_nodes)
    # then: ben and cat left; ann is still there through her live socket
    assert [(e["type"], e["data"]["user"]["username"], e["data"]["members"]) for e in events] == [
        ("LOBBY_LEAVE", "ben", 2), ("LOBBY_LEAVE", "cat", 1),
    ]
    assert lobby_snapshot(str(lobby.pk))["members"] == [user_ref(ann)]
    assert list(Member.objects.values_list("connection_id", flat=True)) == ["ann-alive"]


@pytest.mark.django_db
def test_a_restarted_node_clears_its_previous_runs_members(lobby, make_user):
    ann = make_user("ann")
    do_join_lobby(ann, lobby.pk, socket_on(ann, presence.node_name(), "before-restart"))
    events = assert_events_replay("LOBBY", lobby.pk, None, presence.forget_node)
    assert [e["type"] for e in events] == ["LOBBY_LEAVE"]
    assert not Member.objects.exists()
