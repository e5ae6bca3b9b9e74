"""Real sockets: bots play full hands at a table served by a live Daphne."""

import asyncio
import os
import random

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework.authtoken.models import Token

from loadtest.bots import Bot, randomly, shove
from lobby.actions import do_create_lobby
from pokerrt.timers.models import Deadline
from tables import actions
from tables.models import Hand, HandStatus
from tests.live import start_daphne, stop

from .privacy import assert_no_leak

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

FAST = {"POKERRT_HAND_INTERVAL_SECONDS": "0.05"}
HANDS = int(os.environ.get("PRIVACY_HANDS", 200))
# Failure bounds only: the bots stop at the frame they wait for. A busy
# two-core machine plays 200 hands in a few minutes.
PATIENCE = 1200


# A command budget well below the pace of a fast table (each bot is asked for
# several decisions a second): only the tokens the server gives back for its
# own requests keep a bot playing, on a slow machine as on a fast one.
TIGHT_BUDGET = {"POKERRT_RATE_PER_SECOND": "2", "POKERRT_RATE_BURST": "5"}


@pytest.fixture
def server():
    proc, port = start_daphne(**FAST, **TIGHT_BUDGET)
    yield f"ws://127.0.0.1:{port}/ws/"
    stop(proc)


@pytest.fixture
def dealer():
    """A node that deals the first hand only when the test makes it due (``deal_now``).

    So every player is seated and every client subscribed before it, however
    long the machine takes to seat them; the sweep fires the due hand.
    """
    proc, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="3600", POKERRT_TIMERS_SWEEP_SECONDS="1",
                              **TIGHT_BUDGET)
    yield f"ws://127.0.0.1:{port}/ws/"
    stop(proc)


def deal_now(table):
    Deadline.objects.filter(key=f"table:{table.pk}:next_hand").update(due_at=timezone.now())


async def seat_bots(url, table, users, stacks, strategy, rebuy=None):
    """Connected, subscribed and seated: each bot's TABLE_JOIN answered."""
    bots = []
    for user, token in users:
        bot = Bot(url, token, str(user.pk), strategy, rebuy=rebuy)
        await bot.connect()
        await bot.subscribe("TABLE", str(table.pk))
        await bot.subscribe("PLAYER", str(user.pk))
        bots.append(bot)
    for bot, stack in zip(bots, stacks, strict=True):
        ref = await bot.send("TABLE_JOIN", "TABLE", str(table.pk), {"buy_in": stack})
        await bot.run(lambda b, ref=ref: any(f["type"] in ("ACK", "ERROR") and f["data"].get("ref") == ref
                                             for f in b.frames), timeout=PATIENCE)
    return bots


def play(url, table, users, stacks, strategy, hands, spectator=True, rebuy=None, deal=None):
    """Bots play ``hands`` hands; ``deal(table)`` (a database write) starts the first one."""
    with_tokens = [(user, Token.objects.get_or_create(user=user)[0].key) for user in users]
    async def scenario():
        watcher = None
        if spectator:
            watcher = Bot(url, None)
            await watcher.connect()
            await watcher.subscribe("TABLE", str(table.pk))
        bots = await seat_bots(url, table, with_tokens, stacks, strategy, rebuy)
        if deal is not None:
            await database_sync_to_async(deal)(table)
        everyone = bots + ([watcher] if watcher else [])

        def done(bot):
            # An error stalls the table: stop everyone at their next frame, not at the bound.
            return bot.hands_ended >= hands or any(b.errors or b.gaps for b in everyone)

        await asyncio.gather(*(b.run(done, timeout=PATIENCE) for b in everyone))
        for bot in everyone:
            await bot.close()
        return bots, watcher

    return asyncio.run(scenario())


@pytest.fixture
def live_table(transactional_db):
    lobby = do_create_lobby("Live")
    # The bots answer at once; a clock that ran out for a bot the machine
    # kept waiting would act for it, and its late answer would be refused.
    return actions.do_create_table(lobby, "Live table", small_blind=5, big_blind=10,
                                   min_buy_in=100, max_buy_in=2000, max_seats=6, action_seconds=600)


def test_three_clients_play_to_showdown_with_side_pots(dealer, live_table, make_user):
    users = [make_user(name) for name in ("short", "middle", "deep")]
    bots, watcher = play(dealer, live_table, users, (100, 300, 600), shove, hands=1, deal=deal_now)
    first = Hand.objects.filter(table=live_table).order_by("id").first()
    assert first.status == HandStatus.ENDED
    for bot in bots + [watcher]:
        assert bot.gaps == [] and bot.errors == []
        types = [f["type"] for f in bot.frames if f.get("target") == "TABLE"]
        assert "SHOWDOWN" in types and "HAND_END" in types
    end = next(f for f in watcher.frames if f["type"] == "HAND_END")
    assert {w["pot"] for w in end["data"]["winners"]} <= {0, 1, 2}
    assert sum(s["stack"] for s in end["data"]["stacks"]) == 1000
    showdown = next(f for f in watcher.frames if f["type"] == "SHOWDOWN")
    assert len(showdown["data"]["hands"]) == 3  # all-in hands are all shown
    # each bot saw its own cards on its PLAYER stream, and no one else's
    for bot in bots:
        mine = [f for f in bot.frames if f["type"] == "DEAL_CARDS" and f["target"] == "PLAYER"]
        assert len(mine) >= 1 and all(f["id"] == bot.user_id for f in mine)


@pytest.mark.timeout(PATIENCE + 300)
def test_two_hundred_hands_over_the_wire_leak_no_hole_card(server, live_table, make_user, settings):
    """Every frame each player and an anonymous spectator received, hand by hand."""
    settings.POKERRT_STARTING_BALANCE = 1_000_000  # rebuys for the whole run
    users = [make_user(name) for name in ("p1", "p2", "p3", "p4")]
    rng = random.Random(11)
    bots, watcher = play(server, live_table, users, (1000,) * 4, randomly(rng), hands=HANDS, rebuy=1000)
    for bot in bots + [watcher]:
        assert bot.gaps == [] and bot.errors == []
    hands = list(Hand.objects.filter(table=live_table, status=HandStatus.ENDED).order_by("id"))
    assert len(hands) >= HANDS
    for hand in hands[:HANDS]:
        for bot in bots + [watcher]:
            seat = next((int(n) for n, uid in hand.players.items() if str(uid) == bot.user_id), None)
            frames = [f for f in bot.frames if f.get("data", {}).get("hand_id") == str(hand.pk)]
            assert_no_leak(hand, seat, frames, f"bot {bot.user_id}, hand {hand.pk}")


def test_a_stopping_node_closes_seated_players_1012_and_exits(live_table, lobby_tables, make_user):
    """Seated players' disconnects are written while the node stops, without hanging it."""
    import signal
    import time

    from pokerrt.realtime.models import Event

    proc, port = start_daphne(**FAST)
    users = [make_user(f"sitter{n}") for n in range(12)]
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in users]
    tables = [live_table, *lobby_tables]

    async def sit_then_stop():
        bots = []
        for n, (user, token) in enumerate(zip(users, tokens, strict=True)):
            bot = Bot(f"ws://127.0.0.1:{port}/ws/", token, str(user.pk))
            await bot.connect()
            await bot.send("TABLE_JOIN", "TABLE", str(tables[n % len(tables)].pk), {"buy_in": 500})
            await bot.run(lambda b: any(f["type"] in ("ACK", "ERROR") for f in b.frames), timeout=20)
            bots.append(bot)
        # half leave on their own, and the node is told to stop at that moment
        await asyncio.gather(*(bot.close() for bot in bots[:6]))
        proc.send_signal(signal.SIGTERM)
        codes = []
        for bot in bots[6:]:
            try:
                await bot.run(lambda b: False, timeout=20)
            except Exception:
                pass
            codes.append(bot._ws.close_code)
        return codes

    try:
        started = time.monotonic()
        assert asyncio.run(sit_then_stop()) == [1012] * 6
        proc.wait(timeout=20)
        assert time.monotonic() - started < 20
        disconnects = Event.objects.filter(target="TABLE", type="PLAYER_DISCONNECT").count()
        assert disconnects == 12
    finally:
        stop(proc)


@pytest.fixture
def lobby_tables(live_table):
    return [actions.do_create_table(live_table.lobby, f"Side {n}", small_blind=5, big_blind=10,
                                    min_buy_in=100, max_buy_in=2000, max_seats=6) for n in range(2)]
