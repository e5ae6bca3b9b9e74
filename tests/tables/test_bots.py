"""The load-test bots answer each decision once, whoever shows it to them again."""

import asyncio
import json

import pytest

from loadtest.bots import Bot
from pokerrt.realtime.streams import event_frame
from tables import actions

from .helpers import fire_now, table_events, user_at

pytestmark = pytest.mark.django_db


class Wire:
    """Stands in for the bot's socket: keeps what the bot sends."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


def bot_for(user) -> tuple[Bot, Wire]:
    bot = Bot("ws://unused/", None, str(user.pk))
    bot._ws = wire = Wire()
    return bot, wire


def test_a_decision_shown_again_by_the_time_bank_is_answered_once(table, seated):
    hand = actions.do_start_hand(table.pk)
    bot, wire = bot_for(user_at(hand, 1))
    # given: seat 1's clock ran out and the time bank re-announced the decision
    assert fire_now(f"table:{table.pk}:action")
    frames = [event_frame(e) for e in table_events(table)]
    dealt, bank = frames[-2:]
    assert (dealt["type"], bank["type"]) == ("DEAL_CARDS", "TABLE_UPDATE")
    assert bank["data"]["to_act"]["deadline"] != dealt["data"]["to_act"]["deadline"]
    # when: the bot reads HAND_START, DEAL_CARDS and the TABLE_UPDATE, all asking seat 1
    for frame in frames:
        asyncio.run(bot.on_frame(frame))
    # then
    answers = [f for f in wire.sent if f["type"] == "PLAYER_ACTION"]
    assert [a["data"] for a in answers] == [{"action": "call", "hand_id": str(hand.pk), "turn": 1}]
    assert bot.gaps == []


async def test_a_benchmarks_bot_keeps_no_frames_and_still_answers():
    # A thousand bots keeping every frame stall their process in garbage
    # collections, and each stall would be counted as the server's latency.
    bot = Bot("ws://unused/", None, "1", keep_frames=False)
    bot._ws = wire = Wire()
    await bot.on_frame({"type": "PING", "data": {"t": 7}})
    assert bot.frames == []
    assert wire.sent == [{"type": "PONG", "data": {"t": 7}}]
