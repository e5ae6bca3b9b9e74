"""A server killed mid-hand loses nothing: the next node goes on from the log and fires the overdue clock."""

import asyncio
import signal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from loadtest.bots import Bot
from lobby.actions import do_create_lobby
from pokerrt.realtime.models import Stream
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.models import Hand, HandAction, HandStatus
from tests.live import start_daphne, stop

from .helpers import user_at

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

# Failure bounds only: each wait ends with the frame it waits for.
PATIENCE = 120


def test_kill_mid_hand_then_a_new_node_finishes_the_hand(make_user):
    lobby = do_create_lobby("Restart")
    # A clock no busy machine runs out while the first node serves the call.
    table = actions.do_create_table(lobby, "Restart", small_blind=5, big_blind=10, min_buy_in=100,
                                    action_seconds=600, time_bank_seconds=0)
    ann, ben = make_user("ann"), make_user("ben")
    actions.do_join_table(ann, table.pk, 500)
    actions.do_join_table(ben, table.pk, 500)
    # given: a hand with one action taken through the first node, which then dies
    first, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="30")
    hand = actions.do_start_hand(table.pk)
    opener = user_at(hand, live.engine_hand(hand).to_act())
    token = Token.objects.create(user=opener).key

    async def act_once():
        bot = Bot(f"ws://127.0.0.1:{port}/ws/", token, str(opener.pk))
        await bot.connect()
        await bot.send("PLAYER_ACTION", "TABLE", str(table.pk),
                       {"action": "call", "hand_id": str(hand.pk), "turn": 1})
        await bot.run(lambda b: any(f["type"] in ("ACK", "ERROR") for f in b.frames), timeout=PATIENCE)
        await bot.close()
        return bot

    acted = asyncio.run(act_once())
    assert acted.errors == []
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert HandAction.objects.filter(hand=hand).count() == 1
    # and: the clock ran out while no node was up; later decisions get a short one
    actions.do_update_table(table.pk, action_seconds=1)
    ran_out = timezone.now()
    Hand.objects.filter(pk=hand.pk).update(action_deadline=ran_out)
    Deadline.objects.filter(key=f"table:{table.pk}:action").update(due_at=ran_out)
    before = Stream.objects.get(target="TABLE", stream_id=str(table.pk))
    # when: a new node starts and nobody acts
    second, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="30", POKERRT_TIMERS_SWEEP_SECONDS="1")
    try:
        watcher = Bot(f"ws://127.0.0.1:{port}/ws/", None)

        async def watch():
            await watcher.connect()
            # From the seq above: whatever the node did before this subscription is replayed.
            await watcher.send("SUBSCRIBE", "TABLE", str(table.pk), {"since": before.seq, "epoch": before.epoch})
            await watcher.run(lambda b: any(f["type"] == "HAND_END" for f in b.frames), timeout=PATIENCE)
            await watcher.close()

        asyncio.run(watch())
    finally:
        stop(second)
    # then: the hand went on from its log: the clock acted for the player to act
    subscribed = next(f for f in watcher.frames if f["type"] == "SUBSCRIBED")
    assert subscribed["data"]["recovered"] is True
    hand.refresh_from_db()
    assert hand.status == HandStatus.ENDED
    auto = [f for f in watcher.frames if f["type"] == "PLAYER_ACTION" and f["data"].get("auto")]
    assert auto and auto[0]["data"]["action"] in ("check", "fold")
    logged = list(HandAction.objects.filter(hand=hand).order_by("index"))
    assert logged[0].action == "call" and not logged[0].auto and logged[1].auto
