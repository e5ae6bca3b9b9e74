"""The journal tail (issue 16): an event whose broadcast was lost still reaches its subscribers, once, in order."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis.exceptions
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from pokerrt import retry
from pokerrt.realtime import tail
from tests.live import free_port
from tests.metrics.helpers import Moved
from tests.services import REDIS_URL

from . import tally_actions as actions
from .conftest import IN_MEMORY

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async

LAYERS = {
    "memory": IN_MEMORY,
    "redis-core": {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    },
    "redis-pubsub": {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    },
}


@pytest.fixture(autouse=True)
async def tail_state(monkeypatch):
    # One try per broadcast: a send past its retries is what the tail is for,
    # and the retries' waits would only slow the tests.
    monkeypatch.setattr(retry, "CHANNEL_SEND", retry.RetryPolicy(attempts=1, base=0.01, cap=0.01, time_budget=0))
    yield
    tail._behind.clear()
    if tail._deliveries:
        await asyncio.gather(*tail._deliveries, return_exceptions=True)
    await tail.close_connection()


class RedisAway:
    """The channel layer's broadcasts fail as they do while Redis is down; subscriptions already made stay."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, layer) -> None:
        self.monkeypatch, self.layer = monkeypatch, layer
        self.failed = 0

    def __enter__(self) -> RedisAway:
        async def group_send(group, message):
            self.failed += 1
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self.monkeypatch.setattr(self.layer, "group_send", group_send)
        return self

    def __exit__(self, *exc) -> None:
        self.monkeypatch.undo()

    async def until_tried(self, sends: int) -> None:
        """Wait until the server's loop has tried (and failed) ``sends`` broadcasts."""
        for _ in range(200):
            if self.failed >= sends:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self.failed} broadcasts tried, {sends} expected")


async def seqs_of(client, count: int, type_: str = "ADD") -> list[int]:
    return [(await client.receive_type(type_, timeout=5))["seq"] for _ in range(count)]


async def two_passes() -> int:
    """What the tail does across its grace: the first pass sees the lag, the next one delivers."""
    assert await tail.tail_pass(grace=0) == 0
    return await tail.tail_pass(grace=0)


@pytest.mark.parametrize(
    "layer_settings",
    [LAYERS["memory"], pytest.param(LAYERS["redis-core"], marks=pytest.mark.redis),
     pytest.param(LAYERS["redis-pubsub"], marks=pytest.mark.redis)],
    ids=["memory", "redis-core", "redis-pubsub"],
)
async def test_events_whose_broadcast_failed_reach_the_subscriber_from_the_journal(connect, layer, monkeypatch):
    # given: a subscriber, and a channel layer whose sends fail
    stream = f"t{uuid.uuid4().hex[:10]}"
    watcher = await connect()
    assert (await watcher.request("SUBSCRIBE", "TALLY", stream))["data"]["seq"] == 0
    moved = Moved(("pokerrt_tail_events_total", {"target": "TALLY"}))
    with RedisAway(monkeypatch, layer) as away:
        # when: three events commit and their broadcasts are lost
        await db(actions.do_add)(stream, 1, times=3)
        await away.until_tried(3)
        assert await watcher.nothing(0.2)
        # then: the tail's second pass hands them over, in order, once
        assert await two_passes() == 1
        assert await seqs_of(watcher, 3) == [1, 2, 3]
        assert await watcher.nothing(0.2)
        assert moved("pokerrt_tail_events_total", target="TALLY") == 3
        # and a pass after that finds nothing missing
        assert await two_passes() == 0
    # and once the layer is back, the next event comes by its broadcast, after them
    await db(actions.do_add)(stream, 1)
    assert await seqs_of(watcher, 1) == [4]
    assert await watcher.nothing(0.2)
    assert moved("pokerrt_tail_events_total", target="TALLY") == 3


async def test_the_tail_loop_delivers_a_lost_event_on_its_own(connect, layer, monkeypatch, realtime_conf):
    # given: a node whose tail runs every 0.2 s with a grace of 0.2 s
    realtime_conf(TAIL_INTERVAL=0.2, TAIL_GRACE=0.2)
    stream = f"t{uuid.uuid4().hex[:10]}"
    watcher = await connect()
    await watcher.request("SUBSCRIBE", "TALLY", stream)
    loop_task = tail.passes.tasks[asyncio.get_running_loop()]
    try:
        with RedisAway(monkeypatch, layer) as away:
            # when: an event's broadcast is lost
            await db(actions.do_add)(stream, 5)
            await away.until_tried(1)
            # then: it arrives all the same (the bound only says when to give up)
            frame = await watcher.receive_type("ADD", timeout=10)
            assert (frame["seq"], frame["data"]["total"]) == (1, 5)
    finally:
        loop_task.cancel()


async def test_a_broadcast_that_works_is_not_doubled_by_the_tail(connect, layer):
    # given: two subscribers of one stream, broadcasts working
    stream = f"t{uuid.uuid4().hex[:10]}"
    watchers = [await connect() for _ in range(2)]
    for watcher in watchers:
        await watcher.request("SUBSCRIBE", "TALLY", stream)
    moved = Moved(("pokerrt_tail_events_total", {"target": "TALLY"}))
    for _ in range(5):
        # when: events commit and tail passes with no grace race their broadcasts
        await db(actions.do_add)(stream, 1, times=2)
        await asyncio.gather(tail.tail_pass(grace=0), tail.tail_pass(grace=0))
        await tail.tail_pass(grace=0)
    # then: each subscriber has every event exactly once, in order
    for watcher in watchers:
        assert await seqs_of(watcher, 10) == list(range(1, 11))
        assert await watcher.nothing(0.2)
    # and, with every broadcast through before a pass, the tail gave nothing
    await db(actions.do_add)(stream, 1)
    for watcher in watchers:
        assert await seqs_of(watcher, 1) == [11]
    assert await two_passes() == 0
    assert moved("pokerrt_tail_events_total", target="TALLY") <= 10


async def test_a_lost_event_and_the_next_broadcast_arrive_in_order(connect, layer, monkeypatch):
    # given: a subscriber that missed two events while the layer was away
    stream = f"t{uuid.uuid4().hex[:10]}"
    watcher = await connect()
    await watcher.request("SUBSCRIBE", "TALLY", stream)
    with RedisAway(monkeypatch, layer) as away:
        await db(actions.do_add)(stream, 1, times=2)
        await away.until_tried(2)
    assert await tail.tail_pass(grace=0) == 0
    # when: the layer is back, and the next event's broadcast and the tail's delivery meet
    await asyncio.gather(db(actions.do_add)(stream, 1), tail.tail_pass(grace=0))
    # then: one copy of each, in commit order
    assert await seqs_of(watcher, 3) == [1, 2, 3]
    assert await watcher.nothing(0.2)


async def test_the_tail_gives_a_player_stream_to_its_owner_only(connect, layer, monkeypatch, make_user):
    # given: two players, each subscribed to their own PLAYER stream
    alice, bob = await db(make_user)("alice"), await db(make_user)("bob")
    sockets = {}
    for user in (alice, bob):
        key = (await db(Token.objects.create)(user=user)).key
        sockets[user.username] = await connect(token=key)
        await sockets[user.username].request("SUBSCRIBE", "PLAYER", str(user.pk))
    with RedisAway(monkeypatch, layer) as away:
        # when: alice's wallet changes and the broadcast is lost
        await db(actions.do_grant)(alice, 250)
        await away.until_tried(1)
        assert await two_passes() == 1
    # then: alice gets it from the tail, bob nothing
    frame = await sockets["alice"].receive_type("BALANCE_UPDATE", timeout=5)
    assert frame["data"]["user"]["id"] == str(alice.pk)
    assert await sockets["bob"].nothing(0.3)


def queries_of_heads(keys: list[tuple[str, str]]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert len(tail.read_heads(keys)) == len(keys)
    return len(queries)


async def test_a_pass_reads_the_heads_of_every_followed_stream_in_one_query(connect, layer):
    # given: a socket following ten streams, all up to date
    watcher = await connect()
    names = [f"t{uuid.uuid4().hex[:10]}" for _ in range(10)]
    for name in names:
        await db(actions.do_add)(name, 1)
        await watcher.request("SUBSCRIBE", "TALLY", name)
    assert sorted(name for target, name in tail.followed() if target == "TALLY") == sorted(names)
    # then: the heads are one query, and nothing is read or sent beyond it
    assert await db(queries_of_heads)(tail.followed()) == 1
    assert await two_passes() == 0
    # and a socket that goes stops being followed
    await watcher.close()
    assert not [key for key in tail.followed() if key[1] in names]


def test_the_heads_are_those_of_the_streams_asked_for_only():
    # given: two tallies with events
    actions.do_add("s1", 1, times=2)
    actions.do_add("s2", 1)
    # when: the tail asks for one of them, and for a stream of another target with the other's id
    heads = tail.read_heads([("TALLY", "s1"), ("PLAYER", "s2")])
    # then: the pair nobody asked for (TALLY s2) is not among them, nor a stream with no events yet
    assert {key: seq for key, (seq, _) in heads.items()} == {("TALLY", "s1"): 2}


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own (the shared one must not be stopped): ``(url, stop, start)``."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no",
                                       "--dir", str(tmp_path)], stdout=subprocess.DEVNULL))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop() -> None:
        procs[-1].terminate()
        procs[-1].wait(10)

    start()
    yield f"redis://127.0.0.1:{port}/0", stop, start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@pytest.fixture
def layer_settings(request):
    """In memory, but the Pub/Sub layer on the test's own Redis for a test that has one."""
    if "own_redis" in request.fixturenames:
        url = request.getfixturevalue("own_redis")[0]
        return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [url]}}}
    return IN_MEMORY


@pytest.mark.live
async def test_events_committed_while_redis_is_down_reach_the_subscriber(own_redis, connect):
    # given: a subscriber over the Pub/Sub layer of a Redis of our own
    url, stop_redis, start_redis = own_redis
    stream = f"t{uuid.uuid4().hex[:10]}"
    watcher = await connect()
    assert (await watcher.request("SUBSCRIBE", "TALLY", stream))["data"]["seq"] == 0
    await db(actions.do_add)(stream, 1)
    assert await seqs_of(watcher, 1) == [1]
    # when: Redis stops, and two events commit: their broadcasts fail
    await asyncio.to_thread(stop_redis)
    await db(actions.do_add)(stream, 1, times=2)
    assert await watcher.nothing(0.5)
    # then: the tail hands them over from the journal
    assert await two_passes() == 1
    assert await seqs_of(watcher, 2) == [2, 3]
    # and once Redis is back, broadcasts reach the subscriber again, after them and once
    await asyncio.to_thread(start_redis)
    # (the layer reconnects on its own: events go out until one gets through; the bound only says when to give up)
    for _ in range(100):
        await db(actions.do_add)(stream, 1)
        if not await watcher.nothing(0.3):
            break
    total = await db(actions.tally_total)(stream)
    seqs = [(await watcher.receive_type("ADD", timeout=5))["seq"]]
    while seqs[-1] < total:
        seqs.append((await watcher.receive_type("ADD", timeout=5))["seq"])
    assert seqs == list(range(4, total + 1))
    assert await watcher.nothing(0.3)
