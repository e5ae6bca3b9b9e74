"""TOURNAMENT commands over /ws/: each answered once, its events on the streams, its state stored.

Driven in-process through the consumer (WebsocketCommunicator), as a client
would: a subscriber's state built from the snapshot and the events it
receives equals a fresh snapshot afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from pokerrt.accounts.actions import wallet_of
from tests.realtime.consistency import apply_player_event
from tests.realtime.helpers import Client
from tournament.models import Entry, Tournament
from tournament.snapshots import tournament_snapshot

from .reducer import apply_tournament_event

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


class Watcher:
    """A subscriber to one stream, keeping its state as a client does."""

    def __init__(self, client: Client, target: str, stream_id: str, reducer: Any):
        self.client, self.target, self.stream_id, self.reducer = client, target, stream_id, reducer
        self.state: dict[str, Any] = {}
        self.seq = 0

    async def subscribe(self) -> None:
        frame = await self.client.request("SUBSCRIBE", self.target, self.stream_id)
        assert frame["type"] == "SUBSCRIBED", frame
        self.state, self.seq = frame["data"]["state"], frame["data"]["seq"]

    async def next_event(self) -> dict[str, Any]:
        frame = await self.client.receive()
        while frame["type"] == "PING" or frame.get("target") != self.target:
            frame = await self.client.receive()
        assert frame["seq"] == self.seq + 1, frame
        self.seq = frame["seq"]
        self.state = self.reducer(self.state, frame)
        return frame


async def test_a_tournament_s_life_before_the_start_over_the_socket(open_socket, lobby, staff_user, players):
    ann, ben = players[0], players[1]
    staff = await open_socket(staff_user)
    # TOURNAMENT_CREATE: the ACK names the tournament
    ack = await staff.request("TOURNAMENT_CREATE", "TOURNAMENT", None, {
        "lobby": lobby.pk, "name": "Friday SNG", "buy_in": 100, "fee": 10, "max_players": 6, "table_size": 6},
        ref="new")
    assert ack["type"] == "ACK", ack
    tournament_id = ack["data"]["result"]["tournament_id"]
    watcher = Watcher(await open_socket(), "TOURNAMENT", tournament_id, apply_tournament_event)
    await watcher.subscribe()
    assert watcher.seq == 1 and watcher.state["tournament"]["name"] == "Friday SNG"

    # TOURNAMENT_REGISTER: ack, the public count on the TOURNAMENT stream, the balance on ann's PLAYER stream
    player = await open_socket(ann)
    mine = Watcher(player, "PLAYER", str(ann.pk), apply_player_event)
    await mine.subscribe()
    assert mine.state["registrations"] == []
    assert (await player.request("TOURNAMENT_REGISTER", "TOURNAMENT", tournament_id, {}, ref="in"))["data"] == {
        "ref": "in"}
    event = await watcher.next_event()
    assert (event["type"], event["data"]["registered"], event["data"]["prize_pool"]) == ("TOURNAMENT_REGISTER", 1, 100)
    private = await mine.next_event()
    assert (private["type"], private["data"]["change"]) == ("TOURNAMENT_REGISTER", -110)
    assert mine.state["registrations"] == [{"tournament_id": tournament_id, "status": "registered", "table_id": None}]
    assert mine.state["balance"] == (await db(wallet_of)(ann)).balance == 9_890

    # registering twice: ERROR CONFLICT with the ref, nothing on any stream
    error = await player.request("TOURNAMENT_REGISTER", "TOURNAMENT", tournament_id, {}, ref="again")
    assert (error["type"], error["data"]["code"], error["data"]["ref"]) == ("ERROR", "CONFLICT", "again")

    # a player may not update, cancel or create: FORBIDDEN
    for kind, data in (("TOURNAMENT_UPDATE", {"name": "Mine"}), ("TOURNAMENT_CANCEL", {})):
        error = await player.request(kind, "TOURNAMENT", tournament_id, data)
        assert error["data"]["code"] == "FORBIDDEN"

    # TOURNAMENT_UPDATE by staff: the whole tournament told to subscribers
    ben_socket = await open_socket(ben)
    assert (await ben_socket.request("TOURNAMENT_REGISTER", "TOURNAMENT", tournament_id, {}))["type"] == "ACK"
    await watcher.next_event()
    assert (await staff.request("TOURNAMENT_UPDATE", "TOURNAMENT", tournament_id, {"name": "Friday Turbo"}))[
        "type"] == "ACK"
    assert (await watcher.next_event())["type"] == "TOURNAMENT_UPDATE"
    assert watcher.state["tournament"]["name"] == "Friday Turbo"

    # TOURNAMENT_UNREGISTER: the refund
    assert (await player.request("TOURNAMENT_UNREGISTER", "TOURNAMENT", tournament_id, {}))["type"] == "ACK"
    assert (await watcher.next_event())["type"] == "TOURNAMENT_UNREGISTER"
    private = await mine.next_event()
    assert (private["data"]["change"], mine.state["balance"], mine.state["registrations"]) == (110, 10_000, [])

    # TOURNAMENT_CANCEL by staff: ben refunded, the stream ends
    assert (await staff.request("TOURNAMENT_CANCEL", "TOURNAMENT", tournament_id, {}))["type"] == "ACK"
    end = await watcher.next_event()
    assert (end["type"], end["data"]["results"], end["data"]["cancelled"]) == ("TOURNAMENT_END", [], True)
    assert watcher.state == await db(tournament_snapshot)(tournament_id)
    assert await watcher.client.nothing()
    assert (await db(wallet_of)(ben)).balance == 10_000
    assert await db(lambda: Tournament.objects.get(pk=int(tournament_id)).status)() == "cancelled"
    assert await db(lambda: set(Entry.objects.values_list("status", flat=True)))() == {"unregistered", "refunded"}


async def test_subscribing_to_no_such_tournament_is_not_found(open_socket, db):
    client = await open_socket()
    frame = await client.request("SUBSCRIBE", "TOURNAMENT", "999")
    assert (frame["type"], frame["data"]["code"]) == ("ERROR", "NOT_FOUND")


async def test_an_anonymous_client_may_watch_but_not_register(open_socket, lobby):
    from tournament.actions import do_create_tournament

    tournament = await db(do_create_tournament)(lobby, "Open")
    client = await open_socket()
    assert (await client.request("SUBSCRIBE", "TOURNAMENT", str(tournament.pk)))["type"] == "SUBSCRIBED"
    error = await client.request("TOURNAMENT_REGISTER", "TOURNAMENT", str(tournament.pk), {})
    assert error["data"]["code"] == "UNAUTHENTICATED"
