"""Helpers the table tests share: firing deadlines, finding who sits where, playing hands out.

Fixtures stay in conftest.py; test modules import these by name.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.utils import timezone

from pokerrt.realtime.models import Event
from pokerrt.timers import fire
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.models import Hand, HandStatus


def fire_now(key: str) -> bool:
    """Make the deadline ``key`` due and fire it, as its wake-up would.

    An action clock's time is the hand's deadline (the timer may be set
    earlier: tables.actions.hands._arm_clock), so that is made due too.
    """
    deadline = Deadline.objects.get(key=key)
    past = timezone.now() - timezone.timedelta(milliseconds=1)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=past)
    if deadline.handler == "tables.action_clock":
        Hand.objects.filter(pk=deadline.payload["hand_id"], action_deadline__isnull=False).update(action_deadline=past)
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
