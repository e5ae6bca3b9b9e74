"""Helpers shared by the engine tests: decks in a chosen order, random play."""

from __future__ import annotations

import os
import random
from typing import Sequence

from hypothesis import HealthCheck, settings

from tables.engine import CARDS, Deck, Hand, HandConfig, SeatEntry

EXAMPLES = int(os.environ.get('ENGINE_EXAMPLES', '300'))
"""Hypothesis examples per property (each example plays several hands)."""
ENGINE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])

SALTS = tuple(bytes([i]) * 16 for i in range(52))


def stacked_deck(*cards: str) -> Deck:
    """A deck whose first positions are ``cards``, the rest in a fixed order."""
    head = [c for text in cards for c in (text[i:i + 2] for i in range(0, len(text), 2))]
    rest = [c for c in CARDS if c not in head]
    return Deck(tuple(head + rest), SALTS)


def random_deck(rng: random.Random) -> Deck:
    """A deck shuffled by ``rng`` (reproducible, unlike the real shuffle)."""
    cards = list(CARDS)
    rng.shuffle(cards)
    return Deck(tuple(cards), SALTS)


def config(stacks: Sequence[int], button: int | None = None, sb: int = 1, bb: int = 2,
           **kwargs: object) -> HandConfig:
    """Seats 1..n with ``stacks``; the button on the last seat by default."""
    seats = tuple(SeatEntry(i + 1, s) for i, s in enumerate(stacks))
    return HandConfig(seats=seats, button=button or len(stacks), small_blind=sb,
                      big_blind=bb, **kwargs)  # type: ignore[arg-type]


def random_action(hand: Hand, rng: random.Random,
                  weights: dict[str, float] | None = None) -> tuple[int, str, int | None]:
    """A legal action for the seat to act, chosen by ``rng``."""
    seat = hand.to_act()
    assert seat is not None
    legal = hand.legal_actions()
    w = weights or {}
    action = rng.choices(legal, [w.get(a, 1.0) for a in legal])[0]
    amount = None
    if action in ('bet', 'raise'):
        low, high = hand.min_raise_to(), hand.max_raise_to()
        assert low is not None and high is not None
        amount = rng.choice([low, high, rng.randint(low, high)])
    return seat, action, amount


def play_random(hand: Hand, rng: random.Random,
                weights: dict[str, float] | None = None) -> None:
    """Play ``hand`` to the end with random legal actions."""
    while not hand.is_over:
        hand.act(*random_action(hand, rng, weights))


def split(text: str) -> list[str]:
    """``'AhKd'`` -> ``['Ah', 'Kd']``."""
    return [text[i:i + 2] for i in range(0, len(text), 2)]


def deck_for(holes: Sequence[str], board: str = '') -> Deck:
    """A deck dealing ``holes[i]`` to PokerKit index ``i`` and then ``board``.

    Burn cards and the rest come from the cards not named, in a fixed order.
    """
    n = len(holes)
    named = [c for h in holes for c in split(h)] + split(board)
    spare = iter(c for c in CARDS if c not in named)
    order: list[str] = [''] * (2 * n)
    for i, hole in enumerate(holes):
        first, second = split(hole)
        order[i], order[i + n] = first, second
    flop, turn, river = split(board)[:3], split(board)[3:4], split(board)[4:5]
    for street in (flop, turn, river):
        order.append(next(spare))
        order.extend(street or [next(spare) for _ in range(3 if street is flop else 1)])
    order.extend(spare)
    return Deck(tuple(order), SALTS)
