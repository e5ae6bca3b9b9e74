"""A server killed mid-hand loses nothing: the next node goes on from the log and the sweep fires the clock."""

import asyncio
import signal

import pytest
from rest_framework.authtoken.models import Token

from loadtest.bots import Bot
from lobby.actions import do_create_lobby
from tables import actions, live
from tables.models import HandAction, HandStatus
from tests.live import start_daphne, stop

from .conftest import user_at

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_kill_mid_hand_then_a_new_node_finishes_the_hand(make_user):
    lobby = do_create_lobby("Restart")
    table = actions.do_create_table(lobby, "Restart", small_blind=5, big_blind=10, min_buy_in=100,
                                    action_seconds=3, time_bank_seconds=0)
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
        await bot.run(lambda b: any(f["type"] == "ACK" for f in b.frames), timeout=20)
        await bot.close()
        return bot

    acted = asyncio.run(act_once())
    assert acted.errors == []
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert HandAction.objects.filter(hand=hand).count() == 1
    # when: a new node starts and nobody acts; the clock (3 s) is overdue by then
    second, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="30", POKERRT_TIMERS_SWEEP_SECONDS="1")
    try:
        watcher = Bot(f"ws://127.0.0.1:{port}/ws/", None)

        async def watch():
            await watcher.connect()
            await watcher.subscribe("TABLE", str(table.pk))
            await watcher.run(lambda b: any(f["type"] == "HAND_END" for f in b.frames), timeout=30)
            await watcher.close()

        asyncio.run(watch())
    finally:
        stop(second)
    # then: the hand went on from its log: the clock acted for the player to act
    hand.refresh_from_db()
    assert hand.status == HandStatus.ENDED
    auto = [f for f in watcher.frames if f["type"] == "PLAYER_ACTION" and f["data"].get("auto")]
    assert auto and auto[0]["data"]["action"] in ("check", "fold")
    logged = list(HandAction.objects.filter(hand=hand).order_by("index"))
    assert logged[0].action == "call" and not logged[0].auto and logged[1].auto
