"""A player answering every decision at the table's pace never runs out of command budget.

PROTOCOL.md section 4 limits commands per connection; a fast table may ask
one player for more decisions a second than that. Each decision the server
asks for gives the player's connection its token back.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from pokerrt.realtime.routing import websocket_application
from tables import actions
from tables.models import Hand, HandAction
from tables.snapshots import awaited_user

from .conftest import fire_now, passive, play_out, table_events

pytestmark = pytest.mark.django_db(transaction=True)

# A failure bound only: a hand takes a fraction of it.
PATIENCE = 60


@pytest.fixture
def three_commands(settings):
    """Each connection may send three commands, with no refill while the test runs."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "RATE_PER_SECOND": 0, "RATE_BURST": 3}


async def connected(user) -> WebsocketCommunicator:
    key = await database_sync_to_async(lambda: Token.objects.create(user=user).key)()
    socket = WebsocketCommunicator(websocket_application(), "/ws/",
                                   headers=[(b"authorization", f"Token {key}".encode())])
    connected, _ = await socket.connect()
    assert connected
    return socket


async def send(socket: WebsocketCommunicator, frame: dict) -> None:
    await socket.send_to(text_data=json.dumps(frame))


async def play_passively(socket: WebsocketCommunicator, user_id: str, table_id: str) -> int:
    """Check or call each decision asked of the user until the hand ends; how many were answered."""
    answered: set[tuple[str, int]] = set()
    while True:
        frame = json.loads(await socket.receive_from(PATIENCE))
        assert frame["type"] != "ERROR", frame
        data = frame.get("data", {})
        if frame["type"] == "HAND_END":
            return len(answered)
        to_act = data.get("to_act") if frame.get("target") == "TABLE" else None
        if not to_act or to_act["user"]["id"] != user_id or (data["hand_id"], to_act["turn"]) in answered:
            continue
        answered.add((data["hand_id"], to_act["turn"]))
        action = "check" if to_act["to_call"] == 0 else "call"
        await send(socket, {"type": "PLAYER_ACTION", "target": "TABLE", "id": table_id, "ref": f"t{to_act['turn']}",
                            "data": {"action": action, "hand_id": data["hand_id"], "turn": to_act["turn"]}})


async def test_a_whole_hand_answered_at_table_pace_is_never_rate_limited(table, players, three_commands):
    ann, ben = players[:2]
    table_id = str(table.pk)
    sockets = [await connected(ann), await connected(ben)]
    for socket in sockets:
        await send(socket, {"type": "SUBSCRIBE", "target": "TABLE", "id": table_id})
        assert json.loads(await socket.receive_from(PATIENCE))["type"] == "SUBSCRIBED"
    for player in (ann, ben):
        await database_sync_to_async(actions.do_join_table)(player, table.pk, 1000)
    # when: a heads-up hand checked down asks each player four times
    await database_sync_to_async(actions.do_start_hand)(table.pk)
    answered = await asyncio.gather(
        *(play_passively(socket, str(player.pk), table_id) for socket, player in zip(sockets, (ann, ben), strict=True)))
    # then: more answers each than the two commands left after subscribing
    assert answered == [4, 4]
    for socket in sockets:
        await socket.disconnect()


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
