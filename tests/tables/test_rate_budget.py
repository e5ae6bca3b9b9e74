"""A player answering every decision at the table's pace never runs out of command budget.

PROTOCOL.md section 4 limits commands per connection; a fast table may ask
one player for more decisions a second than that. Each decision the server
asks for gives the player's connection its token back.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from tables import actions
from tables.models import Hand, HandAction
from tables.snapshots import awaited_user

from .helpers import fire_now, passive, play_out, table_events
from .sockets import Socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def three_commands(settings):
    """Each connection may send three commands, with no refill while the test runs."""
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "RATE_PER_SECOND": 0, "RATE_BURST": 3}


async def play_passively(socket: Socket, user_id: str, table_id: str) -> int:
    """Check or call each decision asked of the user until the hand ends; how many were answered."""
    answered: set[tuple[str, int]] = set()
    while True:
        frame = await socket.receive()
        assert frame["type"] != "ERROR", frame
        data = frame.get("data", {})
        if frame["type"] == "HAND_END":
            return len(answered)
        to_act = data.get("to_act") if frame.get("target") == "TABLE" else None
        if not to_act or to_act["user"]["id"] != user_id or (data["hand_id"], to_act["turn"]) in answered:
            continue
        answered.add((data["hand_id"], to_act["turn"]))
        action = "check" if to_act["to_call"] == 0 else "call"
        await socket.send({"type": "PLAYER_ACTION", "target": "TABLE", "id": table_id, "ref": f"t{to_act['turn']}",
                            "data": {"action": action, "hand_id": data["hand_id"], "turn": to_act["turn"]}})


async def test_a_whole_hand_answered_at_table_pace_is_never_rate_limited(table, players, sockets, three_commands):
    ann, ben = players[:2]
    table_id = str(table.pk)
    clients = [await sockets(ann), await sockets(ben)]
    for client in clients:
        await client.send({"type": "SUBSCRIBE", "target": "TABLE", "id": table_id})
        assert (await client.receive())["type"] == "SUBSCRIBED"
    for player in (ann, ben):
        await database_sync_to_async(actions.do_join_table)(player, table.pk, 1000)
    # when: a heads-up hand checked down asks each player four times
    await database_sync_to_async(actions.do_start_hand)(table.pk)
    answered = await asyncio.gather(
        *(play_passively(client, str(player.pk), table_id) for client, player in zip(clients, (ann, ben), strict=True))
    )
    # then: more answers each than the two commands left after subscribing
    assert answered == [4, 4]


def test_each_decision_is_asked_of_its_player_exactly_once(table, seated):
    # given: hands in which the clock ran into the time bank, then acted for the player
    for _ in range(2):
        hand = actions.do_start_hand(table.pk)
        assert fire_now(f"table:{table.pk}:action")
        play_out(table, passive)
    for hand in Hand.objects.filter(table=table):
        events = [e for e in table_events(table) if e.data.get("hand_id") == str(hand.pk)]
        # when: the realtime core asks the tables app whom each event waits for
        awaited = [awaited_user(e.type, e.data) for e in events]
        # then: one event per logged decision, naming who took it
        deciders = [str(hand.players[str(a.seat)]) for a in HandAction.objects.filter(hand=hand).order_by("index")]
        assert [user for user in awaited if user] == deciders
