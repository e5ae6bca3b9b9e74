"""Payoffs with the phevaluator plug-in equal stock PokerKit's on the same hands."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from pokerkit import (
    Automation,
    BoardDealing,
    CardBurning,
    CheckingOrCalling,
    CompletionBettingOrRaisingTo,
    Folding,
    HoleDealing,
    Mode,
    NoLimitTexasHoldem,
    State,
)

from tables.engine import Hand, HandConfig, PhevaluatorHighHand, SeatEntry
from tables.engine.evaluator import describe
from tables.engine.hand import forced_bets

from .helpers import ENGINE_SETTINGS, random_deck

HANDS_PER_EXAMPLE = 4
"""With the default 300 examples: 1200 hands, most of them to showdown."""
SHOWDOWN_HEAVY = {'fold': 0.1, 'check': 5.0, 'call': 5.0, 'bet': 0.5, 'raise': 0.3,
                  'all_in': 0.2}


def stock_state(hand: Hand) -> State:
    """The same hand on stock PokerKit: its evaluator, its showdown automation."""
    antes, blinds = forced_bets(hand.config)
    return NoLimitTexasHoldem.create_state(
        (Automation.ANTE_POSTING, Automation.BET_COLLECTION,
         Automation.BLIND_OR_STRADDLE_POSTING, Automation.HOLE_CARDS_SHOWING_OR_MUCKING,
         Automation.HAND_KILLING, Automation.CHIPS_PUSHING, Automation.CHIPS_PULLING),
        False, antes, blinds, hand.config.big_blind,
        tuple(hand.config.entry(seat).stack for seat in hand.seats), len(hand.seats),
        mode=Mode.TOURNAMENT)


def replay_on_stock(hand: Hand) -> State:
    state = stock_state(hand)
    for op in hand.state.operations:
        if isinstance(op, HoleDealing):
            state.deal_hole(op.cards)
        elif isinstance(op, CardBurning):
            state.burn_card(op.card)
        elif isinstance(op, BoardDealing):
            state.deal_board(op.cards)
        elif isinstance(op, Folding):
            state.fold()
        elif isinstance(op, CheckingOrCalling):
            state.check_or_call()
        elif isinstance(op, CompletionBettingOrRaisingTo):
            state.complete_bet_or_raise_to(op.amount)
    assert not state.status
    return state


@ENGINE_SETTINGS
@given(sizes=st.lists(st.integers(2, 7), min_size=HANDS_PER_EXAMPLE,
                      max_size=HANDS_PER_EXAMPLE),
       seed=st.integers(0, 2 ** 32))
def test_payoffs_equal_stock_pokerkit(sizes: list[int], seed: int) -> None:
    rng = random.Random(seed)
    for n in sizes:
        seats = tuple(SeatEntry(s, rng.choice([20, 200, 2000]))
                      for s in sorted(rng.sample(range(1, 11), n)))
        config = HandConfig(seats=seats, button=rng.choice(seats).seat, small_blind=1,
                            big_blind=2, ante=rng.choice([0, 1]))
        hand, _ = Hand.start(config, random_deck(rng))
        while not hand.is_over:
            legal = hand.legal_actions()
            action = rng.choices(legal, [SHOWDOWN_HEAVY[a] for a in legal])[0]
            amount = hand.min_raise_to() if action in ('bet', 'raise') else None
            seat = hand.to_act()
            assert seat is not None
            hand.act(seat, action, amount)
        stock = replay_on_stock(hand)
        assert list(stock.stacks) == [hand.stacks[s] for s in hand.seats]


@ENGINE_SETTINGS
@given(cards=st.permutations([r + s for r in '23456789TJQKA' for s in 'cdhs']),
       count=st.integers(5, 7))
def test_evaluator_orders_hands_like_pokerkit(cards: list[str], count: int) -> None:
    from pokerkit import StandardHighHand
    first, second = cards[:count], cards[count:2 * count]
    ours = PhevaluatorHighHand.from_game(''.join(first)), \
        PhevaluatorHighHand.from_game(''.join(second))
    theirs = StandardHighHand.from_game(''.join(first)), \
        StandardHighHand.from_game(''.join(second))
    assert (ours[0] < ours[1]) == (theirs[0] < theirs[1])
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert ours[0].entry.label == theirs[0].entry.label
    assert describe(first[:2], first[2:])[1] == describe(first)[1]
