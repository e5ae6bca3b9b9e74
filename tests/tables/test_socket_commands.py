"""TABLE commands over /ws/: each answered once, its events on the streams, its state stored.

Driven in-process through the consumer (WebsocketCommunicator), as a client
would: a command's effect is checked three ways, on the events the
subscribers receive, on the rows, and on a fresh snapshot equal to the
subscriber's state after applying those events.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from pokerrt.accounts.actions import wallet_of
from pokerrt.realtime.models import Stream
from pokerrt.timers.models import Deadline
from tables import actions
from tables.models import Seat, SeatStatus, Table
from tables.snapshots import table_snapshot
from tests.realtime.helpers import Client

from .helpers import passive, play_out
from .table_state import apply

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


@database_sync_to_async
def epoch_of(table_id: str) -> str:
    return Stream.objects.get(target="TABLE", stream_id=table_id).epoch


class Watcher:
    """A subscriber to one TABLE stream, keeping its state as a client does."""

    def __init__(self, client: Client, table_id: str):
        self.client, self.table_id = client, table_id
        self.state: dict[str, Any] = {}
        self.seq = 0

    async def subscribe(self) -> None:
        frame = await self.client.request("SUBSCRIBE", "TABLE", self.table_id)
        assert frame["type"] == "SUBSCRIBED", frame
        self.state, self.seq = frame["data"]["state"], frame["data"]["seq"]

    async def next_event(self) -> dict[str, Any]:
        frame = await self.client.receive()
        while frame["type"] == "PING":
            frame = await self.client.receive()
        assert frame["seq"] == self.seq + 1, frame
        self.seq = frame["seq"]
        self.state = apply(self.state, frame)
        return frame

    async def is_current(self) -> bool:
        """Nothing more is coming, and the state built from events is the server's snapshot."""
        return await self.client.nothing() and self.state == await db(table_snapshot)(self.table_id)


async def test_sit_out_sit_in_and_leave_over_the_socket(open_socket, table, seated):
    ann = seated[0]
    watcher = Watcher(await open_socket(), str(table.pk))
    await watcher.subscribe()
    player = await open_socket(ann)
    mine = await player.request("SUBSCRIBE", "PLAYER", str(ann.pk))
    assert mine["type"] == "SUBSCRIBED"

    # SIT_OUT: acknowledged, the seat's new status on the table, the seat stored, its sit-out clock set
    assert (await player.request("SIT_OUT", "TABLE", str(table.pk), {}, ref="out"))["data"] == {"ref": "out"}
    event = await watcher.next_event()
    assert event["type"] == "TABLE_UPDATE"
    assert [(s["seat"], s["status"]) for s in event["data"]["seats"]] == [(1, "sitting_out")]
    seat = await db(Seat.objects.get)(table=table, number=1)
    assert seat.status == SeatStatus.SITTING_OUT and seat.sat_out_at is not None
    clock = await db(Deadline.objects.get)(key=f"table:{table.pk}:seat:1:sit_out")
    assert clock.is_pending and clock.payload["user_id"] == ann.pk
    assert await watcher.is_current()

    # SIT_IN: back to active, the clock cancelled
    assert (await player.request("SIT_IN", "TABLE", str(table.pk), {}, ref="in"))["data"] == {"ref": "in"}
    event = await watcher.next_event()
    assert [(s["seat"], s["status"]) for s in event["data"]["seats"]] == [(1, "active")]
    seat = await db(Seat.objects.get)(table=table, number=1)
    assert (seat.status, seat.sat_out_at) == (SeatStatus.ACTIVE, None)
    assert not (await db(Deadline.objects.get)(key=clock.key)).is_pending
    assert await watcher.is_current()

    # TABLE_LEAVE between hands: the seat empties, the chips go back to the wallet, both streams say so
    assert (await player.request("TABLE_LEAVE", "TABLE", str(table.pk), {}, ref="bye"))["data"] == {"ref": "bye"}
    event = await watcher.next_event()
    assert (event["type"], event["data"]) == (
        "TABLE_LEAVE", {"seat": 1, "user": {"id": str(ann.pk), "username": "ann"}, "stack": 1000})
    private = await player.receive_type("TABLE_LEAVE")
    assert (private["seq"], private["data"]) == (mine["data"]["seq"] + 1, {
        "table_id": str(table.pk), "seat": 1, "stack": 1000, "balance": 10_000, "change": 1000})
    assert not await db(Seat.objects.filter(user=ann).exists)()
    assert (await db(wallet_of)(ann)).balance == 10_000
    assert await watcher.is_current()


async def test_sit_out_and_leave_during_a_hand_take_effect_after_it(open_socket, table, seated):
    ann = seated[0]
    hand = await db(actions.do_start_hand)(table.pk)
    watcher = Watcher(await open_socket(), str(table.pk))
    await watcher.subscribe()
    player = await open_socket(ann)
    # SIT_OUT in a hand: still dealt in this one
    assert (await player.request("SIT_OUT", "TABLE", str(table.pk), {}, ref="out"))["type"] == "ACK"
    event = await watcher.next_event()
    assert [(s["seat"], s["status"], s["in_hand"]) for s in event["data"]["seats"]] == [(1, "sitting_out", True)]
    # TABLE_LEAVE in a hand: flagged as leaving, seat and chips kept until the hand ends
    assert (await player.request("TABLE_LEAVE", "TABLE", str(table.pk), {}, ref="bye"))["type"] == "ACK"
    event = await watcher.next_event()
    assert [(s["seat"], s["leaving"]) for s in event["data"]["seats"]] == [(1, True)]
    seat = await db(Seat.objects.get)(table=table, number=1)
    assert (seat.user_id, seat.leaving, seat.stack) == (ann.pk, True, 1000)
    assert (await db(wallet_of)(ann)).balance == 9_000
    assert await watcher.is_current()
    # when: ann (the button, first to act) folds and the others check it down
    assert hand.players["1"] == ann.pk
    assert (await player.request("PLAYER_ACTION", "TABLE", str(table.pk), {"action": "fold"}))["type"] == "ACK"
    await db(play_out)(table, passive)
    # then: the hand ends, and only then is she stood up with her chips
    types = []
    while not types or types[-1] != "TABLE_LEAVE":
        types.append((await watcher.next_event())["type"])
    assert types.index("HAND_END") < types.index("TABLE_LEAVE")
    assert not await db(Seat.objects.filter(user=ann).exists)()
    assert (await db(wallet_of)(ann)).balance == 10_000
    assert await watcher.is_current()


async def test_staff_create_and_update_a_table_over_the_socket(open_socket, lobby, staff_user):
    staff = await open_socket(staff_user)
    # TABLE_CREATE: the ACK names the table; the row holds the settings
    ack = await staff.request("TABLE_CREATE", "TABLE", None, {
        "lobby": lobby.pk, "name": "Night owls", "max_seats": 4, "small_blind": 25, "big_blind": 50,
        "min_buy_in": 1000, "max_buy_in": 5000}, ref="new")
    assert ack["type"] == "ACK" and set(ack["data"]) == {"ref", "result"}
    table_id = ack["data"]["result"]["table_id"]
    table = await db(Table.objects.get)(pk=int(table_id))
    assert (table.name, table.max_seats, table.small_blind, table.big_blind, table.min_buy_in, table.max_buy_in) == (
        "Night owls", 4, 25, 50, 1000, 5000)
    assert await db(Seat.objects.filter(table=table).count)() == 4
    # the stream's first event is the TABLE_CREATE, carrying the table as its snapshot shows it
    watcher = Watcher(await open_socket(), table_id)
    await watcher.subscribe()
    assert watcher.seq == 1
    replay = await watcher.client.request("SUBSCRIBE", "TABLE", table_id, {"since": 0, "epoch": await epoch_of(table_id)})
    assert replay["data"]["recovered"] is True
    created = await watcher.client.receive_type("TABLE_CREATE")
    assert created["seq"] == 1 and created["data"] == {"table": watcher.state["table"]}
    assert watcher.state["table"]["name"] == "Night owls" and watcher.state["table"]["max_seats"] == 4

    # TABLE_UPDATE: stored, and told to subscribers with the whole table
    ack = await staff.request("TABLE_UPDATE", "TABLE", table_id, {"name": "Early birds", "max_seats": 6}, ref="up")
    assert ack["type"] == "ACK" and ack["data"] == {"ref": "up"}
    event = await watcher.next_event()
    assert event["type"] == "TABLE_UPDATE"
    assert (event["data"]["table"]["name"], event["data"]["table"]["max_seats"]) == ("Early birds", 6)
    table = await db(Table.objects.get)(pk=int(table_id))
    assert (table.name, table.max_seats) == ("Early birds", 6)
    assert await db(Seat.objects.filter(table=table).count)() == 6
    assert await watcher.is_current()


async def test_a_player_cannot_update_a_table_and_nothing_changes(open_socket, table, players):
    watcher = Watcher(await open_socket(), str(table.pk))
    await watcher.subscribe()
    player = await open_socket(players[0])
    frame = await player.request("TABLE_UPDATE", "TABLE", str(table.pk), {"name": "Mine now"}, ref="x")
    assert frame["type"] == "ERROR" and frame["data"]["code"] == "FORBIDDEN" and frame["data"]["ref"] == "x"
    assert (await db(Table.objects.get)(pk=table.pk)).name == "Test 5/10"
    assert await watcher.is_current()
