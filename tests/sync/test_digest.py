"""The state digest (issue 17, part two): SUBSCRIBED and SYNC carry it, and a client with a wrong state recovers."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from lobby.models import RowChange
from lobby.snapshots import lobby_snapshot
from pokerrt.realtime import digest_sync, streams
from pokerrt.realtime.digest import StreamDigest, canonical, digest, stream_digest
from tables import actions, live
from tables.models import Seat
from tables.snapshots import table_snapshot
from tests.metrics.helpers import Moved
from tests.realtime.helpers import Client
from tests.tables.helpers import current_hand, fire_now, random_bot, user_at
from tests.tables.table_state import apply
from tournament import actions as tournament_actions
from tournament.snapshots import tournament_snapshot

from .test_reconcile import send_lobby_rows

db = database_sync_to_async


class DigestClient:
    """A TABLE subscriber that checks its state against the server's digests, as a client should.

    On a SYNC at the seq it holds it compares; a mismatch resubscribes without
    ``since`` (a fresh snapshot), saying why.
    """

    def __init__(self, client: Client, table_id: str):
        self.client, self.table_id = client, table_id
        self.state: dict[str, Any] = {}
        self.seq = 0
        self.verdicts: list[str] = []

    async def subscribe(self, **extra: Any) -> dict[str, Any]:
        frame = await self.client.request("SUBSCRIBE", "TABLE", self.table_id, {"digest": True, **extra})
        assert frame["type"] == "SUBSCRIBED", frame
        self.state, self.seq = frame["data"]["state"], frame["data"]["seq"]
        assert frame["data"]["digest"] == digest(self.state)
        return frame

    async def until_sync(self) -> dict[str, Any]:
        """Apply events up to the next SYNC; compare there, resubscribing on a mismatch."""
        while True:
            frame = await self.client.receive()
            if frame["type"] == "SYNC":
                assert frame["data"]["seq"] == self.seq, "a SYNC comes right after the event it names"
                if frame["data"]["digest"] == digest(self.state):
                    self.verdicts.append("match")
                else:
                    self.verdicts.append("mismatch")
                    await self.subscribe(mismatch=True)
                return frame
            if frame["type"] != "PING":
                assert frame["seq"] == self.seq + 1, frame
                self.seq, self.state = frame["seq"], apply(self.state, frame)


def play_randomly(table, players, rng: random.Random, steps: int) -> None:
    """``steps`` moves of random play: hands started, bets of every size, timeouts, players coming and going."""
    bot = random_bot(rng)
    for _ in range(steps):
        hand = current_hand(table)
        if hand is None:
            for seat in Seat.objects.filter(table=table, user__isnull=False).select_related("user"):
                if not seat.stack:
                    actions.do_leave_table(seat.user, table.pk)
                elif seat.status != "active":
                    actions.do_sit_in(seat.user, table.pk)
            for player in players:
                if not Seat.objects.filter(user=player).exists():
                    actions.do_join_table(player, table.pk, rng.randint(100, 1500))
            actions.do_start_hand(table.pk)
            continue
        dealt = live.engine_hand(hand)
        if rng.random() < 0.05:
            fire_now(f"table:{table.pk}:action")
        else:
            action, amount = bot(dealt.legal_actions(), dealt)
            actions.do_player_action(user_at(hand, dealt.to_act()), table.pk, action, amount)


def test_the_digest_is_the_sha256_of_compact_sorted_utf8_json():
    state = {"seats": [{"user": {"username": "zoë", "id": "7"}, "stack": 1500}], "hand": None}
    text = '{"hand":null,"seats":[{"stack":1500,"user":{"id":"7","username":"zoë"}}]}'
    assert canonical(state) == text.encode("utf-8")
    assert digest(state) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    # Key order in the source does not matter; any value does.
    assert digest(json.loads(text)) == digest(state)
    assert digest({**state, "hand": {}}) != digest(state)


@pytest.mark.django_db(transaction=True)
async def test_subscribed_carries_the_snapshot_s_digest_when_the_client_asks(open_socket, table, players):
    await db(actions.do_join_table)(players[0], table.pk, 500)
    client = await open_socket(players[0])
    # given no digest option: the frame is as before
    plain = await client.request("SUBSCRIBE", "TABLE", str(table.pk))
    assert "digest" not in plain["data"]
    # when asked: the digest of the state it carries
    asked = await client.request("SUBSCRIBE", "TABLE", str(table.pk), {"digest": True})
    assert asked["data"]["digest"] == digest(asked["data"]["state"])
    assert asked["data"]["digest"] == (await db(stream_digest)("TABLE", str(table.pk))).digest
    # a private stream has no digest: the option is taken and ignored
    own = await client.request("SUBSCRIBE", "PLAYER", str(players[0].pk), {"digest": True})
    assert own["type"] == "SUBSCRIBED" and "digest" not in own["data"]
    # a malformed option is refused, naming it
    bad = await client.request("SUBSCRIBE", "TABLE", str(table.pk), {"digest": "yes", "mismatch": 1})
    assert (bad["type"], bad["data"]["code"]) == ("ERROR", "VALIDATION")
    assert set(bad["data"]["details"]) == {"digest", "mismatch"}
    # SYNC is the server's to send
    refused = await client.request("SYNC", "TABLE", str(table.pk), {"seq": 1, "epoch": "x", "digest": "0" * 16})
    assert refused["data"]["code"] == "UNKNOWN_TYPE"


@pytest.mark.django_db(transaction=True)
async def test_a_player_and_a_spectator_get_the_same_digest_and_no_card_is_hashed(open_socket, table, seated):
    # given: a hand in play, ann dealt in
    await db(actions.do_start_hand)(table.pk)
    ann = seated[0]
    player, spectator = await open_socket(ann), await open_socket()
    own = await player.request("SUBSCRIBE", "PLAYER", str(ann.pk))
    [seat] = [s for s in own["data"]["state"]["seats"] if s["table_id"] == str(table.pk)]
    assert len(seat["cards"]) == 2
    # when both subscribe to the table asking for its digest
    mine = await player.request("SUBSCRIBE", "TABLE", str(table.pk), {"digest": True})
    theirs = await spectator.request("SUBSCRIBE", "TABLE", str(table.pk), {"digest": True})
    # then: one digest, over a state without hole cards
    assert mine["data"]["digest"] == theirs["data"]["digest"] == digest(theirs["data"]["state"])
    hashed = canonical(mine["data"]["state"]).decode()
    assert all(f'"{card}"' not in hashed for card in seat["cards"])


@pytest.mark.django_db(transaction=True)
async def test_after_random_play_the_client_s_state_hashes_to_each_sync_digest(open_socket, table, players):
    # given: a watcher asking for digests, and a table in random play
    rng = random.Random(1726)
    await db(play_randomly)(table, players[:4], rng, 3)
    watcher = DigestClient(await open_socket(), str(table.pk))
    await watcher.subscribe()
    sent = Moved(("pokerrt_sync_frames_total", {"target": "TABLE"}))
    for _ in range(8):
        await db(play_randomly)(table, players[:4], rng, rng.randint(1, 12))
        # when: a pass digests the stream at its current seq
        assert await digest_sync.sync_pass() == 1
        sync = await watcher.until_sync()
        # then: the SYNC names the seq the client reached, and the states agree
        assert sync["data"]["seq"] == watcher.seq
    assert watcher.verdicts == ["match"] * 8
    assert sent("pokerrt_sync_frames_total", target="TABLE") == 8
    assert watcher.seq > 30


@pytest.mark.django_db(transaction=True)
async def test_a_client_with_a_wrong_stack_is_told_by_the_digest_and_recovers(open_socket, table, seated):
    # given: a watcher mid-hand whose state is wrong on purpose
    await db(actions.do_start_hand)(table.pk)
    watcher = DigestClient(await open_socket(), str(table.pk))
    await watcher.subscribe()
    watcher.state["seats"][1]["stack"] += 100
    moved = Moved(("pokerrt_digest_mismatches_total", {"target": "TABLE"}))
    # when: the next SYNC comes
    await digest_sync.sync_pass()
    await watcher.until_sync()
    # then: it saw the mismatch, resubscribed for a fresh snapshot, and holds the server's state
    assert watcher.verdicts == ["mismatch"]
    assert moved("pokerrt_digest_mismatches_total", target="TABLE") == 1
    assert watcher.state == await db(table_snapshot)(str(table.pk))
    # and the play goes on with the state right: the next SYNC matches
    hand = await db(current_hand)(table)
    dealt = await db(live.engine_hand)(hand)
    await db(actions.do_player_action)(await db(user_at)(hand, dealt.to_act()), table.pk, "call")
    await digest_sync.sync_pass()
    await watcher.until_sync()
    assert watcher.verdicts == ["mismatch", "match"]


@pytest.mark.django_db(transaction=True)
async def test_a_sync_that_overtakes_its_event_waits_for_it_and_a_stale_one_is_dropped(open_socket, table, seated,
                                                                                   monkeypatch):
    # given: a watcher at seq n, and the digests of the states at n+1 and n+2 read in advance
    watcher = DigestClient(await open_socket(), str(table.pk))
    first = await watcher.subscribe()
    n, epoch = first["data"]["seq"], first["data"]["epoch"]
    [channel] = digest_sync._watchers[("TABLE", str(table.pk))]
    layer = get_channel_layer()

    def sync(seq: int, value: str) -> dict[str, Any]:
        return digest_sync.sync_message(("TABLE", str(table.pk)), StreamDigest(seq, epoch, value))

    # when: the SYNC of n+1 arrives before event n+1, and one of n-1 after
    await layer.send(channel, sync(n + 1, "a" * 16))
    await layer.send(channel, sync(n - 1, "b" * 16))
    await db(actions.do_sit_out)(seated[0], table.pk)
    # then: event n+1, then its SYNC; the stale one never comes
    event = await watcher.client.receive()
    assert (event["type"], event["seq"]) == ("TABLE_UPDATE", n + 1)
    assert (await watcher.client.receive())["data"] == {"seq": n + 1, "epoch": epoch, "digest": "a" * 16}
    assert await watcher.client.nothing()

    # when: the SYNC of n+2 waits, event n+2's broadcast is lost and n+3 comes
    await layer.send(channel, sync(n + 2, "c" * 16))
    with monkeypatch.context() as patch:
        patch.setattr(streams, "broadcast_all", lambda events: None)
        await db(actions.do_sit_in)(seated[0], table.pk)
    await db(actions.do_sit_out)(seated[1], table.pk)
    # then: the journal fills the gap and the SYNC still sits right after its event
    frames = [await watcher.client.receive() for _ in range(3)]
    assert [(f["type"], f.get("seq", f["data"].get("seq"))) for f in frames] == [
        ("TABLE_UPDATE", n + 2), ("SYNC", n + 2), ("TABLE_UPDATE", n + 3)]


@pytest.mark.django_db(transaction=True)
async def test_streams_are_digested_once_per_pass_for_the_sockets_that_asked(open_socket, table, monkeypatch):
    # given: two watchers asking, one socket not asking
    asking = [await open_socket() for _ in range(2)]
    for client in asking:
        await client.request("SUBSCRIBE", "TABLE", str(table.pk), {"digest": True})
    silent = await open_socket()
    await silent.request("SUBSCRIBE", "TABLE", str(table.pk))
    # when
    reads = []
    monkeypatch.setattr(digest_sync, "stream_digest", lambda *key: reads.append(key) or stream_digest(*key))
    sent = await digest_sync.sync_pass()
    # then: one read, a SYNC to each asking socket, none to the other
    assert reads == [("TABLE", str(table.pk))] and sent == 2
    for client in asking:
        assert (await client.receive_type("SYNC"))["id"] == str(table.pk)
    assert await silent.nothing()
    # and a socket that unsubscribes or closes is no longer digested for
    await asking[0].request("UNSUBSCRIBE", "TABLE", str(table.pk))
    await asking[1].close()
    assert digest_sync.watched() == []


@pytest.mark.django_db
def test_a_lobby_is_digested_only_while_every_row_change_went_out(table, lobby, players):
    # given: a row change on its way (a seat taken: the coalescer sends it within half a second)
    actions.do_join_table(players[0], table.pk, 500)
    assert RowChange.objects.filter(lobby_id=lobby.pk).exists()
    # then: the fresh rows are ahead of what subscribers hold, so no digest now
    assert stream_digest("LOBBY", str(lobby.pk)) is None
    # once the rows went out, the digest is the snapshot's
    send_lobby_rows(lobby)
    found = stream_digest("LOBBY", str(lobby.pk))
    assert found is not None and found.digest == digest(lobby_snapshot(str(lobby.pk)))


@pytest.mark.django_db
def test_a_tournament_and_a_table_are_digested_whole_and_a_player_stream_not(table, lobby, players):
    sng = tournament_actions.do_create_tournament(lobby, "SNG", buy_in=100, fee=10, starting_stack=1500,
                                                  min_players=2, max_players=6, table_size=6)
    tournament_actions.do_register(players[0], sng.pk)
    found = stream_digest("TOURNAMENT", str(sng.pk))
    assert found is not None and found.digest == digest(tournament_snapshot(str(sng.pk)))
    assert stream_digest("TABLE", str(table.pk)).digest == digest(table_snapshot(str(table.pk)))
    assert stream_digest("PLAYER", str(players[0].pk)) is None
    assert stream_digest("TABLE", "999999") is None


def test_no_pass_loop_runs_when_the_interval_is_zero(settings):
    import asyncio

    async def started(interval: float) -> bool:
        settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "DIGEST_INTERVAL": interval}
        digest_sync.ensure_sync_loop()
        task = digest_sync.passes.tasks.get(asyncio.get_running_loop())
        if task is not None:
            task.cancel()
        return task is not None

    assert asyncio.run(started(0)) is False
    assert asyncio.run(started(30)) is True


@pytest.mark.django_db(transaction=True)
async def test_the_periodic_pass_rests_between_streams_so_its_reads_take_a_tenth_of_its_time(table, lobby,
                                                                                           monkeypatch):
    # given: two watched streams (no sockets: nothing else runs on the loop), a clock on which each
    # stream's read takes 10 ms, and a sleep that only records
    for key in (("TABLE", str(table.pk)), ("LOBBY", str(lobby.pk))):
        monkeypatch.setattr(digest_sync, "_watchers", {**digest_sync._watchers, key: {"test.watcher"}})
    ticks = iter(range(10**6))
    monkeypatch.setattr(digest_sync.time, "perf_counter", lambda: next(ticks) * 0.01)
    rests = []

    async def rest(seconds):
        rests.append(seconds)

    monkeypatch.setattr(digest_sync.asyncio, "sleep", rest)
    # when: the loop's pass, then one run by hand
    await digest_sync.sync_pass(duty=digest_sync.PERIODIC_DUTY)
    paced = list(rests)
    await digest_sync.sync_pass()
    # then: 90 ms of rest after each stream's 10 ms; none when a pass is run by hand
    assert paced == pytest.approx([0.09, 0.09]) and rests == paced
