"""Recovery paths that normal play never takes: a new epoch, a journal with a hole, since at the head,
a channel layer that fails, and the exact refusal of a bad token.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from pokerrt.realtime import streams
from pokerrt.realtime.consumer import CLOSE_BAD_TOKEN
from pokerrt.realtime.limits import TokenBucket
from pokerrt.realtime.models import Event, Stream
from pokerrt.realtime.routing import websocket_application

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

add = database_sync_to_async(actions.do_add)


@database_sync_to_async
def restore_under_new_epoch(stream_id: str, epoch: str) -> None:
    """What a restore from a backup does to a stream: its history gets a new name."""
    Stream.objects.filter(target="TALLY", stream_id=stream_id).update(epoch=epoch)


@database_sync_to_async
def lose_journal_rows(stream_id: str, *seqs: int) -> None:
    Event.objects.filter(target="TALLY", stream_id=stream_id, seq__in=seqs).delete()


# --- Epoch rotation ---------------------------------------------------------------------------------


async def test_a_new_epoch_resyncs_the_subscriber_with_a_fresh_snapshot(connect):
    await add("ep1", 1, times=3)
    client = await connect()
    first = await client.request("SUBSCRIBE", "TALLY", "ep1")
    old_epoch = first["data"]["epoch"]
    # when: the stream is restored under a new epoch, then its next event is emitted
    await restore_under_new_epoch("ep1", "restored1")
    await add("ep1", 1)
    # then: instead of that event the subscriber gets a whole new SUBSCRIBED, in the new epoch
    frame = await client.receive_type("SUBSCRIBED")
    assert frame["target"] == "TALLY" and frame["id"] == "ep1"
    assert frame["data"] == {"seq": 4, "epoch": "restored1", "recovered": False, "state": {"total": 4}}
    assert old_epoch != "restored1"
    # and: later events follow on from the snapshot in the new epoch
    await add("ep1", 1)
    event = await client.receive_type("ADD")
    assert (event["seq"], event["epoch"], event["data"]["total"]) == (5, "restored1", 5)
    assert await client.nothing()


async def test_since_with_the_old_epoch_is_not_recovered(connect):
    await add("ep2", 1, times=3)
    client = await connect()
    old_epoch = (await client.request("SUBSCRIBE", "TALLY", "ep2"))["data"]["epoch"]
    await restore_under_new_epoch("ep2", "restored2")
    # when: a client that saw seq 2 of the old history comes back
    returning = await connect()
    frame = await returning.request("SUBSCRIBE", "TALLY", "ep2", {"since": 2, "epoch": old_epoch}, ref="back")
    # then: its seqs mean nothing now: a snapshot, never a replay
    assert frame["data"] == {"seq": 3, "epoch": "restored2", "recovered": False, "state": {"total": 3},
                             "ref": "back"}
    assert await returning.nothing()


# --- A journal with a hole ---------------------------------------------------------------------------


async def test_a_gap_the_journal_cannot_fill_resyncs_instead_of_replaying_part(connect, layer, monkeypatch):
    await add("gap1", 1, times=2)
    client = await connect()
    assert (await client.request("SUBSCRIBE", "TALLY", "gap1"))["data"]["seq"] == 2
    held = []
    monkeypatch.setattr(streams, "broadcast", held.append)
    await add("gap1", 1, times=3)  # seqs 3, 4, 5, not yet delivered
    monkeypatch.undo()
    # when: seq 3 is gone from the journal and seq 5 arrives first
    await lose_journal_rows("gap1", 3)
    await layer.group_send("tally.gap1", streams.event_message(held[2]))
    # then: no partial replay (4 then 5): a fresh snapshot at the stream's head
    frame = await client.receive_type("SUBSCRIBED")
    assert frame["data"]["recovered"] is False
    assert (frame["data"]["seq"], frame["data"]["state"]) == (5, {"total": 5})
    # the late deliveries of 3 and 4 are already in that snapshot: dropped
    for event in held[:2]:
        await layer.group_send("tally.gap1", streams.event_message(event))
    assert await client.nothing()


async def test_since_before_a_hole_in_the_journal_gets_a_snapshot(connect):
    await add("gap2", 1, times=5)
    await lose_journal_rows("gap2", 3)
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "gap2"))["data"]["epoch"]
    frame = await client.request("SUBSCRIBE", "TALLY", "gap2", {"since": 1, "epoch": epoch})
    assert frame["data"]["recovered"] is False
    assert (frame["data"]["seq"], frame["data"]["state"]) == (5, {"total": 5})
    assert await client.nothing()
    # after the hole the journal is whole again: recovery from there is a replay
    frame = await client.request("SUBSCRIBE", "TALLY", "gap2", {"since": 3, "epoch": epoch})
    assert frame["data"]["recovered"] is True
    assert [(await client.receive_type("ADD"))["seq"] for _ in range(2)] == [4, 5]


# --- since at the head of the stream -----------------------------------------------------------------------


async def test_since_equal_to_the_current_seq_recovers_with_no_events(connect):
    await add("head1", 1, times=3)
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "head1"))["data"]["epoch"]
    other = await connect()
    frame = await other.request("SUBSCRIBE", "TALLY", "head1", {"since": 3, "epoch": epoch}, ref="h")
    assert frame["data"] == {"seq": 3, "epoch": epoch, "recovered": True, "ref": "h"}
    assert await other.nothing()
    await add("head1", 1)
    assert (await other.receive_type("ADD"))["seq"] == 4


async def test_since_zero_on_an_empty_stream_recovers_with_no_events(connect):
    client = await connect()
    epoch = (await client.request("SUBSCRIBE", "TALLY", "head2"))["data"]["epoch"]
    frame = await client.request("SUBSCRIBE", "TALLY", "head2", {"since": 0, "epoch": epoch})
    assert frame["data"]["recovered"] is True and frame["data"]["seq"] == 0
    assert await client.nothing()


# --- Histories kept apart: another epoch, another target with the same id ------------------------------------


async def test_events_of_the_previous_epoch_are_never_replayed_in_the_new_one(connect):
    await add("ep3", 1, times=3)
    await restore_under_new_epoch("ep3", "restored3")
    await add("ep3", 1, times=2)  # seqs 4 and 5, the new history's first events
    client = await connect()
    # when: a client claims to have seen seq 2 of the new epoch, which began at 4
    frame = await client.request("SUBSCRIBE", "TALLY", "ep3", {"since": 2, "epoch": "restored3"})
    # then: seqs 3 and 4 of two different histories are not one replay
    assert frame["data"]["recovered"] is False and frame["data"]["seq"] == 5
    assert await client.nothing()
    frame = await client.request("SUBSCRIBE", "TALLY", "ep3", {"since": 4, "epoch": "restored3"})
    assert frame["data"]["recovered"] is True
    assert [(e["seq"], e["epoch"]) for e in [await client.receive_type("ADD")]] == [(5, "restored3")]


async def test_a_replay_holds_only_its_own_streams_events(connect, user, token):
    # given: a TALLY and a PLAYER stream that share the id, restored under one epoch
    shared = str(user.pk)
    grant = database_sync_to_async(actions.do_grant)
    await add(shared, 1, times=2)
    await grant(user, 10)
    await database_sync_to_async(Stream.objects.filter(stream_id=shared).update)(epoch="restored4")
    await add(shared, 1, times=2)  # TALLY seqs 3 and 4
    await grant(user, 10)  # PLAYER seq 2
    await grant(user, 10)  # PLAYER seq 3
    # and another TALLY stream of that same restored history
    await add("other4", 1, times=2)
    await database_sync_to_async(Stream.objects.filter(stream_id="other4").update)(epoch="restored4")
    await add("other4", 1, times=2)  # seqs 3 and 4
    client = await connect(token=token)
    # when
    frame = await client.request("SUBSCRIBE", "TALLY", shared, {"since": 2, "epoch": "restored4"})
    # then: this stream's events 3 and 4, nothing of the PLAYER stream or the other TALLY stream
    assert frame["data"]["recovered"] is True
    assert [((f := await client.receive())["type"], f["seq"]) for _ in range(2)] == [("ADD", 3), ("ADD", 4)]
    assert await client.nothing()


def test_retention_prunes_each_stream_on_its_own(user, settings):
    import datetime as dt

    from django.utils import timezone

    # given: a TALLY and a PLAYER stream with the same id, both old
    shared = str(user.pk)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    actions.do_add(shared, 1, times=10)
    for _ in range(5):
        actions.do_grant(user, 1)
    # and a shorter TALLY stream
    actions.do_add("short", 1, times=2)
    Event.objects.update(timestamp=timezone.now() - dt.timedelta(hours=30))
    # when: each keeps its last three events
    assert streams.prune_journal(keep_events=3, keep_hours=24) == 7 + 2
    # then
    kept = sorted(Event.objects.filter(stream_id=shared).values_list("target", "seq"))
    assert kept == [("PLAYER", 3), ("PLAYER", 4), ("PLAYER", 5), ("TALLY", 8), ("TALLY", 9), ("TALLY", 10)]
    assert list(Event.objects.filter(stream_id="short").values_list("seq", flat=True)) == [1, 2]


def test_retention_defaults_come_from_the_settings(settings):
    import datetime as dt

    from django.utils import timezone

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "RETENTION_EVENTS": 2, "RETENTION_HOURS": 2}
    actions.do_add("kept", 1, times=6)
    Event.objects.filter(seq__lte=2).update(timestamp=timezone.now() - dt.timedelta(hours=3))
    # 1 and 2 are past two hours; 3 and 4 are outside the last two but younger: kept
    assert streams.prune_journal() == 2
    assert list(Event.objects.filter(stream_id="kept").values_list("seq", flat=True)) == [3, 4, 5, 6]


def test_emit_stores_what_json_cannot_hold_as_text(settings):
    import datetime as dt
    import decimal
    import uuid

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    when = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    key = uuid.UUID(int=7)
    with transaction.atomic():
        event = streams.emit("TALLY", "json1", "NOTE", {"at": when, "rate": decimal.Decimal("1.5"), "key": key})
    assert event.data == {"at": "2026-11-26T10:00:00Z", "rate": "1.5", "key": str(key)}
    assert Event.objects.get(pk=event.pk).data == event.data


# --- A channel layer that fails -----------------------------------------------------------------------------


class BrokenSendLayer(InMemoryChannelLayer):
    """Joins groups, but every group_send fails (Redis down, say)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Set once a group_send was attempted (and failed).
        self.tried = asyncio.Event()

    async def group_send(self, group, message):
        self.tried.set()
        raise ConnectionError("layer down")


BROKEN = {"default": {"BACKEND": f"{__name__}.BrokenSendLayer"}}


@pytest.mark.parametrize("layer_settings", [BROKEN])
async def test_a_failed_send_from_a_command_commits_the_action_and_logs(connect, token, layer, caplog):
    watcher = await connect()
    epoch = (await watcher.request("SUBSCRIBE", "TALLY", "down1"))["data"]["epoch"]
    commander = await connect(token=token)
    with caplog.at_level(logging.ERROR, logger="pokerrt.realtime.streams"):
        ack = await commander.request("ADD", "TALLY", "down1", {"n": 7}, ref="c")
        await layer.tried.wait()
    # then: the command succeeded and its event is in the journal
    assert ack["type"] == "ACK" and ack["data"] == {"ref": "c", "result": {"total": 7}}
    assert await database_sync_to_async(Event.objects.filter(stream_id="down1", seq=1).exists)()
    # and: the failure is logged with its exception
    failed = [r for r in caplog.records if r.name == "pokerrt.realtime.streams"]
    assert [r.getMessage() for r in failed] == ["broadcast to tally.down1 of #1 failed"]
    assert failed[0].exc_info and "layer down" in str(failed[0].exc_info[1])
    # and: the subscriber that missed it recovers it from the journal
    assert await watcher.nothing()
    frame = await watcher.request("SUBSCRIBE", "TALLY", "down1", {"since": 0, "epoch": epoch})
    assert frame["data"]["recovered"] is True
    assert (await watcher.receive_type("ADD"))["data"]["total"] == 7


def test_a_failed_send_outside_the_server_commits_the_action_and_logs(settings, caplog):
    # given: an action run by a management command or a Celery task, the layer down
    settings.CHANNEL_LAYERS = BROKEN
    with caplog.at_level(logging.ERROR, logger="pokerrt.realtime.streams"):
        # when
        assert actions.do_add("down2", 2) == 2
        assert actions.do_add("down2", 3) == 5
    # then: both committed, each failure logged with its exception
    assert list(Event.objects.filter(stream_id="down2").values_list("seq", flat=True)) == [1, 2]
    failed = [r for r in caplog.records if r.name == "pokerrt.realtime.streams"]
    assert [r.getMessage() for r in failed] == ["broadcast of TALLY.down2 #1 failed",
                                                "broadcast of TALLY.down2 #2 failed"]
    assert all("layer down" in str(r.exc_info[1]) for r in failed)


def test_an_event_emitted_outside_the_server_reaches_the_group(settings):
    # given: a group member; the action runs in a management command or a Celery task
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("tally.cli1", channel)
    # when
    actions.do_add("cli1", 4)
    # then: the send waited for the layer: the event is there
    message = async_to_sync(asyncio.wait_for)(layer.receive(channel), 1)
    assert (message["type"], message["id"], message["seq"]) == ("event.send", "cli1", 1)
    assert '"total": 4' in message["text"]


def test_an_event_emitted_while_the_server_stops_is_still_sent(settings):
    # given: a group member, and this thread playing a server's sync thread whose
    # event loop has stopped (a consumer's disconnect writing during shutdown)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("tally.stop1", channel)
    stopped = asyncio.new_event_loop()
    threadlocal = SyncToAsync.threadlocal
    threadlocal.main_event_loop, threadlocal.main_event_loop_pid = stopped, os.getpid()
    try:
        # when
        actions.do_add("stop1", 1)
    finally:
        del threadlocal.main_event_loop, threadlocal.main_event_loop_pid
        stopped.close()
    # then: the event went out all the same (the send waited for it)
    message = async_to_sync(asyncio.wait_for)(layer.receive(channel), 1)
    assert (message["type"], message["id"], message["seq"]) == ("event.send", "stop1", 1)


# --- Refusals, exactly ---------------------------------------------------------------------------------------


async def handshake(layer, headers):
    communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=headers)
    try:
        return await communicator.connect()
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize(
    "authorization",
    [b"Token not-a-token", b"Token ", b"Bearer abc", b"token"],
)
async def test_a_bad_token_closes_the_handshake_with_4401(layer, authorization):
    assert await handshake(layer, [(b"authorization", authorization)]) == (False, CLOSE_BAD_TOKEN)
    assert CLOSE_BAD_TOKEN == 4401


async def test_the_token_of_a_deactivated_user_closes_the_handshake_with_4401(layer, user):
    key = await database_sync_to_async(lambda: Token.objects.create(user=user).key)()
    await database_sync_to_async(get_user_model().objects.filter(pk=user.pk).update)(is_active=False)
    assert await handshake(layer, [(b"authorization", f"Token {key}".encode())]) == (False, 4401)


async def test_a_good_token_is_accepted(layer, token):
    assert await handshake(layer, [(b"authorization", f"Token {token}".encode())]) == (True, None)


# --- The rate limit's memory -------------------------------------------------------------------------------------


def test_refusals_are_forgotten_once_the_bucket_is_full_again():
    now = [0.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(5)] == [True, True, True, False, False]
    assert bucket.excess == 2
    # a client that backs off only a little is still abusing: the count goes on
    now[0] += 0.25
    assert bucket.take() is False and bucket.excess == 3
    # one that waits until its bucket is full again starts from zero
    now[0] += 1.5
    assert bucket.take() is True
    assert bucket.excess == 0
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    assert bucket.excess == 1
