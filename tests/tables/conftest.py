"""Fixtures for table tests: a lobby, a cash table, seated players, a bot that plays."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from django.utils import timezone

from lobby.actions import do_create_lobby
from pokerrt.realtime.models import Event
from pokerrt.timers import fire
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.models import Hand, HandStatus


@pytest.fixture
def lobby(db):
    return do_create_lobby("Test lobby")


@pytest.fixture
def table(lobby):
    return actions.do_create_table(lobby, "Test 5/10", small_blind=5, big_blind=10, max_seats=6,
                                   min_buy_in=100, max_buy_in=2000, action_seconds=20,
                                   time_bank_seconds=30)


@pytest.fixture
def players(make_user):
    return [make_user(name) for name in ("ann", "ben", "cat", "dan", "eve", "fay")]


@pytest.fixture
def seated(table, players):
    """Three players at seats 1-3 with 1,000 chips each."""
    for player in players[:3]:
        actions.do_join_table(player, table.pk, 1000)
    return players[:3]


def fire_now(key: str) -> bool:
    """Make the deadline ``key`` due and fire it, as its wake-up would."""
    deadline = Deadline.objects.get(key=key)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=timezone.now() - timezone.timedelta(milliseconds=1))
    return fire(key, deadline.version)


def current_hand(table) -> Hand | None:
    return Hand.objects.filter(table=table, status=HandStatus.LIVE).first()


def user_at(hand: Hand, seat: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=hand.players[str(seat)])


def play_out(table, choose: Callable[[list[str], object], tuple[str, int | None]]) -> Hand:
    """Play the live hand to its end, each decision from ``choose(legal, dealt)``."""
    hand = current_hand(table)
    assert hand is not None
    while True:
        hand.refresh_from_db()
        if hand.status == HandStatus.ENDED:
            return hand
        dealt = live.engine_hand(hand)
        seat = dealt.to_act()
        action, amount = choose(dealt.legal_actions(), dealt)
        actions.do_player_action(user_at(hand, seat), table.pk, action, amount)


def passive(legal, dealt):
    return ("check", None) if "check" in legal else ("call", None)


def random_bot(rng: random.Random):
    def choose(legal, dealt):
        action = rng.choice(legal)
        if action in ("bet", "raise"):
            low, high = dealt.min_raise_to(), dealt.max_raise_to()
            return action, rng.randint(low, min(high, low * 3))
        return action, None

    return choose


def table_events(table, after: int = 0) -> list[Event]:
    return list(Event.objects.filter(target="TABLE", stream_id=str(table.pk), seq__gt=after).order_by("seq"))


def last_seq(table) -> int:
    event = Event.objects.filter(target="TABLE", stream_id=str(table.pk)).order_by("-seq").first()
    return event.seq if event else 0


@pytest.fixture
async def sockets(settings):
    """Open in-process clients of /ws/: ``await sockets(user)``; all closed after the test.

    Closing waits for each consumer's disconnect; then the database connection
    of the consumers' sync thread is closed, so no later test inherits it.
    """
    from channels.db import database_sync_to_async
    from django.db import connections

    from .sockets import Socket

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    opened: list[Socket] = []

    async def open_(user=None) -> Socket:
        socket = await Socket.open(user)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        await socket.close()
    await database_sync_to_async(connections.close_all)()
