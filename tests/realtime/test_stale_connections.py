"""Connection rows of nodes that died: the node's next run clears them, or they expire with the node.

Either way the tables hear PLAYER_DISCONNECT for the players those rows held,
and the players' next sessions are counted from zero again.
"""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework.authtoken.models import Token

from lobby.actions import do_create_lobby
from pokerrt.realtime import presence
from pokerrt.realtime.models import Connection, Node, Stream
from tables.actions import do_create_table, do_join_table
from tests.live import start_daphne

from .livenode import Node as LiveNode
from .livenode import start_node, stop

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = dt.timedelta(hours=1)


def node_seen(name: str, ago: dt.timedelta = dt.timedelta(0)) -> None:
    Node.objects.update_or_create(name=name, defaults={"last_seen": timezone.now() - ago})


def row(user, node: str, channel: str) -> Connection:
    return Connection.objects.create(user=user, node=node, channel_name=channel)


# --- Expiry and revival, in process -----------------------------------------------------------------


def test_rows_of_nodes_not_seen_for_the_expiry_are_cleared_with_their_hooks(make_user, presence_calls):
    # given: a dead node, a node never seen (rows older than heartbeats), and a live one
    ann, ben, cat = make_user("ann"), make_user("ben"), make_user("cat")
    node_seen("dead", ago=LONG_AGO)
    row(ann, "dead", "a1")
    row(ben, "never-seen", "b1")
    node_seen("alive")
    row(cat, "alive", "c1")
    # ann is also connected through the live node: her count stays above zero
    row(ann, "alive", "a2")
    # when
    presence.expire_dead_nodes()
    # then: only ben's last connection went; the dead node is forgotten
    assert presence_calls == [("last", ben.pk)]
    assert set(Connection.objects.values_list("channel_name", flat=True)) == {"c1", "a2"}
    assert not Node.objects.filter(name="dead").exists()
    assert Node.objects.filter(name="alive").exists()


def test_a_node_seen_within_the_expiry_keeps_its_rows(make_user, settings, presence_calls):
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "NODE_EXPIRY": 60}
    ann = make_user("ann")
    node_seen("slow", ago=dt.timedelta(seconds=50))
    row(ann, "slow", "a1")
    presence.expire_dead_nodes()
    assert presence_calls == []
    assert Connection.objects.filter(channel_name="a1").exists()


async def test_a_node_taken_for_dead_writes_its_open_connections_back(connect, token, user, presence_calls):
    # given: a socket open on this node, then another node took this one for dead
    client = await connect(token=token)
    await database_sync_to_async(Node.objects.filter(name=presence.node_name()).delete)()
    await database_sync_to_async(presence.forget_node)(presence.node_name())
    assert presence_calls == [("first", user.pk), ("last", user.pk)]
    # when: its next heartbeat finds its Node row gone
    await database_sync_to_async(presence.heartbeat)()
    # then: it is alive again, with its socket counted, and the tables were told
    assert await database_sync_to_async(presence.live_connections)(user) == 1
    assert presence_calls[-1] == ("first", user.pk)
    assert await database_sync_to_async(Node.objects.filter(name=presence.node_name()).exists)()
    # and the socket's close is counted as usual
    await client.close()
    assert presence_calls[-1] == ("last", user.pk)
    assert await database_sync_to_async(presence.live_connections)(user) == 0


# --- Live nodes ------------------------------------------------------------------------------------------


@pytest.fixture
def seated(make_user):
    """A cash table with ann seated at it, and ann's token."""
    table = do_create_table(do_create_lobby("Presence"), "P", small_blind=5, big_blind=10, min_buy_in=100)
    ann = make_user("ann")
    do_join_table(ann, table.pk, 500)
    return table, ann, Token.objects.create(user=ann).key


async def watch(node: LiveNode, table):
    """A watcher of the table's stream from where it stands now, so no event is missed."""
    stream = await database_sync_to_async(Stream.objects.get)(target="TABLE", stream_id=str(table.pk))
    watcher = await node.open()
    subscribed = await watcher.request(
        "SUBSCRIBE", "TABLE", table.pk, {"since": stream.seq, "epoch": stream.epoch}
    )
    assert subscribed["data"]["recovered"], subscribed
    return watcher


async def presence_event(watcher) -> tuple[str, str]:
    """The next PLAYER_DISCONNECT or PLAYER_RECONNECT on the watched table: (type, user id)."""
    while True:
        frame = await watcher.receive(timeout=20)
        if frame["type"] in ("PLAYER_DISCONNECT", "PLAYER_RECONNECT"):
            return frame["type"], frame["data"]["user"]["id"]


async def test_the_next_run_of_a_killed_node_tells_the_tables_its_players_left(seated):
    table, ann, key = seated
    first = start_node()
    try:
        # given: ann is connected to a node, which is then killed
        await first.open(key)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        assert await database_sync_to_async(Connection.objects.filter(user=ann).count)() == 1
        # when: the node runs again (same port, no POKERRT_NODE_NAME) and someone connects
        second = LiveNode(*start_daphne(port=first.port, application="tests.realtime.tally_asgi:application"))
        try:
            watcher = await watch(second, table)
            # then: ann is seen to leave, and her next session is seen to come and go
            assert await presence_event(watcher) == ("PLAYER_DISCONNECT", str(ann.pk))
            back = await second.open(key)
            assert await presence_event(watcher) == ("PLAYER_RECONNECT", str(ann.pk))
            await back.close()
            assert await presence_event(watcher) == ("PLAYER_DISCONNECT", str(ann.pk))
        finally:
            stop(second.proc)
    finally:
        stop(first.proc)


@pytest.mark.parametrize("last_seen", [LONG_AGO, None], ids=["dead", "never-seen"])
async def test_a_dead_nodes_rows_expire_on_a_live_node(seated, make_user, last_seen):
    table, ann, _ = seated
    ben = await database_sync_to_async(make_user)("ben")
    await database_sync_to_async(do_join_table)(ben, table.pk, 500)
    ben_key = await database_sync_to_async(lambda: Token.objects.create(user=ben).key)()
    node = start_node(POKERRT_NODE_HEARTBEAT="0.2", POKERRT_NODE_EXPIRY="5")
    try:
        # given: a running node, ben connected to it, and a watcher of the table
        watcher = await watch(node, table)
        await node.open(ben_key)
        # and ann's socket on a node that died (another name, another host)
        if last_seen is not None:
            await database_sync_to_async(node_seen)("crashed-elsewhere", last_seen)
        await database_sync_to_async(row)(ann, "crashed-elsewhere", "gone")
        # when the live node's heartbeat sweeps: ann is seen to leave
        assert await presence_event(watcher) == ("PLAYER_DISCONNECT", str(ann.pk))
        # then: the dead node is forgotten, ben's row and presence untouched
        assert not await database_sync_to_async(Node.objects.filter(name="crashed-elsewhere").exists)()
        assert await database_sync_to_async(Connection.objects.filter(user=ben).count)() == 1
    finally:
        stop(node.proc)
